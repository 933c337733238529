/*
 * host_alloc.c - see host_alloc.h.
 */
#include "host_alloc.h"

#include <stdlib.h>

static long fail_countdown = -1;
static unsigned long allocations;
static long live;

static void *node_alloc(void *ctx)
{
    void *node;

    (void)ctx;
    if (fail_countdown == 0)
        return NULL;
    if (fail_countdown > 0)
        fail_countdown--;
    node = aligned_alloc(MAPLE_NODE_SIZE, MAPLE_NODE_SIZE);
    if (node) {
        allocations++;
        live++;
    }
    return node;
}

static void node_free(void *ctx, void *node)
{
    (void)ctx;
    live--;
    free(node);
}

const struct maple_alloc host_alloc = {.alloc_node = node_alloc, .free_node = node_free};

void host_alloc_install(void)
{
    mt_set_default_alloc(&host_alloc);
}

void host_alloc_fail_after(long n)
{
    fail_countdown = n;
}

unsigned long host_alloc_count(void)
{
    return allocations;
}

long host_alloc_live(void)
{
    return live;
}
