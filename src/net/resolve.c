/* SPDX-License-Identifier: MIT */
/*
 * Lookups on threads (resolve.h). What a query thread and the owner share sits in one
 * struct under one mutex, with a reference count: the owner and each running thread hold
 * one, and whoever drops the last frees it, so the owner never waits for a slow resolver.
 */
#define _GNU_SOURCE /* pipe2, EAI_NODATA, EAI_ADDRFAMILY */
#include "resolve.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct query {
    struct net_lookup *lk;
    int family;
    /* written by the query's thread, under lk->mu */
    bool done;
    int rc;
    int err;
    struct addrinfo *res;
    /* the owner's */
    bool taken;
    bool handed;
    uint64_t taken_ms;
    struct net_addrs got;
    const char *error;
};

struct net_lookup {
    pthread_mutex_t mu;
    int refs;
    int pipefd[2];
    char host[NET_HOST_MAX];
    char port[8];
    struct query q[2]; /* AAAA first when both are asked */
    size_t nq;
    uint64_t start_ms;
    bool handed_any;
};

static void destroy(struct net_lookup *lk)
{
    size_t i;

    for (i = 0; i < lk->nq; i++)
        if (lk->q[i].res)
            freeaddrinfo(lk->q[i].res);
    close(lk->pipefd[0]);
    close(lk->pipefd[1]);
    pthread_mutex_destroy(&lk->mu);
    free(lk);
}

/* Drop one reference; the last one frees. */
static void unref(struct net_lookup *lk)
{
    bool last;

    pthread_mutex_lock(&lk->mu);
    last = --lk->refs == 0;
    pthread_mutex_unlock(&lk->mu);
    if (last)
        destroy(lk);
}

static void *run_query(void *arg)
{
    struct query *q = arg;
    struct net_lookup *lk = q->lk;
    struct addrinfo hints, *res = NULL;
    int rc, err;
    ssize_t w;

    memset(&hints, 0, sizeof(hints));
    hints.ai_family = q->family;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_protocol = IPPROTO_TCP;
    hints.ai_flags = AI_NUMERICSERV;
    rc = getaddrinfo(lk->host, lk->port, &hints, &res);
    err = errno;
    pthread_mutex_lock(&lk->mu);
    q->rc = rc;
    q->err = err;
    q->res = rc == 0 ? res : NULL;
    q->done = true;
    w = write(lk->pipefd[1], "", 1); /* a full pipe is awake already */
    (void)w;
    pthread_mutex_unlock(&lk->mu);
    unref(lk);
    return NULL;
}

/* Start query `q` on a detached thread that takes no signals (the event loop's thread
 * handles them); 0 or -1 with errno. */
static int spawn(struct query *q)
{
    pthread_attr_t attr;
    pthread_t t;
    sigset_t all, old;
    int rc;

    if (pthread_attr_init(&attr) != 0)
        return -1;
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    pthread_mutex_lock(&q->lk->mu);
    q->lk->refs++;
    pthread_mutex_unlock(&q->lk->mu);
    rc = pthread_create(&t, &attr, run_query, q);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    pthread_attr_destroy(&attr);
    if (rc != 0) {
        pthread_mutex_lock(&q->lk->mu);
        q->lk->refs--;
        pthread_mutex_unlock(&q->lk->mu);
        errno = rc;
        return -1;
    }
    return 0;
}

/* A query that could not start counts as answered with the reason. */
static void failed_to_start(struct query *q, int err)
{
    pthread_mutex_lock(&q->lk->mu);
    q->rc = EAI_SYSTEM;
    q->err = err;
    q->done = true;
    pthread_mutex_unlock(&q->lk->mu);
}

struct net_lookup *net_lookup_start(const char *host, uint16_t port, int family, uint64_t now_ms)
{
    struct net_lookup *lk;
    size_t i;

    if (strlen(host) >= NET_HOST_MAX || !(lk = calloc(1, sizeof(*lk))))
        return NULL;
    if (pipe2(lk->pipefd, O_NONBLOCK | O_CLOEXEC) != 0) {
        free(lk);
        return NULL;
    }
    pthread_mutex_init(&lk->mu, NULL);
    lk->refs = 1;
    lk->start_ms = now_ms;
    snprintf(lk->host, sizeof(lk->host), "%s", host);
    snprintf(lk->port, sizeof(lk->port), "%u", (unsigned)port);
    if (family != AF_INET)
        lk->q[lk->nq++].family = AF_INET6;
    if (family != AF_INET6)
        lk->q[lk->nq++].family = AF_INET;
    for (i = 0; i < lk->nq; i++)
        lk->q[i].lk = lk;
    if (spawn(&lk->q[0]) != 0) {
        int err = errno;
        destroy(lk);
        errno = err;
        return NULL;
    }
    if (lk->nq == 2 && spawn(&lk->q[1]) != 0)
        failed_to_start(&lk->q[1], errno);
    return lk;
}

int net_lookup_fd(const struct net_lookup *lk)
{
    return lk->pipefd[0];
}

static const char *why(int rc, int err)
{
    if (rc == EAI_SYSTEM)
        return strerror(err);
    if (rc == EAI_NONAME || rc == EAI_NODATA || rc == EAI_ADDRFAMILY)
        return "no such address"; /* per family: the name may still have the other */
    return gai_strerror(rc);
}

/* Move a finished query's result to the owner's side (under the mutex). */
static void take(struct query *q, uint64_t now_ms)
{
    struct addrinfo *ai;

    q->taken = true;
    q->taken_ms = now_ms;
    for (ai = q->res; ai; ai = ai->ai_next)
        if (ai->ai_family == q->family)
            net_addrs_add(&q->got, ai->ai_addr, ai->ai_addrlen);
    if (q->res)
        freeaddrinfo(q->res);
    q->res = NULL;
    if (q->rc != 0)
        q->error = why(q->rc, q->err);
    else if (q->got.n == 0)
        q->error = "no usable address";
}

static void take_answers(struct net_lookup *lk, uint64_t now_ms, struct net_answer ans[2],
                         size_t *nans)
{
    char drain[16];
    size_t i;

    while (read(lk->pipefd[0], drain, sizeof(drain)) > 0)
        ;
    *nans = 0;
    pthread_mutex_lock(&lk->mu);
    for (i = 0; i < lk->nq; i++) {
        struct query *q = &lk->q[i];
        if (!q->done || q->taken)
            continue;
        take(q, now_ms);
        ans[(*nans)++] = (struct net_answer){q->family, now_ms - lk->start_ms, q->got.n, q->error};
    }
    pthread_mutex_unlock(&lk->mu);
}

static void hand(struct query *q, struct net_addrs *out)
{
    size_t i;

    for (i = 0; i < q->got.n; i++)
        net_addrs_add(out, (const struct sockaddr *)&q->got.addr[i].sa, q->got.addr[i].len);
    q->handed = true;
}

/* RFC 8305 §3: may the answers so far be used, or is an A answer held for the AAAA one? */
static bool may_hand_first(const struct net_lookup *lk, uint64_t now_ms)
{
    const struct query *v6 = &lk->q[0], *v4 = &lk->q[1];

    if (lk->nq == 1 || v6->got.n > 0)
        return lk->q[0].taken || (lk->nq == 2 && v4->taken);
    if (!v4->taken || v4->got.n == 0)
        return false;
    return v6->taken || now_ms >= v4->taken_ms + NET_RESOLUTION_DELAY_MS;
}

static bool all_taken(const struct net_lookup *lk)
{
    size_t i;

    for (i = 0; i < lk->nq; i++)
        if (!lk->q[i].taken)
            return false;
    return true;
}

static int no_address(struct net_lookup *lk, struct net_addrs *out, struct h2e_info *info)
{
    const struct query *q = &lk->q[lk->nq - 1]; /* A's reason is the telling one */

    if (lk->nq == 2 && lk->q[0].rc != 0 && lk->q[0].rc != EAI_NONAME && lk->q[0].rc != EAI_NODATA &&
        lk->q[0].rc != EAI_ADDRFAMILY)
        q = &lk->q[0];
    if (q->rc == EAI_NONAME || q->rc == EAI_NODATA || q->rc == EAI_ADDRFAMILY)
        snprintf(out->detail, sizeof(out->detail), "could not resolve '%s': %s", lk->host,
                 gai_strerror(EAI_NONAME));
    else
        snprintf(out->detail, sizeof(out->detail), "could not resolve '%s': %s", lk->host,
                 q->error ? q->error : "no usable address");
    out->n = 0;
    return h2e_set(info, H2E_RESOLVE, 0, "name lookup failed");
}

int net_lookup_step(struct net_lookup *lk, uint64_t now_ms, struct net_addrs *out, bool *more,
                    struct net_answer ans[2], size_t *nans, struct h2e_info *info)
{
    bool first = !lk->handed_any, any = false;
    size_t i;

    memset(out, 0, sizeof(*out));
    take_answers(lk, now_ms, ans, nans);
    *more = !all_taken(lk);
    if (first && !may_hand_first(lk, now_ms)) {
        bool got = lk->q[0].got.n || (lk->nq == 2 && lk->q[1].got.n);
        return *more || got ? H2E_INCOMPLETE : no_address(lk, out, info);
    }
    for (i = 0; i < lk->nq; i++) {
        struct query *q = &lk->q[i];
        if (q->taken && !q->handed) {
            any = true;
            hand(q, out);
        }
    }
    if (first) {
        if (out->n == 0)
            return *more ? H2E_INCOMPLETE : no_address(lk, out, info);
        net_addrs_interleave(out);
        lk->handed_any = true;
        return 0;
    }
    return any || *nans ? 0 : H2E_INCOMPLETE;
}

int net_lookup_next_timeout(const struct net_lookup *lk, uint64_t now_ms)
{
    const struct query *v4 = &lk->q[1];
    uint64_t due;

    if (lk->handed_any || lk->nq < 2 || !v4->taken || v4->got.n == 0 || lk->q[0].taken)
        return -1;
    due = v4->taken_ms + NET_RESOLUTION_DELAY_MS;
    return now_ms >= due ? 0 : (int)(due - now_ms);
}

bool net_lookup_done(const struct net_lookup *lk)
{
    size_t i;

    for (i = 0; i < lk->nq; i++)
        if (!lk->q[i].taken || (lk->q[i].got.n && !lk->q[i].handed))
            return false;
    return true;
}

void net_lookup_release(struct net_lookup *lk)
{
    if (lk)
        unref(lk);
}
