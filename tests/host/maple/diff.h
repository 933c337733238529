/*
 * diff.h - differential checking of the maple tree against the reference model (model.h).
 *
 * diff_op() applies one operation to both, compares every result (return codes, entries,
 * ranges, cursor positions) and runs mt_validate(); the randomized test and the libFuzzer target
 * both drive it.
 */
#ifndef TESTS_HOST_MAPLE_DIFF_H
#define TESTS_HOST_MAPLE_DIFF_H

#include "maple/maple_tree.h"
#include "model.h"

enum diff_kind {
    DIFF_STORE,
    DIFF_INSERT,
    DIFF_ERASE,
    DIFF_LOAD,
    DIFF_FIND,
    DIFF_ITERATE,
    DIFF_NEXT_PREV,
    DIFF_EMPTY_AREA,
    DIFF_ALLOC_RANGE,
    DIFF_STORE_FAILING,
    DIFF_CURSOR_STORE,
    DIFF_PREALLOC,
    DIFF_DUP,
    DIFF_ERASE_ITERATING,
    DIFF_KINDS
};

struct diff {
    struct maple_tree mt;
    struct model m;
    unsigned long seq;
    unsigned int full_every; /* compare all contents every this many operations */
    char why[512];           /* what went wrong */
};

void diff_init(struct diff *d, unsigned int flags, unsigned int full_every);
void diff_fini(struct diff *d);
/* Apply @kind with arguments a, b, c. Return: 0 if the tree matches the model, -1 (d->why). */
int diff_op(struct diff *d, enum diff_kind kind, unsigned long a, unsigned long b, unsigned long c);
/* Compare the whole contents. Return: 0 or -1. */
int diff_compare_all(struct diff *d);
size_t diff_entries(const struct diff *d);

#endif
