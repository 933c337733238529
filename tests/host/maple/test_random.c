/*
 * test_random.c - randomized differential test of the maple tree against the reference model.
 *
 * Usage: test_random SEED OPS {dense|sparse|vma} {alloc|plain}
 *
 * Runs OPS seeded, repeatable operations (diff.h), with mt_validate() after every one and a full
 * comparison of the contents every few. Trees are kept small (a few hundred ranges) by biasing
 * towards erases when they grow, and every so often are destroyed and started again, so that
 * validation after each operation stays cheap and splits, rebalances and collapses all happen
 * often. A failure prints the seed, the operation number and what differed.
 */
#include "diff.h"
#include "host_alloc.h"

#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint64_t rng_state;

/* splitmix64: small, fast, and the same everywhere. */
static uint64_t rng(void)
{
    uint64_t z = (rng_state += 0x9e3779b97f4a7c15ull);

    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

static unsigned long below(unsigned long n)
{
    return n ? (unsigned long)(rng() % n) : 0;
}

enum keys { KEYS_DENSE, KEYS_SPARSE, KEYS_VMA };

/* A key and a range length for the chosen distribution. */
static void pick_range(enum keys keys, unsigned long *a, unsigned long *b)
{
    unsigned long len;

    switch (keys) {
    case KEYS_DENSE:
        *a = below(2048);
        len = rng() % 8 == 0 ? below(400) : below(12);
        break;
    case KEYS_SPARSE:
        switch (below(6)) {
        case 0:
            *a = below(64); /* near 0 */
            break;
        case 1:
            *a = ULONG_MAX - below(64); /* near the top */
            break;
        default:
            *a = (unsigned long)rng();
            break;
        }
        len = rng() % 4 == 0 ? (unsigned long)rng() >> below(64) : below(1000);
        break;
    default:
        *a = 0x10000 + below(1ul << 20) * 4096;
        len = (1 + below(rng() % 4 == 0 ? 1024 : 64)) * 4096 - 1;
        break;
    }
    *b = len > ULONG_MAX - *a ? ULONG_MAX : *a + len;
}

int main(int argc, char **argv)
{
    unsigned long seed, ops, restarts = 0, max_height = 0, max_entries = 0;
    enum keys keys;
    unsigned int flags;
    struct diff d;

    if (argc != 5) {
        fprintf(stderr, "usage: %s SEED OPS dense|sparse|vma alloc|plain\n", argv[0]);
        return 2;
    }
    seed = strtoul(argv[1], NULL, 0);
    ops = strtoul(argv[2], NULL, 0);
    keys = !strcmp(argv[3], "dense")    ? KEYS_DENSE
           : !strcmp(argv[3], "sparse") ? KEYS_SPARSE
                                        : KEYS_VMA;
    flags = !strcmp(argv[4], "alloc") ? MT_FLAGS_ALLOC_RANGE : 0;
    rng_state = seed;
    diff_init(&d, flags, 4);

    for (unsigned long i = 0; i < ops; i++) {
        unsigned long a, b, c, x, y;
        size_t n = diff_entries(&d);
        unsigned int r = (unsigned int)below(1000);
        enum diff_kind kind;

        pick_range(keys, &a, &b);
        pick_range(keys, &x, &y);
        c = rng();
        /* Mostly writes; more erases as the tree grows past a few hundred ranges. */
        if (r < (n > 300 ? 250u : 120u))
            kind = DIFF_ERASE, a = n ? d.m.r[below(n)].first + below(3) : a;
        else if (r < 450)
            kind = DIFF_STORE;
        else if (r < 520)
            kind = DIFF_INSERT;
        else if (r < 600)
            kind = DIFF_LOAD;
        else if (r < 650)
            kind = DIFF_FIND, b = x;
        else if (r < 680)
            kind = DIFF_ITERATE, b = x;
        else if (r < 720)
            kind = DIFF_NEXT_PREV, b = x, c = y;
        else if (r < 800)
            kind = DIFF_EMPTY_AREA, b = x, c = 1 + below(rng() % 2 ? 64 : 1ul << below(40));
        else if (r < 840)
            kind = DIFF_ALLOC_RANGE, b = x, c = 1 + below(keys == KEYS_VMA ? 64 * 4096 : 64);
        else if (r < 850)
            kind = DIFF_STORE_FAILING;
        else if (r < 920)
            kind = DIFF_CURSOR_STORE;
        else if (r < 960)
            kind = DIFF_PREALLOC;
        else if (r < 963)
            kind = DIFF_DUP, a = rng();
        else if (r < 970)
            kind = DIFF_ERASE_ITERATING, b = x;
        else
            kind = DIFF_STORE;
        if (d.mt.ma_height > max_height)
            max_height = d.mt.ma_height;
        if (n > max_entries)
            max_entries = n;
        if (diff_op(&d, kind, a, b, c)) {
            fprintf(stderr, "FAIL seed %lu (%s %s): %s\n", seed, argv[3], argv[4], d.why);
            return 1;
        }
        /* Start again now and then, so small trees and the growth from empty recur. */
        if (below(20000) == 0) {
            if (diff_compare_all(&d)) {
                fprintf(stderr, "FAIL seed %lu: %s\n", seed, d.why);
                return 1;
            }
            diff_fini(&d);
            if (host_alloc_live() != 0) {
                fprintf(stderr, "FAIL seed %lu: %ld nodes leaked\n", seed, host_alloc_live());
                return 1;
            }
            diff_init(&d, flags, 4);
            restarts++;
        }
    }
    if (diff_compare_all(&d)) {
        fprintf(stderr, "FAIL seed %lu: %s\n", seed, d.why);
        return 1;
    }
    diff_fini(&d);
    if (host_alloc_live() != 0) {
        fprintf(stderr, "FAIL: %ld nodes leaked\n", host_alloc_live());
        return 1;
    }
    printf("ok: %lu operations, seed %lu, %s keys, %s tree, %lu restarts, up to %lu ranges and "
           "height %lu\n",
           ops, seed, argv[3], argv[4], restarts, max_entries, max_height);
    return 0;
}
