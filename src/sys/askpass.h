/* SPDX-License-Identifier: MIT */
/*
 * The password of -u USER and -U USER, asked for as curl asks (tool_getpass.c): the prompt
 * on stderr, one line read from /dev/tty with echo off; without a terminal, one line of
 * stdin (with stdin at its end: an empty password). Layer 3: it touches the terminal.
 */
#ifndef H2GET_ASKPASS_H
#define H2GET_ASKPASS_H

/* The longest password read; the rest of a longer line is read and dropped. */
#define ASKPASS_MAX 1024

/*
 * askpass_complete - for `user` without ':' (and not empty), print "Enter `kind` password
 * for user 'USER':" and return "USER:PASSWORD" (malloc'd, the caller frees); for any other
 * `user` (NULL, "", one with a password), NULL: nothing to ask.
 */
char *askpass_complete(const char *kind, const char *user);

#endif
