/*
 * test_maple.c - directed tests of the maple tree, in the spirit of Linux's lib/test_maple_tree.c.
 *
 * Each test runs in its own child process, so a crash or a sanitizer report reads as FAIL for
 * that test alone; the exit status is the number of failures. `test_maple NAME` runs one test.
 * Every test checks mt_validate() after its operations and that no node is leaked.
 */
#include "host_alloc.h"
#include "model.h"
#include "maple/maple_private.h" /* white-box: corrupt nodes to prove mt_validate() notices */

#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define CHECK(cond)                                                                                \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond);               \
            exit(1);                                                                               \
        }                                                                                          \
    } while (0)

#define CHECK_VALID(mt)                                                                            \
    do {                                                                                           \
        struct mt_violation v_;                                                                    \
        if (mt_validate_report((mt), &v_)) {                                                       \
            fprintf(stderr, "%s:%d: mt_validate: %s (depth %u, %#lx..%#lx, slot %u)\n", __FILE__,  \
                    __LINE__, v_.what, v_.depth, v_.min, v_.max, v_.slot);                         \
            exit(1);                                                                               \
        }                                                                                          \
    } while (0)

static void *xa(unsigned long v)
{
    return (void *)(uintptr_t)(v * 4 + 4);
}

/* Check that @mt holds exactly the ranges of @m. */
static void check_same(struct maple_tree *mt, const struct model *m)
{
    MA_STATE(mas, mt, 0, 0);
    size_t i = 0;
    void *entry;

    CHECK_VALID(mt);
    mas_for_each(&mas, entry, ULONG_MAX)
    {
        CHECK(i < m->n);
        CHECK(entry == m->r[i].value);
        CHECK(mas.index == m->r[i].first && mas.last == m->r[i].last);
        i++;
    }
    CHECK(i == m->n);
}

static void store(struct maple_tree *mt, struct model *m, unsigned long a, unsigned long b, void *v)
{
    CHECK(mtree_store_range(mt, a, b, v) == 0);
    model_store(m, a, b, v);
    CHECK_VALID(mt);
}

/* ---- the tests ---- */

static void test_load_insert(void)
{
    DEFINE_MTREE(mt);

    mtree_init(&mt, 0);
    CHECK(mtree_load(&mt, 0) == NULL && mtree_load(&mt, ULONG_MAX) == NULL);
    CHECK(mtree_insert(&mt, 5, xa(5)) == 0);
    CHECK(mtree_insert(&mt, 5, xa(6)) == -EEXIST);
    CHECK(mtree_load(&mt, 5) == xa(5));
    CHECK(mtree_load(&mt, 4) == NULL && mtree_load(&mt, 6) == NULL);
    CHECK(mtree_insert_range(&mt, 0, 4, xa(0)) == 0);
    CHECK(mtree_insert_range(&mt, 3, 10, xa(1)) == -EEXIST); /* overlaps both */
    CHECK(mtree_insert_range(&mt, 6, 10, xa(1)) == 0);       /* adjacent is fine */
    CHECK(mtree_insert_range(&mt, 10, 10, xa(2)) == -EEXIST);
    CHECK(mtree_insert_range(&mt, 12, 11, xa(2)) == -EINVAL);
    CHECK(mtree_store_range(&mt, 12, 11, xa(2)) == -EINVAL);
    CHECK(mtree_insert(&mt, ULONG_MAX, xa(9)) == 0);
    CHECK(mtree_insert(&mt, ULONG_MAX, xa(9)) == -EEXIST);
    CHECK(mtree_load(&mt, ULONG_MAX) == xa(9) && mtree_load(&mt, ULONG_MAX - 1) == NULL);
    CHECK(mtree_load(&mt, 0) == xa(0) && mtree_load(&mt, 4) == xa(0));
    CHECK(mtree_load(&mt, 8) == xa(1));
    /* Many single-index inserts, then all duplicates refused. */
    for (unsigned long i = 100; i < 3000; i += 3)
        CHECK(mtree_insert(&mt, i, xa(i)) == 0);
    CHECK_VALID(&mt);
    for (unsigned long i = 100; i < 3000; i += 3) {
        CHECK(mtree_insert(&mt, i, xa(0)) == -EEXIST);
        CHECK(mtree_load(&mt, i) == xa(i) && mtree_load(&mt, i + 1) == NULL);
    }
    CHECK(mtree_erase(&mt, 5) == xa(5) && mtree_erase(&mt, 5) == NULL);
    CHECK(mtree_erase(&mt, 2) == xa(0) && mtree_load(&mt, 0) == NULL); /* whole range goes */
    CHECK_VALID(&mt);
    mtree_destroy(&mt);
    CHECK(mtree_empty(&mt) && host_alloc_live() == 0);
}

static void test_store_overlap(void)
{
    struct maple_tree mt;
    struct model m;
    MA_STATE(mas, &mt, 0, 0);

    mtree_init(&mt, MT_FLAGS_ALLOC_RANGE);
    model_init(&m);
    store(&mt, &m, 10, 20, xa(1));
    store(&mt, &m, 15, 25, xa(2)); /* overlaps the end */
    store(&mt, &m, 5, 12, xa(3));  /* overlaps the start */
    store(&mt, &m, 26, 30, xa(4)); /* adjacent */
    store(&mt, &m, 18, 19, xa(5)); /* inside: splits a range in three */
    store(&mt, &m, 16, 16, NULL);  /* a hole */
    check_same(&mt, &m);
    mas_set(&mas, 16);
    CHECK(mas_walk(&mas) == NULL && mas.index == 16 && mas.last == 16);
    mas_set(&mas, 14);
    CHECK(mas_walk(&mas) == xa(1) && mas.index == 13 && mas.last == 14);
    store(&mt, &m, 13, 20, NULL); /* NULLs combine: 13..20 is one gap */
    mas_set(&mas, 17);
    CHECK(mas_walk(&mas) == NULL && mas.index == 13 && mas.last == 20);
    mas_set(&mas, 3);
    CHECK(mas_walk(&mas) == NULL && mas.index == 0 && mas.last == 4);
    store(&mt, &m, 0, ULONG_MAX, xa(7)); /* everything */
    CHECK(mt.ma_height == 1 && mt_node_count(&mt) == 1);
    mas_set(&mas, 12345);
    CHECK(mas_walk(&mas) == xa(7) && mas.index == 0 && mas.last == ULONG_MAX);
    store(&mt, &m, ULONG_MAX, ULONG_MAX, xa(8)); /* at the maximum index */
    store(&mt, &m, 0, 0, xa(9));
    CHECK(mtree_load(&mt, ULONG_MAX) == xa(8) && mtree_load(&mt, ULONG_MAX - 1) == xa(7));
    check_same(&mt, &m);
    store(&mt, &m, 0, ULONG_MAX, NULL);
    CHECK(mtree_empty(&mt) && mt.ma_height == 0 && host_alloc_live() == 0);
    model_free(&m);
}

/* Grow a tree to @n ranges in the given order, then shrink it, checking the height moves. */
static void grow_and_shrink(unsigned int flags, unsigned long n, int order)
{
    struct maple_tree mt;
    struct model m;
    unsigned int height = 0;

    mtree_init(&mt, flags);
    model_init(&m);
    for (unsigned long i = 0; i < n; i++) {
        unsigned long k = order == 0 ? i : order == 1 ? n - 1 - i : (i * 7919) % n;

        store(&mt, &m, k * 16, k * 16 + 9, xa(k));
        CHECK(mt.ma_height >= height); /* inserting never lowers the tree */
        height = mt.ma_height;
    }
    check_same(&mt, &m);
    CHECK(height >= 3);
    for (unsigned long i = 0; i < n; i++) {
        unsigned long k = order == 0 ? i : order == 1 ? n - 1 - i : (i * 7919) % n;

        CHECK(mtree_erase(&mt, k * 16 + 3) == xa(k));
        model_store(&m, k * 16, k * 16 + 9, NULL);
        CHECK_VALID(&mt);
        CHECK(mt.ma_height <= height);
        height = mt.ma_height;
    }
    CHECK(mtree_empty(&mt) && height == 0 && host_alloc_live() == 0);
    model_free(&m);
}

static void test_height_both_ways(void)
{
    for (int order = 0; order < 3; order++) {
        grow_and_shrink(0, 2000, order);
        grow_and_shrink(MT_FLAGS_ALLOC_RANGE, 2000, order);
    }
}

/* Fill leaves and force splits at their lower bound, upper bound and middle: insert into the
 * holes of a tree of ranges always at the lowest hole, the highest, or the middle one. */
static void test_split_positions(void)
{
    for (int where = 0; where < 3; where++) {
        struct maple_tree mt;
        struct model m;
        unsigned long holes = 600, lo = 0, hi = holes - 1;

        mtree_init(&mt, where == 1 ? 0 : MT_FLAGS_ALLOC_RANGE);
        model_init(&m);
        for (unsigned long i = 0; i < holes; i++)
            store(&mt, &m, i * 4, i * 4 + 1, xa(i));
        while (lo <= hi && hi != ULONG_MAX) {
            unsigned long k = where == 0 ? lo++ : where == 1 ? hi-- : (lo + hi) / 2;

            if (where == 2) { /* take the middle by alternately moving the ends */
                k = (lo + hi) / 2;
                if (mtree_load(&mt, k * 4 + 2)) {
                    lo++;
                    continue;
                }
            }
            store(&mt, &m, k * 4 + 2, k * 4 + 3, xa(k + holes));
            if (where == 2 && lo == hi)
                break;
        }
        check_same(&mt, &m);
        mtree_destroy(&mt);
        model_free(&m);
    }
    CHECK(host_alloc_live() == 0);
}

/* Stores spanning several leaves and internal nodes; the tree must rebalance around them. */
static void test_spanning_store(void)
{
    struct maple_tree mt;
    struct model m;

    mtree_init(&mt, MT_FLAGS_ALLOC_RANGE);
    model_init(&m);
    for (unsigned long i = 0; i < 5000; i++)
        store(&mt, &m, i * 10, i * 10 + 4, xa(i));
    store(&mt, &m, 95, 20005, xa(100000));  /* many leaves, a few internal nodes */
    store(&mt, &m, 30003, 30047, NULL);     /* a few leaves, erasing */
    store(&mt, &m, 40001, 45001, NULL);     /* NULL that joins gaps on both sides */
    store(&mt, &m, 100, 49000, xa(100001)); /* most of the tree */
    check_same(&mt, &m);
    store(&mt, &m, 1, ULONG_MAX - 1, xa(100002)); /* all but the ends: height collapses */
    CHECK(mt.ma_height == 1);
    check_same(&mt, &m);
    mtree_destroy(&mt);
    model_free(&m);
    CHECK(host_alloc_live() == 0);
}

static void test_rebalance_collapse(void)
{
    struct maple_tree mt;
    struct model m;
    unsigned long nodes;

    mtree_init(&mt, MT_FLAGS_ALLOC_RANGE);
    model_init(&m);
    for (unsigned long i = 0; i < 3000; i++)
        store(&mt, &m, i * 10, i * 10 + 5, xa(i));
    nodes = mt_node_count(&mt);
    /* Erase every other entry: gaps merge, leaves fall under half full and rebalance. */
    for (unsigned long i = 0; i < 3000; i += 2) {
        CHECK(mtree_erase(&mt, i * 10) == xa(i));
        model_store(&m, i * 10, i * 10 + 5, NULL);
        CHECK_VALID(&mt);
    }
    check_same(&mt, &m);
    CHECK(mt_node_count(&mt) < nodes * 3 / 4);
    /* Erase from both ends towards the middle until one entry is left in a root leaf. */
    for (unsigned long i = 1, j = 2999; i < j; i += 2, j -= 2) {
        CHECK(mtree_erase(&mt, i * 10) == xa(i));
        if (j - 2 > i)
            CHECK(mtree_erase(&mt, j * 10) == xa(j));
        else
            break;
        CHECK_VALID(&mt);
    }
    CHECK(mt.ma_height == 1 && mt_node_count(&mt) == 1);
    mtree_destroy(&mt);
    model_free(&m);
    CHECK(host_alloc_live() == 0);
}

static void test_iterate(void)
{
    struct maple_tree mt;
    MA_STATE(mas, &mt, 0, 0);
    unsigned long n = 0, index;
    void *entry;

    mtree_init(&mt, 0);
    for (unsigned long i = 1; i <= 1000; i++)
        CHECK(mtree_store_range(&mt, i * 100, i * 100 + 49, xa(i)) == 0);
    /* Forwards from the start, then with a max. */
    mas_for_each(&mas, entry, ULONG_MAX)
    {
        n++;
        CHECK(entry == xa(n) && mas.index == n * 100 && mas.last == n * 100 + 49);
    }
    CHECK(n == 1000);
    mas_set(&mas, 525);
    n = 0;
    mas_for_each(&mas, entry, 1049) /* starts inside an entry, ends at one starting <= max */
        CHECK(entry == xa(5 + n++));
    CHECK(n == 6);
    /* Backwards. */
    mas_set(&mas, ULONG_MAX);
    n = 1000;
    while ((entry = mas_find_rev(&mas, 0)) != NULL)
        CHECK(entry == xa(n--));
    CHECK(n == 0);
    /* next/prev step by step, crossing leaves, stopping at their bounds. */
    mas_set(&mas, 50000);
    CHECK(mas_walk(&mas) == xa(500));
    for (unsigned long i = 501; i <= 600; i++)
        CHECK(mas_next(&mas, ULONG_MAX) == xa(i) && mas.index == i * 100);
    for (unsigned long i = 599; i >= 400; i--)
        CHECK(mas_prev(&mas, 0) == xa(i) && mas.last == i * 100 + 49);
    CHECK(mas_prev(&mas, 39950) == NULL); /* 399 ends at 39949 */
    CHECK(mas_next(&mas, 40000) == NULL); /* still at 400; 401 starts at 40100 */
    CHECK(mas_next(&mas, 40100) == xa(401));
    mas_set(&mas, 50);
    CHECK(mas_prev(&mas, 0) == NULL);
    mas_set(&mas, 100049);
    CHECK(mas_next(&mas, ULONG_MAX) == NULL);
    mas_set(&mas, 100050);
    CHECK(mas_find(&mas, ULONG_MAX) == NULL && mas_find(&mas, ULONG_MAX) == NULL);
    /* mt_for_each, and wrapping at ULONG_MAX. */
    CHECK(mtree_store_range(&mt, ULONG_MAX - 5, ULONG_MAX, xa(7777)) == 0);
    n = 0;
    index = 99000;
    mt_for_each(&mt, entry, index, ULONG_MAX) n++;
    CHECK(n == 12 && index == 0);
    index = 0;
    CHECK(mt_find(&mt, &index, 99) == NULL && index == 0);
    CHECK(mt_find(&mt, &index, 100) == xa(1) && index == 150);
    mtree_destroy(&mt);
    CHECK(host_alloc_live() == 0);
}

/* Change the tree while iterating over it through the same cursor. */
static void test_modify_while_iterating(void)
{
    struct maple_tree mt;
    struct model m;
    MA_STATE(mas, &mt, 0, 0);
    unsigned long n = 0;
    void *entry;

    mtree_init(&mt, MT_FLAGS_ALLOC_RANGE);
    model_init(&m);
    for (unsigned long i = 0; i < 2000; i++)
        store(&mt, &m, i * 8, i * 8 + 3, xa(i));
    /* Replace each entry as it is visited. */
    mas_for_each(&mas, entry, ULONG_MAX)
    {
        CHECK(entry == xa(n));
        CHECK(mas_store(&mas, xa(n + 5000)) == xa(n));
        model_store(&m, n * 8, n * 8 + 3, xa(n + 5000));
        n++;
    }
    CHECK(n == 2000);
    check_same(&mt, &m);
    /* Erase every entry while iterating. */
    mas_set(&mas, 0);
    n = 0;
    mas_for_each(&mas, entry, ULONG_MAX)
    {
        CHECK(entry == xa(n + 5000) && mas_erase(&mas) == entry);
        n++;
        if (n % 100 == 0)
            CHECK_VALID(&mt);
    }
    CHECK(n == 2000 && mtree_empty(&mt));
    /* Insert behind the cursor and ahead of it; pause, modify, resume. */
    model_free(&m);
    model_init(&m);
    for (unsigned long i = 0; i < 500; i++)
        store(&mt, &m, i * 8, i * 8 + 3, xa(i));
    mas_set(&mas, 0);
    n = 0;
    mas_for_each(&mas, entry, ULONG_MAX)
    {
        unsigned long i = mas.index / 8;

        n++;
        if (mas.index % 8 == 5) { /* one inserted ahead earlier */
            CHECK(entry == xa(i + 1000));
            continue;
        }
        CHECK(entry == xa(i));
        mas_pause(&mas);
        CHECK(mtree_store_range(&mt, i * 8 + 5, i * 8 + 5, xa(i + 1000)) == 0); /* ahead */
        if (i)
            CHECK(mtree_erase(&mt, i * 8 - 3) == xa(i + 999)); /* behind */
    }
    CHECK(n == 1000); /* each original and each inserted-ahead entry once */
    mtree_destroy(&mt);
    model_free(&m);
    CHECK(host_alloc_live() == 0);
}

static void test_empty_area(void)
{
    struct maple_tree mt;
    MA_STATE(mas, &mt, 0, 0);
    unsigned long start;

    mtree_init(&mt, MT_FLAGS_ALLOC_RANGE);
    CHECK(mas_empty_area(&mas, 10, 5, 1) == -EINVAL);
    CHECK(mas_empty_area(&mas, 0, 10, 0) == -EINVAL);
    CHECK(mas_empty_area(&mas, 0, 9, 11) == -EINVAL);
    CHECK(mas_empty_area_rev(&mas, 0, 9, 11) == -EINVAL);
    CHECK(mas_empty_area(&mas, 0, ULONG_MAX, ULONG_MAX) == 0 && mas.index == 0);
    CHECK(mas_empty_area_rev(&mas, 5, 100, 10) == 0 && mas.index == 91 && mas.last == 100);
    for (unsigned long i = 0; i < 1000; i++) /* 0..9 used, 10..19 free, ... */
        CHECK(mtree_store_range(&mt, i * 20, i * 20 + 9, xa(i)) == 0);
    /* Bottom-up and top-down within windows. */
    CHECK(mas_empty_area(&mas, 0, ULONG_MAX, 10) == 0 && mas.index == 10 && mas.last == 19);
    CHECK(mas_empty_area(&mas, 15, ULONG_MAX, 10) == 0 && mas.index == 30);
    CHECK(mas_empty_area(&mas, 15, 24, 5) == 0 && mas.index == 15);
    CHECK(mas_empty_area(&mas, 16, 23, 5) == -EBUSY);
    CHECK(mas_empty_area(&mas, 0, 19999, 11) == -EBUSY);
    CHECK(mas_empty_area(&mas, 0, ULONG_MAX, 11) == 0 && mas.index == 19990);
    CHECK(mas_empty_area_rev(&mas, 0, 19999, 10) == 0 && mas.index == 19990);
    CHECK(mas_empty_area_rev(&mas, 0, 19994, 4) == 0 && mas.last == 19994 && mas.index == 19991);
    CHECK(mas_empty_area_rev(&mas, 0, 19994, 6) == 0 && mas.index == 19974 && mas.last == 19979);
    CHECK(mas_empty_area_rev(&mas, 0, ULONG_MAX, 100) == 0 && mas.last == ULONG_MAX);
    CHECK(mas_empty_area_rev(&mas, 12, 25, 9) == -EBUSY);
    CHECK(mas_empty_area_rev(&mas, 0, 9, 1) == -EBUSY);
    /* Gaps combine when entries go: erase two neighbours, a 50-index area opens. */
    CHECK(mas_empty_area(&mas, 0, 19999, 30) == -EBUSY);
    CHECK(mtree_erase(&mt, 500 * 20) == xa(500) && mtree_erase(&mt, 501 * 20) == xa(501));
    CHECK_VALID(&mt);
    CHECK(mas_empty_area(&mas, 0, 19999, 50) == 0 && mas.index == 9990 && mas.last == 10039);
    CHECK(mas_empty_area(&mas, 0, 19999, 51) == -EBUSY);
    CHECK(mas_empty_area_rev(&mas, 0, 19999, 50) == 0 && mas.index == 9990);
    /* mtree_alloc_range / rrange. */
    CHECK(mtree_alloc_range(&mt, &start, xa(1), 40, 0, 19999) == 0 && start == 9990);
    CHECK(mtree_load(&mt, 9990) == xa(1) && mtree_load(&mt, 10029) == xa(1));
    CHECK(mtree_alloc_rrange(&mt, &start, xa(2), 10, 0, 15000) == 0 && start == 14990);
    CHECK(mtree_alloc_range(&mt, &start, xa(3), 10, 0, 99) == 0 && start == 10);
    CHECK(mtree_alloc_range(&mt, &start, xa(3), 11, 0, 19999) == -EBUSY);
    CHECK(mtree_alloc_range(&mt, &start, xa(3), 0, 0, 19999) == -EINVAL);
    CHECK(mtree_alloc_rrange(&mt, &start, xa(3), 5, 100, 99) == -EINVAL);
    CHECK(mtree_alloc_rrange(&mt, &start, xa(4), 1, 0, ULONG_MAX) == 0 && start == ULONG_MAX);
    CHECK_VALID(&mt);
    mtree_destroy(&mt);
    /* A plain tree has no gap figures: searched anyway, allocation refused. */
    mtree_init(&mt, 0);
    CHECK(mtree_store_range(&mt, 0, 99, xa(1)) == 0);
    CHECK(mas_empty_area(&mas, 0, 1000, 5) == 0 && mas.index == 100);
    CHECK(mtree_alloc_range(&mt, &start, xa(2), 5, 0, 1000) == -EINVAL);
    mtree_destroy(&mt);
    CHECK(host_alloc_live() == 0);
}

/* The mappings of a real process (a python3 interpreter's /proc/self/maps on x86-64 Linux). */
static const unsigned long proc_maps[][2] = {
    {0x55eb0b74a000ul, 0x55eb0b74b000ul},         {0x55eb0b74b000ul, 0x55eb0b74c000ul},
    {0x55eb0b74c000ul, 0x55eb0b74d000ul},         {0x55eb0b74d000ul, 0x55eb0b74e000ul},
    {0x55eb0b74e000ul, 0x55eb0b74f000ul},         {0x55eb384c5000ul, 0x55eb38655000ul},
    {0x7f0527fc8000ul, 0x7f05280fb000ul},         {0x7f0528108000ul, 0x7f052810b000ul},
    {0x7f052810b000ul, 0x7f0528110000ul},         {0x7f0528110000ul, 0x7f0528113000ul},
    {0x7f0528113000ul, 0x7f0528114000ul},         {0x7f0528114000ul, 0x7f0528115000ul},
    {0x7f0528115000ul, 0x7f0528117000ul},         {0x7f0528117000ul, 0x7f052811a000ul},
    {0x7f052811a000ul, 0x7f052811c000ul},         {0x7f052811c000ul, 0x7f052811d000ul},
    {0x7f052811d000ul, 0x7f052811e000ul},         {0x7f052811e000ul, 0x7f052811f000ul},
    {0x7f052811f000ul, 0x7f0528120000ul},         {0x7f0528120000ul, 0x7f0528121000ul},
    {0x7f0528121000ul, 0x7f0528122000ul},         {0x7f0528122000ul, 0x7f0528123000ul},
    {0x7f0528123000ul, 0x7f0528125000ul},         {0x7f0528125000ul, 0x7f0528129000ul},
    {0x7f0528129000ul, 0x7f052812a000ul},         {0x7f052812a000ul, 0x7f052812b000ul},
    {0x7f052812b000ul, 0x7f052812c000ul},         {0x7f052812c000ul, 0x7f052812f000ul},
    {0x7f052812f000ul, 0x7f0528138000ul},         {0x7f0528138000ul, 0x7f052813d000ul},
    {0x7f052813d000ul, 0x7f052813e000ul},         {0x7f052813e000ul, 0x7f052813f000ul},
    {0x7f052813f000ul, 0x7f0528143000ul},         {0x7f0528143000ul, 0x7f0528160000ul},
    {0x7f0528160000ul, 0x7f052816c000ul},         {0x7f052816c000ul, 0x7f052816d000ul},
    {0x7f052816d000ul, 0x7f052816e000ul},         {0x7f052816e000ul, 0x7f0528170000ul},
    {0x7f0528170000ul, 0x7f0528172000ul},         {0x7f0528172000ul, 0x7f0528173000ul},
    {0x7f0528173000ul, 0x7f0528174000ul},         {0x7f0528174000ul, 0x7f0528175000ul},
    {0x7f0528175000ul, 0x7f0528176000ul},         {0x7f0528176000ul, 0x7f0528178000ul},
    {0x7f0528178000ul, 0x7f0528179000ul},         {0x7f0528179000ul, 0x7f052817a000ul},
    {0x7f052817a000ul, 0x7f052817b000ul},         {0x7f052817b000ul, 0x7f052817d000ul},
    {0x7f052817d000ul, 0x7f052818a000ul},         {0x7f052818a000ul, 0x7f052818c000ul},
    {0x7f052818c000ul, 0x7f052818d000ul},         {0x7f052818d000ul, 0x7f052818e000ul},
    {0x7f052818e000ul, 0x7f0528191000ul},         {0x7f0528191000ul, 0x7f05281a4000ul},
    {0x7f05281a4000ul, 0x7f05281ab000ul},         {0x7f05281ab000ul, 0x7f05281ac000ul},
    {0x7f05281ac000ul, 0x7f05281ad000ul},         {0x7f05281ae000ul, 0x7f05281b1000ul},
    {0x7f05281b1000ul, 0x7f05281b5000ul},         {0x7f05281b5000ul, 0x7f05281b8000ul},
    {0x7f05281b8000ul, 0x7f05281b9000ul},         {0x7f05281b9000ul, 0x7f05281ba000ul},
    {0x7f05281ba000ul, 0x7f05281bc000ul},         {0x7f05281bc000ul, 0x7f05281c1000ul},
    {0x7f05281c1000ul, 0x7f05281c4000ul},         {0x7f05281c4000ul, 0x7f05281c5000ul},
    {0x7f05281c5000ul, 0x7f05281c6000ul},         {0x7f05281c6000ul, 0x7f05284e7000ul},
    {0x7f05284e7000ul, 0x7f052853e000ul},         {0x7f052853e000ul, 0x7f052854e000ul},
    {0x7f052854e000ul, 0x7f05285c2000ul},         {0x7f05285c2000ul, 0x7f052861c000ul},
    {0x7f052861c000ul, 0x7f052861d000ul},         {0x7f052861d000ul, 0x7f052861e000ul},
    {0x7f052861e000ul, 0x7f0528644000ul},         {0x7f0528644000ul, 0x7f052879a000ul},
    {0x7f052879a000ul, 0x7f05287ed000ul},         {0x7f05287ed000ul, 0x7f05287f1000ul},
    {0x7f05287f1000ul, 0x7f05287f3000ul},         {0x7f05287f3000ul, 0x7f0528800000ul},
    {0x7f0528800000ul, 0x7f05288f5000ul},         {0x7f05288f5000ul, 0x7f0528b31000ul},
    {0x7f0528b31000ul, 0x7f0528c15000ul},         {0x7f0528c15000ul, 0x7f0528c44000ul},
    {0x7f0528c44000ul, 0x7f0528d78000ul},         {0x7f0528d78000ul, 0x7f0528dba000ul},
    {0x7f0528dbd000ul, 0x7f0528dbf000ul},         {0x7f0528dbf000ul, 0x7f0528dc1000ul},
    {0x7f0528dc1000ul, 0x7f0528dc2000ul},         {0x7f0528dc2000ul, 0x7f0528dc3000ul},
    {0x7f0528dc3000ul, 0x7f0528dc4000ul},         {0x7f0528dc4000ul, 0x7f0528e07000ul},
    {0x7f0528e09000ul, 0x7f0528e0d000ul},         {0x7f0528e0d000ul, 0x7f0528e14000ul},
    {0x7f0528e14000ul, 0x7f0528e16000ul},         {0x7f0528e16000ul, 0x7f0528e1a000ul},
    {0x7f0528e1a000ul, 0x7f0528e1c000ul},         {0x7f0528e1c000ul, 0x7f0528e1e000ul},
    {0x7f0528e1e000ul, 0x7f0528e1f000ul},         {0x7f0528e1f000ul, 0x7f0528e45000ul},
    {0x7f0528e45000ul, 0x7f0528e4f000ul},         {0x7f0528e4f000ul, 0x7f0528e51000ul},
    {0x7f0528e51000ul, 0x7f0528e53000ul},         {0x7ffefde21000ul, 0x7ffefde42000ul},
    {0xffffffffff600000ul, 0xffffffffff601000ul},
};

/* Free-area searches in that layout, as mmap would make them, checked against the model. */
static void test_empty_area_proc_maps(void)
{
    size_t n = sizeof(proc_maps) / sizeof(proc_maps[0]);
    unsigned long sizes[] = {1,        0x1000,     0x2000,         0x21000,         0x100000,
                             0x200000, 0x10000000, 0x1000000000ul, 0x500000000000ul};
    unsigned long stack = proc_maps[n - 2][0];
    struct maple_tree mt;
    struct model m;
    MA_STATE(mas, &mt, 0, 0);

    mtree_init(&mt, MT_FLAGS_ALLOC_RANGE);
    model_init(&m);
    for (size_t i = 0; i < n; i++)
        store(&mt, &m, proc_maps[i][0], proc_maps[i][1] - 1, xa(i));
    check_same(&mt, &m);
    for (size_t s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++) {
        /* Windows: everything, below the stack (top-down mmap), above the program, tight. */
        unsigned long windows[][2] = {{0, ULONG_MAX},
                                      {0x10000, stack - 1},
                                      {proc_maps[0][1], 0x7fffffffffff},
                                      {proc_maps[5][0], proc_maps[40][1]}};

        for (size_t w = 0; w < 4; w++) {
            for (int rev = 0; rev < 2; rev++) {
                unsigned long lo = windows[w][0], hi = windows[w][1], want_start = 0;
                int want = model_empty_area(&m, lo, hi, sizes[s], rev, &want_start);
                int got = rev ? mas_empty_area_rev(&mas, lo, hi, sizes[s])
                              : mas_empty_area(&mas, lo, hi, sizes[s]);

                CHECK(got == want);
                if (!want)
                    CHECK(mas.index == want_start && mas.last == want_start + sizes[s] - 1);
            }
        }
    }
    /* Map like mmap does, top-down below the stack, until nothing of that size fits. */
    for (unsigned long i = 0;; i++) {
        unsigned long start, want_start;
        int want = model_empty_area(&m, 0x10000, stack - 1, 0x40000000000ul, 1, &want_start);
        int got =
            mtree_alloc_rrange(&mt, &start, xa(i + 1000), 0x40000000000ul, 0x10000, stack - 1);

        CHECK(got == want);
        if (got)
            break;
        CHECK(start == want_start);
        model_store(&m, start, start + 0x40000000000ul - 1, xa(i + 1000));
        CHECK_VALID(&mt);
    }
    check_same(&mt, &m);
    mtree_destroy(&mt);
    model_free(&m);
    CHECK(host_alloc_live() == 0);
}

static void test_dup(void)
{
    static const unsigned long sizes[] = {0, 1, 16, 17, 135, 1000, 20000};

    for (size_t s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++) {
        struct maple_tree mt, copy;
        struct model m;

        mtree_init(&mt, s % 2 ? MT_FLAGS_ALLOC_RANGE : 0);
        mtree_init(&copy, 0);
        model_init(&m);
        for (unsigned long i = 0; i < sizes[s]; i++) {
            CHECK(mtree_store_range(&mt, i * 3, i * 3 + 1, xa(i)) == 0);
            model_store(&m, i * 3, i * 3 + 1, xa(i));
        }
        CHECK(mtree_dup(&mt, &copy) == 0);
        CHECK(copy.ma_flags == mt.ma_flags && copy.ma_height == mt.ma_height);
        CHECK(mt_node_count(&copy) == mt_node_count(&mt));
        check_same(&copy, &m);
        CHECK(mtree_dup(&mt, &copy) == (sizes[s] ? -EINVAL : 0));
        /* The copy is independent. */
        CHECK(mtree_store_range(&mt, 0, ULONG_MAX, NULL) == 0);
        check_same(&copy, &m);
        mtree_destroy(&copy);
        mtree_destroy(&mt);
        model_free(&m);
    }
    CHECK(host_alloc_live() == 0);
}

/* Snapshot of a tree's contents, to check that a failed operation changed nothing. */
static void snapshot(struct maple_tree *mt, struct model *m)
{
    MA_STATE(mas, mt, 0, 0);
    void *entry;

    m->n = 0;
    mas_for_each(&mas, entry, ULONG_MAX) model_store(m, mas.index, mas.last, entry);
}

/* An operation made of steps, each one write; step() returns 0, a negative error, or 1 once
 * there are no more steps. */
typedef int (*step_fn)(struct maple_tree *mt, unsigned long arg, unsigned long i);

static void build_for_failure(struct maple_tree *mt, unsigned int flags)
{
    mtree_init(mt, flags);
    for (unsigned long i = 0; i < 3000; i++)
        CHECK(mtree_store_range(mt, i * 10, i * 10 + 4, xa(i)) == 0);
}

/*
 * Find the first step of @step that allocates nodes (a split, a rebalance...), then run it with
 * allocation k failing, for every k until it succeeds: each failure must return -ENOMEM and
 * leave the tree valid, unchanged and with no node leaked.
 */
static void fail_every_allocation(const char *what, unsigned int flags, step_fn step,
                                  unsigned long arg)
{
    struct maple_tree mt;
    unsigned long target = 0;

    build_for_failure(&mt, flags);
    for (;; target++) {
        unsigned long count = host_alloc_count();
        int ret = step(&mt, arg, target);

        CHECK(ret == 0);
        if (host_alloc_count() != count)
            break;
    }
    mtree_destroy(&mt);

    for (long k = 0;; k++) {
        struct model before;
        long live;
        int ret;

        build_for_failure(&mt, flags);
        for (unsigned long i = 0; i < target; i++)
            CHECK(step(&mt, arg, i) == 0);
        model_init(&before);
        snapshot(&mt, &before);
        live = host_alloc_live();
        host_alloc_fail_after(k);
        ret = step(&mt, arg, target);
        host_alloc_fail_after(-1);
        if (ret == 0) {
            CHECK_VALID(&mt);
            mtree_destroy(&mt);
            model_free(&before);
            CHECK(k > 0); /* it did allocate */
            break;
        }
        if (ret != -ENOMEM) {
            fprintf(stderr, "%s: allocation %ld failing gave %d\n", what, k, ret);
            exit(1);
        }
        CHECK(host_alloc_live() == live);
        check_same(&mt, &before);
        mtree_destroy(&mt);
        model_free(&before);
        CHECK(k < 2000);
    }
    CHECK(host_alloc_live() == 0);
}

/* Fill the holes of a few leaves index by index until they split, upwards too. */
static int step_split(struct maple_tree *mt, unsigned long arg, unsigned long i)
{
    return mtree_store(mt, arg + i / 4 * 10 + 5 + i % 4, xa(i));
}

static int step_span(struct maple_tree *mt, unsigned long arg, unsigned long i)
{
    return mtree_store_range(mt, arg + i, arg + i + 17777, xa(1));
}

static int step_erase(struct maple_tree *mt, unsigned long arg, unsigned long i)
{
    MA_STATE(mas, mt, arg + i * 10, arg + i * 10);

    mas_erase(&mas);
    return mas_is_err(&mas) ? mas.error : 0;
}

static int step_dup(struct maple_tree *mt, unsigned long arg, unsigned long i)
{
    struct maple_tree copy;
    int ret;

    (void)arg;
    (void)i;
    mtree_init(&copy, 0);
    ret = mtree_dup(mt, &copy);
    if (ret == 0)
        mtree_destroy(&copy);
    else
        CHECK(mtree_empty(&copy));
    return ret;
}

static int step_alloc_range(struct maple_tree *mt, unsigned long arg, unsigned long i)
{
    unsigned long start;

    return mtree_alloc_rrange(mt, &start, xa(i), 3, arg, ULONG_MAX);
}

static void test_alloc_failure(void)
{
    fail_every_allocation("split", MT_FLAGS_ALLOC_RANGE, step_split, 12000);
    fail_every_allocation("split-plain", 0, step_split, 0);
    fail_every_allocation("span", MT_FLAGS_ALLOC_RANGE, step_span, 1003);
    fail_every_allocation("span-plain", 0, step_span, 0);
    fail_every_allocation("erase-rebalance", MT_FLAGS_ALLOC_RANGE, step_erase, 5000);
    fail_every_allocation("erase-rebalance-plain", 0, step_erase, 20);
    fail_every_allocation("dup", 0, step_dup, 0);
    fail_every_allocation("alloc-range", MT_FLAGS_ALLOC_RANGE, step_alloc_range, 0);
}

static void test_prealloc(void)
{
    struct maple_tree mt;
    MA_STATE(mas, &mt, 0, 0);

    mtree_init(&mt, MT_FLAGS_ALLOC_RANGE);
    for (unsigned long i = 0; i < 5000; i++) {
        unsigned long count;

        mas_set_range(&mas, i * 7, i * 7 + 2);
        CHECK(mas_preallocate(&mas, xa(i)) == 0);
        count = host_alloc_count();
        host_alloc_fail_after(0);
        mas_store_prealloc(&mas, xa(i));
        host_alloc_fail_after(-1);
        CHECK(!mas_is_err(&mas) && host_alloc_count() == count && mas.alloc == NULL);
    }
    CHECK_VALID(&mt);
    /* One spanning store over nearly everything. */
    mas_set_range(&mas, 3, 30000);
    CHECK(mas_preallocate(&mas, NULL) == 0);
    host_alloc_fail_after(0);
    mas_store_prealloc(&mas, NULL);
    host_alloc_fail_after(-1);
    CHECK(!mas_is_err(&mas));
    CHECK_VALID(&mt);
    /* A failed preallocation holds nothing; mas_destroy() gives back what was not used. */
    host_alloc_fail_after(2);
    CHECK(mas_preallocate(&mas, NULL) == -ENOMEM && mas.alloc == NULL);
    host_alloc_fail_after(-1);
    CHECK(mas_preallocate(&mas, NULL) == 0 && mas.alloc != NULL);
    mas_destroy(&mas);
    CHECK(mas.alloc == NULL);
    /* A store that cannot get a node reports it on the cursor. */
    for (unsigned long i = 0; i < 100; i++)
        CHECK(mtree_store(&mt, 100000 + i * 2, xa(i)) == 0);
    host_alloc_fail_after(0);
    mas_set_range(&mas, 100001, 100150);
    CHECK(mas_store(&mas, xa(1)) == NULL && mas_is_err(&mas) && mas.error == -ENOMEM);
    mas_set_range(&mas, 100001, 100150);
    CHECK(mas_store_gfp(&mas, xa(1)) == -ENOMEM);
    host_alloc_fail_after(-1);
    CHECK(mtree_load(&mt, 100002) == xa(1));
    CHECK_VALID(&mt);
    mtree_destroy(&mt);
    CHECK(host_alloc_live() == 0);
}

/* Break each invariant by hand and check that mt_validate() names it. */
static void test_validate_catches(void)
{
    static const char *const expect[] = {"pivots",        "parent",         "gap",  "occupancy",
                                         "adjacent NULL", "ends with NULL", "type", "data end"};

    for (size_t c = 0; c < sizeof(expect) / sizeof(expect[0]); c++) {
        struct maple_tree mt;
        struct mt_violation v;
        struct maple_node *root, *leaf;
        struct maple_enode *eleaf;
        uintptr_t saved, saved_root;

        mtree_init(&mt, MT_FLAGS_ALLOC_RANGE);
        for (unsigned long i = 0; i < 40; i++)
            CHECK(mtree_store_range(&mt, i * 10, i * 10 + 4, xa(i)) == 0);
        CHECK_VALID(&mt);
        CHECK(mt.ma_height == 2);
        root = mte_to_node(mt.ma_root);
        eleaf = root->ma64.slot[1];
        leaf = mte_to_node(eleaf);
        saved = leaf->parent;
        saved_root = root->parent;
        switch (c) {
        case 0: { /* swap two pivots */
            unsigned long t = leaf->mr64.pivot[2];

            leaf->mr64.pivot[2] = leaf->mr64.pivot[3];
            leaf->mr64.pivot[3] = t;
            break;
        }
        case 1:
            ma_set_parent(leaf, root, 2);
            break;
        case 2:
            root->ma64.gap[1]++;
            break;
        case 3:
            ma_set_end(leaf, 2);
            break;
        case 4:
            leaf->mr64.slot[1] = NULL;
            leaf->mr64.slot[2] = NULL;
            break;
        case 5:
            leaf->mr64.slot[ma_end(leaf) - 1] = xa(99);
            leaf->mr64.slot[ma_end(leaf)] = NULL;
            break;
        case 6:
            root->ma64.slot[1] = mt_mk_node(leaf, maple_range_64);
            break;
        case 7:
            ma_set_end(root, MAPLE_ARANGE64_SLOTS + 1);
            break;
        }
        CHECK(mt_validate_report(&mt, &v) == -EINVAL);
        if (!strstr(v.what, expect[c])) {
            fprintf(stderr, "case %zu: validate said \"%s\"\n", c, v.what);
            exit(1);
        }
        /* Undo what would stop mtree_destroy() from walking the tree. */
        root->ma64.slot[1] = eleaf;
        root->parent = saved_root;
        leaf->parent = saved;
        mtree_destroy(&mt);
    }
    CHECK(host_alloc_live() == 0);
}

/* A big tree of VMA-like ranges, checked against the model. */
static void test_large(void)
{
    struct maple_tree mt;
    struct model m;
    uint64_t x = 12345;

    mtree_init(&mt, MT_FLAGS_ALLOC_RANGE);
    model_init(&m);
    for (unsigned long i = 0; i < 100000; i++) {
        unsigned long start, pages;

        x = x * 6364136223846793005ull + 1442695040888963407ull;
        pages = 1 + (x >> 33) % 64;
        CHECK(mtree_alloc_range(&mt, &start, xa(i), pages * 4096, 0x10000 + (x >> 40) % 2 * 4096,
                                0x7fffffffffff) == 0);
        model_store(&m, start, start + pages * 4096 - 1, xa(i));
        if ((x >> 20) % 3 == 0) { /* leave holes */
            CHECK(mtree_erase(&mt, start) == xa(i));
            model_store(&m, start, start + pages * 4096 - 1, NULL);
        }
    }
    check_same(&mt, &m);
    CHECK(mt.ma_height >= 4);
    mtree_destroy(&mt);
    model_free(&m);
    CHECK(host_alloc_live() == 0);
}

struct test {
    const char *name;
    void (*fn)(void);
    const char *what;
};

static const struct test tests[] = {
    {"load_insert", test_load_insert, "load, insert, duplicate insert, erase, bounds"},
    {"store_overlap", test_store_overlap, "overlapping, adjacent and whole-range stores"},
    {"height", test_height_both_ways, "height grows and shrinks, three insertion orders"},
    {"split", test_split_positions, "splits at a leaf's lower bound, upper bound, middle"},
    {"spanning", test_spanning_store, "stores spanning many nodes, then collapsing"},
    {"rebalance", test_rebalance_collapse, "erase rebalances and collapses the tree"},
    {"iterate", test_iterate, "find, find_rev, next, prev, mt_for_each, bounds"},
    {"modify_iterating", test_modify_while_iterating, "store/erase/insert while iterating"},
    {"empty_area", test_empty_area, "free-area search, windows, -EBUSY, gaps combining"},
    {"proc_maps", test_empty_area_proc_maps, "free-area search in a real process layout"},
    {"dup", test_dup, "mtree_dup gives an equal, independent tree"},
    {"alloc_failure", test_alloc_failure, "every allocation failing leaves the tree intact"},
    {"prealloc", test_prealloc, "mas_preallocate then a store that cannot fail"},
    {"validate", test_validate_catches, "mt_validate reports each broken invariant"},
    {"large", test_large, "100,000 VMA-like ranges against the model"},
};

int main(int argc, char **argv)
{
    int failed = 0, ran = 0;

    host_alloc_install();
    for (size_t i = 0; i < sizeof(tests) / sizeof(tests[0]); i++) {
        int status;
        pid_t pid;

        if (argc > 1 && strcmp(argv[1], tests[i].name) != 0)
            continue;
        ran++;
        fflush(stdout);
        pid = fork();
        if (pid == 0) {
            tests[i].fn();
            exit(0);
        }
        waitpid(pid, &status, 0);
        if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
            printf("PASS %-18s %s\n", tests[i].name, tests[i].what);
        } else {
            printf("FAIL %-18s %s\n", tests[i].name, tests[i].what);
            failed++;
        }
    }
    printf("%d of %d maple tree tests passed\n", ran - failed, ran);
    return failed != 0 || ran == 0;
}
