/* SPDX-License-Identifier: MIT */
/* Test helpers: testdata paths, file reading, hex, guard pages, a failing allocator. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tap.h"

const char *tap_testdata(const char *rel)
{
    static char path[4096];
    const char *root = getenv("H2GET_TESTDATA");
    struct stat st;

    if (!root || !*root)
        root = "../shared/testdata";
    if (stat(root, &st) != 0 || !S_ISDIR(st.st_mode))
        return NULL;
    snprintf(path, sizeof(path), "%s/%s", root, rel);
    return path;
}

uint8_t *tap_read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    uint8_t *p = NULL;
    size_t cap = 0, n = 0, r;

    if (!f)
        return NULL;
    do {
        if (n == cap) {
            uint8_t *np = realloc(p, cap = cap ? cap * 2 : 65536);
            if (!np) {
                free(p);
                fclose(f);
                return NULL;
            }
            p = np;
        }
        r = fread(p + n, 1, cap - n, f);
        n += r;
    } while (r > 0);
    fclose(f);
    *len = n;
    return p;
}

static int hexval(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

uint8_t *tap_unhex(const char *s, size_t *len)
{
    uint8_t *out = malloc(strlen(s) / 2 + 1);
    size_t n = 0;
    int hi = -1;

    if (!out)
        return NULL;
    for (; *s; s++) {
        int v;
        if (*s == ' ' || *s == '\n')
            continue;
        v = hexval((unsigned char)*s);
        if (v < 0) {
            free(out);
            return NULL;
        }
        if (hi < 0) {
            hi = v;
        } else {
            out[n++] = (uint8_t)(hi << 4 | v);
            hi = -1;
        }
    }
    if (hi >= 0) {
        free(out);
        return NULL;
    }
    *len = n;
    return out;
}

const uint8_t *tap_guard(const void *p, size_t len)
{
    static uint8_t *region;
    static size_t region_len;
    size_t page = (size_t)sysconf(_SC_PAGESIZE);
    size_t pages = (len + page - 1) / page + 1;

    if (region)
        munmap(region, region_len);
    region_len = pages * page;
    region = mmap(NULL, region_len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (region == MAP_FAILED) {
        region = NULL;
        return p;
    }
    mprotect(region + (pages - 1) * page, page, PROT_NONE);
    memcpy(region + (pages - 1) * page - len, p, len);
    return region + (pages - 1) * page - len;
}

long tap_mem_fail_after = -1;
static long live;

static void *failing_realloc(void *ud, void *p, size_t n)
{
    void *np;
    (void)ud;
    if (n == 0) {
        if (p)
            live--;
        free(p);
        return NULL;
    }
    if (tap_mem_fail_after == 0)
        return NULL;
    if (tap_mem_fail_after > 0)
        tap_mem_fail_after--;
    np = realloc(p, n);
    if (np && !p)
        live++;
    return np;
}

const struct mem tap_mem = {failing_realloc, NULL};

long tap_mem_live(void)
{
    return live;
}
