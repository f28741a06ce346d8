/* SPDX-License-Identifier: MIT */
/*
 * The progress meter (progress.c): one status line on stderr, on a terminal only, when
 * bodies go to files.
 */
#ifndef H2GET_PROGRESS_H
#define H2GET_PROGRESS_H

#include <stdbool.h>

struct client;

void progress_init(struct client *cl);
/* progress_tick - redraw at most four times a second; `final` draws the last line. */
void progress_tick(struct client *cl, bool final);

#endif
