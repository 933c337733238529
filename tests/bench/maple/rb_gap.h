/*
 * rb_gap.h - the benchmark's baseline: a red-black tree of ranges augmented, like Linux's VMA
 * tree before the maple tree, with the gap before each range and the largest such gap in each
 * subtree, so that a top-down free-area search is O(log n).
 */
#ifndef TESTS_BENCH_MAPLE_RB_GAP_H
#define TESTS_BENCH_MAPLE_RB_GAP_H

struct rb_vma {
    struct rb_vma *left, *right, *parent;
    unsigned long start, last; /* inclusive */
    unsigned long gap;         /* free indices between the previous range and this one */
    unsigned long subtree_gap; /* largest gap in this subtree */
    void *entry;
    int red;
};

struct rb_gap_tree {
    struct rb_vma *root;
};

void rb_gap_insert(struct rb_gap_tree *t, struct rb_vma *n);
void rb_gap_erase(struct rb_gap_tree *t, struct rb_vma *n);
struct rb_vma *rb_gap_lookup(const struct rb_gap_tree *t, unsigned long addr);
struct rb_vma *rb_gap_first(const struct rb_gap_tree *t);
struct rb_vma *rb_gap_next(struct rb_vma *n);
/* Highest area of @size free indices within low..high: 0 and *last its last index, or -1. */
int rb_gap_area_rev(const struct rb_gap_tree *t, unsigned long low, unsigned long high,
                    unsigned long size, unsigned long *last);
/* Copy with nodes from @alloc; -1 if it fails. */
int rb_gap_dup(const struct rb_gap_tree *t, struct rb_gap_tree *copy,
               struct rb_vma *(*alloc)(void *ctx), void *ctx);
/* Check the colouring and the gap figures; 0 if fine. */
int rb_gap_validate(const struct rb_gap_tree *t);

#endif
