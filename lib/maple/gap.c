/*
 * gap.c - free-area search: mas_empty_area(), mas_empty_area_rev() and mtree_alloc_(r)range().
 *
 * In an allocation tree (MT_FLAGS_ALLOC_RANGE) every internal node records, for each child, the
 * largest gap (run of NULL indices) anywhere below that child. A search descends only into
 * children whose gap is big enough and whose range meets the window min..max. A child that lies
 * wholly inside the window and has a big enough gap is certain to hold a fit, so the search only
 * ever backs out of the (at most two) children cut by the window's ends: O(log n) node visits.
 * Because a leaf never ends with NULL unless it is the last, every gap sits inside one leaf and
 * the per-child figures are exact.
 *
 * In a plain tree there are no gap figures; the same search then treats every child as
 * possibly fitting, which is correct but linear.
 */
#include "maple_private.h"

unsigned long ma_leaf_max_gap(struct maple_node *node, unsigned long min, unsigned long max)
{
    const unsigned long *pivots = node->mr64.pivot;
    void *const *slots = node->mr64.slot;
    unsigned int end = ma_end(node);
    unsigned long gap = 0, smin = min, size;

    /* Every slot's size is computed and masked by whether the slot is NULL, without a branch:
     * gaps lie at random among the slots, and a branch per slot mispredicted often enough to
     * be most of the cost (this scan follows a write that filled the leaf's largest gap). A
     * NULL range is never all of 0..ULONG_MAX (that tree has no nodes), so a NULL slot's size
     * does not overflow; a non-NULL slot's may, and is masked. */
    for (unsigned int i = 0; i < end; i++) {
        size = (pivots[i] - smin + 1) & -(unsigned long)(slots[i] == NULL);
        gap = size > gap ? size : gap;
        smin = pivots[i] + 1;
    }
    size = (max - smin + 1) & -(unsigned long)(slots[end] == NULL);
    return size > gap ? size : gap;
}

unsigned long ma_arange_max_gap(struct maple_node *node)
{
    unsigned long gap = 0;

    for (unsigned int i = 0; i <= ma_end(node); i++)
        if (node->ma64.gap[i] > gap)
            gap = node->ma64.gap[i];
    return gap;
}

/*
 * Each level compares the figure it replaces with the parent's own figure, kept one level up: a
 * new figure at least that large is the parent's new largest; otherwise, if the replaced figure
 * was below it, the parent's largest did not change and the climb stops. Only when the largest
 * shrank are the parent's figures scanned.
 */
void ma_update_gaps(struct maple_tree *mt, struct maple_node *node, unsigned long gap)
{
    struct maple_node *parent;

    (void)mt;
    while ((parent = ma_parent(node)) != NULL) {
        unsigned int offset = ma_parent_offset(node);
        unsigned long was = parent->ma64.gap[offset], top;
        struct maple_node *grand;

        if (was == gap)
            return;
        parent->ma64.gap[offset] = gap;
        grand = ma_parent(parent);
        if (!grand)
            return;
        top = grand->ma64.gap[ma_parent_offset(parent)];
        if (gap < top) {
            if (was < top)
                return;
            gap = ma_arange_max_gap(parent);
        }
        node = parent;
    }
}

/* What a search looks for: @size NULL indices inside lo..hi. */
struct gap_search {
    unsigned long lo, hi, size;
    bool alloc;
    unsigned long found; /* first index (forward) or last index (reverse) of the area */
};

/* Does the NULL range a..b hold @size indices inside the window? Sets *first and *last to the
 * clipped range. */
static bool gap_fits(const struct gap_search *s, unsigned long a, unsigned long b,
                     unsigned long *first, unsigned long *last)
{
    if (b < s->lo || a > s->hi)
        return false;
    *first = a > s->lo ? a : s->lo;
    *last = b < s->hi ? b : s->hi;
    return *last - *first >= s->size - 1;
}

static bool child_may_fit(const struct gap_search *s, struct maple_node *node, enum maple_type type,
                          unsigned int i)
{
    return type != maple_arange_64 || node->ma64.gap[i] >= s->size;
}

static bool gap_lowest(struct gap_search *s, struct maple_enode *enode, unsigned long min,
                       unsigned long max)
{
    struct maple_node *node = mte_to_node(enode);
    enum maple_type type = mte_node_type(enode);
    unsigned long *pivots = ma_pivots(node, type);
    void **slots = ma_slots(node, type);
    unsigned int end = ma_end(node);
    unsigned long smin = min;

    for (unsigned int i = 0; i <= end; i++) {
        unsigned long smax = ma_slot_max(pivots, i, end, max);
        unsigned long first, last;

        if (smax >= s->lo) {
            if (ma_is_leaf(type)) {
                if (!slots[i] && gap_fits(s, smin, smax, &first, &last)) {
                    s->found = first;
                    return true;
                }
            } else if (child_may_fit(s, node, type, i) && gap_lowest(s, slots[i], smin, smax)) {
                return true;
            }
        }
        if (smax >= s->hi)
            return false;
        smin = smax + 1;
    }
    return false;
}

/*
 * The top-down search. In each node it finds the slot holding the window's top as a lookup
 * does (a forward scan of the pivots, which stays in the first cache lines) and goes down from
 * there, so slots above the window cost nothing. Leaves get their own loop, as the most
 * visited nodes.
 */
static bool gap_highest_leaf(struct gap_search *s, struct maple_node *node, unsigned long min,
                             unsigned long max)
{
    unsigned long *pivots = node->mr64.pivot;
    void **slots = node->mr64.slot;
    unsigned int end = ma_end(node), i = 0;

    while (i < end && pivots[i] < s->hi)
        i++;
    /* Slot i holds the top of the window (or the node ends below it); every slot visited ends
     * at or above lo, since the scan stops at the first one that starts at or below lo. */
    for (;; i--) {
        unsigned long smin = i > 0 ? pivots[i - 1] + 1 : min;

        if (!slots[i]) {
            unsigned long smax = i < end ? pivots[i] : max;
            unsigned long first = smin > s->lo ? smin : s->lo;
            unsigned long last = smax < s->hi ? smax : s->hi;

            if (last - first >= s->size - 1) {
                s->found = last;
                return true;
            }
        }
        if (smin <= s->lo || i == 0)
            return false;
    }
}

static bool gap_highest(struct gap_search *s, struct maple_enode *enode, unsigned long min,
                        unsigned long max)
{
    struct maple_node *node = mte_to_node(enode);
    enum maple_type type = mte_node_type(enode);
    unsigned long *pivots;
    void **slots;
    unsigned int end, i = 0;

    if (ma_is_leaf(type))
        return gap_highest_leaf(s, node, min, max);
    pivots = ma_pivots(node, type);
    slots = ma_slots(node, type);
    end = ma_end(node);
    while (i < end && pivots[i] < s->hi)
        i++;
    for (;; i--) {
        unsigned long smin = i > 0 ? pivots[i - 1] + 1 : min;

        if (child_may_fit(s, node, type, i) &&
            gap_highest(s, slots[i], smin, ma_slot_max(pivots, i, end, max)))
            return true;
        if (smin <= s->lo || i == 0)
            return false;
    }
}

static int empty_area_check(unsigned long min, unsigned long max, unsigned long size)
{
    if (min > max || size == 0 || max - min < size - 1)
        return -MT_EINVAL;
    return 0;
}

int mas_empty_area(struct ma_state *mas, unsigned long min, unsigned long max, unsigned long size)
{
    struct gap_search s = {.lo = min, .hi = max, .size = size};
    int ret = empty_area_check(min, max, size);

    if (ret)
        return ret;
    s.found = min;
    if (mas->tree->ma_root && !gap_lowest(&s, mas->tree->ma_root, 0, ULONG_MAX))
        return -MT_EBUSY;
    mas->index = s.found;
    mas->last = s.found + size - 1;
    mas_reset(mas);
    return 0;
}

int mas_empty_area_rev(struct ma_state *mas, unsigned long min, unsigned long max,
                       unsigned long size)
{
    struct gap_search s = {.lo = min, .hi = max, .size = size};
    int ret = empty_area_check(min, max, size);

    if (ret)
        return ret;
    s.found = max;
    if (mas->tree->ma_root && !gap_highest(&s, mas->tree->ma_root, 0, ULONG_MAX))
        return -MT_EBUSY;
    mas->last = s.found;
    mas->index = s.found - size + 1;
    mas_reset(mas);
    return 0;
}

static int alloc_range(struct maple_tree *mt, unsigned long *startp, void *entry,
                       unsigned long size, unsigned long min, unsigned long max, bool rev)
{
    MA_STATE(mas, mt, 0, 0);
    int ret;

    if (!mt_is_alloc(mt))
        return -MT_EINVAL;
    ret = rev ? mas_empty_area_rev(&mas, min, max, size) : mas_empty_area(&mas, min, max, size);
    if (ret)
        return ret;
    ret = mt_write(mt, NULL, mas.index, mas.last, entry, NULL, false);
    if (ret)
        return ret;
    *startp = mas.index;
    return 0;
}

int mtree_alloc_range(struct maple_tree *mt, unsigned long *startp, void *entry, unsigned long size,
                      unsigned long min, unsigned long max)
{
    return alloc_range(mt, startp, entry, size, min, max, false);
}

int mtree_alloc_rrange(struct maple_tree *mt, unsigned long *startp, void *entry,
                       unsigned long size, unsigned long min, unsigned long max)
{
    return alloc_range(mt, startp, entry, size, min, max, true);
}
