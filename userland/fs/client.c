/*
 * client.c - descriptor tables: one per client process (found by the pid in the badge), whose
 * descriptors index a server-wide table of open files (inode, open flags, the path it was
 * opened by, for FS_FDINFO).
 *
 * Pids are never reused; the pager sends FS_EXIT when a process ends, which closes its
 * descriptors and frees its table. The server never asks the pager whether a client lives
 * (the pager calls the server synchronously: a call back would deadlock).
 */
#include <string.h>

#include "server.h"

static struct fs_client clients[FS_CLIENTS];
static struct fs_open opens[FS_OPENS];

/* The table of @pid (made when @make and there is none). Return: it, or NULL. */
struct fs_client *client_lookup(uint32_t pid, bool make)
{
    struct fs_client *free_one = NULL;
    if (pid == 0)
        return NULL;
    for (unsigned i = 0; i < FS_CLIENTS; i++) {
        if (clients[i].pid == pid)
            return &clients[i];
        if (!clients[i].pid && !free_one)
            free_one = &clients[i];
    }
    if (free_one && make) {
        memset(free_one, 0, sizeof(*free_one));
        free_one->pid = pid;
        return free_one;
    }
    return NULL;
}

/*
 * client_fd_alloc - the lowest free descriptor of @c for @ino (in use: checked by the caller),
 * referencing it. Return: the descriptor, -EMFILE, -ENFILE.
 */
long client_fd_alloc(struct fs_client *c, uint32_t ino, uint32_t flags, const char *path)
{
    unsigned fd = 0, o = 0;
    while (fd < FS_FILES && c->files[fd])
        fd++;
    if (fd == FS_FILES)
        return -FS_EMFILE;
    while (o < FS_OPENS && opens[o].ino)
        o++;
    if (o == FS_OPENS)
        return -FS_ENFILE;
    long err = node_get(ino, false);
    if (err)
        return err;
    opens[o].ino = ino;
    opens[o].flags = flags;
    opens[o].refs = 1;
    opens[o].offset = 0;
    size_t n = strnlen(path, sizeof(opens[o].path) - 1);
    memcpy(opens[o].path, path, n);
    opens[o].path[n] = 0;
    c->files[fd] = (uint16_t)(o + 1);
    return fd;
}

/* The open file of descriptor @fd of @c (NULL-safe). Return: it, or NULL. */
struct fs_open *client_fd(struct fs_client *c, uint64_t fd)
{
    if (!c || fd >= FS_FILES || !c->files[fd])
        return NULL;
    return &opens[c->files[fd] - 1];
}

/* Close descriptor @fd of @c. Return: 0, -EBADF. */
long client_fd_close(struct fs_client *c, uint64_t fd)
{
    struct fs_open *o = client_fd(c, fd);
    if (!o)
        return -EBADF;
    c->files[fd] = 0;
    if (--o->refs)
        return 0; /* another process's descriptor names it too */
    uint32_t ino = o->ino;
    o->ino = 0;
    node_put(ino, false); /* an orphan's release error: nothing the closer can do */
    return 0;
}

/* The process @pid is gone: close its descriptors, free its table. */
void client_exit(uint32_t pid)
{
    struct fs_client *c = client_lookup(pid, false);
    if (!c)
        return;
    for (unsigned fd = 0; fd < FS_FILES; fd++)
        client_fd_close(c, fd);
    c->pid = 0;
}

/*
 * client_fork - the process @child is a fork of @parent: it gets a copy of its descriptors,
 * naming the same open files (offsets shared, as POSIX's open file descriptions).
 * Return: 0; -ENOENT (@parent has no table: nothing to copy); -ENOMEM, -ENFILE (tables full:
 * the child's is dropped).
 */
long client_fork(uint32_t parent, uint32_t child)
{
    struct fs_client *p = client_lookup(parent, false);
    if (!p)
        return -ENOENT;
    struct fs_client *c = client_lookup(child, true);
    if (!c)
        return -FS_ENOMEM;
    /* The same open files: POSIX shares the offset (and status flags) across fork. */
    for (unsigned fd = 0; fd < FS_FILES; fd++) {
        struct fs_open *o = client_fd(p, fd);
        if (!o)
            continue;
        c->files[fd] = p->files[fd];
        o->refs++;
    }
    return 0;
}
