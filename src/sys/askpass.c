/* SPDX-License-Identifier: MIT */
/*
 * The password prompt of -u/-U USER (rules in askpass.h).
 */
#include "askpass.h"

#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "xalloc.h"

/* Echo on `fd` off (false) or back on; true when `fd` is a terminal and it was done. */
static bool echo_set(int fd, bool on, struct termios *saved)
{
    struct termios t;

    if (on)
        return tcsetattr(fd, TCSAFLUSH, saved) == 0;
    if (tcgetattr(fd, saved) != 0)
        return false;
    t = *saved;
    t.c_lflag &= ~(tcflag_t)ECHO;
    return tcsetattr(fd, TCSAFLUSH, &t) == 0;
}

/* One line from `fd` into `pw` (at most ASKPASS_MAX bytes kept), byte by byte so that
 * nothing after the line is taken from a shared stdin. */
static void read_line(int fd, char *pw)
{
    size_t n = 0;
    char c;

    while (read(fd, &c, 1) == 1 && c != '\n')
        if (n < ASKPASS_MAX && c != '\r')
            pw[n++] = c;
    pw[n] = '\0';
}

char *askpass_complete(const char *kind, const char *user)
{
    char pw[ASKPASS_MAX + 1];
    struct termios saved;
    int fd, tty;
    bool quiet;
    char *r;

    if (!user || !*user || strchr(user, ':'))
        return NULL;
    tty = open("/dev/tty", O_RDWR | O_CLOEXEC);
    fd = tty >= 0 ? tty : STDIN_FILENO;
    quiet = echo_set(fd, false, &saved);
    fprintf(stderr, "Enter %s password for user '%s':", kind, user);
    fflush(stderr);
    read_line(fd, pw);
    if (quiet) {
        echo_set(fd, true, &saved);
        fputc('\n', stderr); /* the user's Enter was not echoed */
    }
    if (tty >= 0)
        close(tty);
    r = xasprintf("%s:%s", user, pw);
    memset(pw, 0, sizeof(pw));
    return r;
}
