/*
 * ext2_impl.h - what the three parts of the ext2 library share: little-endian field access,
 * the bounds-checked block and inode accessors, the allocators and the block map.
 *
 * Layers: super.c (mount, group descriptors, bitmaps, inode table) -> inode.c (block map,
 * read, write, truncate, freeing an inode) -> dir.c (directory records, names, paths).
 * Not for the library's callers.
 */
#ifndef EXT2_EXT2_IMPL_H
#define EXT2_EXT2_IMPL_H

#include "ext2/ext2.h"

/* Freestanding: the target has no <string.h>; these compile to calls to the library's own
 * memcpy/memset/memcmp/strlen (lib/base/string.c) or to inline code. */
#define memcpy __builtin_memcpy
#define memset __builtin_memset
#define memcmp __builtin_memcmp
#define strlen __builtin_strlen

/* Superblock fields (byte offsets inside the 1024-byte superblock at image offset 1024). */
#define SB_OFFSET           1024
#define SB_INODES_COUNT     0
#define SB_BLOCKS_COUNT     4
#define SB_FREE_BLOCKS      12
#define SB_FREE_INODES      16
#define SB_MTIME            44
#define SB_WTIME            48
#define SB_FIRST_DATA       20
#define SB_LOG_BLOCK_SIZE   24
#define SB_BLOCKS_PER_GRP   32
#define SB_INODES_PER_GRP   40
#define SB_MAGIC            56
#define SB_REV_LEVEL        76
#define SB_FIRST_INO        84
#define SB_INODE_SIZE       88
#define SB_FEATURE_COMPAT   92
#define SB_FEATURE_INCOMPAT 96
#define SB_FEATURE_RO       100

#define EXT2_MAGIC             0xEF53
#define INCOMPAT_FILETYPE      0x0002u
#define RO_COMPAT_SPARSE_SUPER 0x0001u
#define RO_COMPAT_LARGE_FILE   0x0002u
#define RO_COMPAT_BTREE_DIR    0x0004u

/* Group descriptor fields (32 bytes each). */
#define GD_SIZE         32
#define GD_BLOCK_BITMAP 0
#define GD_INODE_BITMAP 4
#define GD_INODE_TABLE  8
#define GD_FREE_BLOCKS  12
#define GD_FREE_INODES  14
#define GD_USED_DIRS    16

/* Inode fields. */
#define I_MODE        0
#define I_UID         2
#define I_SIZE        4
#define I_ATIME       8
#define I_CTIME       12
#define I_MTIME       16
#define I_DTIME       20
#define I_GID         24
#define I_LINKS       26
#define I_BLOCKS      28
#define I_FLAGS       32
#define I_BLOCK       40
#define I_GENERATION  100
#define I_FILE_ACL    104
#define I_SIZE_HIGH   108
#define I_UID_HIGH    120
#define I_GID_HIGH    122
#define I_EXTRA_ISIZE 128
#define I_CRTIME      144
#define N_DIRECT      12
#define IND_SLOT      12
#define DIND_SLOT     13
#define TIND_SLOT     14
#define INDEX_FL      0x1000u /* hashed directory (dir_index): dropped when we change one */

static inline uint16_t get16(const uint8_t *p)
{
    return (uint16_t)(p[0] | p[1] << 8);
}

static inline uint32_t get32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static inline void put16(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}

static inline void put32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)(v >> 16);
    p[3] = (uint8_t)(v >> 24);
}

static inline uint8_t *ext2_sb(struct ext2_fs *fs)
{
    return fs->image + SB_OFFSET;
}

/* Block @b of the image, or NULL when @b is 0 or past the file system (mount proved that
 * every block below blocks_count lies inside the image). */
static inline uint8_t *ext2_block(struct ext2_fs *fs, uint32_t b)
{
    if (b == 0 || b >= fs->blocks_count)
        return NULL;
    return fs->image + (size_t)b * fs->block_size;
}

static inline uint32_t i_mode(const uint8_t *inode)
{
    return get16(inode + I_MODE);
}

static inline bool i_isdir(const uint8_t *inode)
{
    return (i_mode(inode) & EXT2_S_IFMT) == EXT2_S_IFDIR;
}

uint64_t ext2_i_size(const uint8_t *inode);
void ext2_i_set_size(struct ext2_fs *fs, uint8_t *inode, uint64_t size);
void ext2_i_add_blocks(struct ext2_fs *fs, uint8_t *inode, int count);
void ext2_i_touch(struct ext2_fs *fs, uint8_t *inode, bool modified);

/* super.c */
int ext2_inode_raw(struct ext2_fs *fs, uint32_t ino, uint8_t **inode);
int ext2_inode_get(struct ext2_fs *fs, uint32_t ino, uint8_t **inode);
int ext2_balloc(struct ext2_fs *fs, uint32_t goal, uint32_t *out);
int ext2_bfree(struct ext2_fs *fs, uint32_t b);
int ext2_ialloc(struct ext2_fs *fs, uint32_t near, bool dir, uint32_t *ino);
int ext2_ifree(struct ext2_fs *fs, uint32_t ino, bool dir);

/* inode.c */
int ext2_bmap(struct ext2_fs *fs, uint8_t *inode, uint64_t index, bool alloc, uint32_t *out);
int ext2_inode_release(struct ext2_fs *fs, uint32_t ino, uint8_t *inode);
int ext2_init_inode(struct ext2_fs *fs, uint8_t *inode, uint32_t mode, uint32_t links);
int ext2_zero_tail(struct ext2_fs *fs, uint8_t *inode, uint64_t size);

/* Whether the library's caller still references @ino (ext2_set_hold). */
static inline bool ext2_held(struct ext2_fs *fs, uint32_t ino)
{
    return fs->held && fs->held(fs->held_ctx, ino);
}

#endif
