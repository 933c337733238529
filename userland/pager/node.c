/*
 * node.c - memory for the pager's maple-tree nodes (256 bytes, 256-byte aligned).
 *
 * Nodes are carved sixteen to a frame and recycled through a free list. A pool of frames is
 * set aside at start-up and grows a frame at a time when it runs dry; frames given to the pool
 * stay there, outside the free-frame count programs see, so that the count after a process
 * exits is exactly what it was before it started.
 */
#include "maple/maple_tree.h"

#include "pager.h"

#define NODE_INITIAL_FRAMES 256

struct free_node {
    struct free_node *next;
};

static struct free_node *node_free_list;
static uint64_t node_frames;

static bool node_grow(void)
{
    uint64_t pa = frame_alloc();
    if (!pa)
        return false;
    char *page = physmap(pa);
    for (unsigned i = 0; i < PAGE_SIZE / MAPLE_NODE_SIZE; i++) {
        struct free_node *n = (struct free_node *)(page + i * MAPLE_NODE_SIZE);
        n->next = node_free_list;
        node_free_list = n;
    }
    node_frames++;
    return true;
}

static void *node_alloc(void *ctx)
{
    (void)ctx;
    if (!node_free_list && !node_grow())
        return NULL;
    struct free_node *n = node_free_list;
    node_free_list = n->next;
    return n;
}

static void node_free(void *ctx, void *node)
{
    (void)ctx;
    struct free_node *n = node;
    n->next = node_free_list;
    node_free_list = n;
}

static const struct maple_alloc pager_node_alloc = {node_alloc, node_free, NULL};

void node_init(void)
{
    for (unsigned i = 0; i < NODE_INITIAL_FRAMES; i++)
        node_grow();
    mt_set_default_alloc(&pager_node_alloc);
}

uint64_t node_pool_frames(void)
{
    return node_frames;
}
