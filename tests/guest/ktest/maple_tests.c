/*
 * maple_tests.c - the maple tree library as compiled for RISC-V, exercised in the guest.
 *
 * The host suite tests the library to destruction; this checks that the target build (the
 * one linked into the pager) behaves the same: a seeded random mix of stores, inserts and
 * erases against a plain array model, mt_validate() after every operation, and top-down
 * free-area searches compared with the model.
 */
#include <stdlib.h>
#include <string.h>

#include "ktest.h"
#include "maple/maple_tree.h"

#define KEYS 512 /* keys 0..KEYS-1, each a page number */

static void *guest_node_alloc(void *ctx)
{
    (void)ctx;
    return aligned_alloc(MAPLE_NODE_SIZE, MAPLE_NODE_SIZE);
}

static void guest_node_free(void *ctx, void *node)
{
    (void)ctx;
    free(node);
}

static const struct maple_alloc guest_alloc = {guest_node_alloc, guest_node_free, NULL};

static uint64_t rng = 0x9e3779b97f4a7c15ull;

static uint64_t next_rand(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

static int t_maple_target(void)
{
    static void *model[KEYS];
    struct maple_tree mt;
    mt_set_default_alloc(&guest_alloc);
    mtree_init(&mt, MT_FLAGS_ALLOC_RANGE);
    for (int op = 0; op < 20000; op++) {
        unsigned long a = next_rand() % KEYS, len = 1 + next_rand() % 8;
        unsigned long b = a + len - 1 < KEYS ? a + len - 1 : KEYS - 1;
        /* A value per operation: two ranges with the same value are never adjacent, so the
         * model can tell where the range erase removes begins and ends. */
        void *v = (void *)(uintptr_t)((op + 1) << 4);
        unsigned kind = next_rand() % 3;
        if (kind == 0) {
            CHECK_EQ(mtree_store_range(&mt, a, b, v), 0);
            for (unsigned long k = a; k <= b; k++)
                model[k] = v;
        } else if (kind == 1) {
            bool free_range = true;
            for (unsigned long k = a; k <= b; k++)
                free_range &= model[k] == NULL;
            int r = mtree_insert_range(&mt, a, b, v);
            CHECK_EQ(r, free_range ? 0 : -EEXIST);
            if (free_range)
                for (unsigned long k = a; k <= b; k++)
                    model[k] = v;
        } else {
            void *old = mtree_erase(&mt, a);
            CHECK(old == model[a]);
            if (old) {
                /* erase removes the whole range holding a */
                unsigned long lo = a, hi = a;
                while (lo > 0 && model[lo - 1] == old)
                    lo--;
                while (hi + 1 < KEYS && model[hi + 1] == old)
                    hi++;
                for (unsigned long k = lo; k <= hi; k++)
                    model[k] = NULL;
            }
        }
        CHECK_EQ(mt_validate(&mt), 0);
        if (op % 64 == 0) {
            for (unsigned long k = 0; k < KEYS; k++)
                CHECK(mtree_load(&mt, k) == model[k]);
            /* The highest free run of 4 keys below KEYS, both ways. */
            long expect = -1;
            for (long k = KEYS - 4; k >= 0 && expect < 0; k--)
                if (!model[k] && !model[k + 1] && !model[k + 2] && !model[k + 3])
                    expect = k;
            MA_STATE(mas, &mt, 0, 0);
            int r = mas_empty_area_rev(&mas, 0, KEYS - 1, 4);
            if (expect < 0) {
                CHECK_EQ(r, -EBUSY);
            } else {
                CHECK_EQ(r, 0);
                CHECK_EQ(mas.index, expect);
            }
        }
    }
    mtree_destroy(&mt);
    return 0;
}

const struct ktest maple_tests[] = {
    {"maple_target", t_maple_target, "the maple tree built for RISC-V agrees with a model"},
};
const unsigned maple_tests_count = sizeof(maple_tests) / sizeof(maple_tests[0]);
