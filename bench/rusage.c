/* SPDX-License-Identifier: MIT */
/*
 * bench_rusage: run one command and write its wall time, CPU time and peak RSS to a file,
 * for bench/e2e.py. Linux keeps the largest RSS a process had before exec in its
 * ru_maxrss, so a command started straight from Python would report Python's size; started
 * from this small program it reports its own (plus well under 1 MiB). The command is
 * killed after TIMEOUT seconds. Never touches the command's stdin, stdout or stderr.
 * Usage: bench_rusage OUTFILE TIMEOUT COMMAND [ARG...]
 * OUTFILE gets one line: "EXIT WALL_S USER_S SYS_S MAXRSS_KIB" (EXIT is 128+N on signal N).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static volatile pid_t rusage_child;

static void rusage_on_alarm(int sig)
{
    (void)sig;
    if (rusage_child > 0)
        kill(rusage_child, SIGKILL);
}

static double rusage_secs(struct timeval tv)
{
    return (double)tv.tv_sec + (double)tv.tv_usec / 1e6;
}

int main(int argc, char **argv)
{
    struct timespec t0, t1;
    struct rusage ru;
    int status = 0, code;
    FILE *out;

    if (argc < 4) {
        fprintf(stderr, "usage: bench_rusage OUTFILE TIMEOUT COMMAND [ARG...]\n");
        return 2;
    }
    signal(SIGALRM, rusage_on_alarm);
    clock_gettime(CLOCK_MONOTONIC, &t0);
    rusage_child = fork();
    if (rusage_child < 0) {
        perror("bench_rusage: fork");
        return 2;
    }
    if (rusage_child == 0) {
        execvp(argv[3], argv + 3);
        perror("bench_rusage: exec");
        _exit(127);
    }
    alarm((unsigned)strtoul(argv[2], NULL, 10));
    while (wait4(rusage_child, &status, 0, &ru) < 0) {
        if (errno != EINTR) {
            perror("bench_rusage: wait4");
            return 2;
        }
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    out = fopen(argv[1], "w");
    if (!out) {
        perror("bench_rusage: OUTFILE");
        return 2;
    }
    fprintf(out, "%d %.6f %.6f %.6f %ld\n", code,
            (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9,
            rusage_secs(ru.ru_utime), rusage_secs(ru.ru_stime), ru.ru_maxrss);
    return fclose(out) == 0 ? 0 : 2;
}
