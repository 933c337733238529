/*
 * inode.c - file contents: the block map (12 direct blocks, then single-, double- and
 * triple-indirect blocks), reading, writing, truncating and releasing an inode, the page map
 * the pager asks for, and the zero tail of the last block (ext2.h).
 *
 * Block numbers read from the image are checked against the file system size before use
 * (ext2_block() returns NULL past it), and freeing a block tree spends a budget of one unit per
 * block, so a block tree that loops back on itself ends in -EUCLEAN rather than a hang.
 */
#include "ext2/ext2_impl.h"

uint64_t ext2_i_size(const uint8_t *inode)
{
    uint64_t size = get32(inode + I_SIZE);

    if ((i_mode(inode) & EXT2_S_IFMT) == EXT2_S_IFREG)
        size |= (uint64_t)get32(inode + I_SIZE_HIGH) << 32;
    return size;
}

void ext2_i_set_size(struct ext2_fs *fs, uint8_t *inode, uint64_t size)
{
    put32(inode + I_SIZE, (uint32_t)size);
    if ((i_mode(inode) & EXT2_S_IFMT) != EXT2_S_IFREG)
        return;
    put32(inode + I_SIZE_HIGH, (uint32_t)(size >> 32));
    if (size >= (1ull << 31)) {
        /* Files of 2 GiB and more need the large_file feature (as Linux sets it). */
        uint8_t *sb = ext2_sb(fs);

        if (get32(sb + SB_REV_LEVEL) >= 1)
            put32(sb + SB_FEATURE_RO, get32(sb + SB_FEATURE_RO) | RO_COMPAT_LARGE_FILE);
    }
}

/* i_blocks counts 512-byte units. */
void ext2_i_add_blocks(struct ext2_fs *fs, uint8_t *inode, int count)
{
    put32(inode + I_BLOCKS,
          get32(inode + I_BLOCKS) + (uint32_t)(count * (int)(fs->block_size / 512)));
}

void ext2_i_touch(struct ext2_fs *fs, uint8_t *inode, bool modified)
{
    put32(inode + I_CTIME, fs->now);
    if (modified)
        put32(inode + I_MTIME, fs->now);
}

/*
 * The path to file block @index: off[0] is the slot in i_block, off[1..depth] the slots in
 * the indirect blocks below it. Return: depth (0-3), or -EFBIG past the triple-indirect range.
 */
static int block_path(const struct ext2_fs *fs, uint64_t index, uint32_t off[4])
{
    uint64_t p = fs->ptrs;

    if (index < N_DIRECT) {
        off[0] = (uint32_t)index;
        return 0;
    }
    index -= N_DIRECT;
    if (index < p) {
        off[0] = IND_SLOT;
        off[1] = (uint32_t)index;
        return 1;
    }
    index -= p;
    if (index < p * p) {
        off[0] = DIND_SLOT;
        off[1] = (uint32_t)(index / p);
        off[2] = (uint32_t)(index % p);
        return 2;
    }
    index -= p * p;
    if (index < p * p * p) {
        off[0] = TIND_SLOT;
        off[1] = (uint32_t)(index / (p * p));
        off[2] = (uint32_t)(index / p % p);
        off[3] = (uint32_t)(index % p);
        return 3;
    }
    return -EFBIG;
}

/*
 * ext2_bmap - the block holding file block @index of @inode, or 0 for a hole when !@alloc.
 * With @alloc, missing indirect blocks and the data block are allocated (zeroed), near the
 * previous level's block; if the disk fills part way, the indirect blocks allocated by this
 * call are freed again, so -ENOSPC leaves the inode as it was.
 * Return: 0 with *@out set, -EFBIG, -ENOSPC, -EUCLEAN.
 */
int ext2_bmap(struct ext2_fs *fs, uint8_t *inode, uint64_t index, bool alloc, uint32_t *out)
{
    uint32_t off[4], fresh[4], goal = 0;
    uint8_t *slot = inode + I_BLOCK, *slots[4];
    int depth = block_path(fs, index, off), level, nfresh = 0, r;

    if (depth < 0)
        return depth;
    slot += 4 * off[0];
    for (level = 0;; level++) {
        uint32_t b = get32(slot);
        uint8_t *blk;

        if (b == 0) {
            if (!alloc) {
                *out = 0;
                return 0;
            }
            r = ext2_balloc(fs, goal, &b);
            if (r) {
                while (nfresh-- > 0) {
                    put32(slots[nfresh], 0);
                    ext2_bfree(fs, fresh[nfresh]);
                    ext2_i_add_blocks(fs, inode, -1);
                }
                return r;
            }
            put32(slot, b);
            ext2_i_add_blocks(fs, inode, 1);
            slots[nfresh] = slot;
            fresh[nfresh++] = b;
        }
        if (b >= fs->blocks_count)
            return -EUCLEAN;
        if (level == depth) {
            *out = b;
            return 0;
        }
        blk = ext2_block(fs, b);
        if (!blk)
            return -EUCLEAN;
        goal = b + 1;
        slot = blk + 4 * off[level + 1];
    }
}

/* A regular file the caller may read or write. */
static int reg_inode(struct ext2_fs *fs, uint32_t ino, uint8_t **inode)
{
    int r = ext2_inode_get(fs, ino, inode);

    if (r)
        return r;
    if (i_isdir(*inode))
        return -EISDIR;
    if ((i_mode(*inode) & EXT2_S_IFMT) != EXT2_S_IFREG)
        return -EINVAL;
    return 0;
}

int ext2_stat(struct ext2_fs *fs, uint32_t ino, struct ext2_stat *st)
{
    uint8_t *inode;
    int r = ext2_inode_get(fs, ino, &inode);

    if (r)
        return r;
    st->ino = ino;
    st->mode = i_mode(inode);
    st->links = get16(inode + I_LINKS);
    st->uid = get16(inode + I_UID) | (uint32_t)get16(inode + I_UID_HIGH) << 16;
    st->gid = get16(inode + I_GID) | (uint32_t)get16(inode + I_GID_HIGH) << 16;
    st->size = ext2_i_size(inode);
    st->blocks = get32(inode + I_BLOCKS);
    st->atime = get32(inode + I_ATIME);
    st->mtime = get32(inode + I_MTIME);
    st->ctime = get32(inode + I_CTIME);
    st->generation = get32(inode + I_GENERATION);
    return 0;
}

int64_t ext2_read(struct ext2_fs *fs, uint32_t ino, uint64_t off, void *buf, size_t len)
{
    uint8_t *inode, *dst = buf;
    uint64_t size;
    size_t done = 0;
    int r = reg_inode(fs, ino, &inode);

    if (r)
        return r;
    size = ext2_i_size(inode);
    if (off >= size)
        return 0;
    if (len > size - off)
        len = (size_t)(size - off);
    while (done < len) {
        uint64_t pos = off + done;
        uint32_t within = (uint32_t)(pos % fs->block_size), b;
        size_t n = fs->block_size - within;

        if (n > len - done)
            n = len - done;
        r = ext2_bmap(fs, inode, pos / fs->block_size, false, &b);
        if (r)
            return r == -EFBIG ? -EUCLEAN : r;
        if (b == 0)
            memset(dst + done, 0, n);
        else if (ext2_block(fs, b))
            memcpy(dst + done, ext2_block(fs, b) + within, n);
        else
            return -EUCLEAN;
        done += n;
    }
    return (int64_t)done;
}

int64_t ext2_write(struct ext2_fs *fs, uint32_t ino, uint64_t off, const void *buf, size_t len)
{
    const uint8_t *src = buf;
    uint8_t *inode;
    size_t done = 0;
    int r = reg_inode(fs, ino, &inode);

    if (r)
        return r;
    if (off > fs->max_size || len > fs->max_size - off)
        return -EFBIG;
    if (len && off + len > ext2_i_size(inode)) {
        /* Extending: the old tail must read as zeros, whatever a mapping left there. */
        r = ext2_zero_tail(fs, inode, ext2_i_size(inode));
        if (r)
            return r;
    }
    while (done < len) {
        uint64_t pos = off + done;
        uint32_t within = (uint32_t)(pos % fs->block_size), b;
        size_t n = fs->block_size - within;
        uint8_t *blk;

        if (n > len - done)
            n = len - done;
        r = ext2_bmap(fs, inode, pos / fs->block_size, true, &b);
        blk = r ? NULL : ext2_block(fs, b);
        if (!blk) {
            if (r == 0)
                r = -EUCLEAN;
            if (r != -ENOSPC || done == 0)
                return r;
            break;
        }
        memcpy(blk + within, src + done, n);
        done += n;
    }
    if (off + done > ext2_i_size(inode))
        ext2_i_set_size(fs, inode, off + done);
    ext2_i_touch(fs, inode, true);
    return (int64_t)done;
}

/*
 * Free the blocks below @nslots slots at @slots that hold file blocks at or past @first; each
 * slot covers @span file blocks starting at @base and points at a tree @depth levels deep
 * (0: a data block). An indirect block is freed once nothing below it is left.
 */
static int free_tree(struct ext2_fs *fs, uint8_t *inode, uint8_t *slots, uint32_t nslots, int depth,
                     uint64_t base, uint64_t span, uint64_t first, uint32_t *budget)
{
    uint32_t i;
    int r;

    for (i = 0; i < nslots; i++) {
        uint64_t lo = base + (uint64_t)i * span;
        uint32_t b = get32(slots + 4 * i);

        if (lo + span <= first || b == 0)
            continue;
        if (*budget == 0 || b >= fs->blocks_count)
            return -EUCLEAN;
        (*budget)--;
        if (depth > 0) {
            uint8_t *child = ext2_block(fs, b);

            if (!child)
                return -EUCLEAN;
            r = free_tree(fs, inode, child, fs->ptrs, depth - 1, lo, span / fs->ptrs, first,
                          budget);
            if (r)
                return r;
        }
        if (lo >= first) {
            r = ext2_bfree(fs, b);
            if (r)
                return r;
            put32(slots + 4 * i, 0);
            ext2_i_add_blocks(fs, inode, -1);
        }
    }
    return 0;
}

/* Free every block of @inode holding file block @first or later. */
static int free_from(struct ext2_fs *fs, uint8_t *inode, uint64_t first)
{
    uint64_t p = fs->ptrs;
    uint32_t budget = fs->blocks_count;
    uint8_t *ib = inode + I_BLOCK;
    int r;

    r = free_tree(fs, inode, ib, N_DIRECT, 0, 0, 1, first, &budget);
    if (!r)
        r = free_tree(fs, inode, ib + 4 * IND_SLOT, 1, 1, N_DIRECT, p, first, &budget);
    if (!r)
        r = free_tree(fs, inode, ib + 4 * DIND_SLOT, 1, 2, N_DIRECT + p, p * p, first, &budget);
    if (!r)
        r = free_tree(fs, inode, ib + 4 * TIND_SLOT, 1, 3, N_DIRECT + p + p * p, p * p * p, first,
                      &budget);
    return r;
}

int ext2_truncate(struct ext2_fs *fs, uint32_t ino, uint64_t size)
{
    uint8_t *inode;
    int r = reg_inode(fs, ino, &inode);

    if (r)
        return r;
    if (size > fs->max_size)
        return -EFBIG;
    if (size < ext2_i_size(inode)) {
        r = free_from(fs, inode, (size + fs->block_size - 1) / fs->block_size);
        /* Zero the rest of the new last block, so that growing again reads zeros there. */
        if (!r)
            r = ext2_zero_tail(fs, inode, size);
    } else {
        r = ext2_zero_tail(fs, inode, ext2_i_size(inode));
    }
    if (r)
        return r;
    ext2_i_set_size(fs, inode, size);
    ext2_i_touch(fs, inode, true);
    return 0;
}

/*
 * ext2_zero_tail - zero the bytes of @inode's block holding offset @size from there to the
 * block's end (nothing for a hole or a block boundary). Return: 0, -EUCLEAN.
 */
int ext2_zero_tail(struct ext2_fs *fs, uint8_t *inode, uint64_t size)
{
    uint32_t within = (uint32_t)(size % fs->block_size), b;
    int r;

    if (!within)
        return 0;
    r = ext2_bmap(fs, inode, size / fs->block_size, false, &b);
    if (r)
        return r == -EFBIG ? -EUCLEAN : r;
    if (b && !ext2_block(fs, b))
        return -EUCLEAN;
    if (b)
        memset(ext2_block(fs, b) + within, 0, fs->block_size - within);
    return 0;
}

int ext2_touch(struct ext2_fs *fs, uint32_t ino)
{
    uint8_t *inode;
    int r = ext2_inode_get(fs, ino, &inode);

    if (r)
        return r;
    ext2_i_touch(fs, inode, true);
    return 0;
}

int64_t ext2_page_map(struct ext2_fs *fs, uint32_t ino, uint64_t first, uint32_t count, bool alloc,
                      uint32_t *blocks)
{
    uint8_t *inode;
    uint64_t pages;
    uint32_t n;
    int r = reg_inode(fs, ino, &inode);

    if (r)
        return r;
    if (fs->block_size != 4096)
        return -EOPNOTSUPP;
    pages = (ext2_i_size(inode) + fs->block_size - 1) / fs->block_size;
    if (first >= pages)
        return 0;
    if (count > pages - first)
        count = (uint32_t)(pages - first);
    for (n = 0; n < count; n++) {
        r = ext2_bmap(fs, inode, first + n, false, &blocks[n]);
        if (!r && alloc && blocks[n] == 0)
            r = ext2_bmap(fs, inode, first + n, true, &blocks[n]);
        if (!r && blocks[n] && !ext2_block(fs, blocks[n]))
            r = -EUCLEAN;
        if (r == -ENOSPC && n > 0)
            break;
        if (r)
            return r == -EFBIG ? -EUCLEAN : r;
    }
    return n;
}

/*
 * The array of block numbers holding page @index's entry (in the inode, or an indirect block
 * down the path to it), and how many pages from @index it covers. NULL with *@holes set when a
 * missing indirect block makes @holes pages from @index holes; NULL with *@holes 0 on a bad
 * block number.
 */
static const uint8_t *leaf_array(struct ext2_fs *fs, const uint8_t *inode, uint64_t index,
                                 uint64_t *covers, uint64_t *holes)
{
    uint32_t off[4];
    int depth = block_path(fs, index, off);
    uint64_t span = 1;
    const uint8_t *slot = inode + I_BLOCK + 4 * off[0];
    *holes = 0;
    if (depth < 0)
        return NULL;
    for (int level = 0; level < depth; level++) {
        uint32_t b = get32(slot);
        uint64_t below = 1;
        for (int k = level + 1; k < depth; k++)
            below *= fs->ptrs;
        if (b == 0) {
            /* The whole subtree under this entry is a hole: what is left of it from index. */
            uint64_t sub = below * fs->ptrs, done = 0;
            for (int k = level + 1; k <= depth; k++) {
                uint64_t unit = 1;
                for (int j = k; j < depth; j++)
                    unit *= fs->ptrs;
                done += off[k] * unit;
            }
            *holes = sub - done;
            return NULL;
        }
        const uint8_t *blk = b < fs->blocks_count ? ext2_block(fs, b) : NULL;
        if (!blk)
            return NULL;
        slot = blk + 4 * off[level + 1];
    }
    span = depth == 0 ? N_DIRECT - off[0] : fs->ptrs - off[depth];
    *covers = span;
    return slot;
}

int64_t ext2_page_runs(struct ext2_fs *fs, uint32_t ino, uint64_t first, uint64_t count,
                       struct ext2_run *runs, unsigned max_runs, unsigned *nruns)
{
    uint8_t *inode;
    int r = reg_inode(fs, ino, &inode);
    *nruns = 0;
    if (r)
        return r;
    if (fs->block_size != 4096)
        return -EOPNOTSUPP;
    uint64_t pages = (ext2_i_size(inode) + fs->block_size - 1) / fs->block_size, done = 0;
    if (first >= pages)
        return 0;
    if (count > pages - first)
        count = pages - first;
    unsigned n = 0;
    while (done < count) {
        uint64_t covers = 0, holes = 0;
        const uint8_t *a = leaf_array(fs, inode, first + done, &covers, &holes);
        if (!a && !holes)
            return done ? (int64_t)done : -EUCLEAN;
        uint64_t take = a ? covers : holes;
        if (take > count - done)
            take = count - done;
        /* An array of block numbers is 4-byte aligned in the image: read it as words where
         * the host's order is ext2's. Each turn takes a whole run of the array. */
        bool words = a && !((uintptr_t)a & 3) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__;
        const uint32_t *w = (const uint32_t *)(const void *)a;
#define RUN_ENTRY(k) (!a ? 0u : words ? w[k] : get32(a + 4 * (k)))
        uint64_t i = 0;
        while (i < take) {
            uint32_t b = RUN_ENTRY(i);
            uint64_t j = i + 1;
            if (b)
                while (j < take && RUN_ENTRY(j) == b + (uint32_t)(j - i))
                    j++;
            else
                while (j < take && RUN_ENTRY(j) == 0)
                    j++;
            uint32_t len = (uint32_t)(j - i);
            if (b && (b >= fs->blocks_count || len > fs->blocks_count - b))
                return done ? (int64_t)done : -EUCLEAN;
            struct ext2_run *last = n ? &runs[n - 1] : NULL;
            if (last && (last->block ? last->block + last->pages == b : b == 0)) {
                last->pages += len;
            } else if (n == max_runs) {
                *nruns = n;
                return (int64_t)done;
            } else {
                runs[n++] = (struct ext2_run){b, len};
            }
            done += len;
            i = j;
        }
#undef RUN_ENTRY
    }
    *nruns = n;
    return (int64_t)done;
}

int ext2_release(struct ext2_fs *fs, uint32_t ino)
{
    uint8_t *inode;
    int r;

    if (ino != EXT2_ROOT_INO && ino < fs->first_ino)
        return -EBADF;
    r = ext2_inode_raw(fs, ino, &inode);
    if (r)
        return r;
    if (i_mode(inode) == 0 || get32(inode + I_DTIME) != 0)
        return -EBADF; /* never used, or already freed */
    if (get16(inode + I_LINKS) != 0)
        return 0;
    r = ext2_inode_release(fs, ino, inode);
    return r ? r : 1;
}

int ext2_block_of(struct ext2_fs *fs, uint32_t ino, uint64_t index, uint64_t *offset)
{
    uint8_t *inode;
    uint32_t b = 0;
    int r = reg_inode(fs, ino, &inode);

    if (r)
        return r;
    *offset = 0;
    if (index >= (ext2_i_size(inode) + fs->block_size - 1) / fs->block_size)
        return 0;
    r = ext2_bmap(fs, inode, index, false, &b);
    if (r)
        return r == -EFBIG ? -EUCLEAN : r;
    if (b && !ext2_block(fs, b))
        return -EUCLEAN;
    *offset = (uint64_t)b * fs->block_size;
    return 0;
}

/* Drop one reference to the extended-attribute block @b (header: magic, then refcount). */
static int release_xattr(struct ext2_fs *fs, uint8_t *inode, uint32_t b)
{
    uint8_t *blk = ext2_block(fs, b);
    uint32_t refs;

    if (!blk || get32(blk) != 0xEA020000u)
        return -EUCLEAN;
    refs = get32(blk + 4);
    put32(inode + I_FILE_ACL, 0);
    ext2_i_add_blocks(fs, inode, -1);
    if (refs > 1) {
        put32(blk + 4, refs - 1);
        return 0;
    }
    return ext2_bfree(fs, b);
}

/*
 * ext2_inode_release - free inode @ino (its link count has reached 0): its blocks, its
 * attribute block, its bitmap bit. A fast symbolic link keeps its target in i_block, which
 * is not a block map. Return: 0 or -EUCLEAN.
 */
int ext2_inode_release(struct ext2_fs *fs, uint32_t ino, uint8_t *inode)
{
    uint32_t acl = get32(inode + I_FILE_ACL);
    uint32_t data_units = get32(inode + I_BLOCKS) - (acl ? fs->block_size / 512 : 0);
    bool fast_link = (i_mode(inode) & EXT2_S_IFMT) == EXT2_S_IFLNK && data_units == 0;
    bool dir = i_isdir(inode);
    int r = 0;

    if (!fast_link)
        r = free_from(fs, inode, 0);
    if (!r && acl)
        r = release_xattr(fs, inode, acl);
    if (r)
        return r;
    put32(inode + I_SIZE, 0);
    put32(inode + I_SIZE_HIGH, 0);
    put16(inode + I_LINKS, 0);
    put32(inode + I_DTIME, fs->now ? fs->now : 1);
    return ext2_ifree(fs, ino, dir);
}

/* Fill a freshly allocated inode: type and permissions @mode, @links links, the clock. */
int ext2_init_inode(struct ext2_fs *fs, uint8_t *inode, uint32_t mode, uint32_t links)
{
    memset(inode, 0, fs->inode_size);
    put16(inode + I_MODE, mode);
    put16(inode + I_LINKS, links);
    put32(inode + I_ATIME, fs->now);
    put32(inode + I_CTIME, fs->now);
    put32(inode + I_MTIME, fs->now);
    put32(inode + I_GENERATION, fs->next_gen++);
    if (fs->next_gen == 0)
        fs->next_gen = 1;
    if (fs->inode_size >= I_CRTIME + 4) {
        /* The large-inode fields e2fsck expects: 32 bytes in use past the first 128. */
        put16(inode + I_EXTRA_ISIZE, 32);
        put32(inode + I_CRTIME, fs->now);
    }
    return 0;
}
