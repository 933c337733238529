/*
 * model.h - the reference the maple tree is checked against: a sorted array of non-overlapping
 * ranges, written from the definition of each operation and sharing no code with the tree.
 */
#ifndef TESTS_HOST_MAPLE_MODEL_H
#define TESTS_HOST_MAPLE_MODEL_H

#include <stddef.h>

struct model_range {
    unsigned long first, last;
    void *value; /* never NULL */
};

struct model {
    struct model_range *r;
    size_t n, cap;
};

void model_init(struct model *m);
void model_free(struct model *m);
void model_copy(struct model *to, const struct model *from);
/* Map first..last to value; NULL erases. */
void model_store(struct model *m, unsigned long first, unsigned long last, void *value);
/* The value at index, and the range holding it (an entry, or the whole gap around index). */
void *model_lookup(const struct model *m, unsigned long index, unsigned long *first,
                   unsigned long *last);
/* Index of the first range with last >= index, or m->n. */
size_t model_at_or_after(const struct model *m, unsigned long index);
/* Lowest (rev: highest) free area of size within min..max: 0, -EBUSY, -EINVAL; *start its first
 * index. */
int model_empty_area(const struct model *m, unsigned long min, unsigned long max,
                     unsigned long size, int rev, unsigned long *start);

#endif
