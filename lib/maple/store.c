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
    bool append; /* a non-NULL entry at the right end of the tree: see build_nodes() */
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
 *
 * An append (a write at the right end of the tree, the way a tree is filled in key order) splits
 * unevenly instead: the right node gets the minimum and the left one the rest, as B-trees
 * commonly do for their rightmost page. The left node will not be written again by further
 * appends, so an even split would leave every node of a tree built in order half empty; this
 * way leaves end up about two thirds full, which is fewer nodes to walk and to iterate over.
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

        if (k == 2 && j == 0 && wr->append && l->e[n - 1].pivot == ULONG_MAX &&
            n - mt_min_slots(type) <= cap) {
            to = n - mt_min_slots(type);
            if (l->leaf && l->e[to - 1].slot == NULL)
                to--;
        } else if (j + 1 < k && l->leaf && l->e[to - 1].slot == NULL) {
            to = to + 1 - from <= cap ? to + 1 : to - 1;
        }
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
    unsigned int after;
    bool single;

    single = ma_walk_to(mt, depth, wr->index, &smin, &hi, NULL) ==
             ma_walk_to(mt, depth, wr->last, &lo, &smax, NULL);
    for (;;) {
        list_reset(&list, true, smin);
        if (wr->index > smin)
            collect(wr, &list, depth, smin, wr->index - 1);
        list_push(&list, wr->last, wr->entry, 0);
        after = list.n;
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
    wr->append = wr->entry && smax == ULONG_MAX &&
                 (list.n == after || (list.n == after + 1 && !list.e[after].slot));
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

/*
 * The leaf beside @leaf, right (@right) or left, found through the parent links; @leaf must
 * not be the last (first) leaf. *sep gets the pivot that separates the two, in the first
 * ancestor they share: moving it moves the boundary between the leaves and nothing else.
 */
static struct maple_node *ma_neighbour(struct maple_tree *mt, struct maple_node *leaf, bool right,
                                       unsigned long **sep)
{
    enum maple_type itype = mt_internal_type(mt);
    struct maple_node *node = leaf, *parent;
    struct maple_enode *enode;
    unsigned int off;

    for (;;) {
        parent = ma_parent(node);
        off = ma_parent_offset(node);
        if (right ? off < ma_end(parent) : off > 0)
            break;
        node = parent;
    }
    *sep = &ma_pivots(parent, itype)[right ? off : off - 1];
    enode = ma_slots(parent, itype)[right ? off + 1 : off - 1];
    while (!ma_is_leaf(mte_node_type(enode))) {
        node = mte_to_node(enode);
        enode = ma_slots(node, itype)[right ? 0 : ma_end(node)];
    }
    return mte_to_node(enode);
}

/* The gap figure @leaf's parent keeps for it, after its largest gap became at least @gap. */
static void wr_gap_grew(struct maple_tree *mt, struct maple_node *leaf, unsigned long gap)
{
    if (mt_is_alloc(mt) && gap > ma_parent(leaf)->ma64.gap[ma_parent_offset(leaf)])
        ma_update_gaps(mt, leaf, gap);
}

/*
 * A non-NULL @entry written at index..last inside the NULL range that opens @leaf (covering
 * min..max, not the first leaf): append it (after what of the NULL range lies below index) to
 * the leaf on the left and move the boundary up to last, instead of growing @leaf. This undoes
 * what wr_in_place() does when it hands a leaf's trailing NULL range to the right, so an erase
 * and re-insert of a leaf's last entry leaves both leaves as they were. Return: false (nothing
 * changed) if the left leaf has no room or @leaf would fall below the minimum.
 */
static bool wr_append_left(struct maple_tree *mt, struct maple_node *leaf, unsigned long min,
                           unsigned long max, unsigned long index, unsigned long last, void *entry)
{
    unsigned long *pivots = leaf->mr64.pivot;
    void **slots = leaf->mr64.slot;
    unsigned int end = ma_end(leaf), lend, add = index > min ? 2 : 1;
    bool whole = last == pivots[0];
    struct maple_node *left;
    unsigned long *sep;

    if (whole && end < mt_min_slots(maple_leaf_64))
        return false;
    left = ma_neighbour(mt, leaf, false, &sep);
    lend = ma_end(left);
    if (lend + 1 + add > MAPLE_RANGE64_SLOTS)
        return false;
    left->mr64.pivot[lend] = min - 1;
    if (index > min) {
        left->mr64.slot[++lend] = NULL;
        left->mr64.pivot[lend] = index - 1;
    }
    left->mr64.slot[++lend] = entry;
    ma_set_end(left, lend);
    *sep = last;
    if (whole) {
        mt_memmove(&slots[0], &slots[1], end * sizeof(slots[0]));
        mt_memmove(&pivots[0], &pivots[1], (end - 1) * sizeof(pivots[0]));
        ma_set_end(leaf, end - 1);
    }
    if (index > min)
        wr_gap_grew(mt, left, index - min);
    if (mt_is_alloc(mt))
        ma_update_gaps(mt, leaf, ma_leaf_max_gap(leaf, last + 1, max));
    return true;
}

/*
 * The largest gap of non-root @leaf (covering min..max) once its slots a..b give way to the @np
 * pieces ppivot/pslot starting at @rmin, from the figure its parent keeps for it: the NULL
 * ranges outside a..b stay as they are. Return ULONG_MAX if that does not tell (the largest gap
 * was in a..b and no piece is as large), for the caller to scan the leaf.
 */
static unsigned long wr_leaf_gap(struct maple_node *leaf, unsigned long min, unsigned long max,
                                 unsigned int a, unsigned int b, unsigned long rmin,
                                 const unsigned long *ppivot, void *const *pslot, unsigned int np)
{
    unsigned long was = ma_parent(leaf)->ma64.gap[ma_parent_offset(leaf)];
    unsigned long grown = 0, lost = 0, smin = rmin;
    unsigned int end = ma_end(leaf);

    for (unsigned int i = 0; i < np; i++) {
        if (!pslot[i] && ppivot[i] - smin + 1 > grown)
            grown = ppivot[i] - smin + 1;
        smin = ppivot[i] + 1;
    }
    if (grown >= was)
        return grown;
    smin = a > 0 ? leaf->mr64.pivot[a - 1] + 1 : min;
    for (unsigned int i = a; i <= b; i++) {
        unsigned long smax = ma_slot_max(leaf->mr64.pivot, i, end, max);

        if (!leaf->mr64.slot[i] && smax - smin + 1 > lost)
            lost = smax - smin + 1;
        smin = smax + 1;
    }
    return lost < was ? was : ULONG_MAX;
}

/*
 * The in-place path: the write lies inside @leaf (covering min..max) and starts in slot
 * @offset. The slots it touches, a..b, give way to at most three pieces (what slot a keeps below
 * index, the new entry, what slot b keeps above last), a NULL entry absorbing NULL neighbours;
 * the slots after b shift to follow, with no copy of the rest of the leaf. If the leaf would
 * end with a NULL range (say its last entry was erased), that range is handed to the next leaf
 * by moving the boundary between them down, rather than rebuilding both. Return: false, with
 * the tree untouched, if the result is not a valid leaf as it stands (more than 16 slots, fewer
 * than the minimum in a non-root leaf, a NULL range the next leaf has no room for, an empty
 * root); the rebuild path takes those.
 */
static bool wr_in_place(struct maple_tree *mt, struct maple_node *leaf, unsigned long min,
                        unsigned long max, unsigned int offset, unsigned long index,
                        unsigned long last, void *entry)
{
    unsigned long *pivots = leaf->mr64.pivot;
    void **slots = leaf->mr64.slot;
    unsigned int end = ma_end(leaf);
    unsigned int a = offset, b = offset, np = 0, n;
    unsigned long rmin, rmax, ppivot[3], tail_min = 0, *sep = NULL, gap = 0;
    struct maple_node *right = NULL;
    void *pslot[3];

    while (b < end && pivots[b] < last)
        b++;
    rmin = a > 0 ? pivots[a - 1] + 1 : min;
    rmax = b < end ? pivots[b] : max;
    if (entry && a == 0 && b == 0 && !slots[0] && min != 0 &&
        wr_append_left(mt, leaf, min, max, index, last, entry))
        return true;
    if (index > rmin) {
        if (entry || slots[a]) {
            ppivot[np] = index - 1;
            pslot[np++] = slots[a];
        }
    } else if (!entry && a > 0 && !slots[a - 1]) {
        a--;
        rmin = a > 0 ? pivots[a - 1] + 1 : min;
    }
    ppivot[np] = last;
    pslot[np++] = entry;
    if (last < rmax) {
        if (entry || slots[b]) {
            ppivot[np] = rmax;
            pslot[np++] = slots[b];
        } else {
            ppivot[np - 1] = rmax;
        }
    } else if (!entry && b < end && !slots[b + 1]) {
        b++;
        ppivot[np - 1] = ma_slot_max(pivots, b, end, max);
    }

    n = a + np + (end - b);
    if (b == end && !pslot[np - 1] && max != ULONG_MAX) {
        tail_min = np > 1 ? ppivot[np - 2] + 1 : rmin;
        if (n - 1 < mt_min_slots(maple_leaf_64))
            return false;
        right = ma_neighbour(mt, leaf, true, &sep);
        if (right->mr64.slot[0] && ma_end(right) + 1 >= MAPLE_RANGE64_SLOTS)
            return false;
        np--;
        n--;
    }
    if (n > MAPLE_RANGE64_SLOTS || (ma_parent(leaf) && n < mt_min_slots(maple_leaf_64)))
        return false;
    if (b == end && !right && !pslot[np - 1] && n == 1)
        return false;
    if (mt_is_alloc(mt) && ma_parent(leaf))
        gap = wr_leaf_gap(leaf, min, max, a, b, rmin, ppivot, pslot, np);

    if (b < end && a + np != b + 1) {
        unsigned int count = end - b;

        mt_memmove(&slots[a + np], &slots[b + 1], count * sizeof(slots[0]));
        mt_memmove(&pivots[a + np], &pivots[b + 1], (count - 1) * sizeof(pivots[0]));
    }
    for (unsigned int i = 0; i < np; i++) {
        slots[a + i] = pslot[i];
        if (a + i + 1 < n)
            pivots[a + i] = ppivot[i];
    }
    ma_set_end(leaf, n - 1);
    if (right) {
        unsigned int rend = ma_end(right);

        if (right->mr64.slot[0]) {
            mt_memmove(&right->mr64.slot[1], &right->mr64.slot[0],
                       (rend + 1) * sizeof(right->mr64.slot[0]));
            mt_memmove(&right->mr64.pivot[1], &right->mr64.pivot[0],
                       rend * sizeof(right->mr64.pivot[0]));
            right->mr64.slot[0] = NULL;
            right->mr64.pivot[0] = max;
            ma_set_end(right, rend + 1);
        }
        *sep = tail_min - 1;
        max = tail_min - 1;
    }
    if (mt_is_alloc(mt) && ma_parent(leaf))
        ma_update_gaps(mt, leaf, gap != ULONG_MAX ? gap : ma_leaf_max_gap(leaf, min, max));
    if (right)
        wr_gap_grew(mt, right, right->mr64.pivot[0] - tail_min + 1);
    return true;
}

int mt_write(struct maple_tree *mt, struct ma_state *mas, unsigned long index, unsigned long last,
             void *entry, void **old, bool walked)
{
    struct mt_wr wr;
    struct maple_node *leaf;
    unsigned long min, max;
    unsigned int offset;

    wr.mt = mt;
    wr.mas = mas;
    wr.index = index;
    wr.last = last;
    wr.entry = entry;
    wr.nfresh = 0;
    wr.append = false;
    if (old)
        *old = NULL;
    if (!mt->ma_root)
        return wr_first(&wr);

    if (walked) {
        leaf = mte_to_node(mas->node);
        min = mas->min;
        max = mas->max;
        offset = mas->offset;
    } else {
        leaf = ma_walk_to(mt, mt->ma_height - 1, index, &min, &max, &offset);
    }
    if (old)
        *old = leaf->mr64.slot[offset];
    if (last > max || !wr_in_place(mt, leaf, min, max, offset, index, last, entry))
        return wr_rebuild(&wr);
    return 0;
}
