/*
 * store.c - the write engine of the maple tree: every store, insert and erase ends here.
 *
 * A write maps index..last to an entry (NULL erases). It takes one of two paths.
 *
 * In place. When the range lies inside one leaf and the leaf's new contents still fit, keep at
 * least the minimum occupancy and do not end with NULL, the leaf is rewritten where it is and the
 * gaps above it are refreshed. That covers Linux's exact-fit, slot-store, append and node-store
 * cases; it allocates nothing and so cannot fail.
 *
 * Rebuild. Otherwise the write is handled one level at a time, from the leaves up, over a
 * "span": the run of nodes at that level whose contents change. At the leaf level the span is
 * the leaves holding index and last (more than one for a spanning store). Its new contents
 * are a list: what lies before index, the new entry, what lies after last, with neighbouring NULL
 * ranges merged. If the list ends with NULL below ULONG_MAX the span takes in the next leaf (a
 * leaf may not end with NULL, so a gap is never split between leaves); if the list is shorter
 * than the minimum occupancy the span takes in a neighbour (rebalance). The list is cut into
 * one to three new nodes of even size (split). One level up, the span is the parents of the
 * span's ends, and its list is their children outside the lower span, with the new nodes put in
 * its place. This goes on until a span of one node is replaced by one node (its parent's pivots
 * do not change, so the new node simply takes the old one's slot) or until the root: a root
 * list of more than one node grows the tree by a level; a root with a single child collapses
 * onto that child, and a leaf root holding only NULL empties the tree.
 *
 * Nodes are allocated only while the new nodes are built, before anything in the tree changes;
 * if an allocation fails the new nodes are freed and the tree is untouched (-ENOMEM). At most
 * three new nodes per level plus a new root are needed (see mt_write_worst_case()). The commit
 * then links the new top node with a single pointer store, points the reused children at their
 * new parents, refreshes gaps above, and frees the replaced nodes: those that overlap the span
 * of their level.
 *
 * RCU mode (later): the rebuild path already builds the replacement off to the side and
 * publishes it with one store into the parent slot or the root, which is what concurrent
 * readers need. An RCU mode would (1) send every write that is not a single-slot pointer
 * replacement down the rebuild path instead of rewriting a leaf in place, (2) store the new top
 * with a release barrier, (3) copy, rather than patch, the ancestors whose gaps change, and
 * (4) defer freeing the replaced nodes past a grace period, marking them dead first (Linux
 * points a dead node's parent at itself) so that a reader who lands on one restarts its walk.
 * Parent words of reused children may be rewritten in place: a reader loads the word at once and
 * the end bits in it do not change. The node layout needs no change for this.
 */
#include "maple_private.h"

#define MT_LIST_MAX      64
#define MT_NEW_PER_LEVEL 3

/* One entry of a level's new contents: its upper bound, what goes in the slot, and (for a
 * child node) the largest gap below it. */
struct mt_ent {
    unsigned long pivot;
    void *slot;
    unsigned long gap;
};

struct mt_list {
    unsigned int n;
    bool leaf;         /* merge neighbouring NULL ranges */
    unsigned long min; /* lower bound of the first entry */
    struct mt_ent e[MT_LIST_MAX];
};

/* The state of one write. */
struct mt_wr {
    struct maple_tree *mt;
    struct ma_state *mas; /* for nodes set aside by mas_preallocate(); may be NULL */
    unsigned long index, last;
    void *entry;
    struct maple_enode *fresh[MT_NEW_PER_LEVEL * (MAPLE_HEIGHT_MAX + 1) + 1];
    unsigned int nfresh;
    unsigned long span_min[MAPLE_HEIGHT_MAX + 1];
    unsigned long span_max[MAPLE_HEIGHT_MAX + 1];
};

unsigned int mt_write_worst_case(const struct maple_tree *mt)
{
    return MT_NEW_PER_LEVEL * mt->ma_height + 1;
}

static void list_reset(struct mt_list *l, bool leaf, unsigned long min)
{
    l->n = 0;
    l->leaf = leaf;
    l->min = min;
}

static void list_push(struct mt_list *l, unsigned long pivot, void *slot, unsigned long gap)
{
    if (l->leaf && slot == NULL && l->n > 0 && l->e[l->n - 1].slot == NULL) {
        l->e[l->n - 1].pivot = pivot;
        return;
    }
    /* Bounded by the case analysis in mt_write_worst_case(); never reached. */
    if (l->n == MT_LIST_MAX)
        return;
    l->e[l->n].pivot = pivot;
    l->e[l->n].slot = slot;
    l->e[l->n].gap = gap;
    l->n++;
}

/* Append the entries of one node (covering min..max) that lie in a..b; leaf entries partly
 * inside are clipped. */
static void collect_node(struct mt_list *l, struct maple_node *node, enum maple_type type,
                         unsigned long min, unsigned long max, unsigned long a, unsigned long b)
{
    unsigned long *pivots = ma_pivots(node, type);
    void **slots = ma_slots(node, type);
    unsigned int end = ma_end(node);

    (void)min;
    for (unsigned int i = 0; i <= end; i++) {
        unsigned long smax = ma_slot_max(pivots, i, end, max);

        if (smax >= a) {
            unsigned long gap = type == maple_arange_64 ? node->ma64.gap[i] : 0;

            list_push(l, smax < b ? smax : b, slots[i], gap);
        }
        if (smax >= b)
            return;
    }
}

/* Append the entries at depth @depth lying in a..b (a <= b), node after node. */
static void collect(struct mt_wr *wr, struct mt_list *l, unsigned int depth, unsigned long a,
                    unsigned long b)
{
    unsigned long key = a;

    for (;;) {
        unsigned long min, max;
        struct maple_node *node = ma_walk_to(wr->mt, depth, key, &min, &max, NULL);
        enum maple_type type = l->leaf ? maple_leaf_64 : mt_internal_type(wr->mt);

        collect_node(l, node, type, min, max, key, b);
        if (max >= b)
            return;
        key = max + 1;
    }
}

static struct maple_node *wr_alloc(struct mt_wr *wr, enum maple_type type)
{
    struct maple_node *node = mt_node_alloc(wr->mt, wr->mas);

    if (node) {
        node->parent = 0;
        wr->fresh[wr->nfresh++] = mt_mk_node(node, type);
    }
    return node;
}

static void wr_unwind(struct mt_wr *wr)
{
    for (unsigned int i = 0; i < wr->nfresh; i++)
        if (wr->fresh[i])
            mt_node_free(wr->mt, mte_to_node(wr->fresh[i]));
    wr->nfresh = 0;
}

/* Fill @node of @type with list entries from..to-1 covering min..max; return its largest gap. */
static unsigned long fill_node(struct maple_node *node, enum maple_type type,
                               const struct mt_list *l, unsigned int from, unsigned int to,
                               unsigned long min)
{
    unsigned long *pivots = ma_pivots(node, type);
    void **slots = ma_slots(node, type);
    unsigned int count = to - from;
    unsigned long gap = 0;

    for (unsigned int i = 0; i < count; i++) {
        const struct mt_ent *e = &l->e[from + i];

        if (i + 1 < count)
            pivots[i] = e->pivot;
        slots[i] = e->slot;
        if (type == maple_arange_64) {
            node->ma64.gap[i] = e->gap;
            if (e->gap > gap)
                gap = e->gap;
        }
    }
    ma_set_end(node, count - 1);
    if (type == maple_leaf_64)
        gap = ma_leaf_max_gap(node, min, l->e[to - 1].pivot);
    return gap;
}

/*
 * Cut list @l into nodes of @type of even size (one node if it fits), appending one entry per
 * new node to @out. A leaf is not cut after a NULL: the cut moves one entry right (or left, if
 * the node would overflow); NULLs are never adjacent, so the moved cut lands after an entry.
 * Return: 0 or -ENOMEM.
 */
static int build_nodes(struct mt_wr *wr, const struct mt_list *l, enum maple_type type,
                       struct mt_ent *out, unsigned int *nout)
{
    unsigned int cap = mt_slots(type);
    unsigned int n = l->n;
    unsigned int k = n <= cap ? 1 : (n + cap - 2) / (cap - 1);
    unsigned int from = 0;
    unsigned long min = l->min;

    for (unsigned int j = 0; j < k; j++) {
        unsigned int to = j + 1 == k ? n : n * (j + 1) / k;
        struct maple_node *node;

        if (j + 1 < k && l->leaf && l->e[to - 1].slot == NULL)
            to = to + 1 - from <= cap ? to + 1 : to - 1;
        node = wr_alloc(wr, type);
        if (!node)
            return -MT_ENOMEM;
        out[j].gap = fill_node(node, type, l, from, to, min);
        out[j].pivot = l->e[to - 1].pivot;
        out[j].slot = mt_mk_node(node, type);
        min = out[j].pivot + 1;
        from = to;
    }
    *nout = k;
    return 0;
}

/* Point every child of the new internal nodes at its new parent. */
static void adopt_children(struct mt_wr *wr)
{
    for (unsigned int i = 0; i < wr->nfresh; i++) {
        struct maple_enode *enode = wr->fresh[i];
        struct maple_node *node;
        void **slots;

        if (!enode || ma_is_leaf(mte_node_type(enode)))
            continue;
        node = mte_to_node(enode);
        slots = ma_slots(node, mte_node_type(enode));
        for (unsigned int s = 0; s <= ma_end(node); s++)
            ma_set_parent(mte_to_node(slots[s]), node, s);
    }
}

/* Free a node the write replaced, and below it the replaced nodes (those overlapping the span
 * of their level); children outside the span were reused and are left alone. A node taken in
 * to rebalance may lie wholly outside the span below it, so test both ends. */
static void free_replaced(struct mt_wr *wr, struct maple_enode *enode, unsigned int depth,
                          unsigned long min, unsigned long max)
{
    struct maple_node *node = mte_to_node(enode);
    enum maple_type type = mte_node_type(enode);

    if (!ma_is_leaf(type)) {
        unsigned long *pivots = ma_pivots(node, type);
        void **slots = ma_slots(node, type);
        unsigned int end = ma_end(node);
        unsigned long lo = wr->span_min[depth + 1], hi = wr->span_max[depth + 1];
        unsigned long smin = min;

        for (unsigned int i = 0; i <= end; i++) {
            unsigned long smax = ma_slot_max(pivots, i, end, max);

            if (smin > hi)
                break;
            if (smax >= lo)
                free_replaced(wr, slots[i], depth + 1, smin, smax);
            smin = smax + 1;
        }
    }
    mt_node_free(wr->mt, node);
}

static void forget_fresh(struct mt_wr *wr, struct maple_enode *enode)
{
    for (unsigned int i = 0; i < wr->nfresh; i++)
        if (wr->fresh[i] == enode)
            wr->fresh[i] = NULL;
}

/* Commit at the root: the new nodes of level 0 become the root, under a new root node if there
 * are several. */
static int commit_root(struct mt_wr *wr, struct mt_ent *mid, unsigned int nmid)
{
    struct maple_tree *mt = wr->mt;
    struct maple_enode *old = mt->ma_root;
    unsigned int height = mt->ma_height;
    struct maple_enode *root;
    struct maple_node *node;

    if (nmid > 1) {
        enum maple_type type = mt_internal_type(mt);
        struct mt_list top;
        struct mt_ent one;
        unsigned int n;

        list_reset(&top, false, 0);
        for (unsigned int i = 0; i < nmid; i++)
            list_push(&top, mid[i].pivot, mid[i].slot, mid[i].gap);
        if (build_nodes(wr, &top, type, &one, &n)) {
            wr_unwind(wr);
            return -MT_ENOMEM;
        }
        root = one.slot;
        height++;
    } else {
        root = mid[0].slot;
    }

    /* Nothing can fail from here on. */
    node = mte_to_node(root);
    while (!ma_is_leaf(mte_node_type(root)) && ma_end(node) == 0) {
        struct maple_enode *child = ma_slots(node, mte_node_type(root))[0];

        forget_fresh(wr, root);
        mt_node_free(mt, node);
        root = child;
        node = mte_to_node(root);
        height--;
    }
    if (ma_is_leaf(mte_node_type(root)) && ma_end(node) == 0 && node->mr64.slot[0] == NULL) {
        forget_fresh(wr, root);
        mt_node_free(mt, node);
        root = NULL;
        height = 0;
    }
    adopt_children(wr);
    if (root)
        ma_set_parent(node, NULL, 0);
    mt->ma_root = root;
    mt->ma_height = height;
    if (old)
        free_replaced(wr, old, 0, 0, ULONG_MAX);
    return 0;
}

/* Commit below the root: new node @ent takes the slot of the one node spanning smin..smax at
 * @depth. */
static void commit_slot(struct mt_wr *wr, unsigned int depth, unsigned long smin,
                        unsigned long smax, struct mt_ent *ent)
{
    struct maple_tree *mt = wr->mt;
    unsigned long pmin, pmax;
    unsigned int offset;
    struct maple_node *parent = ma_walk_to(mt, depth - 1, smin, &pmin, &pmax, &offset);
    enum maple_type ptype = mt_internal_type(mt);
    void **slots = ma_slots(parent, ptype);
    struct maple_enode *old = slots[offset];

    adopt_children(wr);
    slots[offset] = ent->slot;
    ma_set_parent(mte_to_node(ent->slot), parent, offset);
    if (ptype == maple_arange_64 && parent->ma64.gap[offset] != ent->gap) {
        parent->ma64.gap[offset] = ent->gap;
        ma_update_gaps(mt, parent, ma_arange_max_gap(parent));
    }
    free_replaced(wr, old, depth, smin, smax);
}

/* The rebuild path (see the top of the file). */
static int wr_rebuild(struct mt_wr *wr)
{
    struct maple_tree *mt = wr->mt;
    enum maple_type itype = mt_internal_type(mt);
    unsigned int depth = mt->ma_height - 1;
    struct mt_list list;
    struct mt_ent mid[MT_NEW_PER_LEVEL];
    unsigned int nmid;
    unsigned long smin, smax, lo, hi;
    bool single;

    single = ma_walk_to(mt, depth, wr->index, &smin, &hi, NULL) ==
             ma_walk_to(mt, depth, wr->last, &lo, &smax, NULL);
    for (;;) {
        list_reset(&list, true, smin);
        if (wr->index > smin)
            collect(wr, &list, depth, smin, wr->index - 1);
        list_push(&list, wr->last, wr->entry, 0);
        if (wr->last < smax)
            collect(wr, &list, depth, wr->last + 1, smax);
        if (list.e[list.n - 1].slot == NULL && smax != ULONG_MAX) {
            ma_walk_to(mt, depth, smax + 1, &lo, &smax, NULL);
        } else if (list.n < mt_min_slots(maple_leaf_64) && (smin != 0 || smax != ULONG_MAX)) {
            if (smax != ULONG_MAX)
                ma_walk_to(mt, depth, smax + 1, &lo, &smax, NULL);
            else
                ma_walk_to(mt, depth, smin - 1, &smin, &hi, NULL);
        } else {
            break;
        }
        single = false;
    }
    if (build_nodes(wr, &list, maple_leaf_64, mid, &nmid))
        goto nomem;
    wr->span_min[depth] = smin;
    wr->span_max[depth] = smax;

    while (depth > 0) {
        unsigned long cmin = smin, cmax = smax;

        if (single && nmid == 1) {
            commit_slot(wr, depth, smin, smax, &mid[0]);
            return 0;
        }
        depth--;
        single = ma_walk_to(mt, depth, cmin, &smin, &hi, NULL) ==
                 ma_walk_to(mt, depth, cmax, &lo, &smax, NULL);
        for (;;) {
            list_reset(&list, false, smin);
            if (cmin > smin)
                collect(wr, &list, depth, smin, cmin - 1);
            for (unsigned int i = 0; i < nmid; i++)
                list_push(&list, mid[i].pivot, mid[i].slot, mid[i].gap);
            if (cmax < smax)
                collect(wr, &list, depth, cmax + 1, smax);
            if (list.n >= mt_min_slots(itype) || (smin == 0 && smax == ULONG_MAX))
                break;
            if (smax != ULONG_MAX)
                ma_walk_to(mt, depth, smax + 1, &lo, &smax, NULL);
            else
                ma_walk_to(mt, depth, smin - 1, &smin, &hi, NULL);
            single = false;
        }
        if (build_nodes(wr, &list, itype, mid, &nmid))
            goto nomem;
        wr->span_min[depth] = smin;
        wr->span_max[depth] = smax;
    }
    return commit_root(wr, mid, nmid);

nomem:
    wr_unwind(wr);
    return -MT_ENOMEM;
}

/* A first store into an empty tree: one leaf of up to three ranges. */
static int wr_first(struct mt_wr *wr)
{
    struct mt_list list;
    struct mt_ent mid[MT_NEW_PER_LEVEL];
    unsigned int nmid;

    if (!wr->entry)
        return 0;
    list_reset(&list, true, 0);
    if (wr->index > 0)
        list_push(&list, wr->index - 1, NULL, 0);
    list_push(&list, wr->last, wr->entry, 0);
    if (wr->last < ULONG_MAX)
        list_push(&list, ULONG_MAX, NULL, 0);
    if (build_nodes(wr, &list, maple_leaf_64, mid, &nmid)) {
        wr_unwind(wr);
        return -MT_ENOMEM;
    }
    wr->mt->ma_root = mid[0].slot;
    wr->mt->ma_height = 1;
    return 0;
}

int mt_write(struct maple_tree *mt, struct ma_state *mas, unsigned long index, unsigned long last,
             void *entry, void **old)
{
    struct mt_wr wr;
    struct mt_list list;
    struct maple_node *leaf;
    unsigned long min, max;
    unsigned int offset, n;
    bool root;

    wr.mt = mt;
    wr.mas = mas;
    wr.index = index;
    wr.last = last;
    wr.entry = entry;
    wr.nfresh = 0;
    if (old)
        *old = NULL;
    if (!mt->ma_root)
        return wr_first(&wr);

    leaf = ma_walk_to(mt, mt->ma_height - 1, index, &min, &max, &offset);
    if (old)
        *old = leaf->mr64.slot[offset];
    if (last > max)
        return wr_rebuild(&wr);

    /* The leaf's new contents, to be written in place if they are acceptable as they are. */
    list_reset(&list, true, min);
    if (index > min)
        collect_node(&list, leaf, maple_leaf_64, min, max, min, index - 1);
    list_push(&list, last, entry, 0);
    if (last < max)
        collect_node(&list, leaf, maple_leaf_64, min, max, last + 1, max);
    n = list.n;
    root = ma_parent(leaf) == NULL;
    if (n > MAPLE_RANGE64_SLOTS || (!root && n < mt_min_slots(maple_leaf_64)) ||
        (list.e[n - 1].slot == NULL && (max != ULONG_MAX || n == 1)))
        return wr_rebuild(&wr);

    for (unsigned int i = 0; i < n; i++) {
        if (i + 1 < n)
            leaf->mr64.pivot[i] = list.e[i].pivot;
        leaf->mr64.slot[i] = list.e[i].slot;
    }
    ma_set_end(leaf, n - 1);
    if (mt_is_alloc(mt) && !root)
        ma_update_gaps(mt, leaf, ma_leaf_max_gap(leaf, min, max));
    return 0;
}
