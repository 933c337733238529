/*
 * walk.c - reading the maple tree: lookups and the cursor's movement.
 *
 * A walk goes from the root down, in each node taking the first slot whose pivot is at least the
 * key (the last slot if none is), and narrowing min..max to that slot's range as it goes: that is
 * how a node's bounds are implied by its parent. A cursor moves to the next or previous leaf
 * through the parent links (each node records its slot in its parent), so it needs no stack of
 * ancestors and iteration costs O(1) per entry, amortised.
 *
 * Cursor states follow Linux: ma_start walks first, ma_active is on a leaf slot, ma_pause
 * resumes after last (or before index going backwards), ma_overflow/ma_underflow remember where
 * an iteration stopped at its bound, so a later call with a wider bound resumes there.
 */
#include "maple_private.h"

struct maple_node *ma_walk_to(const struct maple_tree *mt, unsigned int depth, unsigned long key,
                              unsigned long *min, unsigned long *max, unsigned int *offset)
{
    struct maple_enode *enode = mt->ma_root;
    unsigned long lo = 0, hi = ULONG_MAX;

    for (unsigned int d = 0;; d++) {
        struct maple_node *node = mte_to_node(enode);
        enum maple_type type = mte_node_type(enode);
        unsigned long *pivots = ma_pivots(node, type);
        unsigned int end = ma_end(node);
        unsigned int i = ma_pivot_rank(pivots, type, end, key);
        unsigned long above, below;

        if (d == depth) {
            *min = lo;
            *max = hi;
            if (offset)
                *offset = i;
            return node;
        }
        /* The child's bounds by mask, like the slot: the first and the last slot are taken
         * about one time in seven each, at random, and branches on them mispredicted at every
         * few levels. The pivot read for a bound that is not taken is a valid place. */
        above = -(unsigned long)(i != 0);
        below = -(unsigned long)(i < end);
        lo = ((pivots[i - (i != 0)] + 1) & above) | (lo & ~above);
        hi = (pivots[i & (unsigned int)below] & below) | (hi & ~below);
        enode = ma_slots(node, type)[i];
    }
}

void *mtree_load(struct maple_tree *mt, unsigned long index)
{
    struct maple_enode *enode = mt->ma_root;

    if (!enode)
        return NULL;
    for (;;) {
        struct maple_node *node = mte_to_node(enode);
        enum maple_type type = mte_node_type(enode);
        unsigned long *pivots = ma_pivots(node, type);
        unsigned int end = ma_end(node);
        unsigned int i = 0;

        while (i < end && pivots[i] < index)
            i++;
        enode = ma_slots(node, type)[i];
        if (ma_is_leaf(type))
            return enode;
    }
}

/* Put the cursor on the leaf slot holding @key (tree not empty); index..last become its range. */
static void *mas_descend(struct ma_state *mas, unsigned long key)
{
    const struct maple_tree *mt = mas->tree;
    unsigned int offset;
    struct maple_node *leaf = ma_walk_to(mt, mt->ma_height - 1, key, &mas->min, &mas->max, &offset);
    unsigned int end = ma_end(leaf);

    mas->node = mt_mk_node(leaf, maple_leaf_64);
    mas->offset = offset;
    mas->index = offset > 0 ? leaf->mr64.pivot[offset - 1] + 1 : mas->min;
    mas->last = ma_slot_max(leaf->mr64.pivot, offset, end, mas->max);
    mas->status = ma_active;
    return leaf->mr64.slot[offset];
}

/* Upper bound of @node's range: the pivot above it in the first ancestor that has one. */
static unsigned long ma_node_max(const struct maple_tree *mt, struct maple_node *node)
{
    struct maple_node *parent;

    while ((parent = ma_parent(node)) != NULL) {
        unsigned int offset = ma_parent_offset(node);

        if (offset < ma_end(parent))
            return ma_pivots(parent, mt_internal_type(mt))[offset];
        node = parent;
    }
    return ULONG_MAX;
}

/* Lower bound of @node's range, likewise. */
static unsigned long ma_node_min(const struct maple_tree *mt, struct maple_node *node)
{
    struct maple_node *parent;

    while ((parent = ma_parent(node)) != NULL) {
        unsigned int offset = ma_parent_offset(node);

        if (offset > 0)
            return ma_pivots(parent, mt_internal_type(mt))[offset - 1] + 1;
        node = parent;
    }
    return 0;
}

/*
 * The leaf after (@forward) or before the cursor's leaf, found through the parent links: up to
 * the first ancestor with a slot on that side, then down its outermost edge. The new leaf's
 * near bound is the old one's far bound plus or minus one; its far bound is read on the way
 * down (the first or last pivot of the lowest node that has one), and only if no node on the
 * way has one is it looked for in the ancestors. Going forwards, the two leaves after the new
 * one are prefetched when they are in the same parent, since a forward step is usually part of
 * a scan and a leaf's few entries take less time than a miss. Near the end of the parent the
 * next parent (the "cousin") is prefetched two leaves early, and its first two leaves one leaf
 * early, so crossing to the next parent does not stall either.
 */
static void mas_step_leaf(struct ma_state *mas, bool forward)
{
    const struct maple_tree *mt = mas->tree;
    enum maple_type itype = mt_internal_type(mt);
    struct maple_node *node = mte_to_node(mas->node), *parent;
    struct maple_enode *enode;
    unsigned int offset, end;
    unsigned long far = 0;
    bool known;

    for (;;) {
        parent = ma_parent(node);
        offset = ma_parent_offset(node);
        if (forward ? offset < ma_end(parent) : offset > 0)
            break;
        node = parent;
    }
    offset = forward ? offset + 1 : offset - 1;
    end = ma_end(parent);
    known = forward ? offset < end : offset > 0;
    if (known)
        far = forward ? ma_pivots(parent, itype)[offset] : ma_pivots(parent, itype)[offset - 1] + 1;
    enode = ma_slots(parent, itype)[offset];
    while (!ma_is_leaf(mte_node_type(enode))) {
        node = mte_to_node(enode);
        parent = node;
        end = ma_end(node);
        offset = forward ? 0 : end;
        if (end > 0) {
            far = forward ? ma_pivots(node, itype)[0] : ma_pivots(node, itype)[end - 1] + 1;
            known = true;
        }
        enode = ma_slots(node, itype)[offset];
    }
    node = mte_to_node(enode);
    if (forward) {
        /* The two leaves after the new one, clamped to the parent's last (fetched twice then,
         * which is harmless) rather than tested: the test would mispredict. */
        void **slots = ma_slots(parent, itype);
        const char *next1 = (const char *)mte_to_node(slots[offset + 1 <= end ? offset + 1 : end]);
        const char *next2 = (const char *)mte_to_node(slots[offset + 2 <= end ? offset + 2 : end]);

        for (unsigned int line = 0; line < MAPLE_NODE_SIZE; line += 64) {
            __builtin_prefetch(next1 + line);
            __builtin_prefetch(next2 + line);
        }
    }
    if (forward && offset + 2 >= end && offset < end && ma_parent(parent)) {
        struct maple_node *up = ma_parent(parent);
        unsigned int poff = ma_parent_offset(parent);

        if (poff < ma_end(up)) {
            struct maple_node *cousin = mte_to_node(ma_slots(up, itype)[poff + 1]);

            if (offset + 1 == end) {
                for (unsigned int k = 0; k < 2 && k <= ma_end(cousin); k++) {
                    const char *next = (const char *)mte_to_node(ma_slots(cousin, itype)[k]);

                    for (unsigned int line = 0; line < MAPLE_NODE_SIZE; line += 64)
                        __builtin_prefetch(next + line);
                }
            } else {
                for (unsigned int line = 0; line < MAPLE_NODE_SIZE; line += 64)
                    __builtin_prefetch((const char *)cousin + line);
            }
        }
    }
    mas->node = enode;
    if (forward) {
        mas->min = mas->max + 1;
        mas->max = known ? far : ma_node_max(mt, node);
        mas->offset = 0;
    } else {
        mas->max = mas->min - 1;
        mas->min = known ? far : ma_node_min(mt, node);
        mas->offset = ma_end(node);
    }
}

/* Step to the next slot, entry or gap; false at the end of the tree. */
static bool mas_next_slot(struct ma_state *mas, void **entry)
{
    struct maple_node *leaf = mte_to_node(mas->node);
    unsigned int end = ma_end(leaf);

    if (mas->offset < end) {
        mas->offset++;
    } else {
        if (mas->max == ULONG_MAX)
            return false;
        mas_step_leaf(mas, true);
        leaf = mte_to_node(mas->node);
        end = ma_end(leaf);
    }
    mas->index = mas->last + 1;
    mas->last = ma_slot_max(leaf->mr64.pivot, mas->offset, end, mas->max);
    *entry = leaf->mr64.slot[mas->offset];
    return true;
}

/* Step to the previous slot; false at the start of the tree. */
static bool mas_prev_slot(struct ma_state *mas, void **entry)
{
    struct maple_node *leaf = mte_to_node(mas->node);

    if (mas->offset > 0) {
        mas->offset--;
    } else {
        if (mas->min == 0)
            return false;
        mas_step_leaf(mas, false);
        leaf = mte_to_node(mas->node);
    }
    mas->last = mas->index - 1;
    mas->index = mas->offset > 0 ? leaf->mr64.pivot[mas->offset - 1] + 1 : mas->min;
    *entry = leaf->mr64.slot[mas->offset];
    return true;
}

/* Move forwards to the next entry that starts at or below @max. If there is none the cursor
 * goes back to the range it started from, in ma_overflow, so that a later call with a higher
 * @max resumes from there. */
static void *mas_next_entry(struct ma_state *mas, unsigned long max)
{
    unsigned long index = mas->index, last = mas->last;

    for (;;) {
        void *entry;

        if (!mas_next_slot(mas, &entry) || mas->index > max) {
            mas->index = index;
            mas->last = last;
            mas->status = ma_overflow;
            return NULL;
        }
        if (entry)
            return entry;
    }
}

/* Move backwards to the previous entry that ends at or above @min; as mas_next_entry(), the
 * cursor stays where it was (in ma_underflow) if there is none. */
static void *mas_prev_entry(struct ma_state *mas, unsigned long min)
{
    unsigned long index = mas->index, last = mas->last;

    for (;;) {
        void *entry;

        if (!mas_prev_slot(mas, &entry) || mas->last < min) {
            mas->index = index;
            mas->last = last;
            mas->status = ma_underflow;
            return NULL;
        }
        if (entry)
            return entry;
    }
}

static void *mas_empty_tree(struct ma_state *mas)
{
    mas->index = 0;
    mas->last = ULONG_MAX;
    mas->node = NULL;
    mas->status = ma_none;
    return NULL;
}

void *mas_walk(struct ma_state *mas)
{
    if (!mas->tree->ma_root)
        return mas_empty_tree(mas);
    return mas_descend(mas, mas->index);
}

/*
 * mas_find() from an active cursor whose inline step did not apply. Mostly the cursor is on the
 * last slot of a leaf that is not the last: step to the next leaf and take its first entry,
 * which is in slot 0 or, after a gap, slot 1 (chosen without a branch, as in mas_find()).
 * Past @max the cursor stops in ma_overflow as mas_next_entry() leaves it.
 * Anything else (@max reached, a trailing gap, the last leaf) is mas_next_entry()'s.
 */
static void *mas_find_next_leaf(struct ma_state *mas, unsigned long max)
{
    struct maple_node *leaf = mte_to_node(mas->node), *parent = ma_parent(leaf);
    unsigned int end, i, next = ma_parent_offset(leaf) + 1;
    unsigned long index;

    /* The last leaf (a root leaf among them) covers ULONG_MAX and returns here. */
    if (mas->offset < ma_end(leaf) || mas->max >= max)
        return mas_next_entry(mas, max);
    if (next + 1 < ma_end(parent)) {
        /* The common case, mas_step_leaf() without its loops: the next leaf and the two after
         * it are in the same parent, and so is the next leaf's upper bound. */
        enum maple_type itype = mt_internal_type(mas->tree);
        void **slots = ma_slots(parent, itype);
        const char *ahead1 = (const char *)mte_to_node(slots[next + 1]);
        const char *ahead2 = (const char *)mte_to_node(slots[next + 2]);

        for (unsigned int line = 0; line < MAPLE_NODE_SIZE; line += 64) {
            __builtin_prefetch(ahead1 + line);
            __builtin_prefetch(ahead2 + line);
        }
        if (next + 2 == ma_end(parent) && ma_parent(parent)) {
            struct maple_node *up = ma_parent(parent);
            unsigned int uoff = ma_parent_offset(parent);

            if (uoff < ma_end(up)) {
                const char *cousin = (const char *)mte_to_node(ma_slots(up, itype)[uoff + 1]);

                for (unsigned int line = 0; line < MAPLE_NODE_SIZE; line += 64)
                    __builtin_prefetch(cousin + line);
            }
        }
        mas->node = slots[next];
        mas->min = mas->max + 1;
        mas->max = ma_pivots(parent, itype)[next];
    } else {
        mas_step_leaf(mas, true);
    }
    leaf = mte_to_node(mas->node);
    end = ma_end(leaf);
    /* A leaf other than the root has at least mt_min_slots() slots and no two NULLs side by
     * side, so slot i holds an entry. */
    i = leaf->mr64.slot[0] == NULL;
    /* A select by mask: as a branch it mispredicted at every other leaf that opens with a gap
     * once the tree was too large for the predictor to learn which. */
    index = ((leaf->mr64.pivot[0] + 1) & -(unsigned long)i) | (mas->min & ((unsigned long)i - 1));
    if (index > max) {
        mas->status = ma_overflow; /* index..last still name the range it started from */
        return NULL;
    }
    mas->index = index;
    mas->last = ma_slot_max(leaf->mr64.pivot, i, end, mas->max);
    mas->offset = i;
    return leaf->mr64.slot[i];
}

void *mas_find_slow(struct ma_state *mas, unsigned long max)
{
    unsigned long key;
    void *entry;

    switch (mas->status) {
    case ma_error:
        return NULL;
    case ma_active:
        if (mas->last >= max) {
            mas->status = ma_overflow;
            return NULL;
        }
        return mas_find_next_leaf(mas, max);
    case ma_pause:
    case ma_overflow:
    case ma_none:
        if (mas->last >= max)
            return NULL;
        key = mas->last + 1;
        break;
    default:
        if (mas->index > max)
            return NULL;
        key = mas->index;
        break;
    }
    if (!mas->tree->ma_root)
        return mas_empty_tree(mas);
    entry = mas_descend(mas, key);
    if (entry)
        return entry;
    return mas_next_entry(mas, max);
}

void *mas_find_rev(struct ma_state *mas, unsigned long min)
{
    unsigned long key;
    void *entry;

    switch (mas->status) {
    case ma_error:
        return NULL;
    case ma_active:
        if (mas->index <= min) {
            mas->status = ma_underflow;
            return NULL;
        }
        return mas_prev_entry(mas, min);
    case ma_pause:
    case ma_underflow:
    case ma_none:
        if (mas->index <= min)
            return NULL;
        key = mas->index - 1;
        break;
    default:
        if (mas->index < min)
            return NULL;
        key = mas->index;
        break;
    }
    if (!mas->tree->ma_root)
        return mas_empty_tree(mas);
    entry = mas_descend(mas, key);
    if (entry)
        return entry;
    return mas_prev_entry(mas, min);
}

void *mas_next(struct ma_state *mas, unsigned long max)
{
    unsigned long key;

    switch (mas->status) {
    case ma_error:
        return NULL;
    case ma_active:
        break;
    case ma_pause:
    case ma_overflow:
    case ma_none:
        key = mas->last;
        goto walk;
    default:
        key = mas->index;
    walk:
        if (!mas->tree->ma_root)
            return mas_empty_tree(mas);
        mas_descend(mas, key);
        break;
    }
    if (mas->last >= max) {
        mas->status = ma_overflow;
        return NULL;
    }
    return mas_next_entry(mas, max);
}

void *mas_prev(struct ma_state *mas, unsigned long min)
{
    unsigned long key;

    switch (mas->status) {
    case ma_error:
        return NULL;
    case ma_active:
        break;
    case ma_pause:
    case ma_underflow:
    case ma_none:
    default:
        key = mas->index;
        if (!mas->tree->ma_root)
            return mas_empty_tree(mas);
        mas_descend(mas, key);
        break;
    }
    if (mas->index <= min) {
        mas->status = ma_underflow;
        return NULL;
    }
    return mas_prev_entry(mas, min);
}

void mas_pause(struct ma_state *mas)
{
    if (mas->status == ma_error)
        return;
    mas->status = ma_pause;
    mas->node = NULL;
}

void *mt_find(struct maple_tree *mt, unsigned long *index, unsigned long max)
{
    MA_STATE(mas, mt, *index, *index);
    void *entry;

    if (*index > max)
        return NULL;
    entry = mas_find(&mas, max);
    if (entry)
        *index = mas.last + 1;
    return entry;
}

void *mt_find_after(struct maple_tree *mt, unsigned long *index, unsigned long max)
{
    if (*index == 0)
        return NULL;
    return mt_find(mt, index, max);
}
