/*
 * fdt_util.h - small helpers the FDT walker (fdt.c) and the board parser (fdt_board.c)
 * share; private to lib/fdt.
 */
#ifndef FDT_UTIL_H
#define FDT_UTIL_H

#include <stdbool.h>

/* Record why (if the caller asked) and return err. */
static inline int fdt_fail(const char **why, int err, const char *msg)
{
    if (why)
        *why = msg;
    return err;
}

/* String equality without a C library. */
static inline bool fdt_str_eq(const char *a, const char *b)
{
    while (*a && *a == *b) {
        a++;
        b++;
    }
    return *a == *b;
}

#endif
