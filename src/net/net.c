/* SPDX-License-Identifier: MIT */
/*
 * Resolution, curl's --resolve/--connect-to overrides, and the Happy Eyeballs v2 connector
 * (RFC 8305 §4 ordering, §5 staggered attempts). Sockets are non-blocking from creation;
 * nothing here blocks except getaddrinfo(3) for names. No TLS, no HTTP, no clock: the
 * caller passes `now_ms`. Not done yet: asynchronous AAAA/A queries with the §3
 * Resolution Delay, and RTT-based attempt delays (§5 allows the fixed default).
 */
#include "net.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

/* --- addresses ------------------------------------------------------------------------ */

uint16_t net_addr_port(const struct net_addr *a)
{
    if (a->sa.ss_family == AF_INET6)
        return ntohs(((const struct sockaddr_in6 *)&a->sa)->sin6_port);
    if (a->sa.ss_family == AF_INET)
        return ntohs(((const struct sockaddr_in *)&a->sa)->sin_port);
    return 0;
}

static void set_port(struct net_addr *a, uint16_t port)
{
    if (a->sa.ss_family == AF_INET6)
        ((struct sockaddr_in6 *)&a->sa)->sin6_port = htons(port);
    else if (a->sa.ss_family == AF_INET)
        ((struct sockaddr_in *)&a->sa)->sin_port = htons(port);
}

int net_addr_family(const struct net_addr *a)
{
    return a->sa.ss_family;
}

char *net_addr_ip(const struct net_addr *a, char *buf, size_t cap)
{
    char host[NET_ADDR_STRLEN];

    if (cap == 0)
        return buf;
    if (getnameinfo((const struct sockaddr *)&a->sa, a->len, host, sizeof(host), NULL, 0,
                    NI_NUMERICHOST) != 0)
        snprintf(host, sizeof(host), "?");
    snprintf(buf, cap, "%s", host);
    return buf;
}

char *net_addr_str(const struct net_addr *a, char *buf, size_t cap)
{
    char ip[NET_ADDR_STRLEN];

    net_addr_ip(a, ip, sizeof(ip));
    if (a->sa.ss_family == AF_INET6)
        snprintf(buf, cap, "[%s]:%u", ip, (unsigned)net_addr_port(a));
    else
        snprintf(buf, cap, "%s:%u", ip, (unsigned)net_addr_port(a));
    return buf;
}

int net_addr_from_fd(int fd, struct net_addr *out)
{
    memset(out, 0, sizeof(*out));
    out->len = sizeof(out->sa);
    return getpeername(fd, (struct sockaddr *)&out->sa, &out->len) == 0 ? 0 : -1;
}

static bool same_addr(const struct net_addr *a, const struct net_addr *b)
{
    return a->len == b->len && memcmp(&a->sa, &b->sa, a->len) == 0;
}

void net_addrs_add(struct net_addrs *out, const struct sockaddr *sa, socklen_t len)
{
    struct net_addr a;
    size_t i;

    if (out->n == LIMIT_RESOLVE_ADDRS || len > sizeof(a.sa))
        return;
    memset(&a, 0, sizeof(a));
    memcpy(&a.sa, sa, len);
    a.len = len;
    for (i = 0; i < out->n; i++)
        if (same_addr(&out->addr[i], &a))
            return;
    out->addr[out->n++] = a;
}

/* `s` without surrounding brackets, copied into `buf`; NULL when it does not fit. */
static const char *unbracket(const char *s, char *buf, size_t cap)
{
    size_t len = strlen(s);

    if (len >= 2 && s[0] == '[' && s[len - 1] == ']') {
        s++;
        len -= 2;
    }
    if (len >= cap)
        return NULL;
    memcpy(buf, s, len);
    buf[len] = '\0';
    return buf;
}

/*
 * Parse the IP literal `s` (never a lookup) into `out` with `port`; 0 or -1. IPv4 must be
 * a strict dotted quad (inet_pton, not inet_aton's "1.2.3"); IPv6 may carry a "%zone".
 */
static int literal(const char *s, uint16_t port, struct net_addr *out)
{
    struct addrinfo hints, *res = NULL;
    struct in_addr v4;

    if (!strchr(s, ':') && inet_pton(AF_INET, s, &v4) != 1)
        return -1;
    memset(&hints, 0, sizeof(hints));
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV;
    if (getaddrinfo(s, "0", &hints, &res) != 0 || !res)
        return -1;
    memset(out, 0, sizeof(*out));
    if (res->ai_addrlen <= sizeof(out->sa)) {
        memcpy(&out->sa, res->ai_addr, res->ai_addrlen);
        out->len = res->ai_addrlen;
    }
    freeaddrinfo(res);
    if (out->len == 0)
        return -1;
    set_port(out, port);
    return 0;
}

void net_addrs_interleave(struct net_addrs *a)
{
    struct net_addr v6[LIMIT_RESOLVE_ADDRS], other[LIMIT_RESOLVE_ADDRS];
    size_t n6 = 0, no = 0, i6 = 0, io = 0, i, k = 0;

    for (i = 0; i < a->n; i++) {
        if (a->addr[i].sa.ss_family == AF_INET6)
            v6[n6++] = a->addr[i];
        else
            other[no++] = a->addr[i];
    }
    /* RFC 8305 §4: alternate families, starting with IPv6 (First Address Family Count 1). */
    while (i6 < n6 || io < no) {
        if (i6 < n6)
            a->addr[k++] = v6[i6++];
        if (io < no)
            a->addr[k++] = other[io++];
    }
}

/* --- resolution ----------------------------------------------------------------------- */

static int resolve_fail(struct net_addrs *out, struct h2e_info *info, const char *why)
{
    out->n = 0;
    return h2e_set(info, H2E_RESOLVE, 0, why);
}

static int lookup(const char *host, uint16_t port, int family, struct net_addrs *out,
                  struct h2e_info *info)
{
    struct addrinfo hints, *res = NULL, *ai;
    char portstr[8];
    int rc;

    memset(&hints, 0, sizeof(hints));
    hints.ai_family = family ? family : AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_protocol = IPPROTO_TCP;
    hints.ai_flags = AI_NUMERICSERV;
    snprintf(portstr, sizeof(portstr), "%u", (unsigned)port);
    rc = getaddrinfo(host, portstr, &hints, &res);
    if (rc != 0) {
        snprintf(out->detail, sizeof(out->detail), "could not resolve '%s': %s", host,
                 rc == EAI_SYSTEM ? strerror(errno) : gai_strerror(rc));
        return resolve_fail(out, info, "name lookup failed");
    }
    for (ai = res; ai; ai = ai->ai_next)
        if (ai->ai_family == AF_INET || ai->ai_family == AF_INET6)
            net_addrs_add(out, ai->ai_addr, ai->ai_addrlen);
    freeaddrinfo(res);
    if (out->n == 0) {
        snprintf(out->detail, sizeof(out->detail), "no usable address for '%s'", host);
        return resolve_fail(out, info, "name has no IPv4 or IPv6 address");
    }
    net_addrs_interleave(out);
    return 0;
}

/* As net_resolve; with `look_up` false a name is not looked up: H2E_INCOMPLETE. */
static int resolve(const char *host, uint16_t port, int family, struct net_addrs *out,
                   struct h2e_info *info, bool look_up)
{
    char buf[NET_HOST_MAX];
    const char *h = unbracket(host, buf, sizeof(buf));
    struct net_addr lit;

    memset(out, 0, sizeof(*out));
    if (!h) { /* too long to be a DNS name (RFC 1035 §2.3.4), and to quote */
        snprintf(out->detail, sizeof(out->detail), "host name of %zu bytes is too long",
                 strlen(host));
        return resolve_fail(out, info, "host name too long");
    }
    if (!*h) {
        snprintf(out->detail, sizeof(out->detail), "bad host name '%s'", host);
        return resolve_fail(out, info, "host name empty");
    }
    if (literal(h, port, &lit) == 0) {
        if (family && lit.sa.ss_family != family) {
            snprintf(out->detail, sizeof(out->detail), "'%s' is not an IPv%c address", h,
                     family == AF_INET6 ? '6' : '4');
            return resolve_fail(out, info, "address literal of the excluded family (-4/-6)");
        }
        out->addr[0] = lit;
        out->n = 1;
        return 0;
    }
    return look_up ? lookup(h, port, family, out, info) : H2E_INCOMPLETE;
}

int net_resolve(const char *host, uint16_t port, int family, struct net_addrs *out,
                struct h2e_info *info)
{
    return resolve(host, port, family, out, info, true);
}

static bool host_matches(const char *pattern, const char *host)
{
    char a[NET_HOST_MAX], b[NET_HOST_MAX];
    const char *pa = unbracket(pattern, a, sizeof(a)), *pb = unbracket(host, b, sizeof(b));

    if (!pa || !pb)
        return false;
    return strcmp(pa, "*") == 0 || strcasecmp(pa, pb) == 0;
}

static const struct net_resolve_rule *find_rule(const struct net_overrides *ov, const char *host,
                                                uint16_t port)
{
    size_t i;

    for (i = 0; ov && i < ov->nresolve; i++)
        if (ov->resolve[i].port == port && host_matches(ov->resolve[i].host, host))
            return &ov->resolve[i];
    return NULL;
}

static int resolve_with(const struct net_overrides *ov, const char *host, uint16_t port, int family,
                        struct net_addrs *out, struct h2e_info *info, bool look_up)
{
    const struct net_resolve_rule *r = find_rule(ov, host, port);
    size_t i;

    if (!r)
        return resolve(host, port, family, out, info, look_up);
    memset(out, 0, sizeof(*out));
    out->overridden = true;
    for (i = 0; i < r->naddr; i++) {
        if (family && r->addr[i].sa.ss_family != family)
            continue;
        out->addr[out->n] = r->addr[i];
        set_port(&out->addr[out->n++], port);
    }
    if (out->n == 0) {
        snprintf(out->detail, sizeof(out->detail),
                 "--resolve gives no address of the requested family for '%s'", host);
        return resolve_fail(out, info, "--resolve entry has no address of the family (-4/-6)");
    }
    net_addrs_interleave(out);
    return 0;
}

int net_resolve_with(const struct net_overrides *ov, const char *host, uint16_t port, int family,
                     struct net_addrs *out, struct h2e_info *info)
{
    return resolve_with(ov, host, port, family, out, info, true);
}

int net_resolve_known(const struct net_overrides *ov, const char *host, uint16_t port, int family,
                      struct net_addrs *out, struct h2e_info *info)
{
    return resolve_with(ov, host, port, family, out, info, false);
}

bool net_route(const struct net_overrides *ov, const char **host, uint16_t *port)
{
    size_t i;

    for (i = 0; ov && i < ov->nconnect_to; i++) {
        const struct net_connect_to *r = &ov->connect_to[i];
        if (r->from_host[0] && !host_matches(r->from_host, *host))
            continue;
        if (r->from_port && r->from_port != *port)
            continue;
        if (r->to_host[0])
            *host = r->to_host;
        if (r->to_port)
            *port = r->to_port;
        return true;
    }
    return false;
}

/* --- --resolve / --connect-to parsing --------------------------------------------------- */

/*
 * One ':'-terminated field of `s` (a '['-started field runs to its ']'); sets `*start` and
 * `*len` to its contents and returns the terminator (':' or NUL), or NULL when malformed.
 */
static const char *field(const char *s, const char **start, size_t *len)
{
    const char *end;

    if (*s == '[') {
        end = strchr(s, ']');
        if (!end || (end[1] != ':' && end[1] != '\0'))
            return NULL;
        *start = s + 1;
        *len = (size_t)(end - s - 1);
        return end + 1;
    }
    end = strchr(s, ':');
    if (!end)
        end = s + strlen(s);
    *start = s;
    *len = (size_t)(end - s);
    return end;
}

static int copy_host(const char *s, size_t len, char *out)
{
    size_t i;

    if (len >= NET_HOST_MAX)
        return -1;
    for (i = 0; i < len; i++)
        if ((unsigned char)s[i] <= 0x20 || s[i] == 0x7f || s[i] == '/' || s[i] == '[')
            return -1;
    memcpy(out, s, len);
    out[len] = '\0';
    return 0;
}

/* A port of 1-65535; an empty field gives 0 when `allow_empty`. */
static int parse_port(const char *s, size_t len, bool allow_empty, uint16_t *port)
{
    unsigned long v = 0;
    size_t i;

    if (len == 0) {
        *port = 0;
        return allow_empty ? 0 : -1;
    }
    if (len > 5)
        return -1;
    for (i = 0; i < len; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        v = v * 10 + (unsigned long)(s[i] - '0');
    }
    if (v == 0 || v > 65535)
        return -1;
    *port = (uint16_t)v;
    return 0;
}

static int usage(struct h2e_info *info, const char *why)
{
    return h2e_set(info, H2E_USAGE, 0, why);
}

static int parse_addr_list(const char *s, struct net_resolve_rule *out, struct h2e_info *info)
{
    char item[NET_ADDR_STRLEN], buf[NET_ADDR_STRLEN];

    if (!*s)
        return usage(info, "no address after HOST:PORT:");
    while (*s) {
        size_t len = strcspn(s, ",");
        const char *a;
        if (len == 0 || len >= sizeof(item))
            return usage(info, "empty or overlong address");
        memcpy(item, s, len);
        item[len] = '\0';
        a = unbracket(item, buf, sizeof(buf));
        if (out->naddr == LIMIT_RESOLVE_ADDRS)
            return usage(info, "too many addresses (LIMIT_RESOLVE_ADDRS)");
        if (!a || literal(a, out->port, &out->addr[out->naddr]) != 0)
            return usage(info, "address is not an IPv4 or IPv6 literal");
        out->naddr++;
        s += len;
        if (*s == ',' && *++s == '\0')
            return usage(info, "trailing ',' in the address list");
    }
    return 0;
}

int net_parse_resolve(const char *arg, struct net_resolve_rule *out, struct h2e_info *info)
{
    const char *p, *f;
    size_t len;

    memset(out, 0, sizeof(*out));
    if (*arg == '+')
        arg++; /* curl's "+host" (entry with a timeout): the timeout does not apply here */
    if (*arg == '-')
        return usage(info, "removing entries (-HOST:PORT) is not supported");
    p = field(arg, &f, &len);
    if (!p || *p != ':' || len == 0 || copy_host(f, len, out->host) != 0)
        return usage(info, "expected HOST:PORT:ADDRESS[,ADDRESS]...");
    p = field(p + 1, &f, &len);
    if (!p || *p != ':' || parse_port(f, len, false, &out->port) != 0)
        return usage(info, "PORT must be a number from 1 to 65535");
    return parse_addr_list(p + 1, out, info);
}

int net_parse_connect_to(const char *arg, struct net_connect_to *out, struct h2e_info *info)
{
    const char *p = arg, *f[4];
    size_t len[4];
    int i;

    memset(out, 0, sizeof(*out));
    for (i = 0; i < 4; i++) {
        p = field(p, &f[i], &len[i]);
        if (!p || (i < 3 && *p != ':') || (i == 3 && *p != '\0'))
            return usage(info, "expected HOST1:PORT1:HOST2:PORT2");
        p++;
    }
    if (copy_host(f[0], len[0], out->from_host) != 0 || copy_host(f[2], len[2], out->to_host) != 0)
        return usage(info, "bad host name");
    if (parse_port(f[1], len[1], true, &out->from_port) != 0 ||
        parse_port(f[3], len[3], true, &out->to_port) != 0)
        return usage(info, "PORT must be empty or a number from 1 to 65535");
    return 0;
}

/* --- Happy Eyeballs connector (RFC 8305 §5) -------------------------------------------- */

void net_connector_init(struct net_connector *c)
{
    size_t i;

    memset(c, 0, sizeof(*c));
    for (i = 0; i < LIMIT_RESOLVE_ADDRS; i++)
        c->fd[i] = -1;
    c->winner = SIZE_MAX;
    c->last_failed = SIZE_MAX;
    c->result = H2E_INCOMPLETE;
    c->info.frame_type = -1;
}

static void close_all(struct net_connector *c)
{
    size_t i;

    for (i = 0; i < LIMIT_RESOLVE_ADDRS; i++) {
        if (c->fd[i] >= 0)
            close(c->fd[i]);
        c->fd[i] = -1;
    }
    c->inflight = 0;
}

static void attempt_failed(struct net_connector *c, size_t i, int err)
{
    if (c->fd[i] >= 0) {
        close(c->fd[i]);
        c->fd[i] = -1;
        c->inflight--;
    }
    c->last_errno = err;
    c->last_failed = i;
}

/* Start attempt `i`: 1 connected at once, 0 in progress, -1 failed at once. */
static int attempt(struct net_connector *c, size_t i)
{
    const struct net_addr *a = &c->addrs.addr[i];
    int one = 1, fd;

    fd = socket(a->sa.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_TCP);
    if (fd < 0) {
        attempt_failed(c, i, errno);
        return -1;
    }
    /* Small HTTP/2 frames go out at once; the event loop batches its own writes. */
    (void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    c->fd[i] = fd;
    c->inflight++;
    if (connect(fd, (const struct sockaddr *)&a->sa, a->len) == 0)
        return 1;
    if (errno == EINPROGRESS || errno == EINTR)
        return 0;
    attempt_failed(c, i, errno);
    return -1;
}

static int win(struct net_connector *c, size_t i)
{
    int fd = c->fd[i];

    c->fd[i] = -1;
    c->inflight--;
    c->winner = i;
    close_all(c); /* RFC 8305 §5: the first to connect wins; cancel the others */
    c->info.code = 0;
    return c->result = fd;
}

static int all_failed(struct net_connector *c)
{
    char a[NET_ADDR_STRLEN] = "(none)";

    if (c->last_failed != SIZE_MAX)
        net_addr_str(&c->addrs.addr[c->last_failed], a, sizeof(a));
    if (c->addrs.n > 1)
        snprintf(c->detail, sizeof(c->detail), "failed to connect to %s: %s (%zu addresses tried)",
                 a, strerror(c->last_errno), c->addrs.n);
    else
        snprintf(c->detail, sizeof(c->detail), "failed to connect to %s: %s", a,
                 c->last_errno ? strerror(c->last_errno) : "no address");
    close_all(c);
    return c->result = h2e_set(&c->info, H2E_CONNECT, 0, "every connection attempt failed");
}

static int timed_out(struct net_connector *c, uint64_t now_ms)
{
    char a[NET_ADDR_STRLEN] = "(none)";

    if (c->next > 0)
        net_addr_str(&c->addrs.addr[c->next - 1], a, sizeof(a));
    snprintf(c->detail, sizeof(c->detail),
             "connection timed out after %llu ms (%zu of %zu addresses tried, last %s)",
             (unsigned long long)(now_ms - c->start_ms), c->next, c->addrs.n, a);
    close_all(c);
    return c->result = h2e_set(&c->info, H2E_TIMEOUT, 0, "connect timeout (--connect-timeout)");
}

/* Start attempts that are due: the first at once, then one per Connection Attempt Delay
 * while others are in flight, and at once whenever nothing is in flight. */
static int launch(struct net_connector *c, uint64_t now_ms)
{
    while (c->next < c->addrs.n) {
        size_t i;
        int r;
        if (c->inflight > 0 && now_ms < c->next_start_ms)
            break;
        i = c->next++;
        r = attempt(c, i);
        if (r > 0)
            return win(c, i);
        if (r == 0)
            c->next_start_ms = now_ms + NET_ATTEMPT_DELAY_MS;
    }
    if (c->inflight == 0 && !c->awaiting)
        return all_failed(c);
    return H2E_INCOMPLETE;
}

static int start(struct net_connector *c, const struct net_addrs *addrs, uint64_t now_ms,
                 uint64_t deadline_ms, bool awaiting)
{
    net_connector_init(c);
    c->awaiting = awaiting;
    c->addrs = *addrs;
    if (c->addrs.n > LIMIT_RESOLVE_ADDRS)
        c->addrs.n = LIMIT_RESOLVE_ADDRS;
    c->start_ms = now_ms;
    c->deadline_ms = deadline_ms;
    if (deadline_ms && now_ms >= deadline_ms)
        return timed_out(c, now_ms);
    return launch(c, now_ms);
}

int net_connector_start(struct net_connector *c, const struct net_addrs *addrs, uint64_t now_ms,
                        uint64_t deadline_ms)
{
    return start(c, addrs, now_ms, deadline_ms, false);
}

int net_connector_start_partial(struct net_connector *c, const struct net_addrs *addrs,
                                uint64_t now_ms, uint64_t deadline_ms)
{
    return start(c, addrs, now_ms, deadline_ms, true);
}

int net_connector_more(struct net_connector *c, const struct net_addrs *more, bool awaiting,
                       uint64_t now_ms)
{
    size_t i, before = c->addrs.n;

    if (c->result != H2E_INCOMPLETE)
        return c->result;
    c->awaiting = awaiting;
    for (i = 0; more && i < more->n; i++)
        net_addrs_add(&c->addrs, (const struct sockaddr *)&more->addr[i].sa, more->addr[i].len);
    if (c->deadline_ms && now_ms >= c->deadline_ms)
        return timed_out(c, now_ms);
    if (c->addrs.n > before && c->inflight == 0) /* nothing to wait for: start at once */
        c->next_start_ms = now_ms;
    return launch(c, now_ms);
}

size_t net_connector_pollfds(const struct net_connector *c, struct pollfd *pfd, size_t max)
{
    size_t i, k = 0;

    for (i = 0; i < LIMIT_RESOLVE_ADDRS && k < max; i++) {
        if (c->fd[i] < 0)
            continue;
        pfd[k].fd = c->fd[i];
        pfd[k].events = POLLOUT;
        pfd[k].revents = 0;
        k++;
    }
    return k;
}

static size_t find_fd(const struct net_connector *c, int fd)
{
    size_t i;

    for (i = 0; fd >= 0 && i < LIMIT_RESOLVE_ADDRS; i++)
        if (c->fd[i] == fd)
            return i;
    return SIZE_MAX;
}

static int sock_error(int fd)
{
    int err = 0;
    socklen_t len = sizeof(err);

    if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0)
        return errno;
    return err;
}

int net_connector_step(struct net_connector *c, const struct pollfd *pfd, size_t n, uint64_t now_ms)
{
    bool failed = false;
    size_t k;

    if (c->result != H2E_INCOMPLETE)
        return c->result; /* finished: the fd or the error again */
    for (k = 0; pfd && k < n; k++) {
        size_t i = find_fd(c, pfd[k].fd);
        int err;
        if (i == SIZE_MAX || !(pfd[k].revents & (POLLOUT | POLLERR | POLLHUP)))
            continue;
        err = sock_error(c->fd[i]);
        if (err == 0 && (pfd[k].revents & POLLOUT) && !(pfd[k].revents & POLLERR))
            return win(c, i);
        attempt_failed(c, i, err ? err : ECONNABORTED);
        failed = true;
    }
    if (c->deadline_ms && now_ms >= c->deadline_ms)
        return timed_out(c, now_ms);
    if (failed) /* RFC 8305 §5: a failed attempt lets the next one start at once */
        c->next_start_ms = now_ms;
    return launch(c, now_ms);
}

int net_connector_next_timeout(const struct net_connector *c, uint64_t now_ms)
{
    uint64_t t = UINT64_MAX;

    if (c->inflight == 0 && !(c->awaiting && c->deadline_ms))
        return -1;
    if (c->inflight > 0 && c->next < c->addrs.n)
        t = c->next_start_ms > now_ms ? c->next_start_ms - now_ms : 0;
    if (c->deadline_ms) {
        uint64_t d = c->deadline_ms > now_ms ? c->deadline_ms - now_ms : 0;
        if (d < t)
            t = d;
    }
    if (t == UINT64_MAX)
        return -1;
    return t > INT32_MAX ? INT32_MAX : (int)t;
}

const struct net_addr *net_connector_peer(const struct net_connector *c)
{
    return c->winner < c->addrs.n ? &c->addrs.addr[c->winner] : NULL;
}

void net_connector_release(struct net_connector *c)
{
    close_all(c);
}
