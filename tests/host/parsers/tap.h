/*
 * tap.h - the little the parser tests share: TAP output, loading an input file, and copying
 * a buffer into a heap block of exactly its size (so that AddressSanitizer reports a read
 * even one byte past the end).
 *
 * Each check prints "ok N - what" or "not ok N - what"; tap_done() prints the plan and gives
 * the exit status (non-zero if any check failed). Loops over thousands of mutated inputs
 * count as one check each and print a "#" diagnostic for the first few failures.
 */
#ifndef TESTS_PARSERS_TAP_H
#define TESTS_PARSERS_TAP_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int tap_count, tap_failed;

__attribute__((format(printf, 2, 3))) static inline bool ok(bool cond, const char *fmt, ...)
{
    va_list ap;

    tap_count++;
    if (!cond)
        tap_failed++;
    printf("%s %d - ", cond ? "ok" : "not ok", tap_count);
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    putchar('\n');
    fflush(stdout);
    return cond;
}

__attribute__((format(printf, 1, 2))) static inline void diag(const char *fmt, ...)
{
    va_list ap;

    printf("# ");
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    putchar('\n');
}

static inline int tap_done(void)
{
    printf("1..%d\n", tap_count);
    return tap_failed ? 1 : 0;
}

/* A heap copy of @len bytes of @src (at least one byte allocated, none readable past len). */
static inline uint8_t *dup_exact(const void *src, size_t len)
{
    uint8_t *p = malloc(len ? len : 1);

    if (!p) {
        perror("malloc");
        exit(2);
    }
    if (len)
        memcpy(p, src, len);
    return p;
}

/* The whole of file @path, in a block of exactly its size; exits if it cannot be read. */
static inline uint8_t *load_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    uint8_t buf[1 << 16];
    size_t n;

    if (!f) {
        perror(path);
        exit(2);
    }
    n = fread(buf, 1, sizeof(buf), f);
    if (ferror(f) || !feof(f)) {
        fprintf(stderr, "%s: unreadable or larger than 64 KiB\n", path);
        exit(2);
    }
    fclose(f);
    *len = n;
    return dup_exact(buf, n);
}

static inline void put_be32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

static inline uint32_t get_be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

#endif
