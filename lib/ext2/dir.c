/*
 * dir.c - directories: the record chains inside directory blocks, names and paths, and the
 * calls that add, remove and move names (create, mkdir, unlink, rmdir, rename, readdir).
 *
 * A directory block is a chain of records that covers the block exactly:
 *
 *   +0 inode (32) | +4 rec_len (16) | +6 name_len (8) | +7 file type (8) | +8 name, padded to 4
 *
 * A record's rec_len may exceed what its name needs; the slack is where new names go (the
 * record is split). Removing a name merges its record into the one before it, or clears the
 * inode number of the first record of a block, as Linux's ext2 does. Every record is checked
 * as Linux's ext2_check_page() does before it is used: rec_len at least 12, a multiple of 4,
 * large enough for the name and inside the block.
 */
#include "ext2/ext2_impl.h"

#define DIRENT_HDR    8
#define REC_LEN(nlen) ((DIRENT_HDR + (uint32_t)(nlen) + 3) & ~3u)
#define NO_PREV       UINT32_MAX
#define MAX_DIR_DEPTH 65536 /* bound on ".." walks (a corrupt tree may loop) */
#define EXT2_LINK_MAX 32000 /* as Linux: at most this many subdirectories per directory */

/* Where a record is: its block, its offset and the offset of the record before it. */
struct dloc {
    uint8_t *blk;
    uint32_t off, prev;
};

static uint32_t rec_name_len(const struct ext2_fs *fs, const uint8_t *rec)
{
    return fs->filetype ? rec[6] : get16(rec + 6);
}

/* Check the record at @off of a block; return its rec_len, or 0 if it is malformed. */
static uint32_t rec_check(const struct ext2_fs *fs, const uint8_t *blk, uint32_t off)
{
    uint32_t rec, nlen;

    if (off > fs->block_size - DIRENT_HDR)
        return 0;
    rec = get16(blk + off + 4);
    nlen = rec_name_len(fs, blk + off);
    if (rec < 12 || rec % 4 || rec > fs->block_size - off || nlen > EXT2_NAME_MAX ||
        rec < REC_LEN(nlen))
        return 0;
    return rec;
}

static uint8_t file_type(const struct ext2_fs *fs, uint32_t mode)
{
    if (!fs->filetype)
        return EXT2_FT_UNKNOWN;
    switch (mode & EXT2_S_IFMT) {
    case EXT2_S_IFREG:
        return EXT2_FT_REG;
    case EXT2_S_IFDIR:
        return EXT2_FT_DIR;
    case EXT2_S_IFLNK:
        return EXT2_FT_SYMLINK;
    default:
        return EXT2_FT_UNKNOWN;
    }
}

static void rec_fill(const struct ext2_fs *fs, uint8_t *rec, uint32_t ino, uint32_t rec_len,
                     const char *name, size_t len, uint8_t type)
{
    put32(rec, ino);
    put16(rec + 4, rec_len);
    if (fs->filetype) {
        rec[6] = (uint8_t)len;
        rec[7] = type;
    } else {
        put16(rec + 6, (uint32_t)len);
    }
    memcpy(rec + DIRENT_HDR, name, len);
    /* Zero the padding after the name. */
    memset(rec + DIRENT_HDR + len, 0, REC_LEN(len) - DIRENT_HDR - len);
}

/* A directory inode: in use, a directory, a whole number of blocks no larger than the disk. */
static int dir_inode(struct ext2_fs *fs, uint32_t ino, uint8_t **inode)
{
    int r = ext2_inode_get(fs, ino, inode);
    uint64_t size;

    if (r)
        return r;
    if (!i_isdir(*inode))
        return -ENOTDIR;
    size = ext2_i_size(*inode);
    if (size % fs->block_size || size / fs->block_size > fs->blocks_count)
        return -EUCLEAN;
    return 0;
}

static int dir_block(struct ext2_fs *fs, uint8_t *inode, uint64_t index, uint8_t **blk)
{
    uint32_t b;
    int r = ext2_bmap(fs, inode, index, false, &b);

    if (r)
        return r == -EFBIG ? -EUCLEAN : r;
    *blk = ext2_block(fs, b);
    return *blk ? 0 : -EUCLEAN; /* a hole in a directory is corruption */
}

/* Find @name in the directory @inode. Return: 0 with *@loc set, -ENOENT, -EUCLEAN. */
static int dir_find(struct ext2_fs *fs, uint8_t *inode, const char *name, size_t len,
                    struct dloc *loc)
{
    uint64_t nblocks = ext2_i_size(inode) / fs->block_size, i;

    for (i = 0; i < nblocks; i++) {
        uint32_t off = 0, prev = NO_PREV, rec;
        uint8_t *blk;
        int r = dir_block(fs, inode, i, &blk);

        if (r)
            return r;
        while (off < fs->block_size) {
            rec = rec_check(fs, blk, off);
            if (!rec)
                return -EUCLEAN;
            if (get32(blk + off) != 0 && rec_name_len(fs, blk + off) == len &&
                memcmp(blk + off + DIRENT_HDR, name, len) == 0) {
                loc->blk = blk;
                loc->off = off;
                loc->prev = prev;
                return 0;
            }
            prev = off;
            off += rec;
        }
    }
    return -ENOENT;
}

/* The inode number a record names, checked against the inode count. */
static int rec_ino(const struct ext2_fs *fs, const struct dloc *loc, uint32_t *ino)
{
    uint32_t n = get32(loc->blk + loc->off);

    if (n == 0 || n > fs->inodes_count)
        return -EUCLEAN;
    *ino = n;
    return 0;
}

/* strlen() that stops past EXT2_NAME_MAX (longer names are refused anyway). */
static size_t name_len(const char *name)
{
    size_t n = 0;

    while (n <= EXT2_NAME_MAX && name[n])
        n++;
    return n;
}

static int check_name(const char *name, size_t len)
{
    if (len == 0)
        return -EINVAL;
    if (len > EXT2_NAME_MAX)
        return -ENAMETOOLONG;
    for (size_t i = 0; i < len; i++)
        if (name[i] == '/')
            return -EINVAL;
    return 0;
}

static bool is_dot(const char *name, size_t len)
{
    return (len == 1 && name[0] == '.') || (len == 2 && name[0] == '.' && name[1] == '.');
}

int ext2_lookup_at(struct ext2_fs *fs, uint32_t dir, const char *name, size_t len, uint32_t *ino)
{
    uint8_t *inode;
    struct dloc loc;
    int r = check_name(name, len);

    if (r)
        return r;
    r = dir_inode(fs, dir, &inode);
    if (r)
        return r;
    r = dir_find(fs, inode, name, len, &loc);
    if (r)
        return r;
    return rec_ino(fs, &loc, ino);
}

int ext2_lookup(struct ext2_fs *fs, const char *path, uint32_t *ino)
{
    uint32_t cur = EXT2_ROOT_INO;
    size_t i = 0, total = strlen(path);
    uint8_t *inode;
    int r;

    if (path[0] != '/')
        return -EINVAL;
    if (total >= EXT2_PATH_MAX)
        return -ENAMETOOLONG;
    r = dir_inode(fs, cur, &inode);
    if (r)
        return r == -ENOTDIR ? -EUCLEAN : r;
    for (;;) {
        size_t len = 0;

        while (path[i] == '/')
            i++;
        if (path[i] == '\0')
            break;
        while (path[i + len] != '/' && path[i + len] != '\0')
            len++;
        /* Every component is looked up in a directory, "." included ("/file/." fails). */
        r = ext2_lookup_at(fs, cur, path + i, len, &cur);
        if (r)
            return r;
        i += len;
        if (path[i] == '/') {
            r = ext2_inode_get(fs, cur, &inode);
            if (r)
                return r == -EBADF ? -EUCLEAN : r;
            if (!i_isdir(inode))
                return -ENOTDIR;
        }
    }
    *ino = cur;
    return 0;
}

/*
 * Add the record (@name -> @ino) to the directory @dir_ino: into the slack of a record, or an
 * unused record, or a new block at the end. Return: 0, -ENOSPC (nothing changed), -EFBIG,
 * -EUCLEAN.
 */
static int dir_add(struct ext2_fs *fs, uint8_t *dinode, const char *name, size_t len, uint32_t ino,
                   uint8_t type)
{
    uint64_t nblocks = ext2_i_size(dinode) / fs->block_size, i;
    uint32_t need = REC_LEN(len), b;
    uint8_t *blk;
    int r;

    for (i = 0; i < nblocks; i++) {
        uint32_t off = 0, rec;

        r = dir_block(fs, dinode, i, &blk);
        if (r)
            return r;
        while (off < fs->block_size) {
            uint32_t used;

            rec = rec_check(fs, blk, off);
            if (!rec)
                return -EUCLEAN;
            used = get32(blk + off) ? REC_LEN(rec_name_len(fs, blk + off)) : 0;
            if (rec - used >= need) {
                if (used) {
                    put16(blk + off + 4, used);
                    off += used;
                }
                rec_fill(fs, blk + off, ino, rec - used, name, len, type);
                goto added;
            }
            off += rec;
        }
    }
    r = ext2_bmap(fs, dinode, nblocks, true, &b);
    if (r)
        return r;
    blk = ext2_block(fs, b);
    if (!blk)
        return -EUCLEAN;
    rec_fill(fs, blk, ino, fs->block_size, name, len, type);
    ext2_i_set_size(fs, dinode, (nblocks + 1) * fs->block_size);
added:
    put32(dinode + I_FLAGS, get32(dinode + I_FLAGS) & ~INDEX_FL);
    ext2_i_touch(fs, dinode, true);
    return 0;
}

/* Remove the record at @loc from directory @dinode. */
static void dir_remove(struct ext2_fs *fs, uint8_t *dinode, const struct dloc *loc)
{
    if (loc->prev == NO_PREV) {
        put32(loc->blk + loc->off, 0);
    } else {
        uint8_t *prev = loc->blk + loc->prev;

        put16(prev + 4, get16(prev + 4) + get16(loc->blk + loc->off + 4));
    }
    put32(dinode + I_FLAGS, get32(dinode + I_FLAGS) & ~INDEX_FL);
    ext2_i_touch(fs, dinode, true);
}

/* Whether directory @inode holds nothing but "." and "..". Return: 1, 0, -EUCLEAN. */
static int dir_empty(struct ext2_fs *fs, uint8_t *inode)
{
    uint64_t nblocks = ext2_i_size(inode) / fs->block_size, i;

    for (i = 0; i < nblocks; i++) {
        uint32_t off = 0, rec;
        uint8_t *blk;
        int r = dir_block(fs, inode, i, &blk);

        if (r)
            return r;
        while (off < fs->block_size) {
            rec = rec_check(fs, blk, off);
            if (!rec)
                return -EUCLEAN;
            if (get32(blk + off) &&
                !is_dot((const char *)blk + off + DIRENT_HDR, rec_name_len(fs, blk + off)))
                return 0;
            off += rec;
        }
    }
    return 1;
}

static void links_add(uint8_t *inode, int delta)
{
    put16(inode + I_LINKS, (uint32_t)(get16(inode + I_LINKS) + delta) & 0xffffu);
}

int ext2_readdir(struct ext2_fs *fs, uint32_t dir, uint64_t *cookie, struct ext2_dirent *out)
{
    uint8_t *inode;
    uint64_t nblocks, i;
    int r = dir_inode(fs, dir, &inode);

    if (r)
        return r;
    if (get16(inode + I_LINKS) == 0)
        return 0; /* a removed directory still open: empty, as on Linux */
    nblocks = ext2_i_size(inode) / fs->block_size;
    for (i = *cookie / fs->block_size; i < nblocks; i++) {
        uint32_t off = 0, rec, skip = i == *cookie / fs->block_size ? *cookie % fs->block_size : 0;
        uint8_t *blk;

        r = dir_block(fs, inode, i, &blk);
        if (r)
            return r;
        /* Walk from the block's start, so a cookie inside a record (the directory changed
         * since) resumes at the next whole record. */
        while (off < fs->block_size) {
            rec = rec_check(fs, blk, off);
            if (!rec)
                return -EUCLEAN;
            if (off >= skip && get32(blk + off)) {
                uint32_t n = get32(blk + off), nlen = rec_name_len(fs, blk + off);

                if (n > fs->inodes_count)
                    return -EUCLEAN;
                out->ino = n;
                out->type = fs->filetype ? blk[off + 7] : EXT2_FT_UNKNOWN;
                out->name_len = (uint8_t)nlen;
                memcpy(out->name, blk + off + DIRENT_HDR, nlen);
                out->name[nlen] = '\0';
                *cookie = i * fs->block_size + off + rec;
                return 1;
            }
            off += rec;
        }
    }
    *cookie = nblocks * fs->block_size;
    return 0;
}

/* Checks shared by create and mkdir: a directory, a valid name not already there. */
static int new_name_ok(struct ext2_fs *fs, uint32_t dir, const char *name, uint8_t **dinode)
{
    size_t len = name_len(name);
    struct dloc loc;
    int r = check_name(name, len);

    if (r)
        return r;
    r = dir_inode(fs, dir, dinode);
    if (r)
        return r;
    if (get16(*dinode + I_LINKS) == 0)
        return -ENOENT; /* a removed directory takes no names (Linux) */
    if (is_dot(name, len))
        return -EEXIST;
    r = dir_find(fs, *dinode, name, len, &loc);
    return r == 0 ? -EEXIST : r == -ENOENT ? 0 : r;
}

int ext2_create(struct ext2_fs *fs, uint32_t dir, const char *name, uint32_t mode, uint32_t *ino)
{
    uint8_t *dinode, *inode;
    uint32_t n;
    int r = new_name_ok(fs, dir, name, &dinode);

    if (r)
        return r;
    r = ext2_ialloc(fs, dir, false, &n);
    if (r)
        return r;
    r = ext2_inode_raw(fs, n, &inode);
    if (r == 0) {
        ext2_init_inode(fs, inode, EXT2_S_IFREG | (mode & 07777), 1);
        r = dir_add(fs, dinode, name, strlen(name), n, file_type(fs, EXT2_S_IFREG));
        if (r)
            put16(inode + I_LINKS, 0);
    }
    if (r) {
        ext2_ifree(fs, n, false);
        return r;
    }
    *ino = n;
    return 0;
}

int ext2_mkdir(struct ext2_fs *fs, uint32_t dir, const char *name, uint32_t mode, uint32_t *ino)
{
    uint8_t *dinode, *inode, *blk;
    uint32_t n, b = 0;
    int r = new_name_ok(fs, dir, name, &dinode);

    if (r)
        return r;
    if (get16(dinode + I_LINKS) >= EXT2_LINK_MAX)
        return -ENOSPC; /* the link limit (Linux says EMLINK; ENOSPC is in our set) */
    r = ext2_ialloc(fs, dir, true, &n);
    if (r)
        return r;
    r = ext2_inode_raw(fs, n, &inode);
    if (r == 0)
        r = ext2_balloc(fs, get32(dinode + I_BLOCK), &b);
    if (r == 0) {
        ext2_init_inode(fs, inode, EXT2_S_IFDIR | (mode & 07777), 2);
        put32(inode + I_BLOCK, b);
        ext2_i_add_blocks(fs, inode, 1);
        ext2_i_set_size(fs, inode, fs->block_size);
        blk = ext2_block(fs, b);
        rec_fill(fs, blk, n, 12, ".", 1, file_type(fs, EXT2_S_IFDIR));
        rec_fill(fs, blk + 12, dir, fs->block_size - 12, "..", 2, file_type(fs, EXT2_S_IFDIR));
        r = dir_add(fs, dinode, name, strlen(name), n, file_type(fs, EXT2_S_IFDIR));
        if (r) {
            put16(inode + I_LINKS, 0);
            ext2_bfree(fs, b);
        }
    }
    if (r) {
        ext2_ifree(fs, n, true);
        return r;
    }
    links_add(dinode, 1);
    *ino = n;
    return 0;
}

/*
 * Drop one link of inode @ino (a file or, with @dir, an emptied directory: all links). The
 * last link of an inode the caller holds leaves an orphan: 0 links, blocks kept, freed by
 * ext2_release().
 */
static int drop_link(struct ext2_fs *fs, uint32_t ino, uint8_t *inode, bool dir)
{
    if ((dir || get16(inode + I_LINKS) <= 1) && ext2_held(fs, ino)) {
        put16(inode + I_LINKS, 0);
        ext2_i_touch(fs, inode, false);
        return 0;
    }
    if (dir || get16(inode + I_LINKS) <= 1)
        return ext2_inode_release(fs, ino, inode);
    links_add(inode, -1);
    ext2_i_touch(fs, inode, false);
    return 0;
}

/* Find @name in @dir for removal: its record and its inode. */
static int find_victim(struct ext2_fs *fs, uint32_t dir, const char *name, uint8_t **dinode,
                       struct dloc *loc, uint32_t *ino, uint8_t **inode)
{
    size_t len = name_len(name);
    int r = check_name(name, len);

    if (r)
        return r;
    r = dir_inode(fs, dir, dinode);
    if (r)
        return r;
    if (is_dot(name, len))
        return -EINVAL;
    r = dir_find(fs, *dinode, name, len, loc);
    if (!r)
        r = rec_ino(fs, loc, ino);
    if (!r)
        r = ext2_inode_get(fs, *ino, inode);
    return r == -EBADF ? -EUCLEAN : r;
}

int ext2_unlink(struct ext2_fs *fs, uint32_t dir, const char *name)
{
    uint8_t *dinode, *inode;
    struct dloc loc;
    uint32_t ino;
    int r = find_victim(fs, dir, name, &dinode, &loc, &ino, &inode);

    if (r)
        return r;
    if (i_isdir(inode))
        return -EISDIR;
    dir_remove(fs, dinode, &loc);
    return drop_link(fs, ino, inode, false);
}

int ext2_rmdir(struct ext2_fs *fs, uint32_t dir, const char *name)
{
    uint8_t *dinode, *inode;
    struct dloc loc;
    uint32_t ino;
    int r = find_victim(fs, dir, name, &dinode, &loc, &ino, &inode);

    if (r)
        return r;
    if (!i_isdir(inode))
        return -ENOTDIR;
    r = dir_empty(fs, inode);
    if (r <= 0)
        return r == 0 ? -ENOTEMPTY : r;
    dir_remove(fs, dinode, &loc);
    links_add(dinode, -1);
    return drop_link(fs, ino, inode, true);
}

/* Whether directory @ino is @anc or below it (walking ".." up to the root). */
static int is_under(struct ext2_fs *fs, uint32_t ino, uint32_t anc)
{
    uint32_t steps;

    for (steps = 0; steps < MAX_DIR_DEPTH; steps++) {
        uint8_t *inode;
        struct dloc loc;
        int r;

        if (ino == anc)
            return 1;
        if (ino == EXT2_ROOT_INO)
            return 0;
        r = dir_inode(fs, ino, &inode);
        if (!r)
            r = dir_find(fs, inode, "..", 2, &loc);
        if (!r)
            r = rec_ino(fs, &loc, &ino);
        if (r)
            return r == -ENOENT || r == -EBADF || r == -ENOTDIR ? -EUCLEAN : r;
    }
    return -EUCLEAN;
}

int ext2_rename(struct ext2_fs *fs, uint32_t old_dir, const char *old_name, uint32_t new_dir,
                const char *new_name)
{
    size_t nlen = name_len(new_name);
    uint8_t *odinode, *ndinode, *inode, *tinode = NULL;
    struct dloc loc, tloc;
    uint32_t ino, tino = 0;
    bool dir;
    int r = find_victim(fs, old_dir, old_name, &odinode, &loc, &ino, &inode);

    if (r)
        return r;
    r = check_name(new_name, nlen);
    if (!r)
        r = dir_inode(fs, new_dir, &ndinode);
    if (r)
        return r;
    if (is_dot(new_name, nlen))
        return -EINVAL;
    dir = i_isdir(inode);
    /* A directory cannot move below itself (checked first, as Linux does). */
    if (dir && new_dir != old_dir) {
        r = is_under(fs, new_dir, ino);
        if (r)
            return r > 0 ? -EINVAL : r;
    }
    r = dir_find(fs, ndinode, new_name, nlen, &tloc);
    if (r == 0) {
        r = rec_ino(fs, &tloc, &tino);
        if (!r)
            r = ext2_inode_get(fs, tino, &tinode);
        if (r)
            return r == -EBADF ? -EUCLEAN : r;
        if (tino == ino)
            return 0; /* two links of one inode: POSIX says do nothing */
        if (dir && !i_isdir(tinode))
            return -ENOTDIR;
        if (!dir && i_isdir(tinode))
            return -EISDIR;
        if (dir) {
            r = dir_empty(fs, tinode);
            if (r <= 0)
                return r == 0 ? -ENOTEMPTY : r;
        }
    } else if (r != -ENOENT) {
        return r;
    }
    if (dir && !tinode && new_dir != old_dir && get16(ndinode + I_LINKS) >= EXT2_LINK_MAX)
        return -ENOSPC;

    /* The new name first (the only step that can fail for want of space)... */
    if (tinode) {
        put32(tloc.blk + tloc.off, ino);
        if (fs->filetype)
            tloc.blk[tloc.off + 7] = file_type(fs, i_mode(inode));
        ext2_i_touch(fs, ndinode, true);
    } else {
        r = dir_add(fs, ndinode, new_name, nlen, ino, file_type(fs, i_mode(inode)));
        if (r)
            return r;
    }
    /* ...then the old one, found again: adding may have split its record. */
    r = dir_find(fs, odinode, old_name, strlen(old_name), &loc);
    if (r)
        return r == -ENOENT ? -EUCLEAN : r;
    dir_remove(fs, odinode, &loc);
    ext2_i_touch(fs, inode, false);
    if (dir && new_dir != old_dir) {
        struct dloc dotdot;

        r = dir_find(fs, inode, "..", 2, &dotdot);
        if (r)
            return r == -ENOENT ? -EUCLEAN : r;
        put32(dotdot.blk + dotdot.off, new_dir);
        links_add(odinode, -1);
        links_add(ndinode, 1);
    }
    if (tinode) {
        if (i_isdir(tinode))
            links_add(ndinode, -1); /* the replaced directory's ".." */
        return drop_link(fs, tino, tinode, i_isdir(tinode));
    }
    return 0;
}
