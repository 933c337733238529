/*
 * maple_private.h - node layout and the helpers shared by the maple tree's source files.
 *
 * Not for users of the tree. The layout is drawn in the DOC comment of maple_tree.h.
 */
#ifndef MAPLE_MAPLE_PRIVATE_H
#define MAPLE_MAPLE_PRIVATE_H

#include "maple_tree.h"

/* The only library functions used; the kernel and userland provide them. */
#define mt_memcpy  __builtin_memcpy
#define mt_memset  __builtin_memset
#define mt_memmove __builtin_memmove

/* Node types, kept in the low bits of an encoded node reference (Linux's numbering). */
enum maple_type {
    maple_leaf_64 = 1,   /* leaf: 16 slots of user entries, 15 pivots */
    maple_range_64 = 2,  /* internal node of a plain tree: 16 children, 15 pivots */
    maple_arange_64 = 3, /* internal node of an allocation tree: 10 children, 9 pivots, 10 gaps */
};

#define MAPLE_NODE_MASK ((uintptr_t)MAPLE_NODE_SIZE - 1)
#define MAPLE_TYPE_MASK ((uintptr_t)3)

/* ---- encoded references (mte_) ---- */

static inline struct maple_node *mte_to_node(const struct maple_enode *enode)
{
    return (struct maple_node *)((uintptr_t)enode & ~MAPLE_NODE_MASK);
}

static inline enum maple_type mte_node_type(const struct maple_enode *enode)
{
    return (enum maple_type)((uintptr_t)enode & MAPLE_TYPE_MASK);
}

static inline struct maple_enode *mt_mk_node(const struct maple_node *node, enum maple_type type)
{
    return (struct maple_enode *)((uintptr_t)node | (uintptr_t)type);
}

static inline bool ma_is_leaf(enum maple_type type)
{
    return type == maple_leaf_64;
}

/* Slots, pivots and gaps of a node of @type. */
static inline void **ma_slots(struct maple_node *node, enum maple_type type)
{
    return type == maple_arange_64 ? node->ma64.slot : node->mr64.slot;
}

static inline unsigned long *ma_pivots(struct maple_node *node, enum maple_type type)
{
    return type == maple_arange_64 ? node->ma64.pivot : node->mr64.pivot;
}

static inline unsigned int mt_slots(enum maple_type type)
{
    return type == maple_arange_64 ? MAPLE_ARANGE64_SLOTS : MAPLE_RANGE64_SLOTS;
}

/* The least number of used slots in every node but the root: half, less one. Splits make nodes
 * of at least half; the one less leaves room to keep a leaf from ending with NULL. */
static inline unsigned int mt_min_slots(enum maple_type type)
{
    return mt_slots(type) / 2 - 1;
}

static inline unsigned int ma_end(const struct maple_node *node)
{
    return (unsigned int)(node->parent & MAPLE_PARENT_END_MASK);
}

static inline void ma_set_end(struct maple_node *node, unsigned int end)
{
    node->parent = (node->parent & ~MAPLE_PARENT_END_MASK) | end;
}

static inline struct maple_node *ma_parent(const struct maple_node *node)
{
    return (struct maple_node *)(node->parent & ~MAPLE_NODE_MASK);
}

static inline unsigned int ma_parent_offset(const struct maple_node *node)
{
    return (unsigned int)((node->parent & MAPLE_PARENT_OFFSET_MASK) >> MAPLE_PARENT_OFFSET_SHIFT);
}

static inline void ma_set_parent(struct maple_node *node, const struct maple_node *parent,
                                 unsigned int offset)
{
    node->parent = (uintptr_t)parent | ((uintptr_t)offset << MAPLE_PARENT_OFFSET_SHIFT) |
                   (node->parent & MAPLE_PARENT_END_MASK);
}

/* Type of the internal nodes of @mt. */
static inline enum maple_type mt_internal_type(const struct maple_tree *mt)
{
    return mt_is_alloc(mt) ? maple_arange_64 : maple_range_64;
}

/* Upper end of slot @i of a node with @pivots, @end and @max. */
static inline unsigned long ma_slot_max(const unsigned long *pivots, unsigned int i,
                                        unsigned int end, unsigned long max)
{
    return i < end ? pivots[i] : max;
}

/*
 * The slot of a node of @type with @end holding @key: the number of pivots below @key. Every
 * pivot place is read and the count masked by @end, with no branch on the data, so a walk does
 * not pay a mispredicted loop exit per level; the places past @end may hold stale values (nodes
 * are not cleared) that the mask discards.
 */
static inline unsigned int ma_pivot_rank(const unsigned long *pivots, enum maple_type type,
                                         unsigned int end, unsigned long key)
{
    unsigned int i = 0;

    if (type == maple_arange_64) {
#pragma GCC unroll 16
        for (unsigned int j = 0; j < MAPLE_ARANGE64_SLOTS - 1; j++)
            i += (j < end) & (pivots[j] < key);
    } else {
#pragma GCC unroll 16
        for (unsigned int j = 0; j < MAPLE_RANGE64_SLOTS - 1; j++)
            i += (j < end) & (pivots[j] < key);
    }
    return i;
}

/* ---- shared between the source files ---- */

/* Largest NULL range in leaf @node covering @min..@max (0 if none). */
unsigned long ma_leaf_max_gap(struct maple_node *node, unsigned long min, unsigned long max);
/* Largest gap recorded in allocation-range node @node. */
unsigned long ma_arange_max_gap(struct maple_node *node);
/* After the largest gap of @node changed to @gap, record it in the ancestors. */
void ma_update_gaps(struct maple_tree *mt, struct maple_node *node, unsigned long gap);

/* Allocator glue. */
struct maple_node *mt_node_alloc(struct maple_tree *mt, struct ma_state *mas);
void mt_node_free(struct maple_tree *mt, struct maple_node *node);

/*
 * Walk down to depth @depth for @key: returns the node there, with *min and *max the range it
 * covers, and *offset the slot that holds @key in it (for a leaf) if @offset is not NULL.
 */
struct maple_node *ma_walk_to(const struct maple_tree *mt, unsigned int depth, unsigned long key,
                              unsigned long *min, unsigned long *max, unsigned int *offset);

/* The write engine (store.c): map index..last to entry. Return 0 or -ENOMEM. On success *old
 * (if not NULL) gets the entry that was at index. If @walked, @mas was just put (by a walk, with
 * no change to the tree since) on the leaf slot holding @index, and the write starts there
 * rather than walking again. */
int mt_write(struct maple_tree *mt, struct ma_state *mas, unsigned long index, unsigned long last,
             void *entry, void **old, bool walked);

/* Nodes a write may need at most (for mas_preallocate()). */
unsigned int mt_write_worst_case(const struct maple_tree *mt);

#endif /* MAPLE_MAPLE_PRIVATE_H */
