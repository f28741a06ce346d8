/* SPDX-License-Identifier: MIT */
/*
 * Catching SIGINT, SIGTERM and SIGHUP (see intr.h). The handler is async-signal-safe: it
 * stores the signal number in a sig_atomic_t and writes one byte to a non-blocking pipe;
 * everything else happens in the event loop. A second signal kills the process at once
 * (its default action) if the clean-up itself hangs, but only from LIMIT_INTR_REPEAT_MS after
 * the first: one event often comes twice within microseconds (timeout(1) signals its
 * child and then its process group; a hang-up reaches the group and the shell forwards
 * it), and that must not cut the clean-up short. Signals ignored when h2get started stay
 * ignored, as POSIX asks of programs started in the background.
 */
#include "intr.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "base/err.h"
#include "base/limits.h"
#include "sys/clock.h"

static const int signals[] = {SIGINT, SIGTERM, SIGHUP};
static struct sigaction saved[3];
static volatile sig_atomic_t caught;
static uint64_t caught_ms; /* the handler's alone: the three are blocked in it */
static int pipefd[2] = {-1, -1};

/* clock_ms (clock_gettime), sigaction and raise are async-signal-safe (POSIX.1-2008
 * §2.4.3). */
static void on_signal(int sig)
{
    int saved_errno = errno;
    uint64_t now = clock_ms();

    if (!caught) {
        caught = sig;
        caught_ms = now;
    } else if (now - caught_ms >= LIMIT_INTR_REPEAT_MS) {
        struct sigaction dfl;

        memset(&dfl, 0, sizeof(dfl));
        dfl.sa_handler = SIG_DFL;
        sigaction(sig, &dfl, NULL);
        raise(sig); /* delivered as the handler returns */
    }
    if (pipefd[1] >= 0)
        (void)!write(pipefd[1], "", 1);
    errno = saved_errno;
}

int intr_install(void)
{
    struct sigaction sa;
    size_t i;

    caught = 0;
    if (pipe(pipefd) != 0)
        pipefd[0] = pipefd[1] = -1;
    for (i = 0; i < 2 && pipefd[i] >= 0; i++) {
        fcntl(pipefd[i], F_SETFL, O_NONBLOCK);
        fcntl(pipefd[i], F_SETFD, FD_CLOEXEC);
    }
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_signal;
    sa.sa_flags = 0; /* no SA_RESTART: poll() returns EINTR */
    sigemptyset(&sa.sa_mask);
    for (i = 0; i < 3; i++)
        sigaddset(&sa.sa_mask, signals[i]);
    for (i = 0; i < 3; i++) {
        sigaction(signals[i], NULL, &saved[i]);
        /* a signal ignored on entry (nohup, a shell's background job) stays ignored */
        if (saved[i].sa_handler != SIG_IGN)
            sigaction(signals[i], &sa, NULL);
    }
    return pipefd[0];
}

void intr_restore(void)
{
    size_t i;

    for (i = 0; i < 3; i++)
        sigaction(signals[i], &saved[i], NULL);
    for (i = 0; i < 2; i++)
        if (pipefd[i] >= 0) {
            close(pipefd[i]);
            pipefd[i] = -1;
        }
}

int intr_pending(void)
{
    char drain[16];

    if (!caught) /* the handler sets it before it writes the pipe: no read per loop turn */
        return 0;
    while (pipefd[0] >= 0 && read(pipefd[0], drain, sizeof(drain)) > 0)
        ;
    switch (caught) {
    case SIGINT:
        return H2E_SIGINT;
    case SIGTERM:
        return H2E_SIGTERM;
    case SIGHUP:
        return H2E_SIGHUP;
    default:
        return 0;
    }
}
