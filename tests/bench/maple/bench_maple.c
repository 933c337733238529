/*
 * bench_maple.c - the maple tree against an augmented red-black tree (rb_gap.c) on VMA-like
 * ranges: page aligned, mostly 1-64 pages, with holes, at 1,000 and 100,000 ranges.
 *
 * For each tree and size: lookup of a random address, full iteration (per range), top-down
 * free-area search, an erase+insert pair, and a dup of a 135-range tree. Neither tree calls
 * malloc while timed: maple nodes come from a free list over 1 MiB blocks, the rb nodes of the
 * measured trees are one array in key order (as if embedded in VMAs allocated in that order),
 * and rb copies come from the same kind of free list as maple nodes. Every operation's answers
 * are cross-checked between the trees before timing. Prints
 *   BENCH <tree>_<op>_<entries> <ops> <total_ns> <ns_per_op>
 * then a table with the ratio maple/rb. Not a pass/fail test.
 */
#include "maple/maple_tree.h"
#include "rb_gap.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define PAGE 4096ul

/* ---- allocators: a free list over big aligned blocks, one per node size ---- */

struct pool {
    size_t size;
    void *free;
    char *block;
    size_t left;
};

static void *pool_get(struct pool *p)
{
    void *n = p->free;

    if (n) {
        p->free = *(void **)n;
        return n;
    }
    if (p->left < p->size) {
        p->block = aligned_alloc(256, 1 << 20);
        if (!p->block)
            abort();
        p->left = 1 << 20;
    }
    n = p->block;
    p->block += p->size;
    p->left -= p->size;
    return n;
}

static void pool_put(struct pool *p, void *n)
{
    *(void **)n = p->free;
    p->free = n;
}

static struct pool maple_pool = {.size = MAPLE_NODE_SIZE};
static struct pool rb_pool = {.size = sizeof(struct rb_vma)};

static void *maple_node_alloc(void *ctx)
{
    return pool_get(ctx);
}

static void maple_node_free(void *ctx, void *node)
{
    pool_put(ctx, node);
}

static const struct maple_alloc bench_alloc = {maple_node_alloc, maple_node_free, &maple_pool};

static struct rb_vma *rb_alloc(void *ctx)
{
    return pool_get(ctx);
}

/* ---- workload ---- */

static uint64_t rng_state = 42;

static uint64_t rng(void)
{
    uint64_t z = (rng_state += 0x9e3779b97f4a7c15ull);

    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

struct layout {
    size_t n;
    unsigned long *start, *last;
};

/* @n ranges from 0x10000 up: 1-64 pages (one in 16 up to 1024), a hole before one in four. */
static void make_layout(struct layout *l, size_t n)
{
    unsigned long addr = 0x10000;

    l->n = n;
    l->start = malloc(n * sizeof(*l->start));
    l->last = malloc(n * sizeof(*l->last));
    for (size_t i = 0; i < n; i++) {
        unsigned long pages = rng() % 16 == 0 ? 1 + rng() % 1024 : 1 + rng() % 64;

        if (rng() % 4 == 0)
            addr += (1 + rng() % 16) * PAGE;
        l->start[i] = addr;
        l->last[i] = addr + pages * PAGE - 1;
        addr += pages * PAGE;
    }
}

static void *entry_of(size_t i)
{
    return (void *)(uintptr_t)((i + 1) * 8);
}

static uint64_t now_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

struct result {
    char name[64];
    double ns;
};

static struct result results[64];
static size_t nresults;

static void report(const char *tree, const char *op, size_t entries, unsigned long ops,
                   uint64_t total)
{
    double per = (double)total / (double)ops;

    printf("BENCH %s_%s_%zu %lu %llu %.2f\n", tree, op, entries, ops, (unsigned long long)total,
           per);
    snprintf(results[nresults].name, sizeof(results[nresults].name), "%s_%s_%zu", tree, op,
             entries);
    results[nresults++].ns = per;
}

static volatile uintptr_t sink;

static void fail(const char *what)
{
    fprintf(stderr, "bench: trees disagree: %s\n", what);
    exit(1);
}

static void bench_size(size_t n, unsigned long ops)
{
    struct layout l;
    struct maple_tree mt;
    struct rb_gap_tree rb = {NULL};
    struct rb_vma *nodes;
    unsigned long *addr = malloc(ops * sizeof(*addr));
    unsigned long *size = malloc(ops * sizeof(*size));
    unsigned long *high = malloc(ops * sizeof(*high));
    size_t *pick = malloc(ops * sizeof(*pick));
    unsigned long lo, hi, iter_rounds;
    uint64_t t;

    make_layout(&l, n);
    lo = l.start[0];
    hi = l.last[n - 1];
    mtree_init(&mt, MT_FLAGS_ALLOC_RANGE);
    mt_set_alloc(&mt, &bench_alloc);
    nodes = calloc(n, sizeof(*nodes));
    for (size_t i = 0; i < n; i++) {
        if (mtree_insert_range(&mt, l.start[i], l.last[i], entry_of(i)))
            fail("insert");
        nodes[i].start = l.start[i];
        nodes[i].last = l.last[i];
        nodes[i].entry = entry_of(i);
        rb_gap_insert(&rb, &nodes[i]);
    }
    if (mt_validate(&mt) || rb_gap_validate(&rb))
        fail("validate after build");
    for (unsigned long i = 0; i < ops; i++) {
        addr[i] = lo + rng() % (hi - lo + 1);
        size[i] = (1 + rng() % 64) * PAGE;
        high[i] = lo + rng() % (hi - lo + 1);
        pick[i] = rng() % n;
    }
    printf("# %zu ranges: maple %lu nodes, %.1f bytes/range; rb %zu bytes/range\n", n,
           mt_node_count(&mt), (double)mt_node_count(&mt) * MAPLE_NODE_SIZE / (double)n,
           sizeof(struct rb_vma));

    /* Cross-check answers before timing anything. */
    for (unsigned long i = 0; i < ops && i < 20000; i++) {
        struct rb_vma *r = rb_gap_lookup(&rb, addr[i]);
        MA_STATE(mas, &mt, 0, 0);
        unsigned long last;
        int a = mas_empty_area_rev(&mas, lo, high[i], size[i]);
        int b = rb_gap_area_rev(&rb, lo, high[i], size[i], &last);

        if (mtree_load(&mt, addr[i]) != (r ? r->entry : NULL))
            fail("lookup");
        if ((a == 0) != (b == 0) || (a == 0 && mas.last != last))
            fail("free-area search");
    }

    /* lookup */
    t = now_ns();
    for (unsigned long i = 0; i < ops; i++)
        sink += (uintptr_t)mtree_load(&mt, addr[i]);
    report("maple", "lookup", n, ops, now_ns() - t);
    t = now_ns();
    for (unsigned long i = 0; i < ops; i++) {
        struct rb_vma *r = rb_gap_lookup(&rb, addr[i]);

        sink += (uintptr_t)(r ? r->entry : NULL);
    }
    report("rb", "lookup", n, ops, now_ns() - t);

    /* full iteration, per range */
    iter_rounds = ops / n ? ops / n : 1;
    t = now_ns();
    for (unsigned long r = 0; r < iter_rounds; r++) {
        MA_STATE(mas, &mt, 0, 0);
        void *entry;

        mas_for_each(&mas, entry, ULONG_MAX) sink += (uintptr_t)entry;
    }
    report("maple", "iterate", n, iter_rounds * n, now_ns() - t);
    t = now_ns();
    for (unsigned long r = 0; r < iter_rounds; r++)
        for (struct rb_vma *v = rb_gap_first(&rb); v; v = rb_gap_next(v))
            sink += (uintptr_t)v->entry;
    report("rb", "iterate", n, iter_rounds * n, now_ns() - t);

    /* top-down free-area search below a random address */
    t = now_ns();
    for (unsigned long i = 0; i < ops; i++) {
        MA_STATE(mas, &mt, 0, 0);

        sink += (uintptr_t)mas_empty_area_rev(&mas, lo, high[i], size[i]) + mas.last;
    }
    report("maple", "gap_rev", n, ops, now_ns() - t);
    t = now_ns();
    for (unsigned long i = 0; i < ops; i++) {
        unsigned long last = 0;

        sink += (uintptr_t)rb_gap_area_rev(&rb, lo, high[i], size[i], &last) + last;
    }
    report("rb", "gap_rev", n, ops, now_ns() - t);

    /* erase + insert of a random range */
    t = now_ns();
    for (unsigned long i = 0; i < ops; i++) {
        size_t k = pick[i];

        mtree_erase(&mt, l.start[k]);
        mtree_insert_range(&mt, l.start[k], l.last[k], entry_of(k));
    }
    report("maple", "erase_insert", n, ops, now_ns() - t);
    t = now_ns();
    for (unsigned long i = 0; i < ops; i++) {
        struct rb_vma *v = &nodes[pick[i]];

        rb_gap_erase(&rb, v);
        rb_gap_insert(&rb, v);
    }
    report("rb", "erase_insert", n, ops, now_ns() - t);
    if (mt_validate(&mt) || rb_gap_validate(&rb))
        fail("validate after erase+insert");
    for (size_t i = 0; i < n; i++)
        if (mtree_load(&mt, l.start[i]) != entry_of(i) || !rb_gap_lookup(&rb, l.start[i]))
            fail("contents after erase+insert");

    mtree_destroy(&mt);
    free(nodes);
    free(l.start);
    free(l.last);
    free(addr);
    free(size);
    free(high);
    free(pick);
}

/* mtree_dup of a 135-range tree (a typical process), against copying the rb-tree. */
static void bench_dup(unsigned long ops)
{
    enum { N = 135, BATCH = 1000 };
    static struct maple_tree copies[BATCH];
    static struct rb_gap_tree rcopies[BATCH];
    struct layout l;
    struct maple_tree mt;
    struct rb_gap_tree rb = {NULL};
    struct rb_vma nodes[N];
    uint64_t tm = 0, tr = 0;

    make_layout(&l, N);
    mtree_init(&mt, MT_FLAGS_ALLOC_RANGE);
    mt_set_alloc(&mt, &bench_alloc);
    memset(nodes, 0, sizeof(nodes));
    for (size_t i = 0; i < N; i++) {
        mtree_insert_range(&mt, l.start[i], l.last[i], entry_of(i));
        nodes[i].start = l.start[i];
        nodes[i].last = l.last[i];
        nodes[i].entry = entry_of(i);
        rb_gap_insert(&rb, &nodes[i]);
    }
    for (unsigned long done = 0; done < ops; done += BATCH) {
        uint64_t t = now_ns();

        for (int i = 0; i < BATCH; i++) {
            mtree_init(&copies[i], 0);
            mt_set_alloc(&copies[i], &bench_alloc);
            if (mtree_dup(&mt, &copies[i]))
                fail("dup");
        }
        tm += now_ns() - t;
        for (int i = 0; i < BATCH; i++)
            mtree_destroy(&copies[i]);

        t = now_ns();
        for (int i = 0; i < BATCH; i++)
            if (rb_gap_dup(&rb, &rcopies[i], rb_alloc, &rb_pool))
                fail("rb dup");
        tr += now_ns() - t;
        for (int i = 0; i < BATCH; i++) {
            struct rb_vma *v = rb_gap_first(&rcopies[i]), *next;

            /* Free in order; the walk reads a node's links before it is freed. */
            for (; v; v = next) {
                next = rb_gap_next(v);
                (void)next;
            }
            /* The pool is a bump allocator: give the nodes back with a post-order walk. */
            struct rb_vma *stack[64];
            int sp = 0;

            if (rcopies[i].root)
                stack[sp++] = rcopies[i].root;
            while (sp) {
                struct rb_vma *n = stack[--sp];

                if (n->left)
                    stack[sp++] = n->left;
                if (n->right)
                    stack[sp++] = n->right;
                pool_put(&rb_pool, n);
            }
        }
    }
    report("maple", "dup", N, ops, tm);
    report("rb", "dup", N, ops, tr);
    mtree_destroy(&mt);
    free(l.start);
    free(l.last);
}

int main(int argc, char **argv)
{
    unsigned long ops = argc > 1 ? strtoul(argv[1], NULL, 0) : 2000000;

    bench_size(1000, ops);
    bench_size(100000, ops);
    bench_dup(ops / 100);

    printf("\n%-24s %12s %12s %8s\n", "operation", "maple ns", "rb ns", "ratio");
    for (size_t i = 0; i < nresults; i++) {
        if (strncmp(results[i].name, "maple_", 6) != 0)
            continue;
        for (size_t j = 0; j < nresults; j++) {
            if (strncmp(results[j].name, "rb_", 3) == 0 &&
                strcmp(results[j].name + 3, results[i].name + 6) == 0)
                printf("%-24s %12.1f %12.1f %8.2f\n", results[i].name + 6, results[i].ns,
                       results[j].ns, results[i].ns / results[j].ns);
        }
    }
    return 0;
}
