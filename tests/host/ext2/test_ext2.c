/*
 * test_ext2.c - directed host tests of lib/ext2 (ASan + UBSan) on images made by mke2fs -d:
 * every call and every error it documents, link counts and free counts, then e2fsck and
 * debugfs on the result; orphans, generations, the zero tail and the page map; a disk filled
 * to ENOSPC; a 1 KiB-block image.
 *
 * Usage: test_ext2   (prints TAP; run in the build directory)
 */
#include "ext2_test.h"

#define BS        4096u
#define BIG_SIZE  ((12u + 1024u + 50u) * BS + 123u) /* into the double-indirect range */
#define DEEP_SIZE 5000u
#define NMANY     200

static uint8_t *big, *deep;

static void stage(void)
{
    char name[64];
    uint8_t x = 0;
    int i;

    big = xmalloc(BIG_SIZE);
    deep = xmalloc(DEEP_SIZE);
    fill_pat(big, BIG_SIZE, 1, 0);
    fill_pat(deep, DEEP_SIZE, 2, 0);
    stage_dir("st");
    stage_file("st/small", "hello\n", 6);
    stage_file("st/empty", "", 0);
    stage_file("st/big", big, BIG_SIZE);
    stage_dir("st/d1");
    stage_dir("st/d1/d2");
    stage_file("st/d1/d2/deep", deep, DEEP_SIZE);
    stage_dir("st/many");
    for (i = 0; i < NMANY; i++) {
        snprintf(name, sizeof(name), "st/many/file-with-a-longish-name-%03d", i);
        x = (uint8_t)i;
        stage_file(name, &x, 1);
    }
}

static bool read_is(struct ext2_fs *fs, uint32_t ino, uint64_t off, const uint8_t *want, size_t len)
{
    uint8_t *buf = xmalloc(len + 1);
    int64_t n = ext2_read(fs, ino, off, buf, len + 1);
    bool same = n == (int64_t)len && memcmp(buf, want, len) == 0;

    free(buf);
    return same;
}

static void test_mount_errors(const uint8_t *img, size_t size)
{
    uint8_t *copy = xmalloc(size);
    struct ext2_fs fs;
    const char *why = NULL;

    ok(ext2_mount(&fs, copy, 1000, &why) == -EINVAL, "mount: too small");
    memcpy(copy, img, size);
    copy[1024 + 56] ^= 1;
    ok(ext2_mount(&fs, copy, size, &why) == -EINVAL && why, "mount: bad magic (%s)", why);
    memcpy(copy, img, size);
    copy[1024 + 76] = 2;
    ok(ext2_mount(&fs, copy, size, &why) == -EINVAL, "mount: revision 2 (%s)", why);
    memcpy(copy, img, size);
    copy[1024 + 24] = 3;
    ok(ext2_mount(&fs, copy, size, &why) == -EINVAL, "mount: 8 KiB blocks (%s)", why);
    memcpy(copy, img, size);
    ok(ext2_mount(&fs, copy, size - BS, &why) == -EUCLEAN, "mount: image shorter than the fs (%s)",
       why);
    copy[1024 + 96] |= 0x40; /* extents */
    ok(ext2_mount(&fs, copy, size, &why) == -EINVAL, "mount: unknown incompat feature (%s)", why);
    memcpy(copy, img, size);
    copy[1024 + 40] ^= 0x10;
    ok(ext2_mount(&fs, copy, size, &why) == -EUCLEAN, "mount: inodes per group (%s)", why);
    memcpy(copy, img, size);
    copy[BS + 8 + 2] = 0x70; /* group 0's inode table far past the end */
    ok(ext2_mount(&fs, copy, size, &why) == -EUCLEAN, "mount: inode table outside (%s)", why);
    free(copy);
}

static void test_lookup_read(struct ext2_fs *fs)
{
    uint32_t ino, ino2, root = EXT2_ROOT_INO;
    struct ext2_stat st;
    char longname[300];
    uint8_t buf[64];
    uint64_t off;

    ok(ext2_lookup(fs, "/", &ino) == 0 && ino == root, "lookup /");
    ok(ext2_lookup(fs, "/small", &ino) == 0 && ext2_stat(fs, ino, &st) == 0 && st.size == 6 &&
           (st.mode & EXT2_S_IFMT) == EXT2_S_IFREG && st.links == 1,
       "lookup + stat /small");
    ok(read_is(fs, ino, 0, (const uint8_t *)"hello\n", 6), "read /small");
    ok(ext2_read(fs, ino, 2, buf, 2) == 2 && memcmp(buf, "ll", 2) == 0, "read inside /small");
    ok(ext2_read(fs, ino, 6, buf, 10) == 0 && ext2_read(fs, ino, 1000, buf, 10) == 0,
       "read at and past the end");
    ok(ext2_lookup(fs, "//d1/./d2/../d2//deep", &ino2) == 0 &&
           read_is(fs, ino2, 0, deep, DEEP_SIZE),
       "lookup with . .. and //, read /d1/d2/deep");
    ok(ext2_lookup(fs, "/..", &ino) == 0 && ino == root, "/.. is the root");
    ok(ext2_lookup(fs, "/small/x", &ino) == -ENOTDIR, "lookup through a file: ENOTDIR");
    ok(ext2_lookup(fs, "/small/", &ino) == -ENOTDIR, "trailing slash on a file: ENOTDIR");
    ok(ext2_lookup(fs, "/nope", &ino) == -ENOENT, "lookup: ENOENT");
    ok(ext2_lookup(fs, "/d1/nope/x", &ino) == -ENOENT, "lookup: ENOENT in the middle");
    ok(ext2_lookup(fs, "small", &ino) == -EINVAL, "lookup: relative path EINVAL");
    memset(longname, 'a', sizeof(longname));
    longname[0] = '/';
    longname[257] = '\0';
    ok(ext2_lookup(fs, longname, &ino) == -ENAMETOOLONG, "lookup: 256-byte name ENAMETOOLONG");
    ok(ext2_lookup(fs, "/empty", &ino) == 0 && ext2_read(fs, ino, 0, buf, 10) == 0,
       "read an empty file");
    ok(ext2_lookup(fs, "/big", &ino) == 0 && ext2_stat(fs, ino, &st) == 0 && st.size == BIG_SIZE &&
           read_is(fs, ino, 0, big, BIG_SIZE),
       "read all of /big (double-indirect)");
    ok(read_is(fs, ino, 12 * BS - 100, big + 12 * BS - 100, BIG_SIZE - (12 * BS - 100)),
       "read /big across the direct/indirect boundary");
    ok(st.blocks == (uint64_t)((BIG_SIZE + BS - 1) / BS + 1 + 1 + 1) * 8,
       "stat /big: blocks count the indirect blocks (%llu)", (unsigned long long)st.blocks);
    ok(ext2_block_of(fs, ino, 1040, &off) == 0 && off &&
           memcmp(fs->image + off, big + 1040 * BS, BS) == 0,
       "block_of /big page 1040");
    ok(ext2_block_of(fs, ino, 5000, &off) == 0 && off == 0, "block_of past the end: 0");
    ok(ext2_read(fs, root, 0, buf, 1) == -EISDIR, "read a directory: EISDIR");
    ok(ext2_read(fs, 0, 0, buf, 1) == -EBADF && ext2_read(fs, 7, 0, buf, 1) == -EBADF &&
           ext2_read(fs, 1u << 30, 0, buf, 1) == -EBADF,
       "read inode 0, a reserved inode, a huge number: EBADF");
    ok(ext2_stat(fs, root, &st) == 0 && (st.mode & EXT2_S_IFMT) == EXT2_S_IFDIR && st.links == 5,
       "root: a directory with 5 links (., .., d1, many, lost+found): %u", st.links);
}

static void test_readdir(struct ext2_fs *fs)
{
    static const char *const want[] = {".",     "..",  "lost+found", "small",
                                       "empty", "big", "d1",         "many"};
    struct ext2_dirent de;
    uint64_t cookie = 0;
    unsigned seen = 0, n = 0, i;
    uint32_t ino;
    int r;

    while ((r = ext2_readdir(fs, EXT2_ROOT_INO, &cookie, &de)) == 1) {
        for (i = 0; i < 8; i++)
            if (strcmp(de.name, want[i]) == 0)
                seen |= 1u << i;
        n++;
    }
    ok(r == 0 && n == 8 && seen == 0xff, "readdir /: the 8 names (%u)", n);
    ok(ext2_readdir(fs, EXT2_ROOT_INO, &cookie, &de) == 0, "readdir at the end stays at the end");
    ext2_lookup(fs, "/many", &ino);
    cookie = 0;
    n = 0;
    while ((r = ext2_readdir(fs, ino, &cookie, &de)) == 1)
        n += de.type == EXT2_FT_REG && de.name_len == 28;
    ok(r == 0 && n == NMANY, "readdir /many: %u files over several blocks", n);
    ext2_lookup(fs, "/small", &ino);
    cookie = 0;
    ok(ext2_readdir(fs, ino, &cookie, &de) == -ENOTDIR, "readdir a file: ENOTDIR");
}

static void test_write_truncate(struct ext2_fs *fs)
{
    uint32_t ino, fb0 = sb_free_blocks(fs), fi0 = sb_free_inodes(fs), x;
    uint8_t *buf = xmalloc(3 * BS), *want = xmalloc(3 * BS);
    struct ext2_stat st;
    uint64_t off;
    char name[300];

    ext2_set_time(fs, 1234567);
    ok(ext2_create(fs, EXT2_ROOT_INO, "new", 0644, &ino) == 0 && ext2_stat(fs, ino, &st) == 0 &&
           st.mode == (EXT2_S_IFREG | 0644) && st.size == 0 && st.links == 1 && st.mtime == 1234567,
       "create /new");
    ok(sb_free_inodes(fs) == fi0 - 1, "create takes one inode");
    ok(ext2_lookup(fs, "/new", &x) == 0 && x == ino, "lookup /new");
    ok(ext2_create(fs, EXT2_ROOT_INO, "new", 0644, &x) == -EEXIST, "create: EEXIST");
    ok(ext2_create(fs, EXT2_ROOT_INO, ".", 0644, &x) == -EEXIST &&
           ext2_create(fs, EXT2_ROOT_INO, "..", 0644, &x) == -EEXIST,
       "create . and ..: EEXIST");
    ok(ext2_create(fs, ino, "x", 0644, &x) == -ENOTDIR, "create in a file: ENOTDIR");
    ok(ext2_create(fs, EXT2_ROOT_INO, "a/b", 0644, &x) == -EINVAL &&
           ext2_create(fs, EXT2_ROOT_INO, "", 0644, &x) == -EINVAL,
       "create: names with / or empty EINVAL");
    memset(name, 'n', 256);
    name[256] = '\0';
    ok(ext2_create(fs, EXT2_ROOT_INO, name, 0644, &x) == -ENAMETOOLONG,
       "create: 256-byte name ENAMETOOLONG");
    name[255] = '\0';
    ok(ext2_create(fs, EXT2_ROOT_INO, name, 0644, &x) == 0 &&
           ext2_unlink(fs, EXT2_ROOT_INO, name) == 0,
       "create and unlink a 255-byte name");

    fill_pat(want, 3 * BS, 9, 100);
    ok(ext2_write(fs, ino, 100, want, 3 * BS) == 3 * BS && ext2_stat(fs, ino, &st) == 0 &&
           st.size == 100 + 3 * BS && st.blocks == 4 * 8,
       "write 3 blocks at 100: size and 4 blocks");
    memset(buf, 1, 100);
    ok(ext2_read(fs, ino, 0, buf, 100) == 100 && buf[0] == 0 && buf[99] == 0 &&
           read_is(fs, ino, 100, want, 3 * BS),
       "read back, zeros before");
    /* Sparse: one byte far into the double-indirect range. */
    ok(ext2_write(fs, ino, 6u << 20, "Z", 1) == 1 && ext2_stat(fs, ino, &st) == 0 &&
           st.size == (6u << 20) + 1 && st.blocks == (4 + 1 + 2) * 8,
       "write 1 byte at 6 MiB: data + double-indirect + indirect (%llu)",
       (unsigned long long)st.blocks);
    ok(ext2_read(fs, ino, (6u << 20) - 2, buf, 10) == 3 && buf[0] == 0 && buf[1] == 0 &&
           buf[2] == 'Z',
       "read across the hole's end");
    ok(ext2_block_of(fs, ino, 100, &off) == 0 && off == 0, "block_of a hole: 0");
    ok(ext2_read(fs, ino, 5u << 20, buf, 3 * BS) == 3 * BS && buf[0] == 0 && buf[3 * BS - 1] == 0,
       "a hole reads as zeros");
    ok(ext2_write(fs, ino, fs->max_size, "x", 1) == -EFBIG, "write past max size: EFBIG");
    ok(ext2_truncate(fs, ino, fs->max_size + 1) == -EFBIG, "truncate past max size: EFBIG");
    ok(ext2_truncate(fs, ino, 5000) == 0 && ext2_stat(fs, ino, &st) == 0 && st.size == 5000 &&
           st.blocks == 2 * 8,
       "truncate to 5000 frees the indirect blocks (%llu)", (unsigned long long)st.blocks);
    ok(ext2_truncate(fs, ino, 20000) == 0 && ext2_read(fs, ino, 4000, buf, 2000) == 2000 &&
           memcmp(buf, want + 3900, 1000) == 0 && buf[1000] == 0 && buf[1999] == 0,
       "grow to 20000: old data kept, the rest zero");
    ok(ext2_write(fs, EXT2_ROOT_INO, 0, "x", 1) == -EISDIR &&
           ext2_truncate(fs, EXT2_ROOT_INO, 0) == -EISDIR,
       "write/truncate a directory: EISDIR");
    ok(ext2_unlink(fs, EXT2_ROOT_INO, "new") == 0 && ext2_lookup(fs, "/new", &x) == -ENOENT,
       "unlink /new");
    ok(sb_free_blocks(fs) == fb0 && sb_free_inodes(fs) == fi0,
       "free counts back where they were (%u/%u blocks)", sb_free_blocks(fs), fb0);
    ok(ext2_stat(fs, ino, &st) == -EBADF, "stat the freed inode: EBADF");
    ok(ext2_unlink(fs, EXT2_ROOT_INO, "new") == -ENOENT, "unlink again: ENOENT");
    free(buf);
    free(want);
}

static void test_dirs(struct ext2_fs *fs)
{
    uint32_t a, b, f, x, g, root = EXT2_ROOT_INO;
    struct ext2_stat st, rst0, rst;
    uint8_t buf[16];

    ext2_stat(fs, root, &rst0);
    ok(ext2_mkdir(fs, root, "a", 0755, &a) == 0 && ext2_stat(fs, a, &st) == 0 && st.links == 2 &&
           st.size == BS && ext2_stat(fs, root, &rst) == 0 && rst.links == rst0.links + 1,
       "mkdir /a: 2 links, parent +1");
    ok(ext2_mkdir(fs, a, "b", 0700, &b) == 0 && ext2_lookup(fs, "/a/b/..", &x) == 0 && x == a,
       "mkdir /a/b, /a/b/.. is /a");
    ok(ext2_mkdir(fs, root, "a", 0755, &x) == -EEXIST, "mkdir: EEXIST");
    ok(ext2_create(fs, b, "f", 0600, &f) == 0 && ext2_write(fs, f, 0, "data", 4) == 4,
       "create /a/b/f");
    ok(ext2_rmdir(fs, a, "b") == -ENOTEMPTY, "rmdir non-empty: ENOTEMPTY");
    ok(ext2_rmdir(fs, b, "f") == -ENOTDIR, "rmdir a file: ENOTDIR");
    ok(ext2_unlink(fs, a, "b") == -EISDIR, "unlink a directory: EISDIR");
    ok(ext2_rmdir(fs, a, ".") == -EINVAL && ext2_unlink(fs, a, "..") == -EINVAL,
       "rmdir . / unlink ..: EINVAL");
    ok(ext2_rmdir(fs, a, "zz") == -ENOENT, "rmdir: ENOENT");

    /* rename within a directory, then across. */
    ok(ext2_rename(fs, b, "f", b, "g") == 0 && ext2_lookup(fs, "/a/b/g", &x) == 0 && x == f &&
           ext2_lookup(fs, "/a/b/f", &x) == -ENOENT,
       "rename within a directory");
    ok(ext2_rename(fs, b, "g", root, "g") == 0 && ext2_lookup(fs, "/g", &x) == 0 && x == f &&
           ext2_read(fs, x, 0, buf, 4) == 4 && memcmp(buf, "data", 4) == 0,
       "rename a file across directories");
    ok(ext2_create(fs, a, "t", 0644, &x) == 0 && ext2_rename(fs, root, "g", a, "t") == 0 &&
           ext2_lookup(fs, "/a/t", &g) == 0 && g == f && ext2_stat(fs, x, &st) == -EBADF,
       "rename over a file: the target is freed");
    ok(ext2_rename(fs, a, "t", a, "b") == -EISDIR, "rename a file over a directory: EISDIR");
    ok(ext2_rename(fs, a, "b", a, "t") == -ENOTDIR, "rename a directory over a file: ENOTDIR");
    ok(ext2_rename(fs, root, "a", b, "sub") == -EINVAL, "rename a directory into itself: EINVAL");
    ok(ext2_rename(fs, root, "nope", root, "x") == -ENOENT, "rename: ENOENT");
    ok(ext2_rename(fs, a, "t", a, "t") == 0, "rename onto itself: nothing to do");
    /* Move /a/b to /b: link counts of both parents and b's "..". */
    ext2_stat(fs, root, &rst0);
    ok(ext2_rename(fs, a, "b", root, "b") == 0 && ext2_lookup(fs, "/b/..", &x) == 0 && x == root &&
           ext2_stat(fs, a, &st) == 0 && st.links == 2 && ext2_stat(fs, root, &rst) == 0 &&
           rst.links == rst0.links + 1,
       "rename a directory across: .. and link counts");
    ok(ext2_mkdir(fs, a, "c", 0755, &x) == 0 && ext2_create(fs, x, "in", 0644, &g) == 0 &&
           ext2_rename(fs, root, "b", a, "c") == -ENOTEMPTY,
       "rename a directory over a non-empty one: ENOTEMPTY");
    ok(ext2_unlink(fs, x, "in") == 0 && ext2_rename(fs, root, "b", a, "c") == 0 &&
           ext2_lookup(fs, "/a/c", &g) == 0 && g == b && ext2_stat(fs, x, &st) == -EBADF &&
           ext2_stat(fs, a, &st) == 0 && st.links == 3 && ext2_stat(fs, root, &rst) == 0 &&
           rst.links == rst0.links,
       "rename a directory over an empty one");
    ok(ext2_rmdir(fs, a, "c") == 0 && ext2_stat(fs, a, &st) == 0 && st.links == 2,
       "rmdir /a/c: parent -1");
    ok(ext2_lookup(fs, "/a/c", &x) == -ENOENT && ext2_stat(fs, b, &st) == -EBADF,
       "the directory is gone");
}

/* Many entries in one directory, removed in an order that makes merges, then refilled. */
static void test_dir_records(struct ext2_fs *fs)
{
    uint32_t d, x, fb0;
    bool removed[300] = {false};
    struct ext2_stat st;
    char name[64];
    int i, bad = 0;

    ext2_mkdir(fs, EXT2_ROOT_INO, "recs", 0755, &d);
    fb0 = sb_free_blocks(fs);
    for (i = 0; i < 300; i++) {
        snprintf(name, sizeof(name), "entry-%d-%.*s", i, i % 40,
                 "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx");
        bad += ext2_create(fs, d, name, 0644, &x) != 0;
    }
    ext2_stat(fs, d, &st);
    ok(bad == 0 && st.size > BS, "300 creates grow the directory to %llu bytes",
       (unsigned long long)st.size);
    for (i = 0; i < 300; i += 1 + (i % 3 == 0)) {
        snprintf(name, sizeof(name), "entry-%d-%.*s", i, i % 40,
                 "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx");
        bad += ext2_unlink(fs, d, name) != 0;
        removed[i] = true;
    }
    for (i = 0; i < 300; i++) {
        snprintf(name, sizeof(name), "entry-%d-%.*s", i, i % 40,
                 "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx");
        int r = ext2_lookup_at(fs, d, name, strlen(name), &x);

        bad += r != (removed[i] ? -ENOENT : 0);
    }
    ok(bad == 0, "unlink two thirds of them, lookups find exactly the rest");
    for (i = 0; i < 200; i++) {
        snprintf(name, sizeof(name), "again-%d", i);
        bad += ext2_create(fs, d, name, 0644, &x) != 0;
    }
    ext2_stat(fs, d, &st);
    ok(bad == 0 && sb_free_blocks(fs) + st.blocks / 8 - 1 <= fb0 + 8,
       "new names reuse the freed records (dir %llu bytes)", (unsigned long long)st.size);
}

/* The hold set of the orphan tests: inodes "open" in the caller. */
static uint32_t holds[8];

static bool held_fn(void *ctx, uint32_t ino)
{
    (void)ctx;
    for (unsigned i = 0; i < 8; i++)
        if (holds[i] == ino)
            return true;
    return false;
}

/* Unlink, rename-over and rmdir of held inodes leave orphans until ext2_release. */
static void test_orphans(struct ext2_fs *fs, const uint8_t *img, size_t size)
{
    uint32_t f, g, d, x, fb0 = sb_free_blocks(fs), fi0 = sb_free_inodes(fs);
    uint8_t want[6000], buf[6000];
    struct ext2_stat st;
    struct ext2_dirent de;
    uint64_t cookie = 0;

    ext2_set_hold(fs, held_fn, NULL);
    fill_pat(want, sizeof(want), 3, 0);
    ext2_create(fs, EXT2_ROOT_INO, "orph", 0644, &f);
    ext2_write(fs, f, 0, want, sizeof(want));
    holds[0] = f;
    ok(ext2_unlink(fs, EXT2_ROOT_INO, "orph") == 0 && ext2_lookup(fs, "/orph", &x) == -ENOENT &&
           ext2_stat(fs, f, &st) == 0 && st.links == 0 && st.size == sizeof(want),
       "unlink a held file: gone from the directory, kept with 0 links");
    ok(read_is(fs, f, 0, want, sizeof(want)), "the orphan still reads its data");
    ok(ext2_write(fs, f, 6000, "tail", 4) == 4 && ext2_truncate(fs, f, 5000) == 0 &&
           ext2_stat(fs, f, &st) == 0 && st.size == 5000,
       "the orphan can be written and truncated");
    ok(sb_free_inodes(fs) == fi0 - 1 && sb_free_blocks(fs) == fb0 - 2,
       "its inode and blocks stay allocated");
    ok(ext2_create(fs, EXT2_ROOT_INO, "other", 0644, &x) == 0 && x != f &&
           ext2_unlink(fs, EXT2_ROOT_INO, "other") == 0,
       "its number is not reused while it is an orphan");
    holds[0] = 0;
    ok(ext2_release(fs, f) == 1 && ext2_stat(fs, f, &st) == -EBADF && sb_free_inodes(fs) == fi0 &&
           sb_free_blocks(fs) == fb0,
       "ext2_release frees the orphan: counts back");
    ok(ext2_release(fs, f) == -EBADF, "release a freed inode: EBADF");
    ok(fsck(img, size) == 0, "e2fsck clean after the orphan is released");

    /* rename over a held file */
    ext2_create(fs, EXT2_ROOT_INO, "src", 0644, &f);
    ext2_create(fs, EXT2_ROOT_INO, "dst", 0644, &g);
    ext2_write(fs, g, 0, "old", 3);
    holds[1] = g;
    ok(ext2_rename(fs, EXT2_ROOT_INO, "src", EXT2_ROOT_INO, "dst") == 0 &&
           ext2_lookup(fs, "/dst", &x) == 0 && x == f && ext2_stat(fs, g, &st) == 0 &&
           st.links == 0 && read_is(fs, g, 0, (const uint8_t *)"old", 3),
       "rename over a held file: the old target becomes an orphan");
    holds[1] = 0;
    ok(ext2_release(fs, f) == 0 && ext2_release(fs, g) == 1 &&
           ext2_unlink(fs, EXT2_ROOT_INO, "dst") == 0,
       "release: 0 for a linked inode, 1 for the orphan");

    /* rmdir of a held directory */
    ext2_mkdir(fs, EXT2_ROOT_INO, "od", 0755, &d);
    holds[2] = d;
    ok(ext2_rmdir(fs, EXT2_ROOT_INO, "od") == 0 && ext2_readdir(fs, d, &cookie, &de) == 0 &&
           ext2_create(fs, d, "x", 0644, &x) == -ENOENT,
       "rmdir a held directory: it lists nothing, takes no names");
    holds[2] = 0;
    ok(ext2_release(fs, d) == 1 && sb_free_inodes(fs) == fi0 && sb_free_blocks(fs) == fb0,
       "release the directory orphan");
    ok(fsck(img, size) == 0, "e2fsck clean after every orphan is released");
    ext2_set_hold(fs, NULL, NULL);
    (void)buf;
}

/* Fresh generations; the zero tail; the page map. */
static void test_gen_tail_map(struct ext2_fs *fs)
{
    uint32_t a, b, c, blocks[40];
    struct ext2_stat sa, sb, sc;
    uint8_t buf[BS], *blk;
    bool zero = true;

    ext2_create(fs, EXT2_ROOT_INO, "ga", 0644, &a);
    ext2_create(fs, EXT2_ROOT_INO, "gb", 0644, &b);
    ext2_stat(fs, a, &sa);
    ext2_stat(fs, b, &sb);
    ext2_unlink(fs, EXT2_ROOT_INO, "ga");
    ext2_create(fs, EXT2_ROOT_INO, "gc", 0644, &c);
    ext2_stat(fs, c, &sc);
    ok(sa.generation != 0 && sb.generation == sa.generation + 1 && c == a &&
           sc.generation == sb.generation + 1,
       "generations: fresh at every allocation, also for a reused number (%u %u %u)", sa.generation,
       sb.generation, sc.generation);

    /* A mapping scribbles past the end of file; extending zeroes the old tail. */
    ext2_write(fs, b, 0, "0123456789", 10);
    ok(ext2_page_map(fs, b, 0, 1, false, blocks) == 1 && blocks[0], "page map of a 10-byte file");
    blk = fs->image + (size_t)blocks[0] * BS;
    for (unsigned i = 10; i < BS; i++)
        zero &= blk[i] == 0;
    ok(zero, "a fresh block's tail is zero");
    memset(blk + 10, 0xee, BS - 10);
    ok(ext2_write(fs, b, 20, "x", 1) == 1 && ext2_read(fs, b, 0, buf, BS) == 21 && buf[10] == 0 &&
           buf[19] == 0 && buf[20] == 'x' && blk[21] == 0 && blk[BS - 1] == 0,
       "write past the end zeroes the old tail, the new tail is zero");
    memset(blk + 21, 0xee, BS - 21);
    ok(ext2_truncate(fs, b, 30) == 0 && ext2_read(fs, b, 0, buf, BS) == 30 && buf[21] == 0 &&
           buf[29] == 0 && blk[30] == 0 && blk[BS - 1] == 0,
       "truncate up zeroes the old tail");
    ok(ext2_truncate(fs, b, 5) == 0 && blk[5] == 0 && blk[29] == 0,
       "truncate down zeroes the tail");

    /* Page map: holes, the end of file, allocation. */
    ext2_truncate(fs, b, 0);
    ext2_write(fs, b, 3 * BS, "y", 1);
    ext2_write(fs, b, 20 * BS + 7, "z", 1); /* 21 pages, indirect from 12 */
    ok(ext2_page_map(fs, b, 0, 40, false, blocks) == 21 && blocks[0] == 0 && blocks[3] &&
           blocks[4] == 0 && blocks[20],
       "page map: holes are 0, it stops at the page holding the end");
    ok(ext2_page_map(fs, b, 21, 5, false, blocks) == 0 &&
           ext2_page_map(fs, b, 20, 5, false, blocks) == 1,
       "page map past the end: 0 pages");
    uint32_t fb = sb_free_blocks(fs);
    ok(ext2_page_map(fs, b, 0, 8, true, blocks) == 8 && blocks[0] && blocks[7] &&
           sb_free_blocks(fs) == fb - 7 && ext2_read(fs, b, 0, buf, BS) == BS && buf[0] == 0 &&
           buf[BS - 1] == 0,
       "page map with alloc fills holes with zeroed blocks");
    /* Runs agree with the page map, page for page, across direct, indirect and double
     * indirect blocks, holes included (a hole under a missing indirect block too). */
    ext2_write(fs, b, 1040 * (uint64_t)BS + 1, "w", 1);
    ext2_write(fs, b, 30 * (uint64_t)BS, "v", 1);
    bool same = true;
    for (uint64_t first = 0; first < 1045 && same; first += 7) {
        struct ext2_run runs[8];
        unsigned nr = 0;
        int64_t n = ext2_page_runs(fs, b, first, 50, runs, 8, &nr);
        int64_t m = ext2_page_map(fs, b, first, 32, false, blocks);
        uint64_t page = first;
        for (unsigned k = 0; k < nr && same; k++)
            for (uint32_t i = 0; i < runs[k].pages; i++, page++)
                if (page - first < (uint64_t)(m > 0 ? m : 0))
                    same &= blocks[page - first] == (runs[k].block ? runs[k].block + i : 0);
        same &= n >= 0 && page == first + (uint64_t)n && (n >= (m > 0 ? m : 0) || nr == 8);
    }
    ok(same, "page runs agree with the page map");
    struct ext2_run one[1];
    unsigned none = 9;
    ok(ext2_page_runs(fs, b, 2000, 5, one, 1, &none) == 0 && none == 0 &&
           ext2_page_runs(fs, EXT2_ROOT_INO, 0, 1, one, 1, &none) == -EISDIR,
       "page runs past the end: 0 pages; of a directory: EISDIR");
    ok(ext2_page_map(fs, EXT2_ROOT_INO, 0, 1, false, blocks) == -EISDIR &&
           ext2_page_map(fs, 0, 0, 1, false, blocks) == -EBADF,
       "page map: EISDIR, EBADF");
    ok(ext2_touch(fs, b) == 0 && ext2_touch(fs, 0) == -EBADF, "touch");
    ext2_unlink(fs, EXT2_ROOT_INO, "gb");
    ext2_unlink(fs, EXT2_ROOT_INO, "gc");
}

/* Fill the disk: writes stop with a short count or ENOSPC, nothing before is lost. */
static void test_full_disk(void)
{
    enum { CHUNK = 10000, MAXF = 64 };
    static uint64_t sizes[MAXF];
    uint8_t *img, *chunk = xmalloc(CHUNK), *got = xmalloc(CHUNK);
    struct ext2_fs fs;
    uint32_t inos[MAXF], x;
    size_t size;
    int nf = 0, i, r = 0, bad = 0;
    char name[32];
    int64_t n;

    img = make_image(NULL, BS, 256, "-N 64", &size);
    ok(ext2_mount(&fs, img, size, NULL) == 0, "full disk: mount a 1 MiB image");
    for (nf = 0; nf < MAXF && r == 0; nf++) {
        snprintf(name, sizeof(name), "f%d", nf);
        r = ext2_create(&fs, EXT2_ROOT_INO, name, 0644, &inos[nf]);
        if (r)
            break;
        for (;;) {
            fill_pat(chunk, CHUNK, (unsigned)nf, sizes[nf]);
            n = ext2_write(&fs, inos[nf], sizes[nf], chunk, CHUNK);
            if (n < 0) {
                r = (int)n;
                break;
            }
            sizes[nf] += (uint64_t)n;
            if (n < CHUNK) {
                r = -ENOSPC;
                break;
            }
            if (sizes[nf] >= 100000)
                break;
        }
        if (r != 0) {
            nf++;
            break;
        }
    }
    ok(r == -ENOSPC && sb_free_blocks(&fs) == 0, "filled to ENOSPC with %d files", nf);
    ok(ext2_write(&fs, inos[0], (sizes[0] / BS + 1) * BS, "x", 1) == -ENOSPC,
       "one more byte in a new block: ENOSPC");
    ok(ext2_write(&fs, inos[0], sizes[0] + 3 * (1u << 20), "x", 1) == -ENOSPC,
       "a sparse write needing indirect blocks: ENOSPC");
    {
        uint32_t blocks[4];

        ok(ext2_truncate(&fs, inos[0], (sizes[0] / BS + 4) * BS) == 0 &&
               ext2_page_map(&fs, inos[0], sizes[0] / BS + 1, 4, true, blocks) == -ENOSPC &&
               ext2_truncate(&fs, inos[0], sizes[0]) == 0,
           "page map with alloc on a full disk: ENOSPC");
    }
    for (i = 0; i < nf; i++) {
        struct ext2_stat st;
        uint64_t off;

        bad += ext2_stat(&fs, inos[i], &st) != 0 || st.size != sizes[i];
        for (off = 0; off < sizes[i]; off += CHUNK) {
            size_t len = sizes[i] - off < CHUNK ? sizes[i] - off : CHUNK;

            fill_pat(chunk, len, (unsigned)i, off);
            bad += ext2_read(&fs, inos[i], off, got, len) != (int64_t)len ||
                   memcmp(got, chunk, len) != 0;
        }
    }
    ok(bad == 0, "every file written before ENOSPC reads back intact");
    ok(fsck(img, size) == 0, "full disk: e2fsck clean");
    /* Free some space, and the directory can take names again; fill the inodes too. */
    ok(ext2_unlink(&fs, EXT2_ROOT_INO, "f0") == 0 && sb_free_blocks(&fs) > 0,
       "unlink frees blocks");
    for (i = 0, r = 0; i < 100 && r == 0; i++) {
        snprintf(name, sizeof(name), "i%d", i);
        r = ext2_create(&fs, EXT2_ROOT_INO, name, 0644, &x);
    }
    ok(r == -ENOSPC && sb_free_inodes(&fs) == 0, "create until out of inodes: ENOSPC");
    ok(ext2_mkdir(&fs, EXT2_ROOT_INO, "dd", 0755, &x) == -ENOSPC, "mkdir without an inode: ENOSPC");
    ok(fsck(img, size) == 0, "out of inodes: e2fsck clean");
    free(img);
    free(chunk);
    free(got);
}

/* A 1 KiB-block image: the geometry differs (first data block 1, 256 pointers per block). */
static void test_1k(void)
{
    uint8_t *img, *data = xmalloc(300000), *got = xmalloc(300000);
    struct ext2_fs fs;
    uint32_t ino;
    size_t size;

    img = make_image(NULL, 1024, 4096, NULL, &size);
    fill_pat(data, 300000, 5, 0);
    ok(ext2_mount(&fs, img, size, NULL) == 0 && fs.block_size == 1024, "1 KiB blocks: mount");
    ok(ext2_create(&fs, EXT2_ROOT_INO, "f", 0644, &ino) == 0 &&
           ext2_write(&fs, ino, 0, data, 300000) == 300000 &&
           ext2_read(&fs, ino, 0, got, 300000) == 300000 && memcmp(got, data, 300000) == 0,
       "1 KiB blocks: write and read 300000 bytes (double-indirect)");
    ok(fsck(img, size) == 0 && debugfs_cat("/f", data, 300000), "1 KiB blocks: e2fsck, debugfs");
    ok(ext2_truncate(&fs, ino, 1000) == 0 && fsck(img, size) == 0, "1 KiB blocks: truncate");
    {
        uint32_t blocks[1];

        ok(ext2_page_map(&fs, ino, 0, 1, false, blocks) == -EOPNOTSUPP,
           "1 KiB blocks: no page map (EOPNOTSUPP)");
    }
    free(img);
    free(data);
    free(got);
}

int main(void)
{
    struct ext2_fs fs;
    const char *why = NULL;
    uint8_t *img;
    size_t size;
    uint32_t x;

    scratch_init();
    stage();
    img = make_image("st", BS, 4096, NULL, &size);
    ok(ext2_mount(&fs, img, size, &why) == 0 && fs.block_size == BS, "mount mke2fs image (%s)",
       why ? why : "ok");
    test_mount_errors(img, size);
    test_lookup_read(&fs);
    test_readdir(&fs);
    test_write_truncate(&fs);
    test_dirs(&fs);
    test_dir_records(&fs);
    test_orphans(&fs, img, size);
    test_gen_tail_map(&fs);
    ok(fsck(img, size) == 0, "e2fsck -fn clean after the directed tests");
    ok(debugfs_cat("/big", big, BIG_SIZE) && debugfs_cat("/d1/d2/deep", deep, DEEP_SIZE) &&
           debugfs_cat("/small", (const uint8_t *)"hello\n", 6),
       "debugfs cat agrees");
    ok(ext2_lookup(&fs, "/lost+found", &x) == 0, "lost+found still there");
    test_full_disk();
    test_1k();
    free(img);
    free(big);
    free(deep);
    return tap_done();
}
