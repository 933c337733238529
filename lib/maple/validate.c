/*
 * validate.c - mt_validate(): check every structural invariant of a maple tree.
 *
 * Tests call it after every operation. It recomputes everything the tree stores redundantly
 * (gaps, parent links, data ends) from the entries themselves and reports the first
 * disagreement in key order, with the node and the range it should cover.
 */
#include "maple_private.h"

struct vstate {
    const struct maple_tree *mt;
    struct mt_violation *out;
};

static int violation(struct vstate *v, const char *what, const void *node, unsigned int depth,
                     unsigned long min, unsigned long max, unsigned int slot)
{
    if (v->out) {
        v->out->what = what;
        v->out->node = node;
        v->out->depth = depth;
        v->out->min = min;
        v->out->max = max;
        v->out->slot = slot;
    }
    return -MT_EINVAL;
}

/* Check the subtree at @enode, at @depth, which must cover min..max and hang from slot
 * @offset of @parent. *gap gets its largest gap. */
static int check_node(struct vstate *v, const struct maple_enode *enode, unsigned int depth,
                      unsigned long min, unsigned long max, const struct maple_node *parent,
                      unsigned int offset, unsigned long *gap)
{
    const struct maple_tree *mt = v->mt;
    struct maple_node *node = mte_to_node(enode);
    enum maple_type type = mte_node_type(enode);
    bool leaf = depth + 1 == mt->ma_height;
    enum maple_type want = leaf ? maple_leaf_64 : mt_internal_type(mt);
    unsigned long *pivots;
    void **slots;
    unsigned int end;
    unsigned long smin = min;

#define FAIL(what, slot) violation(v, (what), node, depth, min, max, (slot))
    if (!node)
        return FAIL("NULL node reference in an internal slot", offset);
    if ((uintptr_t)enode & (MAPLE_NODE_MASK & ~MAPLE_TYPE_MASK))
        return FAIL("node reference not 256-byte aligned", offset);
    if (type != want)
        return FAIL(leaf ? "node type is not leaf at leaf depth (height wrong)"
                         : "node type does not match the tree and depth",
                    offset);
    if (ma_parent(node) != parent)
        return FAIL("parent link does not point at the parent", offset);
    if (parent && ma_parent_offset(node) != offset)
        return FAIL("parent link has the wrong slot offset", offset);
    if (!parent && ma_parent_offset(node) != 0)
        return FAIL("root parent link carries an offset", 0);
    end = ma_end(node);
    if (end >= mt_slots(type))
        return FAIL("data end beyond the node's slots", end);
    if (parent && end + 1 < mt_min_slots(type))
        return FAIL("node below minimum occupancy", end);
    if (!parent && !leaf && end < 1)
        return FAIL("internal root with a single child", end);

    pivots = ma_pivots(node, type);
    slots = ma_slots(node, type);
    *gap = 0;
    for (unsigned int i = 0; i <= end; i++) {
        unsigned long smax;

        if (i < end) {
            if (pivots[i] < smin)
                return FAIL("pivots not strictly increasing (or below the implied min)", i);
            if (pivots[i] >= max)
                return FAIL("pivot at or beyond the implied max", i);
        }
        smax = ma_slot_max(pivots, i, end, max);
        if (leaf) {
            if (!slots[i]) {
                if (i > 0 && !slots[i - 1])
                    return FAIL("adjacent NULL ranges in a leaf", i);
                if (i == end && max != ULONG_MAX)
                    return FAIL("leaf ends with NULL below ULONG_MAX", i);
                if (smin == 0 && smax == ULONG_MAX)
                    return FAIL("tree of only NULL still has a node", i);
                if (smax - smin + 1 > *gap)
                    *gap = smax - smin + 1;
            }
        } else {
            unsigned long child_gap;
            int ret = check_node(v, slots[i], depth + 1, smin, smax, node, i, &child_gap);

            if (ret)
                return ret;
            if (type == maple_arange_64 && node->ma64.gap[i] != child_gap)
                return FAIL("recorded gap differs from the child's largest gap", i);
            if (child_gap > *gap)
                *gap = child_gap;
        }
        smin = smax + 1;
    }
    return 0;
#undef FAIL
}

int mt_validate_report(const struct maple_tree *mt, struct mt_violation *out)
{
    struct vstate v = {.mt = mt, .out = out};
    unsigned long gap;

    if (!mt->ma_root)
        return mt->ma_height == 0
                   ? 0
                   : violation(&v, "empty tree with a non-zero height", NULL, 0, 0, ULONG_MAX, 0);
    if (mt->ma_height == 0 || mt->ma_height > MAPLE_HEIGHT_MAX)
        return violation(&v, "height out of range", NULL, 0, 0, ULONG_MAX, 0);
    return check_node(&v, mt->ma_root, 0, 0, ULONG_MAX, NULL, 0, &gap);
}

int mt_validate(const struct maple_tree *mt)
{
    return mt_validate_report(mt, NULL);
}
