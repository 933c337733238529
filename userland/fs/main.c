/*
 * main.c - the RAM-disk file server: ext2 on the in-memory image, POSIX file requests.
 *
 * The pager starts this program right after init (`/sbin/fs SIZE`), with the boot image's
 * ramdisk.img copied into fresh frames mapped read-write at FS_IMAGE_VA, and the receive side
 * of the file endpoint in slot CAP_FS_SERVER_EP. Every other program holds a send capability
 * to it badged with its pid (CAP_PROC_FS). The protocol is samara/fs.h.
 *
 * State: one descriptor table per client, found by the badge's pid. Pids are never reused, so
 * a table whose process is gone is only dead weight: when no table is free for a new client,
 * the server asks the pager which owners still live (PAGER_KILL with signal 0) and drops the
 * tables of the others. The file system itself is lib/ext2, which checks every block access
 * against the image, so a corrupt image or a malformed request gives an error, never a crash.
 *
 * Limit: a descriptor names an inode number, so a file unlinked while open elsewhere is gone
 * for that descriptor too (ext2_* then answers EBADF, or the number may be reused); the page
 * cache of issue 5 will keep such inodes alive.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <samara/fs.h>
#include <samara/user.h>

#include "ext2/ext2.h"

/* Linux numbers (lib/ext2 defines the others; picolibc's <errno.h> is not used here). */
#define FS_EACCES 13
#define FS_EMFILE 24
#define FS_EAGAIN 11
#define FS_ENOSYS 38

#define FS_CLIENTS 64 /* descriptor tables */
#define FS_FILES   32 /* descriptors per client */
#define FS_REPLY   9  /* the slot receiving reply capabilities */

struct fs_file {
    uint32_t ino; /* 0: free */
    uint32_t flags;
};

struct fs_client {
    uint32_t pid; /* 0: free */
    struct fs_file files[FS_FILES];
};

struct fs_msg {
    uint64_t tag;
    uint64_t w[4];
    struct fs_client *c;
};

struct fs_reply {
    unsigned len; /* words */
    uint64_t w[4];
};

typedef void (*fs_handler)(const struct fs_msg *m, struct fs_reply *r);

static struct ext2_fs fs;
static struct fs_client clients[FS_CLIENTS];

static char *fs_data(void)
{
    return (char *)&ipc_buffer()->words[IPC_REG_WORDS];
}

/* Bytes of words 4.. the request brought. */
static size_t fs_data_len(const struct fs_msg *m)
{
    unsigned n = IPC_TAG_LEN(m->tag);
    return n > IPC_REG_WORDS ? (n - IPC_REG_WORDS) * 8 : 0;
}

static void fs_error(struct fs_reply *r, long err)
{
    r->len = 1;
    r->w[0] = (uint64_t)err;
}

/* ---- clients ---------------------------------------------------------------------------- */

/* The table of pid, made on first use. Return: it, or NULL when every table is taken. */
static struct fs_client *fs_client_lookup(uint32_t pid)
{
    struct fs_client *free_one = NULL;
    for (unsigned i = 0; i < FS_CLIENTS; i++) {
        if (clients[i].pid == pid)
            return &clients[i];
        if (!clients[i].pid && !free_one)
            free_one = &clients[i];
    }
    if (!free_one) {
        /* Drop the tables of processes that have ended (pids are not reused). */
        for (unsigned i = 0; i < FS_CLIENTS; i++)
            if (pager_kill(clients[i].pid, 0) == -SAMARA_ESRCH) {
                memset(&clients[i], 0, sizeof(clients[i]));
                free_one = free_one ? free_one : &clients[i];
            }
    }
    if (free_one)
        free_one->pid = pid;
    return free_one;
}

static struct fs_file *fs_fd(const struct fs_msg *m, uint64_t fd)
{
    if (fd >= FS_FILES || !m->c->files[fd].ino)
        return NULL;
    return &m->c->files[fd];
}

/* ---- paths ------------------------------------------------------------------------------ */

/*
 * The path of a request: w0 bytes (the NUL included) from words 4.., copied into buf.
 * Return: 0, -EINVAL (missing, not NUL-terminated where said, or not absolute).
 */
static long fs_path(const struct fs_msg *m, char *buf, size_t bytes)
{
    if (bytes == 0 || bytes > fs_data_len(m) || bytes > FS_DATA_MAX)
        return -EINVAL;
    memcpy(buf, fs_data(), bytes);
    if (buf[bytes - 1] != 0 || strlen(buf) != bytes - 1 || buf[0] != '/')
        return -EINVAL;
    return 0;
}

/*
 * Split path into its parent directory (resolved into *dir) and last component, copied to
 * name. Trailing slashes are ignored. Return: 0, -EINVAL (the root itself), -ENAMETOOLONG and
 * ext2_lookup's errors for the parent.
 */
static long fs_parent(char *path, uint32_t *dir, char *name)
{
    size_t n = strlen(path);
    while (n > 1 && path[n - 1] == '/')
        path[--n] = 0;
    char *slash = strrchr(path, '/');
    size_t len = strlen(slash + 1);
    if (len == 0)
        return -EINVAL;
    if (len > EXT2_NAME_MAX)
        return -ENAMETOOLONG;
    memcpy(name, slash + 1, len + 1);
    if (slash == path)
        return ext2_lookup(&fs, "/", dir);
    *slash = 0;
    long err = ext2_lookup(&fs, path, dir);
    *slash = '/';
    return err;
}

/* ---- requests --------------------------------------------------------------------------- */

static void fs_open(const struct fs_msg *m, struct fs_reply *r)
{
    char path[FS_DATA_MAX], name[EXT2_NAME_MAX + 1];
    uint32_t flags = (uint32_t)m->w[1], acc = flags & FS_O_ACCMODE, ino = 0;
    long err = fs_path(m, path, m->w[0]);
    if (!err && acc == 3)
        err = -EINVAL;
    unsigned fd = 0;
    while (!err && fd < FS_FILES && m->c->files[fd].ino)
        fd++;
    if (!err && fd == FS_FILES)
        err = -FS_EMFILE;
    if (!err)
        err = ext2_lookup(&fs, path, &ino);
    if (err == -ENOENT && (flags & FS_O_CREAT)) {
        uint32_t dir;
        err = fs_parent(path, &dir, name);
        if (!err)
            err = ext2_create(&fs, dir, name, (uint32_t)m->w[2] & 07777, &ino);
    } else if (!err && (flags & (FS_O_CREAT | FS_O_EXCL)) == (FS_O_CREAT | FS_O_EXCL)) {
        err = -EEXIST;
    }
    struct ext2_stat st = {0};
    bool trunc = false;
    if (!err)
        err = ext2_stat(&fs, ino, &st);
    if (!err) {
        bool is_dir = (st.mode & EXT2_S_IFMT) == EXT2_S_IFDIR;
        if (is_dir && acc != FS_O_RDONLY)
            err = -EISDIR;
        else if (!is_dir && (flags & FS_O_DIRECTORY))
            err = -ENOTDIR;
        else if (!is_dir && (flags & FS_O_TRUNC) && acc != FS_O_RDONLY && st.size) {
            err = ext2_truncate(&fs, ino, 0);
            trunc = true;
        }
    }
    if (err) {
        fs_error(r, err);
        return;
    }
    m->c->files[fd] = (struct fs_file){ino, flags};
    *r = (struct fs_reply){3, {fd, st.mode, trunc ? 0 : st.size}};
}

static void fs_close(const struct fs_msg *m, struct fs_reply *r)
{
    struct fs_file *f = fs_fd(m, m->w[0]);
    if (f)
        f->ino = 0;
    fs_error(r, f ? 0 : -EBADF);
}

static void fs_read(const struct fs_msg *m, struct fs_reply *r)
{
    struct fs_file *f = fs_fd(m, m->w[0]);
    size_t len = m->w[2] < FS_DATA_MAX ? m->w[2] : FS_DATA_MAX;
    if (!f || (f->flags & FS_O_ACCMODE) == FS_O_WRONLY) {
        fs_error(r, -EBADF);
        return;
    }
    int64_t n = ext2_read(&fs, f->ino, m->w[1], fs_data(), len);
    fs_error(r, n);
    if (n > 0)
        r->len = IPC_REG_WORDS + (unsigned)((n + 7) / 8);
}

static void fs_write(const struct fs_msg *m, struct fs_reply *r)
{
    struct fs_file *f = fs_fd(m, m->w[0]);
    uint64_t off = m->w[1], len = m->w[2];
    struct ext2_stat st;
    if (!f) {
        fs_error(r, -EBADF);
        return;
    }
    if ((f->flags & FS_O_ACCMODE) == FS_O_RDONLY) {
        fs_error(r, -FS_EACCES);
        return;
    }
    if (len > FS_DATA_MAX || len > fs_data_len(m)) {
        fs_error(r, -EINVAL);
        return;
    }
    if (f->flags & FS_O_APPEND) {
        long err = ext2_stat(&fs, f->ino, &st);
        if (err) {
            fs_error(r, err);
            return;
        }
        off = st.size;
    }
    int64_t n = len ? ext2_write(&fs, f->ino, off, fs_data(), len) : 0;
    *r = (struct fs_reply){2, {(uint64_t)n, n > 0 ? off + (uint64_t)n : off}};
}

static void fs_stat_reply(uint32_t ino, struct fs_reply *r)
{
    struct ext2_stat st;
    long err = ext2_stat(&fs, ino, &st);
    if (err) {
        fs_error(r, err);
        return;
    }
    uint64_t *w = ipc_buffer()->words;
    w[4] = st.blocks;
    w[5] = st.atime;
    w[6] = st.mtime;
    w[7] = st.ctime;
    *r = (struct fs_reply){8, {0, st.mode | (uint64_t)st.links << 32, st.size, st.ino}};
}

static void fs_fstat(const struct fs_msg *m, struct fs_reply *r)
{
    struct fs_file *f = fs_fd(m, m->w[0]);
    if (!f)
        fs_error(r, -EBADF);
    else
        fs_stat_reply(f->ino, r);
}

static void fs_stat(const struct fs_msg *m, struct fs_reply *r)
{
    char path[FS_DATA_MAX];
    uint32_t ino = 0;
    long err = fs_path(m, path, m->w[0]);
    if (!err)
        err = ext2_lookup(&fs, path, &ino);
    if (err)
        fs_error(r, err);
    else
        fs_stat_reply(ino, r);
}

static void fs_ftruncate(const struct fs_msg *m, struct fs_reply *r)
{
    struct fs_file *f = fs_fd(m, m->w[0]);
    if (!f)
        fs_error(r, -EBADF);
    else if ((f->flags & FS_O_ACCMODE) == FS_O_RDONLY)
        fs_error(r, -FS_EACCES);
    else
        fs_error(r, ext2_truncate(&fs, f->ino, m->w[1]));
}

/* unlink, mkdir, rmdir: a path split into its directory and name, then one ext2 call. */
static void fs_name_op(const struct fs_msg *m, struct fs_reply *r, unsigned label)
{
    char path[FS_DATA_MAX], name[EXT2_NAME_MAX + 1];
    uint32_t dir = 0, ino;
    long err = fs_path(m, path, m->w[0]);
    if (!err)
        err = fs_parent(path, &dir, name);
    if (!err && label == FS_UNLINK)
        err = ext2_unlink(&fs, dir, name);
    else if (!err && label == FS_MKDIR)
        err = ext2_mkdir(&fs, dir, name, (uint32_t)m->w[1] & 07777, &ino);
    else if (!err)
        err = ext2_rmdir(&fs, dir, name);
    fs_error(r, err);
}

static void fs_unlink(const struct fs_msg *m, struct fs_reply *r)
{
    fs_name_op(m, r, FS_UNLINK);
}

static void fs_mkdir(const struct fs_msg *m, struct fs_reply *r)
{
    fs_name_op(m, r, FS_MKDIR);
}

static void fs_rmdir(const struct fs_msg *m, struct fs_reply *r)
{
    fs_name_op(m, r, FS_RMDIR);
}

static void fs_rename(const struct fs_msg *m, struct fs_reply *r)
{
    char buf[FS_DATA_MAX], old_name[EXT2_NAME_MAX + 1], new_name[EXT2_NAME_MAX + 1];
    size_t bytes = m->w[0];
    uint32_t old_dir = 0, new_dir = 0;
    if (bytes < 4 || bytes > fs_data_len(m) || bytes > FS_DATA_MAX) {
        fs_error(r, -EINVAL);
        return;
    }
    memcpy(buf, fs_data(), bytes);
    char *old_path = buf, *new_path = buf + strnlen(buf, bytes) + 1;
    if (new_path >= buf + bytes || buf[bytes - 1] != 0 ||
        strlen(new_path) + 1 != (size_t)(buf + bytes - new_path) || old_path[0] != '/' ||
        new_path[0] != '/') {
        fs_error(r, -EINVAL);
        return;
    }
    long err = fs_parent(old_path, &old_dir, old_name);
    if (!err)
        err = fs_parent(new_path, &new_dir, new_name);
    if (!err)
        err = ext2_rename(&fs, old_dir, old_name, new_dir, new_name);
    fs_error(r, err);
}

static void fs_getdents(const struct fs_msg *m, struct fs_reply *r)
{
    struct fs_file *f = fs_fd(m, m->w[0]);
    struct ext2_dirent d;
    uint64_t cookie = m->w[1];
    if (!f) {
        fs_error(r, -EBADF);
        return;
    }
    int n = ext2_readdir(&fs, f->ino, &cookie, &d);
    if (n <= 0) {
        fs_error(r, n);
        return;
    }
    memcpy(fs_data(), d.name, (size_t)d.name_len + 1);
    *r = (struct fs_reply){IPC_REG_WORDS + (unsigned)(d.name_len + 8) / 8,
                           {1, cookie, d.ino, d.type}};
}

static const struct {
    uint64_t label;
    fs_handler fn;
    const char *name;
} handlers[] = {
    {FS_OPEN, fs_open, "open"},
    {FS_CLOSE, fs_close, "close"},
    {FS_READ, fs_read, "read"},
    {FS_WRITE, fs_write, "write"},
    {FS_FSTAT, fs_fstat, "fstat"},
    {FS_STAT, fs_stat, "stat"},
    {FS_FTRUNCATE, fs_ftruncate, "ftruncate"},
    {FS_UNLINK, fs_unlink, "unlink"},
    {FS_MKDIR, fs_mkdir, "mkdir"},
    {FS_RMDIR, fs_rmdir, "rmdir"},
    {FS_RENAME, fs_rename, "rename"},
    {FS_GETDENTS, fs_getdents, "getdents"},
};

int main(int argc, char **argv)
{
    const char *why = NULL;
    size_t size = argc > 1 ? strtoul(argv[1], NULL, 0) : 0;
    long err = ext2_mount(&fs, (void *)FS_IMAGE_VA, size, &why);
    if (err) {
        /* Keep serving: every request gets the mount error. */
        printf("fs: cannot mount the RAM disk: %s (%ld)\n", why ? why : "?", err);
    }
    struct ipc_msg in = ipc_recv(CAP_FS_SERVER_EP, FS_REPLY);
    for (;;) {
        struct fs_reply r = {1, {(uint64_t)-FS_ENOSYS}};
        struct fs_msg m = {in.tag, {in.w[0], in.w[1], in.w[2], in.w[3]}, NULL};
        uint64_t label = IPC_TAG_LABEL(in.tag);
        if (in.err) {
            in = ipc_recv(CAP_FS_SERVER_EP, FS_REPLY);
            continue;
        }
        m.c = (uint32_t)in.badge ? fs_client_lookup((uint32_t)in.badge) : NULL;
        if (err)
            fs_error(&r, err);
        else if (!m.c)
            fs_error(&r, -FS_EAGAIN);
        else
            for (unsigned i = 0; i < sizeof(handlers) / sizeof(handlers[0]); i++)
                if (handlers[i].label == label)
                    handlers[i].fn(&m, &r);
        in = ipc_reply_recv(CAP_FS_SERVER_EP, IPC_TAG(0, r.len), r.w[0], r.w[1], r.w[2], r.w[3],
                            FS_REPLY);
    }
}
