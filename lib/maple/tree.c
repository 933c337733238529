/*
 * tree.c - the maple tree as an object: allocator glue, init/destroy/dup, and the write calls of
 * the simple and cursor APIs, which check their arguments and hand over to mt_write() (store.c).
 */
#include "maple_private.h"

static const struct maple_alloc *default_alloc;

void mt_set_default_alloc(const struct maple_alloc *alloc)
{
    default_alloc = alloc;
}

int mt_set_alloc(struct maple_tree *mt, const struct maple_alloc *alloc)
{
    if (mt->ma_root)
        return -MT_EINVAL;
    mt->ma_alloc = alloc;
    return 0;
}

/* Nodes set aside by mas_preallocate() are chained through their parent word. */
struct maple_node *mt_node_alloc(struct maple_tree *mt, struct ma_state *mas)
{
    if (mas && mas->alloc) {
        struct maple_node *node = mas->alloc;

        mas->alloc = (void *)node->parent;
        return node;
    }
    if (!mt->ma_alloc)
        return NULL;
    return mt->ma_alloc->alloc_node(mt->ma_alloc->ctx);
}

void mt_node_free(struct maple_tree *mt, struct maple_node *node)
{
    mt->ma_alloc->free_node(mt->ma_alloc->ctx, node);
}

void mtree_init(struct maple_tree *mt, unsigned int flags)
{
    mt->ma_root = NULL;
    mt->ma_flags = flags & MT_FLAGS_ALLOC_RANGE;
    mt->ma_height = 0;
    mt->ma_alloc = default_alloc;
}

static void free_subtree(struct maple_tree *mt, struct maple_enode *enode)
{
    struct maple_node *node = mte_to_node(enode);
    enum maple_type type = mte_node_type(enode);

    if (!ma_is_leaf(type))
        for (unsigned int i = 0; i <= ma_end(node); i++)
            free_subtree(mt, ma_slots(node, type)[i]);
    mt_node_free(mt, node);
}

void mtree_destroy(struct maple_tree *mt)
{
    if (mt->ma_root)
        free_subtree(mt, mt->ma_root);
    mt->ma_root = NULL;
    mt->ma_height = 0;
}

static unsigned long count_nodes(struct maple_enode *enode)
{
    struct maple_node *node = mte_to_node(enode);
    enum maple_type type = mte_node_type(enode);
    unsigned long n = 1;

    if (!ma_is_leaf(type))
        for (unsigned int i = 0; i <= ma_end(node); i++)
            n += count_nodes(ma_slots(node, type)[i]);
    return n;
}

unsigned long mt_node_count(const struct maple_tree *mt)
{
    return mt->ma_root ? count_nodes(mt->ma_root) : 0;
}

/* Copy the subtree at @enode into @to; NULL if a node could not be had (nothing leaks). */
static struct maple_enode *dup_subtree(struct maple_tree *to, struct maple_enode *enode)
{
    struct maple_node *node = mte_to_node(enode);
    enum maple_type type = mte_node_type(enode);
    struct maple_node *copy = mt_node_alloc(to, NULL);

    if (!copy)
        return NULL;
    mt_memcpy(copy, node, sizeof(*copy));
    copy->parent = node->parent & MAPLE_PARENT_END_MASK;
    if (!ma_is_leaf(type)) {
        void **slots = ma_slots(copy, type);

        for (unsigned int i = 0; i <= ma_end(copy); i++) {
            struct maple_enode *child = dup_subtree(to, slots[i]);

            if (!child) {
                for (unsigned int j = 0; j < i; j++)
                    free_subtree(to, slots[j]);
                mt_node_free(to, copy);
                return NULL;
            }
            slots[i] = child;
            ma_set_parent(mte_to_node(child), copy, i);
        }
    }
    return mt_mk_node(copy, type);
}

int mtree_dup(struct maple_tree *mt, struct maple_tree *new)
{
    struct maple_enode *root = NULL;

    if (new->ma_root)
        return -MT_EINVAL;
    if (mt->ma_root) {
        root = dup_subtree(new, mt->ma_root);
        if (!root)
            return -MT_ENOMEM;
    }
    new->ma_flags = mt->ma_flags;
    new->ma_height = mt->ma_height;
    new->ma_root = root;
    return 0;
}

/* ---- simple API writes ---- */

int mtree_store_range(struct maple_tree *mt, unsigned long index, unsigned long last, void *entry)
{
    if (index > last)
        return -MT_EINVAL;
    return mt_write(mt, NULL, index, last, entry, NULL, false);
}

int mtree_store(struct maple_tree *mt, unsigned long index, void *entry)
{
    return mtree_store_range(mt, index, index, entry);
}

int mtree_insert_range(struct maple_tree *mt, unsigned long first, unsigned long last, void *entry)
{
    MA_STATE(mas, mt, first, first);

    if (first > last)
        return -MT_EINVAL;
    /* A NULL range is always whole (never split between leaves), so one walk tells. */
    if (mas_walk(&mas) || mas.last < last)
        return -MT_EEXIST;
    return mt_write(mt, &mas, first, last, entry, NULL, mas.status == ma_active);
}

int mtree_insert(struct maple_tree *mt, unsigned long index, void *entry)
{
    return mtree_insert_range(mt, index, index, entry);
}

void *mtree_erase(struct maple_tree *mt, unsigned long index)
{
    MA_STATE(mas, mt, index, index);

    return mas_erase(&mas);
}

/* ---- cursor writes ---- */

static void mas_set_err(struct ma_state *mas, int error)
{
    mas->status = ma_error;
    mas->error = error;
    mas->node = NULL;
}

void *mas_store(struct ma_state *mas, void *entry)
{
    void *old;
    int ret;

    if (mas->index > mas->last) {
        mas_set_err(mas, -MT_EINVAL);
        return NULL;
    }
    ret = mt_write(mas->tree, mas, mas->index, mas->last, entry, &old, false);
    if (ret) {
        mas_set_err(mas, ret);
        return NULL;
    }
    mas_pause(mas);
    return old;
}

int mas_store_gfp(struct ma_state *mas, void *entry)
{
    mas_store(mas, entry);
    return mas_is_err(mas) ? mas->error : 0;
}

void *mas_erase(struct ma_state *mas)
{
    void *entry = mas_walk(mas);

    if (!entry) {
        mas_pause(mas);
        return NULL;
    }
    if (mt_write(mas->tree, mas, mas->index, mas->last, NULL, NULL, true)) {
        mas_set_err(mas, -MT_ENOMEM);
        return NULL;
    }
    mas_pause(mas);
    return entry;
}

int mas_preallocate(struct ma_state *mas, void *entry)
{
    unsigned int want = mt_write_worst_case(mas->tree), have = 0;
    struct maple_tree *mt = mas->tree;

    (void)entry;
    for (struct maple_node *n = mas->alloc; n; n = (void *)n->parent)
        have++;
    for (; have < want; have++) {
        struct maple_node *node = mt->ma_alloc ? mt->ma_alloc->alloc_node(mt->ma_alloc->ctx) : NULL;

        if (!node) {
            mas_destroy(mas);
            return -MT_ENOMEM;
        }
        node->parent = (uintptr_t)mas->alloc;
        mas->alloc = node;
    }
    return 0;
}

void mas_store_prealloc(struct ma_state *mas, void *entry)
{
    mas_store(mas, entry);
    mas_destroy(mas);
}

void mas_destroy(struct ma_state *mas)
{
    while (mas->alloc) {
        struct maple_node *node = mas->alloc;

        mas->alloc = (void *)node->parent;
        mt_node_free(mas->tree, node);
    }
}
