/* SPDX-License-Identifier: MIT */
/*
 * SIGINT, SIGTERM and SIGHUP during a run (intr.c): the handler only notes the signal and
 * writes a byte to a self-pipe, so that poll() wakes at once; the event loop then ends
 * the run in order (partial files removed or kept as .part, GOAWAY sent). A second signal,
 * 300 ms or more after the first, takes its default action (an earlier one is the same
 * event delivered twice, as timeout(1) and hang-ups do).
 */
#ifndef H2GET_INTR_H
#define H2GET_INTR_H

/* intr_install - catch the three signals; returns the self-pipe's read end to poll for
 * input, or -1 when no pipe could be made (signals are then seen when poll returns EINTR
 * or at the next wake-up, within a second). */
int intr_install(void);
/* intr_restore - the previous handlers back, the pipe closed. */
void intr_restore(void);
/* intr_pending - the H2E_SIGINT/H2E_SIGTERM/H2E_SIGHUP of the first signal caught, or 0;
 * drains the pipe. */
int intr_pending(void);

#endif
