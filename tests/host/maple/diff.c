/*
 * diff.c - see diff.h.
 */
#include "diff.h"
#include "host_alloc.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>

static int fail(struct diff *d, const char *fmt, ...)
{
    va_list ap;
    int n = snprintf(d->why, sizeof(d->why), "op %lu: ", d->seq);

    va_start(ap, fmt);
    vsnprintf(d->why + n, sizeof(d->why) - (size_t)n, fmt, ap);
    va_end(ap);
    return -1;
}

#define EXPECT(cond, ...)                                                                          \
    do {                                                                                           \
        if (!(cond))                                                                               \
            return fail(d, __VA_ARGS__);                                                           \
    } while (0)

void diff_init(struct diff *d, unsigned int flags, unsigned int full_every)
{
    host_alloc_install();
    mtree_init(&d->mt, flags);
    model_init(&d->m);
    d->seq = 0;
    d->full_every = full_every ? full_every : 1;
    d->why[0] = 0;
}

void diff_fini(struct diff *d)
{
    mtree_destroy(&d->mt);
    model_free(&d->m);
}

size_t diff_entries(const struct diff *d)
{
    return d->m.n;
}

static void *value_for(struct diff *d)
{
    return (void *)(uintptr_t)(d->seq * 8 + 8);
}

static int compare_tree(struct diff *d, struct maple_tree *mt, const struct model *m)
{
    unsigned long index = 0;
    size_t i = 0;
    void *entry;

    mt_for_each(mt, entry, index, ULONG_MAX)
    {
        EXPECT(i < m->n, "tree has an extra entry %p ending at %#lx", entry, index - 1);
        EXPECT(entry == m->r[i].value && index - 1 == m->r[i].last,
               "entry %zu: tree %p ..%#lx, model %p %#lx..%#lx", i, entry, index - 1, m->r[i].value,
               m->r[i].first, m->r[i].last);
        i++;
    }
    EXPECT(i == m->n, "tree has %zu entries, model %zu", i, m->n);

    /* Backwards, with the exact ranges. */
    MA_STATE(mas, mt, ULONG_MAX, ULONG_MAX);
    i = m->n;
    while ((entry = mas_find_rev(&mas, 0)) != NULL) {
        EXPECT(i > 0, "reverse walk found an extra entry %p at %#lx", entry, mas.index);
        i--;
        EXPECT(entry == m->r[i].value && mas.index == m->r[i].first && mas.last == m->r[i].last,
               "reverse entry %zu: tree %p %#lx..%#lx, model %p %#lx..%#lx", i, entry, mas.index,
               mas.last, m->r[i].value, m->r[i].first, m->r[i].last);
    }
    EXPECT(i == 0, "reverse walk missed %zu entries", i);
    return 0;
}

int diff_compare_all(struct diff *d)
{
    return compare_tree(d, &d->mt, &d->m);
}

static int validate(struct diff *d, struct maple_tree *mt)
{
    struct mt_violation v;

    if (mt_validate_report(mt, &v))
        return fail(d, "mt_validate: %s (depth %u, range %#lx..%#lx, slot %u)", v.what, v.depth,
                    v.min, v.max, v.slot);
    return 0;
}

static int op_store(struct diff *d, unsigned long a, unsigned long b, unsigned long c)
{
    void *value = (c & 7) == 0 ? NULL : value_for(d);
    int ret = mtree_store_range(&d->mt, a, b, value);

    EXPECT(ret == 0, "store %#lx..%#lx returned %d", a, b, ret);
    model_store(&d->m, a, b, value);
    return 0;
}

static int op_insert(struct diff *d, unsigned long a, unsigned long b)
{
    size_t i = model_at_or_after(&d->m, a);
    int busy = i < d->m.n && d->m.r[i].first <= b;
    void *value = value_for(d);
    int ret = mtree_insert_range(&d->mt, a, b, value);

    EXPECT(ret == (busy ? -EEXIST : 0), "insert %#lx..%#lx returned %d, want %d", a, b, ret,
           busy ? -EEXIST : 0);
    if (!busy)
        model_store(&d->m, a, b, value);
    return 0;
}

static int op_erase(struct diff *d, unsigned long a)
{
    unsigned long first, last;
    void *want = model_lookup(&d->m, a, &first, &last);
    void *got = mtree_erase(&d->mt, a);

    EXPECT(got == want, "erase %#lx returned %p, want %p", a, got, want);
    if (want)
        model_store(&d->m, first, last, NULL);
    return 0;
}

static int op_load(struct diff *d, unsigned long a)
{
    unsigned long first, last;
    void *want = model_lookup(&d->m, a, &first, &last);
    MA_STATE(mas, &d->mt, a, a);
    void *got = mtree_load(&d->mt, a);

    EXPECT(got == want, "load %#lx = %p, want %p", a, got, want);
    got = mas_walk(&mas);
    EXPECT(got == want && mas.index == first && mas.last == last,
           "mas_walk %#lx = %p %#lx..%#lx, want %p %#lx..%#lx", a, got, mas.index, mas.last, want,
           first, last);
    return 0;
}

static int op_find(struct diff *d, unsigned long a, unsigned long b)
{
    unsigned long index = a;
    size_t i = model_at_or_after(&d->m, a);
    void *want = i < d->m.n && d->m.r[i].first <= b && a <= b ? d->m.r[i].value : NULL;
    void *got = mt_find(&d->mt, &index, b);

    EXPECT(got == want, "mt_find %#lx..%#lx = %p, want %p", a, b, got, want);
    if (want)
        EXPECT(index == d->m.r[i].last + 1, "mt_find set index %#lx, want %#lx", index,
               d->m.r[i].last + 1);
    else
        EXPECT(index == a, "mt_find moved index on a miss");
    return 0;
}

/* mas_find forwards over a..b, then mas_find_rev backwards from b to a. */
static int op_iterate(struct diff *d, unsigned long a, unsigned long b)
{
    MA_STATE(mas, &d->mt, a, a);
    size_t i = model_at_or_after(&d->m, a);
    void *entry;

    mas_for_each(&mas, entry, b)
    {
        EXPECT(i < d->m.n && d->m.r[i].first <= b, "mas_find %#lx..%#lx: extra entry at %#lx", a, b,
               mas.index);
        EXPECT(entry == d->m.r[i].value && mas.index == d->m.r[i].first &&
                   mas.last == d->m.r[i].last,
               "mas_find: %p %#lx..%#lx, want %p %#lx..%#lx", entry, mas.index, mas.last,
               d->m.r[i].value, d->m.r[i].first, d->m.r[i].last);
        i++;
    }
    EXPECT(i == d->m.n || d->m.r[i].first > b, "mas_find %#lx..%#lx stopped early at %zu", a, b, i);

    mas_set(&mas, b);
    i = model_at_or_after(&d->m, b);
    if (i < d->m.n && d->m.r[i].first <= b)
        i++; /* the range holding b is found first */
    while ((entry = mas_find_rev(&mas, a)) != NULL) {
        EXPECT(i > 0 && d->m.r[i - 1].last >= a, "mas_find_rev %#lx..%#lx: extra entry", b, a);
        i--;
        EXPECT(entry == d->m.r[i].value && mas.index == d->m.r[i].first,
               "mas_find_rev: %p at %#lx, want %p at %#lx", entry, mas.index, d->m.r[i].value,
               d->m.r[i].first);
    }
    EXPECT(i == 0 || d->m.r[i - 1].last < a, "mas_find_rev %#lx..%#lx stopped early", b, a);
    return 0;
}

/* mas_next and mas_prev from the range holding a, bounded by b (next) and c (prev). */
static int op_next_prev(struct diff *d, unsigned long a, unsigned long b, unsigned long c)
{
    unsigned long first, last;
    MA_STATE(mas, &d->mt, a, a);
    void *got;
    size_t i;

    model_lookup(&d->m, a, &first, &last);
    i = model_at_or_after(&d->m, a);
    if (i < d->m.n && d->m.r[i].first <= a)
        i++; /* skip the range holding a */
    got = mas_next(&mas, b);
    if (last < b && i < d->m.n && d->m.r[i].first <= b)
        EXPECT(got == d->m.r[i].value && mas.index == d->m.r[i].first,
               "mas_next from %#lx max %#lx: %p at %#lx, want %p at %#lx", a, b, got, mas.index,
               d->m.r[i].value, d->m.r[i].first);
    else
        EXPECT(got == NULL, "mas_next from %#lx max %#lx: %p, want none", a, b, got);

    mas_set(&mas, a);
    i = model_at_or_after(&d->m, first); /* ranges before the one holding a */
    got = mas_prev(&mas, c);
    if (first > c && i > 0 && d->m.r[i - 1].last >= c)
        EXPECT(got == d->m.r[i - 1].value && mas.last == d->m.r[i - 1].last,
               "mas_prev from %#lx min %#lx: %p ..%#lx, want %p ..%#lx", a, c, got, mas.last,
               d->m.r[i - 1].value, d->m.r[i - 1].last);
    else
        EXPECT(got == NULL, "mas_prev from %#lx min %#lx: %p, want none", a, c, got);
    return 0;
}

static int op_empty_area(struct diff *d, unsigned long a, unsigned long b, unsigned long size,
                         int rev)
{
    MA_STATE(mas, &d->mt, 0, 0);
    unsigned long want_start = 0;
    int want = model_empty_area(&d->m, a, b, size, rev, &want_start);
    int got = rev ? mas_empty_area_rev(&mas, a, b, size) : mas_empty_area(&mas, a, b, size);

    EXPECT(got == want, "empty_area%s %#lx..%#lx size %#lx returned %d, want %d", rev ? "_rev" : "",
           a, b, size, got, want);
    if (!want)
        EXPECT(mas.index == want_start && mas.last == want_start + size - 1,
               "empty_area%s %#lx..%#lx size %#lx: %#lx..%#lx, want start %#lx", rev ? "_rev" : "",
               a, b, size, mas.index, mas.last, want_start);
    return 0;
}

static int op_alloc_range(struct diff *d, unsigned long a, unsigned long b, unsigned long size,
                          int rev)
{
    unsigned long want_start = 0, start = 0;
    int want = model_empty_area(&d->m, a, b, size, rev, &want_start);
    void *value = value_for(d);
    int got = rev ? mtree_alloc_rrange(&d->mt, &start, value, size, a, b)
                  : mtree_alloc_range(&d->mt, &start, value, size, a, b);

    if (!mt_is_alloc(&d->mt)) {
        EXPECT(got == -EINVAL, "alloc_range on a plain tree returned %d", got);
        return 0;
    }
    EXPECT(got == want, "alloc_%srange %#lx..%#lx size %#lx returned %d, want %d", rev ? "r" : "",
           a, b, size, got, want);
    if (!want) {
        EXPECT(start == want_start, "alloc_%srange gave %#lx, want %#lx", rev ? "r" : "", start,
               want_start);
        model_store(&d->m, start, start + size - 1, value);
    }
    return 0;
}

/* Store with the k-th allocation failing, for k = 0, 1, ... until the store succeeds: every
 * failure must leave the tree valid and unchanged. */
static int op_store_failing(struct diff *d, unsigned long a, unsigned long b, unsigned long c)
{
    void *value = (c & 3) == 0 ? NULL : value_for(d);

    for (long k = 0;; k++) {
        long live = host_alloc_live();
        int ret;

        host_alloc_fail_after(k);
        ret = mtree_store_range(&d->mt, a, b, value);
        host_alloc_fail_after(-1);
        if (ret == 0)
            break;
        EXPECT(ret == -ENOMEM, "failing store returned %d", ret);
        EXPECT(host_alloc_live() == live, "failed store leaked %ld nodes",
               host_alloc_live() - live);
        if (validate(d, &d->mt) || compare_tree(d, &d->mt, &d->m))
            return fail(d, "after allocation %ld failed: %s", k, d->why);
        EXPECT(k < 200, "store never succeeded");
    }
    model_store(&d->m, a, b, value);
    return 0;
}

static int op_cursor_store(struct diff *d, unsigned long a, unsigned long b, unsigned long c)
{
    MA_STATE(mas, &d->mt, a, a);
    unsigned long first, last;
    void *value = value_for(d);
    void *old;

    if (c & 1) {
        /* Exact fit: replace whatever range holds a. */
        void *want = model_lookup(&d->m, a, &first, &last);

        old = mas_walk(&mas);
        EXPECT(old == want, "mas_walk before store: %p, want %p", old, want);
        old = mas_store(&mas, value);
        EXPECT(old == want && !mas_is_err(&mas), "mas_store returned %p, want %p", old, want);
        model_store(&d->m, first, last, value);
        return 0;
    }
    mas_set_range(&mas, a, b);
    EXPECT(mas_store_gfp(&mas, (c & 6) ? value : NULL) == 0, "mas_store_gfp failed");
    model_store(&d->m, a, b, (c & 6) ? value : NULL);
    return 0;
}

static int op_prealloc(struct diff *d, unsigned long a, unsigned long b, unsigned long c)
{
    MA_STATE(mas, &d->mt, a, b);
    void *value = (c & 3) == 0 ? NULL : value_for(d);
    unsigned long before;

    EXPECT(mas_preallocate(&mas, value) == 0, "mas_preallocate failed");
    before = host_alloc_count();
    host_alloc_fail_after(0); /* the store must not allocate */
    mas_store_prealloc(&mas, value);
    host_alloc_fail_after(-1);
    EXPECT(!mas_is_err(&mas) && host_alloc_count() == before, "mas_store_prealloc allocated");
    EXPECT(mas.alloc == NULL, "mas_store_prealloc kept nodes");
    model_store(&d->m, a, b, value);
    return 0;
}

static int op_dup(struct diff *d, unsigned long a)
{
    struct maple_tree copy;
    int ret;

    mtree_init(&copy, 0);
    if (a & 1) {
        host_alloc_fail_after((long)(a >> 1) % 8);
        ret = mtree_dup(&d->mt, &copy);
        host_alloc_fail_after(-1);
        EXPECT(ret == 0 || (ret == -ENOMEM && mtree_empty(&copy)),
               "failed mtree_dup returned %d with a non-empty copy", ret);
        if (ret)
            return 0;
    } else {
        EXPECT(mtree_dup(&d->mt, &copy) == 0, "mtree_dup failed");
    }
    if (validate(d, &copy) || compare_tree(d, &copy, &d->m)) {
        mtree_destroy(&copy);
        return fail(d, "copy differs: %s", d->why);
    }
    if (!mtree_empty(&copy))
        EXPECT(mtree_dup(&d->mt, &copy) == -EINVAL, "mtree_dup into a non-empty tree");
    mtree_destroy(&copy);
    return 0;
}

/* Erase every other entry in a..b while iterating over them with one cursor. */
static int op_erase_iterating(struct diff *d, unsigned long a, unsigned long b)
{
    MA_STATE(mas, &d->mt, a, a);
    size_t i = model_at_or_after(&d->m, a), n = 0;
    void *entry;

    mas_for_each(&mas, entry, b)
    {
        EXPECT(i < d->m.n && entry == d->m.r[i].value && mas.index == d->m.r[i].first,
               "iteration while erasing: %p at %#lx", entry, mas.index);
        if (n++ % 2 == 0) {
            void *gone = mas_erase(&mas);

            EXPECT(gone == entry, "mas_erase returned %p, want %p", gone, entry);
            model_store(&d->m, d->m.r[i].first, d->m.r[i].last, NULL);
        } else {
            i++;
        }
    }
    EXPECT(i == d->m.n || d->m.r[i].first > b, "iteration while erasing stopped early");
    return 0;
}

int diff_op(struct diff *d, enum diff_kind kind, unsigned long a, unsigned long b, unsigned long c)
{
    unsigned long lo = a < b ? a : b, hi = a < b ? b : a;
    int ret = 0;

    d->seq++;
    switch (kind) {
    case DIFF_STORE:
        ret = op_store(d, lo, hi, c);
        break;
    case DIFF_INSERT:
        ret = op_insert(d, lo, hi);
        break;
    case DIFF_ERASE:
        ret = op_erase(d, a);
        break;
    case DIFF_LOAD:
        ret = op_load(d, a);
        break;
    case DIFF_FIND:
        ret = op_find(d, a, b);
        break;
    case DIFF_ITERATE:
        ret = op_iterate(d, lo, hi);
        break;
    case DIFF_NEXT_PREV:
        ret = op_next_prev(d, a, b, c);
        break;
    case DIFF_EMPTY_AREA:
        ret = op_empty_area(d, lo, hi, c, (int)(c & 1));
        break;
    case DIFF_ALLOC_RANGE:
        ret = op_alloc_range(d, lo, hi, c, (int)(c & 1));
        break;
    case DIFF_STORE_FAILING:
        ret = op_store_failing(d, lo, hi, c);
        break;
    case DIFF_CURSOR_STORE:
        ret = op_cursor_store(d, lo, hi, c);
        break;
    case DIFF_PREALLOC:
        ret = op_prealloc(d, lo, hi, c);
        break;
    case DIFF_DUP:
        ret = op_dup(d, a);
        break;
    case DIFF_ERASE_ITERATING:
        ret = op_erase_iterating(d, lo, hi);
        break;
    default:
        break;
    }
    if (ret)
        return ret;
    if (validate(d, &d->mt))
        return -1;
    if (d->seq % d->full_every == 0)
        return compare_tree(d, &d->mt, &d->m);
    return 0;
}
