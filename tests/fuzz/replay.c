/* SPDX-License-Identifier: MIT */
/*
 * Runs a libFuzzer target's LLVMFuzzerTestOneInput over files and directories given on the
 * command line, without libFuzzer, so `make check` replays every corpus with gcc.
 * Prints "replay <target-binary>: N inputs" and exits 0 unless an input crashes.
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static unsigned long count;

static void run_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    uint8_t *p = NULL;
    size_t n = 0, cap = 0, r;

    if (!f) {
        fprintf(stderr, "replay: cannot open '%s'\n", path);
        exit(2);
    }
    do {
        if (n == cap) {
            cap = cap ? cap * 2 : 4096;
            p = realloc(p, cap);
            if (!p)
                abort();
        }
        r = fread(p + n, 1, cap - n, f);
        n += r;
    } while (r > 0);
    fclose(f);
    /* An exact-size copy, so ASan catches reads past the input. */
    {
        uint8_t *exact = malloc(n ? n : 1);
        if (!exact)
            abort();
        memcpy(exact, p, n);
        LLVMFuzzerTestOneInput(exact, n);
        free(exact);
    }
    free(p);
    count++;
}

static void run_path(const char *path)
{
    struct stat st;
    DIR *d;
    struct dirent *e;

    if (stat(path, &st) != 0)
        return; /* an absent corpus folder is an empty one */
    if (!S_ISDIR(st.st_mode)) {
        run_file(path);
        return;
    }
    d = opendir(path);
    if (!d)
        return;
    while ((e = readdir(d)) != NULL) {
        char sub[4096];
        if (e->d_name[0] == '.')
            continue;
        snprintf(sub, sizeof(sub), "%s/%s", path, e->d_name);
        run_path(sub);
    }
    closedir(d);
}

int main(int argc, char **argv)
{
    int i;
    for (i = 1; i < argc; i++)
        run_path(argv[i]);
    printf("replay %s: %lu inputs\n", argv[0], count);
    return 0;
}
