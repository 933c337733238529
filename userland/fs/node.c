/*
 * node.c - the inodes the server references: each open descriptor holds one reference, each
 * FS_PIN of the pager one more (counted apart, so that FS_UNPIN cannot drop a descriptor's).
 *
 * lib/ext2 asks node_held() (its hold function) when unlink, rmdir or rename removes the last
 * link of an inode: a referenced inode becomes an orphan, kept with 0 links and its blocks,
 * so that descriptors still read and write it and the pager's mapped pages stay valid; its
 * number cannot be reused meanwhile. When the last reference goes, ext2_release() frees it.
 */
#include <stddef.h>

#include "server.h"

struct fs_node {
    uint32_t ino; /* 0: free */
    uint32_t opens, pins;
};

static struct fs_node nodes[FS_NODES];

static struct fs_node *node_find(uint32_t ino)
{
    for (unsigned i = 0; i < FS_NODES; i++)
        if (nodes[i].ino == ino)
            return &nodes[i];
    return NULL;
}

static bool node_held(void *ctx, uint32_t ino)
{
    (void)ctx;
    return ino && node_find(ino) != NULL;
}

void node_init(void)
{
    ext2_set_hold(&fs, node_held, NULL);
}

/*
 * node_get - one more reference (a descriptor, or a pin with @pin) to inode @ino, which the
 * caller has checked is in use. Return: 0, -ENFILE (the table is full).
 */
long node_get(uint32_t ino, bool pin)
{
    struct fs_node *n = node_find(ino);
    if (!n)
        n = node_find(0);
    if (!n)
        return -FS_ENFILE;
    n->ino = ino;
    if (pin)
        n->pins++;
    else
        n->opens++;
    return 0;
}

/*
 * node_put - drop a reference taken by node_get(); at the last one, an orphan is freed.
 * Return: 0, -ENOENT (no such reference), or ext2_release()'s error (the reference is gone).
 */
long node_put(uint32_t ino, bool pin)
{
    struct fs_node *n = ino ? node_find(ino) : NULL;
    uint32_t *count = n ? (pin ? &n->pins : &n->opens) : NULL;
    if (!count || *count == 0)
        return -ENOENT;
    (*count)--;
    if (n->opens || n->pins)
        return 0;
    n->ino = 0;
    int r = ext2_release(&fs, ino);
    return r < 0 ? r : 0;
}
