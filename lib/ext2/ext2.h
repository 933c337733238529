/*
 * ext2.h - the second extended file system (revision 0 and 1; 1, 2 and 4 KiB blocks) on an
 * in-memory disk image: the core of the RAM-disk file server (issue 5).
 *
 * DOC: The library works directly on the image bytes (block I/O is a pointer into the image),
 * allocates nothing and keeps no global state: everything lives in the caller's struct ext2_fs.
 * The image is untrusted. Mount checks the superblock and the group descriptors; every later
 * access to a block goes through one bounds check against the geometry recorded at mount, so
 * whatever the image holds the library never touches memory outside it. Every loop is bounded
 * (directory walks by the directory's size, block-tree walks by a budget of blocks, bitmap scans
 * by the group size), so a corrupt image gives -EUCLEAN (or a result that is wrong but safe),
 * never a crash or a hang.
 *
 * On-disk layout (little-endian; "The Second Extended File System", Dave Poirier):
 *
 *   byte 1024   superblock (1024 bytes), in block 0 (4 KiB blocks) or block 1 (1 KiB blocks)
 *   block s_first_data_block + 1   group descriptor table, 32 bytes per group:
 *               +0 block bitmap, +4 inode bitmap, +8 inode table, +12 free blocks (16),
 *               +14 free inodes (16), +16 directories (16)
 *   per group   block bitmap (1 block), inode bitmap (1 block), inode table
 *               (s_inodes_per_group * s_inode_size bytes), data blocks
 *
 *   inode       +0 mode (16), +4 size (low 32), +8 atime, +12 ctime, +16 mtime, +20 dtime,
 *               +26 links (16), +28 blocks in 512-byte units, +32 flags, +40 block[15]
 *               (12 direct, single-, double-, triple-indirect), +108 size (high 32)
 *   dir entry   +0 inode (32), +4 rec_len (16), +6 name_len (8), +7 file type (8), +8 name;
 *               records are 4-byte aligned and chain through a block with rec_len, the last
 *               one reaching the end of the block; inode 0 marks an unused record.
 *
 * Only the features `mke2fs -t ext2` uses are accepted: filetype (incompat), sparse_super,
 * large_file and the unused btree flag (ro_compat); ext_attr, resize_inode and dir_index are
 * compatible and left alone (a directory this library changes loses its hash index flag, as
 * Linux's ext2 driver does). Backup superblocks are not updated.
 *
 * Orphans: a caller that keeps inodes open (the file server's descriptors, the pager's pins)
 * registers a hold function (ext2_set_hold). When unlink, rmdir or rename drops the last link
 * of an inode the hold function claims, the inode is kept, with 0 links and its blocks, and
 * stays usable by number (read, write, truncate, stat, page_map); the caller frees it with
 * ext2_release() when its last reference goes. Until then e2fsck would report it (an
 * unattached inode): the image is consistent again once every orphan is released.
 *
 * The zero-tail invariant (for mapping file blocks straight into programs): the bytes past the
 * end of a file in its last block are zero. Extending a file (write or truncate) zeroes what
 * the old last block held past the old end, shrinking zeroes the new last block's tail, and
 * every allocated block is zeroed.
 *
 * Generations: every inode allocation stores a fresh i_generation from a counter that starts
 * above every generation found in the image at mount, so (inode, generation) names one file
 * for the life of the mount.
 *
 * Errors are negative Linux errno values (defined below where the C library did not).
 * Locking: none; one caller at a time per struct ext2_fs.
 */
#ifndef EXT2_EXT2_H
#define EXT2_EXT2_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifndef ENOENT
#define ENOENT 2
#endif
#ifndef EIO
#define EIO 5
#endif
#ifndef EBADF
#define EBADF 9
#endif
#ifndef EEXIST
#define EEXIST 17
#endif
#ifndef ENOTDIR
#define ENOTDIR 20
#endif
#ifndef EISDIR
#define EISDIR 21
#endif
#ifndef EINVAL
#define EINVAL 22
#endif
#ifndef EFBIG
#define EFBIG 27
#endif
#ifndef ENOSPC
#define ENOSPC 28
#endif
#ifndef ENAMETOOLONG
#define ENAMETOOLONG 36
#endif
#ifndef ENOTEMPTY
#define ENOTEMPTY 39
#endif
#ifndef EOPNOTSUPP
#define EOPNOTSUPP 95
#endif
#ifndef EUCLEAN
#define EUCLEAN 117
#endif

#define EXT2_ROOT_INO 2
#define EXT2_NAME_MAX 255
#define EXT2_PATH_MAX 4096

/* File type bits of the mode (the POSIX st_mode encoding). */
#define EXT2_S_IFMT  0170000u
#define EXT2_S_IFREG 0100000u
#define EXT2_S_IFDIR 0040000u
#define EXT2_S_IFLNK 0120000u

/* Directory entry file types (the filetype feature). */
#define EXT2_FT_UNKNOWN 0
#define EXT2_FT_REG     1
#define EXT2_FT_DIR     2
#define EXT2_FT_SYMLINK 7

/* A mounted image. Filled by ext2_mount(); the fields are the geometry checked there. */
struct ext2_fs {
    uint8_t *image;
    size_t size;
    uint32_t block_size;   /* 1024, 2048 or 4096 */
    uint32_t blocks_count; /* every block number used is < this */
    uint32_t inodes_count; /* every inode number used is in 1..this */
    uint32_t first_data_block;
    uint32_t blocks_per_group;
    uint32_t inodes_per_group;
    uint32_t groups;
    uint32_t inode_size;
    uint32_t first_ino;                    /* first inode a file may get */
    uint32_t itable_blocks;                /* inode table blocks per group */
    uint32_t ptrs;                         /* block numbers per indirect block */
    bool filetype;                         /* directory entries carry a file type */
    uint64_t max_size;                     /* the largest file size this library writes */
    uint32_t now;                          /* the clock used for timestamps: ext2_set_time() */
    uint32_t next_gen;                     /* the generation of the next inode allocated */
    bool (*held)(void *ctx, uint32_t ino); /* orphans: ext2_set_hold() */
    void *held_ctx;
};

struct ext2_stat {
    uint32_t ino;
    uint32_t mode; /* type and permission bits */
    uint32_t links;
    uint32_t uid, gid;
    uint64_t size;
    uint64_t blocks; /* 512-byte units, indirect blocks included */
    uint32_t atime, mtime, ctime;
    uint32_t generation;
};

struct ext2_dirent {
    uint32_t ino;
    uint8_t type; /* EXT2_FT_*, or EXT2_FT_UNKNOWN without the filetype feature */
    uint8_t name_len;
    char name[EXT2_NAME_MAX + 1]; /* NUL-terminated */
};

/*
 * ext2_mount - check the superblock and group descriptors of @image and fill @fs.
 * @image, @size: the whole disk image; it must stay valid (and writable for the calls that
 * change the file system) while @fs is used. @why: on failure, a static string naming the
 * problem (may be NULL).
 * Checked: magic 0xEF53, revision 0 or 1, block size 1/2/4 KiB, first data block, blocks and
 * inodes per group, inode size, the image holding every block, the descriptor table and every
 * group's bitmaps and inode table inside the image, free counts not above the totals, no
 * unknown incompatible or read-only feature.
 * Return: 0, or -EINVAL (not ext2 or an unsupported feature) or -EUCLEAN (inconsistent).
 */
int ext2_mount(struct ext2_fs *fs, void *image, size_t size, const char **why);

/* ext2_set_time - the clock value (seconds) written into the timestamps of later changes. */
void ext2_set_time(struct ext2_fs *fs, uint32_t now);

/* ext2_clock - the newest timestamp of the superblock (s_wtime, s_mtime): a clock base. */
uint32_t ext2_clock(struct ext2_fs *fs);

/*
 * ext2_set_hold - @held(@ctx, ino) says whether the caller still references inode ino; an
 * inode losing its last link while held becomes an orphan (see the DOC above). NULL: none.
 */
void ext2_set_hold(struct ext2_fs *fs, bool (*held)(void *ctx, uint32_t ino), void *ctx);

/*
 * ext2_release - the caller dropped its last reference to inode @ino: free it if it has no
 * link left (an orphan). Return: 1 (freed), 0 (still linked: nothing to do), -EBADF (not an
 * inode in use), -EUCLEAN.
 */
int ext2_release(struct ext2_fs *fs, uint32_t ino);

/*
 * ext2_lookup - resolve the absolute @path ("/" alone is the root; "." and ".." and repeated
 * slashes are understood; symbolic links are not followed).
 * Return: 0 with *@ino set; -EINVAL (not absolute), -ENAMETOOLONG (a component over 255 bytes
 * or the path over EXT2_PATH_MAX), -ENOTDIR (a non-final component is not a directory),
 * -ENOENT, -EUCLEAN.
 */
int ext2_lookup(struct ext2_fs *fs, const char *path, uint32_t *ino);

/* ext2_lookup_at - the entry @name (@len bytes, no '/') of directory @dir. Errors as above. */
int ext2_lookup_at(struct ext2_fs *fs, uint32_t dir, const char *name, size_t len, uint32_t *ino);

/* ext2_stat - the attributes of inode @ino. Return: 0, -EBADF (not an inode in use), -EUCLEAN. */
int ext2_stat(struct ext2_fs *fs, uint32_t ino, struct ext2_stat *st);

/*
 * ext2_read - copy up to @len bytes of regular file @ino from @off into @buf; holes read as
 * zeros.
 * Return: the number of bytes read (0 at or past the end), or -EBADF, -EISDIR, -EINVAL (not
 * a regular file), -EUCLEAN.
 */
int64_t ext2_read(struct ext2_fs *fs, uint32_t ino, uint64_t off, void *buf, size_t len);

/*
 * ext2_write - write @len bytes of @buf at @off in regular file @ino, allocating data and
 * indirect blocks as needed and growing the size; mtime and ctime become the clock.
 * Return: the number of bytes written, which is less than @len only when the disk filled up
 * (everything before it is written and counted in the size), or -ENOSPC (nothing could be
 * written), -EFBIG (beyond fs->max_size), -EBADF, -EISDIR, -EINVAL, -EUCLEAN.
 */
int64_t ext2_write(struct ext2_fs *fs, uint32_t ino, uint64_t off, const void *buf, size_t len);

/*
 * ext2_truncate - set the size of regular file @ino. Shrinking frees the blocks past the end
 * (indirect blocks included) and zeroes the rest of the last block; growing zeroes the old
 * last block past the old end and leaves a hole after it.
 * Return: 0, -EFBIG, -EBADF, -EISDIR, -EINVAL, -EUCLEAN.
 */
int ext2_truncate(struct ext2_fs *fs, uint32_t ino, uint64_t size);

/* ext2_touch - set mtime and ctime of inode @ino to the clock. Return: 0, -EBADF, -EUCLEAN. */
int ext2_touch(struct ext2_fs *fs, uint32_t ino);

/*
 * ext2_page_map - for the pager: the blocks of pages @first .. @first + @count - 1 of regular
 * file @ino (4 KiB blocks only: a page is a block), into @blocks; 0 is a hole. Pages after the
 * one holding the end of file are not answered. With @alloc, holes get fresh zeroed blocks.
 * Return: the number of pages answered (0 at or past the end of file; fewer than asked when
 * the end of file comes first or, with @alloc, when the disk fills after the first page), or
 * -EOPNOTSUPP (blocks are not 4 KiB), -ENOSPC (no block for the first page), -EBADF, -EISDIR,
 * -EINVAL (not a regular file), -EUCLEAN.
 */
/* A run of pages in consecutive blocks (ext2_page_runs); block 0: a hole. */
struct ext2_run {
    uint32_t block;
    uint32_t pages;
};

/*
 * ext2_page_runs - the layout of pages @first .. @first + @count - 1 of regular file @ino (4 KiB
 * blocks only) as runs of consecutive blocks, at most @max_runs of them into @runs (*@nruns
 * says how many). Each array of block numbers is read once, so a whole file costs a few
 * instructions a page. Pages after the one holding the end of file are not answered.
 * Return: the number of pages answered (fewer than @count at the end of file or when the
 * runs are used up), or -EOPNOTSUPP, -EBADF, -EISDIR, -EINVAL, -EUCLEAN (a block number
 * outside the file system).
 */
int64_t ext2_page_runs(struct ext2_fs *fs, uint32_t ino, uint64_t first, uint64_t count,
                       struct ext2_run *runs, unsigned max_runs, unsigned *nruns);

int64_t ext2_page_map(struct ext2_fs *fs, uint32_t ino, uint64_t first, uint32_t count, bool alloc,
                      uint32_t *blocks);

/*
 * ext2_create / ext2_mkdir - a new regular file / directory @name in directory @dir with
 * permission bits @mode (the type bits are ignored).
 * Return: 0 with *@ino set; -EEXIST (the name exists, or is "." or ".."), -ENAMETOOLONG,
 * -EINVAL (empty or containing '/'), -ENOTDIR (@dir is not a directory), -ENOENT (@dir was
 * removed: an orphan), -EBADF, -ENOSPC
 * (no inode, or no block for the entry or the new directory; nothing is changed), -EUCLEAN.
 */
int ext2_create(struct ext2_fs *fs, uint32_t dir, const char *name, uint32_t mode, uint32_t *ino);
int ext2_mkdir(struct ext2_fs *fs, uint32_t dir, const char *name, uint32_t mode, uint32_t *ino);

/*
 * ext2_unlink - remove the entry @name (not a directory) from @dir; the inode and its blocks
 * are freed with its last link.
 * Return: 0, -ENOENT, -EISDIR (a directory: use ext2_rmdir), -EINVAL ("." or ".."), -ENOTDIR,
 * -EBADF, -EUCLEAN.
 */
int ext2_unlink(struct ext2_fs *fs, uint32_t dir, const char *name);

/* ext2_rmdir - remove the empty directory @name from @dir. Return: as unlink, with -ENOTDIR
 * for a non-directory and -ENOTEMPTY. */
int ext2_rmdir(struct ext2_fs *fs, uint32_t dir, const char *name);

/*
 * ext2_rename - move entry @old_name of @old_dir to @new_name of @new_dir, replacing an
 * existing target (a file by a file, an empty directory by a directory).
 * Return: 0, -ENOENT, -EEXIST / -EINVAL ("." or ".."), -EINVAL (a directory into itself or
 * its own subtree), -EISDIR (a file over a directory), -ENOTDIR (a directory over a file),
 * -ENOTEMPTY, -ENOSPC (nothing is changed), -ENAMETOOLONG, -EBADF, -EUCLEAN.
 */
int ext2_rename(struct ext2_fs *fs, uint32_t old_dir, const char *old_name, uint32_t new_dir,
                const char *new_name);

/*
 * ext2_readdir - the next entry of directory @dir at or after *@cookie (0 to start), "." and
 * ".." included; *@cookie is advanced past it. Entries may be added or removed between calls.
 * Return: 1 with *@out filled, 0 at the end, -ENOTDIR, -EBADF, -EUCLEAN.
 */
int ext2_readdir(struct ext2_fs *fs, uint32_t dir, uint64_t *cookie, struct ext2_dirent *out);

/*
 * ext2_block_of - for the pager: the image offset of block @index of regular file @ino (with
 * 4 KiB blocks, the page @index), or 0 for a hole or past the end of the file.
 * Return: 0 with *@offset set, -EBADF, -EISDIR, -EINVAL, -EUCLEAN.
 */
int ext2_block_of(struct ext2_fs *fs, uint32_t ino, uint64_t index, uint64_t *offset);

#endif
