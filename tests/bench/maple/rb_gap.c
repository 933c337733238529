/*
 * rb_gap.c - see rb_gap.h. A textbook red-black tree (parent pointers, CLRS fix-ups) with the
 * subtree gap recomputed along the path to the root after each change; rotations recompute
 * their two nodes.
 */
#include "rb_gap.h"

#include <stddef.h>

static unsigned long sg(const struct rb_vma *n)
{
    return n ? n->subtree_gap : 0;
}

static void update(struct rb_vma *n)
{
    unsigned long g = n->gap;

    if (sg(n->left) > g)
        g = sg(n->left);
    if (sg(n->right) > g)
        g = sg(n->right);
    n->subtree_gap = g;
}

static void propagate(struct rb_vma *n)
{
    for (; n; n = n->parent)
        update(n);
}

static void replace_child(struct rb_gap_tree *t, struct rb_vma *parent, struct rb_vma *old,
                          struct rb_vma *new)
{
    if (!parent)
        t->root = new;
    else if (parent->left == old)
        parent->left = new;
    else
        parent->right = new;
    if (new)
        new->parent = parent;
}

static void rotate_left(struct rb_gap_tree *t, struct rb_vma *x)
{
    struct rb_vma *y = x->right;

    x->right = y->left;
    if (y->left)
        y->left->parent = x;
    replace_child(t, x->parent, x, y);
    y->left = x;
    x->parent = y;
    update(x);
    update(y);
}

static void rotate_right(struct rb_gap_tree *t, struct rb_vma *x)
{
    struct rb_vma *y = x->left;

    x->left = y->right;
    if (y->right)
        y->right->parent = x;
    replace_child(t, x->parent, x, y);
    y->right = x;
    x->parent = y;
    update(x);
    update(y);
}

struct rb_vma *rb_gap_first(const struct rb_gap_tree *t)
{
    struct rb_vma *n = t->root;

    while (n && n->left)
        n = n->left;
    return n;
}

struct rb_vma *rb_gap_next(struct rb_vma *n)
{
    if (n->right) {
        n = n->right;
        while (n->left)
            n = n->left;
        return n;
    }
    while (n->parent && n->parent->right == n)
        n = n->parent;
    return n->parent;
}

static struct rb_vma *rb_gap_prev(struct rb_vma *n)
{
    if (n->left) {
        n = n->left;
        while (n->right)
            n = n->right;
        return n;
    }
    while (n->parent && n->parent->left == n)
        n = n->parent;
    return n->parent;
}

static unsigned long gap_before(const struct rb_vma *n, const struct rb_vma *prev)
{
    return n->start - (prev ? prev->last + 1 : 0);
}

void rb_gap_insert(struct rb_gap_tree *t, struct rb_vma *n)
{
    struct rb_vma **link = &t->root, *parent = NULL, *next;

    while (*link) {
        parent = *link;
        link = n->start < parent->start ? &parent->left : &parent->right;
    }
    n->left = n->right = NULL;
    n->parent = parent;
    n->red = 1;
    *link = n;
    n->gap = gap_before(n, rb_gap_prev(n));
    next = rb_gap_next(n);
    if (next)
        next->gap = gap_before(next, n);
    propagate(n);
    propagate(next);

    while (n->parent && n->parent->red) {
        struct rb_vma *p = n->parent, *g = p->parent;
        struct rb_vma *u = g->left == p ? g->right : g->left;

        if (u && u->red) {
            p->red = u->red = 0;
            g->red = 1;
            n = g;
            continue;
        }
        if (g->left == p) {
            if (p->right == n) {
                rotate_left(t, p);
                n = p;
                p = n->parent;
            }
            rotate_right(t, g);
        } else {
            if (p->left == n) {
                rotate_right(t, p);
                n = p;
                p = n->parent;
            }
            rotate_left(t, g);
        }
        p->red = 0;
        g->red = 1;
        break;
    }
    t->root->red = 0;
}

void rb_gap_erase(struct rb_gap_tree *t, struct rb_vma *z)
{
    struct rb_vma *prev = rb_gap_prev(z), *next = rb_gap_next(z);
    struct rb_vma *x, *xp, *y = z;
    int removed_red = y->red;

    if (!z->left) {
        x = z->right;
        xp = z->parent;
        replace_child(t, z->parent, z, x);
    } else if (!z->right) {
        x = z->left;
        xp = z->parent;
        replace_child(t, z->parent, z, x);
    } else {
        y = next; /* leftmost of the right subtree */
        removed_red = y->red;
        x = y->right;
        if (y->parent == z) {
            xp = y;
        } else {
            xp = y->parent;
            replace_child(t, y->parent, y, x);
            y->right = z->right;
            y->right->parent = y;
        }
        replace_child(t, z->parent, z, y);
        y->left = z->left;
        y->left->parent = y;
        y->red = z->red;
    }
    if (next)
        next->gap = gap_before(next, prev);
    propagate(xp);
    propagate(next);
    if (removed_red)
        return;

    while (x != t->root && (!x || !x->red)) {
        struct rb_vma *w;

        if (xp->left == x) {
            w = xp->right;
            if (w->red) {
                w->red = 0;
                xp->red = 1;
                rotate_left(t, xp);
                w = xp->right;
            }
            if ((!w->left || !w->left->red) && (!w->right || !w->right->red)) {
                w->red = 1;
                x = xp;
                xp = x->parent;
            } else {
                if (!w->right || !w->right->red) {
                    w->left->red = 0;
                    w->red = 1;
                    rotate_right(t, w);
                    w = xp->right;
                }
                w->red = xp->red;
                xp->red = 0;
                w->right->red = 0;
                rotate_left(t, xp);
                x = t->root;
                break;
            }
        } else {
            w = xp->left;
            if (w->red) {
                w->red = 0;
                xp->red = 1;
                rotate_right(t, xp);
                w = xp->left;
            }
            if ((!w->left || !w->left->red) && (!w->right || !w->right->red)) {
                w->red = 1;
                x = xp;
                xp = x->parent;
            } else {
                if (!w->left || !w->left->red) {
                    w->right->red = 0;
                    w->red = 1;
                    rotate_left(t, w);
                    w = xp->left;
                }
                w->red = xp->red;
                xp->red = 0;
                w->left->red = 0;
                rotate_right(t, xp);
                x = t->root;
                break;
            }
        }
    }
    if (x)
        x->red = 0;
}

struct rb_vma *rb_gap_lookup(const struct rb_gap_tree *t, unsigned long addr)
{
    struct rb_vma *n = t->root;

    while (n) {
        if (addr < n->start)
            n = n->left;
        else if (addr > n->last)
            n = n->right;
        else
            return n;
    }
    return NULL;
}

struct area_search {
    unsigned long low, high, size, last;
};

/* Highest fit among the gaps before the nodes of subtree @n. */
static int area_rev(struct area_search *s, const struct rb_vma *n)
{
    if (!n || n->subtree_gap < s->size)
        return 0;
    if (n->last < s->high && area_rev(s, n->right))
        return 1;
    if (n->gap >= s->size) {
        unsigned long first = n->start - n->gap, last = n->start - 1;

        if (first < s->low)
            first = s->low;
        if (last > s->high)
            last = s->high;
        if (first <= last && last - first >= s->size - 1) {
            s->last = last;
            return 1;
        }
    }
    return n->start > s->low && area_rev(s, n->left);
}

int rb_gap_area_rev(const struct rb_gap_tree *t, unsigned long low, unsigned long high,
                    unsigned long size, unsigned long *last)
{
    struct area_search s = {low, high, size, 0};
    const struct rb_vma *n = t->root;

    /* The gap after the last range is not before any node: try it first. */
    while (n && n->right)
        n = n->right;
    if (!n || n->last != ~0ul) {
        unsigned long first = n ? n->last + 1 : 0;

        if (first < low)
            first = low;
        if (first <= high && high - first >= size - 1) {
            *last = high;
            return 0;
        }
    }
    if (!area_rev(&s, t->root))
        return -1;
    *last = s.last;
    return 0;
}

static struct rb_vma *dup_node(const struct rb_vma *n, struct rb_vma *parent,
                               struct rb_vma *(*alloc)(void *ctx), void *ctx, int *failed)
{
    struct rb_vma *c;

    if (!n || *failed)
        return NULL;
    c = alloc(ctx);
    if (!c) {
        *failed = 1;
        return NULL;
    }
    *c = *n;
    c->parent = parent;
    c->left = dup_node(n->left, c, alloc, ctx, failed);
    c->right = dup_node(n->right, c, alloc, ctx, failed);
    return c;
}

int rb_gap_dup(const struct rb_gap_tree *t, struct rb_gap_tree *copy,
               struct rb_vma *(*alloc)(void *ctx), void *ctx)
{
    int failed = 0;

    copy->root = dup_node(t->root, NULL, alloc, ctx, &failed);
    return failed ? -1 : 0;
}

/* Black height of @n, or -1 if a rule is broken below it. */
static int check(const struct rb_vma *n, const struct rb_vma *prev_in_order[1])
{
    int l, r;
    unsigned long g;

    if (!n)
        return 1;
    l = check(n->left, prev_in_order);
    if (l < 0)
        return -1;
    if (n->gap != gap_before(n, prev_in_order[0]))
        return -1;
    prev_in_order[0] = n;
    r = check(n->right, prev_in_order);
    if (r < 0 || l != r)
        return -1;
    if (n->red && ((n->left && n->left->red) || (n->right && n->right->red)))
        return -1;
    g = n->gap;
    if (sg(n->left) > g)
        g = sg(n->left);
    if (sg(n->right) > g)
        g = sg(n->right);
    if (g != n->subtree_gap)
        return -1;
    return l + !n->red;
}

int rb_gap_validate(const struct rb_gap_tree *t)
{
    const struct rb_vma *prev[1] = {NULL};

    if (t->root && t->root->red)
        return -1;
    return check(t->root, prev) < 0 ? -1 : 0;
}
