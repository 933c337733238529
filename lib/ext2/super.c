/*
 * super.c - mounting an ext2 image, and the group-level structures: group descriptors, the
 * block and inode bitmaps with their free counts, and the inode table.
 *
 * Mount records the geometry in struct ext2_fs after checking it, and nothing later reads the
 * geometry from the image again, so a file block that happens to overwrite the superblock
 * cannot move anything outside the image. Group descriptors are re-read at every use (a
 * corrupt image may change them), so each use checks the block it names.
 */
#include "ext2/ext2_impl.h"

static int fail(const char **why, int err, const char *msg)
{
    if (why)
        *why = msg;
    return err;
}

static uint8_t *group_desc(struct ext2_fs *fs, uint32_t g)
{
    /* The descriptor table follows the superblock's block; mount checked it fits. */
    return fs->image + (size_t)(fs->first_data_block + 1) * fs->block_size + (size_t)g * GD_SIZE;
}

/* Blocks in group @g (the last group may be short). */
static uint32_t group_blocks(const struct ext2_fs *fs, uint32_t g)
{
    uint32_t first = fs->first_data_block + g * fs->blocks_per_group;
    uint32_t left = fs->blocks_count - first;

    return left < fs->blocks_per_group ? left : fs->blocks_per_group;
}

/* Check group @g's bitmaps and inode table lie inside the file system. */
static bool group_ok(const struct ext2_fs *fs, const uint8_t *gd)
{
    uint32_t bb = get32(gd + GD_BLOCK_BITMAP), ib = get32(gd + GD_INODE_BITMAP);
    uint32_t it = get32(gd + GD_INODE_TABLE);

    return bb != 0 && bb < fs->blocks_count && ib != 0 && ib < fs->blocks_count && it != 0 &&
           it < fs->blocks_count && fs->itable_blocks <= fs->blocks_count - it;
}

int ext2_mount(struct ext2_fs *fs, void *image, size_t size, const char **why)
{
    uint8_t *sb;
    uint32_t log, rev, incompat, ro, gdt_blocks, g;
    uint64_t addressable, p;

    memset(fs, 0, sizeof(*fs));
    if (!image || size < SB_OFFSET + 1024)
        return fail(why, -EINVAL, "image smaller than a superblock");
    sb = (uint8_t *)image + SB_OFFSET;
    if (get16(sb + SB_MAGIC) != EXT2_MAGIC)
        return fail(why, -EINVAL, "bad magic");
    rev = get32(sb + SB_REV_LEVEL);
    if (rev > 1)
        return fail(why, -EINVAL, "unknown revision");
    log = get32(sb + SB_LOG_BLOCK_SIZE);
    if (log > 2)
        return fail(why, -EINVAL, "block size not 1, 2 or 4 KiB");
    fs->image = image;
    fs->size = size;
    fs->block_size = 1024u << log;
    fs->ptrs = fs->block_size / 4;
    fs->blocks_count = get32(sb + SB_BLOCKS_COUNT);
    fs->inodes_count = get32(sb + SB_INODES_COUNT);
    fs->first_data_block = get32(sb + SB_FIRST_DATA);
    fs->blocks_per_group = get32(sb + SB_BLOCKS_PER_GRP);
    fs->inodes_per_group = get32(sb + SB_INODES_PER_GRP);
    fs->inode_size = rev == 0 ? 128 : get16(sb + SB_INODE_SIZE);
    fs->first_ino = rev == 0 ? 11 : get32(sb + SB_FIRST_INO);
    incompat = rev == 0 ? 0 : get32(sb + SB_FEATURE_INCOMPAT);
    ro = rev == 0 ? 0 : get32(sb + SB_FEATURE_RO);
    if (incompat & ~INCOMPAT_FILETYPE)
        return fail(why, -EINVAL, "unsupported incompatible feature");
    if (ro & ~(RO_COMPAT_SPARSE_SUPER | RO_COMPAT_LARGE_FILE | RO_COMPAT_BTREE_DIR))
        return fail(why, -EINVAL, "unsupported read-only feature");
    fs->filetype = incompat & INCOMPAT_FILETYPE;
    if (fs->first_data_block != (fs->block_size == 1024 ? 1u : 0u))
        return fail(why, -EUCLEAN, "wrong first data block");
    if (fs->blocks_count <= fs->first_data_block + 1 ||
        (uint64_t)fs->blocks_count * fs->block_size > size)
        return fail(why, -EUCLEAN, "block count beyond the image");
    if (fs->blocks_per_group == 0 || fs->blocks_per_group > 8 * fs->block_size)
        return fail(why, -EUCLEAN, "bad blocks per group");
    if (fs->inodes_per_group == 0 || fs->inodes_per_group > 8 * fs->block_size)
        return fail(why, -EUCLEAN, "bad inodes per group");
    if (fs->inode_size < 128 || fs->inode_size > fs->block_size ||
        (fs->inode_size & (fs->inode_size - 1)))
        return fail(why, -EUCLEAN, "bad inode size");
    fs->groups =
        (fs->blocks_count - fs->first_data_block + fs->blocks_per_group - 1) / fs->blocks_per_group;
    if ((uint64_t)fs->groups * fs->inodes_per_group != fs->inodes_count)
        return fail(why, -EUCLEAN, "inode count disagrees with the groups");
    if (fs->first_ino <= EXT2_ROOT_INO || fs->first_ino > fs->inodes_count)
        return fail(why, -EUCLEAN, "bad first inode");
    if (get32(sb + SB_FREE_BLOCKS) > fs->blocks_count ||
        get32(sb + SB_FREE_INODES) > fs->inodes_count)
        return fail(why, -EUCLEAN, "free counts above the totals");
    fs->itable_blocks =
        (uint32_t)(((uint64_t)fs->inodes_per_group * fs->inode_size + fs->block_size - 1) /
                   fs->block_size);
    gdt_blocks = (uint32_t)(((uint64_t)fs->groups * GD_SIZE + fs->block_size - 1) / fs->block_size);
    if (gdt_blocks >= fs->blocks_count - fs->first_data_block - 1)
        return fail(why, -EUCLEAN, "group descriptors beyond the image");
    for (g = 0; g < fs->groups; g++) {
        const uint8_t *gd = group_desc(fs, g);

        if (!group_ok(fs, gd))
            return fail(why, -EUCLEAN, "group bitmaps or inode table outside the image");
        if (get16(gd + GD_FREE_BLOCKS) > group_blocks(fs, g) ||
            get16(gd + GD_FREE_INODES) > fs->inodes_per_group)
            return fail(why, -EUCLEAN, "group free counts above the totals");
    }
    /* The largest size the block map can address, capped at 1 TiB so that the 32-bit count
     * of 512-byte units (i_blocks) cannot overflow. */
    p = fs->ptrs;
    addressable = (N_DIRECT + p + p * p + p * p * p) * fs->block_size;
    fs->max_size = addressable < (1ull << 40) ? addressable : (1ull << 40);
    /* Generations continue above every one in the image (a bounded scan of the tables). */
    for (g = 0; g < fs->groups; g++) {
        const uint8_t *table =
            fs->image + (size_t)get32(group_desc(fs, g) + GD_INODE_TABLE) * fs->block_size;

        for (uint32_t i = 0; i < fs->inodes_per_group; i++) {
            uint32_t gen = get32(table + (size_t)i * fs->inode_size + I_GENERATION);

            if (gen >= fs->next_gen)
                fs->next_gen = gen + 1;
        }
    }
    if (fs->next_gen == 0)
        fs->next_gen = 1; /* wrapped: 0 stays "never allocated here" */
    return 0;
}

void ext2_set_time(struct ext2_fs *fs, uint32_t now)
{
    fs->now = now;
}

uint32_t ext2_clock(struct ext2_fs *fs)
{
    uint32_t w = get32(ext2_sb(fs) + SB_WTIME), m = get32(ext2_sb(fs) + SB_MTIME);

    return w > m ? w : m;
}

void ext2_set_hold(struct ext2_fs *fs, bool (*held)(void *ctx, uint32_t ino), void *ctx)
{
    fs->held = held;
    fs->held_ctx = ctx;
}

/* The on-disk inode @ino, in use or not. Return: 0, -EBADF (no such number), -EUCLEAN. */
int ext2_inode_raw(struct ext2_fs *fs, uint32_t ino, uint8_t **inode)
{
    uint32_t g, idx, table;
    uint8_t *gd;

    if (ino == 0 || ino > fs->inodes_count)
        return -EBADF;
    g = (ino - 1) / fs->inodes_per_group;
    idx = (ino - 1) % fs->inodes_per_group;
    gd = group_desc(fs, g);
    if (!group_ok(fs, gd))
        return -EUCLEAN;
    table = get32(gd + GD_INODE_TABLE);
    *inode = fs->image + (size_t)table * fs->block_size + (size_t)idx * fs->inode_size;
    return 0;
}

/*
 * An inode a caller may name: the root or one at or past first_ino (the other reserved
 * inodes, such as the resize inode, are not files), and in use (links and a mode; an orphan
 * the caller holds has no link).
 * Return: 0, -EBADF, -EUCLEAN.
 */
int ext2_inode_get(struct ext2_fs *fs, uint32_t ino, uint8_t **inode)
{
    int r;

    if (ino != EXT2_ROOT_INO && ino < fs->first_ino)
        return -EBADF;
    r = ext2_inode_raw(fs, ino, inode);
    if (r)
        return r;
    if (i_mode(*inode) == 0 || (get16(*inode + I_LINKS) == 0 && !ext2_held(fs, ino)))
        return -EBADF;
    return 0;
}

static uint8_t *bitmap(struct ext2_fs *fs, uint32_t g, unsigned field)
{
    uint8_t *gd = group_desc(fs, g);

    return group_ok(fs, gd) ? ext2_block(fs, get32(gd + field)) : NULL;
}

static void count_add(uint8_t *p, int delta, bool wide)
{
    if (wide)
        put32(p, get32(p) + (uint32_t)delta);
    else
        put16(p, (uint32_t)(get16(p) + delta) & 0xffffu);
}

/*
 * ext2_balloc - allocate a block, searching from @goal (any block number; 0 for none) to the
 * end of the disk and then from the start. The block is zeroed; the bitmap and both free counts
 * are updated. Return: 0 with *@out set, -ENOSPC, -EUCLEAN.
 */
int ext2_balloc(struct ext2_fs *fs, uint32_t goal, uint32_t *out)
{
    uint32_t start, i, g, bit, nbits;

    if (goal < fs->first_data_block || goal >= fs->blocks_count)
        goal = fs->first_data_block;
    start = (goal - fs->first_data_block) / fs->blocks_per_group;
    for (i = 0; i <= fs->groups; i++) {
        uint8_t *bm, *gd;

        g = (start + i) % fs->groups;
        gd = group_desc(fs, g);
        if (get16(gd + GD_FREE_BLOCKS) == 0)
            continue;
        bm = bitmap(fs, g, GD_BLOCK_BITMAP);
        if (!bm)
            return -EUCLEAN;
        nbits = group_blocks(fs, g);
        bit = (i == 0) ? (goal - fs->first_data_block) % fs->blocks_per_group : 0;
        for (; bit < nbits; bit++) {
            uint32_t b;

            if (bm[bit / 8] == 0xff) {
                bit |= 7;
                continue;
            }
            if (bm[bit / 8] & (1u << (bit % 8)))
                continue;
            b = fs->first_data_block + g * fs->blocks_per_group + bit;
            if (b == 0)
                continue;
            bm[bit / 8] |= (uint8_t)(1u << (bit % 8));
            count_add(gd + GD_FREE_BLOCKS, -1, false);
            count_add(ext2_sb(fs) + SB_FREE_BLOCKS, -1, true);
            memset(ext2_block(fs, b), 0, fs->block_size);
            *out = b;
            return 0;
        }
    }
    return -ENOSPC;
}

/* ext2_bfree - free block @b. Return: 0, or -EUCLEAN (out of range or already free). */
int ext2_bfree(struct ext2_fs *fs, uint32_t b)
{
    uint32_t g, bit;
    uint8_t *bm;

    if (b < fs->first_data_block || b >= fs->blocks_count || b == 0)
        return -EUCLEAN;
    g = (b - fs->first_data_block) / fs->blocks_per_group;
    bit = (b - fs->first_data_block) % fs->blocks_per_group;
    bm = bitmap(fs, g, GD_BLOCK_BITMAP);
    if (!bm || !(bm[bit / 8] & (1u << (bit % 8))))
        return -EUCLEAN;
    bm[bit / 8] &= (uint8_t) ~(1u << (bit % 8));
    count_add(group_desc(fs, g) + GD_FREE_BLOCKS, 1, false);
    count_add(ext2_sb(fs) + SB_FREE_BLOCKS, 1, true);
    return 0;
}

/*
 * ext2_ialloc - allocate an inode number, preferring the group of inode @near; a directory
 * also counts in its group's used_dirs. The inode itself is not initialised.
 * Return: 0 with *@ino set, -ENOSPC, -EUCLEAN.
 */
int ext2_ialloc(struct ext2_fs *fs, uint32_t near, bool dir, uint32_t *ino)
{
    uint32_t start = near ? (near - 1) / fs->inodes_per_group : 0, i, g, bit;

    if (start >= fs->groups)
        start = 0;
    for (i = 0; i < fs->groups; i++) {
        uint8_t *bm, *gd;

        g = (start + i) % fs->groups;
        gd = group_desc(fs, g);
        if (get16(gd + GD_FREE_INODES) == 0)
            continue;
        bm = bitmap(fs, g, GD_INODE_BITMAP);
        if (!bm)
            return -EUCLEAN;
        for (bit = 0; bit < fs->inodes_per_group; bit++) {
            uint32_t n = g * fs->inodes_per_group + bit + 1;

            if (n < fs->first_ino || (bm[bit / 8] & (1u << (bit % 8))))
                continue;
            bm[bit / 8] |= (uint8_t)(1u << (bit % 8));
            count_add(gd + GD_FREE_INODES, -1, false);
            count_add(ext2_sb(fs) + SB_FREE_INODES, -1, true);
            if (dir)
                count_add(gd + GD_USED_DIRS, 1, false);
            *ino = n;
            return 0;
        }
    }
    return -ENOSPC;
}

/* ext2_ifree - free inode number @ino. Return: 0, or -EUCLEAN (already free). */
int ext2_ifree(struct ext2_fs *fs, uint32_t ino, bool dir)
{
    uint32_t g, bit;
    uint8_t *bm, *gd;

    if (ino == 0 || ino > fs->inodes_count)
        return -EUCLEAN;
    g = (ino - 1) / fs->inodes_per_group;
    bit = (ino - 1) % fs->inodes_per_group;
    gd = group_desc(fs, g);
    bm = bitmap(fs, g, GD_INODE_BITMAP);
    if (!bm || !(bm[bit / 8] & (1u << (bit % 8))))
        return -EUCLEAN;
    bm[bit / 8] &= (uint8_t) ~(1u << (bit % 8));
    count_add(gd + GD_FREE_INODES, 1, false);
    count_add(ext2_sb(fs) + SB_FREE_INODES, 1, true);
    if (dir && get16(gd + GD_USED_DIRS) > 0)
        count_add(gd + GD_USED_DIRS, -1, false);
    return 0;
}
