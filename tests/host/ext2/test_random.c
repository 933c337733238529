/*
 * test_random.c - a seeded random workload on lib/ext2 against an in-memory model: creates,
 * writes at random offsets and sizes (some into the double-indirect range), truncates up and
 * down, renames of files and directories, mkdir/rmdir and unlinks. Files are held open (the
 * hold function of ext2_set_hold) at random, so unlinks and renames over them leave orphans
 * that keep their data until released. Mappings scribbling past the end of file are simulated
 * (bytes written straight into the last block's tail), and extending must zero them; the page
 * map must agree with ext2_block_of and every file's last block must have a zero tail; every
 * allocation gets a new generation. Every call's result is checked against what the model
 * predicts, files are read back against the model as the run goes, and at the end (every
 * orphan released) e2fsck -fn must find the image clean and debugfs must read the same
 * contents.
 *
 * Usage: test_random SEED OPS   (prints TAP)
 */
#include "ext2_test.h"

#define BS      4096u
#define MAXN    48            /* model slots: files and directories */
#define NNAMES  12            /* few names, so that collisions (EEXIST, replace) happen */
#define BIG_OFF (4600u << 10) /* past 12 + 1024 blocks: double-indirect */

struct node {
    bool used, dir;
    bool held;  /* open: an unlink leaves an orphan */
    int parent; /* slot of the parent directory; -1 for the root, -2 for an orphan */
    char name[16];
    uint32_t ino;
    uint8_t *data;
    uint64_t size;
};

static struct node nodes[MAXN];
static uint64_t rng;
static struct ext2_fs fs;
static int mismatches;
static uint32_t last_gen;
static int orphans_made;

static bool held_fn(void *ctx, uint32_t ino)
{
    (void)ctx;
    for (int i = 1; i < MAXN; i++)
        if (nodes[i].used && nodes[i].held && nodes[i].ino == ino)
            return true;
    return false;
}

static uint32_t rnd(uint32_t n)
{
    rng = rng * 6364136223846793005ull + 1442695040888963407ull;
    return (uint32_t)(rng >> 33) % n;
}

static void path_of(int i, char *out, size_t n)
{
    char tmp[400];

    if (i == 0) {
        snprintf(out, n, "/");
        return;
    }
    path_of(nodes[i].parent, tmp, sizeof(tmp));
    snprintf(out, n, "%s%s%s", tmp, strcmp(tmp, "/") ? "/" : "", nodes[i].name);
}

static int find_child(int dir, const char *name)
{
    for (int i = 1; i < MAXN; i++)
        if (nodes[i].used && nodes[i].parent == dir && strcmp(nodes[i].name, name) == 0)
            return i;
    return -1;
}

static bool has_children(int dir)
{
    for (int i = 1; i < MAXN; i++)
        if (nodes[i].used && nodes[i].parent == dir)
            return true;
    return false;
}

static bool under(int i, int anc)
{
    for (int steps = 0; i >= 0 && steps < MAXN; steps++, i = nodes[i].parent)
        if (i == anc)
            return true;
    return false;
}

/* A random node of the type; orphans (no name) only for the calls by inode number. */
static int pick_any(bool want_dir, bool allow_root, bool allow_orphan)
{
    for (int tries = 0; tries < 100; tries++) {
        int i = (int)rnd(MAXN);

        if (nodes[i].used && nodes[i].dir == want_dir && (allow_root || i != 0) &&
            (allow_orphan || nodes[i].parent != -2))
            return i;
    }
    return want_dir && allow_root ? 0 : -1;
}

static int pick(bool want_dir, bool allow_root)
{
    return pick_any(want_dir, allow_root, false);
}

static int free_slot(void)
{
    for (int i = 1; i < MAXN; i++)
        if (!nodes[i].used)
            return i;
    return -1;
}

static void expect(int got, int want, const char *what, int op)
{
    if (got != want && mismatches++ < 10)
        diag("op %d: %s returned %d, model says %d", op, what, got, want);
}

static void release(int i)
{
    free(nodes[i].data);
    memset(&nodes[i], 0, sizeof(nodes[i]));
}

/* The last link of slot i goes: an orphan if held, else freed. */
static void drop(int i)
{
    if (nodes[i].held) {
        nodes[i].parent = -2;
        orphans_made++;
    } else
        release(i);
}

/* The last block of slot i (a file) must be zero past the end; the page map as block_of. */
static void check_tail(int i, int op)
{
    uint64_t size = nodes[i].size, off;
    uint32_t blocks[8];
    int64_t n;

    if (size == 0)
        return;
    n = ext2_page_map(&fs, nodes[i].ino, (size - 1) / BS, 8, false, blocks);
    if ((n != 1 || ext2_block_of(&fs, nodes[i].ino, (size - 1) / BS, &off) != 0 ||
         off != (uint64_t)blocks[0] * BS) &&
        mismatches++ < 10)
        diag("op %d: page map of slot %d's last page: %lld", op, i, (long long)n);
    if (n == 1 && blocks[0] && size % BS) {
        const uint8_t *blk = fs.image + (size_t)blocks[0] * BS;

        for (uint64_t k = size % BS; k < BS; k++)
            if (blk[k] && mismatches++ < 10) {
                diag("op %d: slot %d: byte %llu past the end is %u", op, i, (unsigned long long)k,
                     blk[k]);
                break;
            }
    }
}

static void check_file(int i, int op)
{
    uint8_t *buf = xmalloc(nodes[i].size + 1);
    int64_t n = ext2_read(&fs, nodes[i].ino, 0, buf, nodes[i].size + 1);

    if ((n != (int64_t)nodes[i].size ||
         (n > 0 && memcmp(buf, nodes[i].data, nodes[i].size) != 0)) &&
        mismatches++ < 10)
        diag("op %d: contents of slot %d (%s) differ (read %lld of %llu)", op, i, nodes[i].name,
             (long long)n, (unsigned long long)nodes[i].size);
    free(buf);
    check_tail(i, op);
}

static void op_create(int op, bool dir)
{
    int d = pick(true, true), slot = free_slot(), want;
    char name[16];
    uint32_t ino = 0;
    int r;

    snprintf(name, sizeof(name), "%c%u", dir ? 'd' : 'f', rnd(NNAMES));
    if (slot < 0)
        return;
    want = find_child(d, name) >= 0 ? -EEXIST : 0;
    r = dir ? ext2_mkdir(&fs, nodes[d].ino, name, 0755, &ino)
            : ext2_create(&fs, nodes[d].ino, name, 0644, &ino);
    expect(r, want, dir ? "mkdir" : "create", op);
    if (r == 0) {
        struct ext2_stat st;

        if ((ext2_stat(&fs, ino, &st) != 0 || st.generation <= last_gen) && mismatches++ < 10)
            diag("op %d: generation %u not above %u", op, st.generation, last_gen);
        last_gen = st.generation;
        nodes[slot] = (struct node){.used = true, .dir = dir, .parent = d, .ino = ino};
        snprintf(nodes[slot].name, sizeof(nodes[slot].name), "%s", name);
    }
}

static void op_write(int op)
{
    int i = pick_any(false, false, true);
    uint64_t off, end;
    uint32_t len;
    uint8_t *buf;
    int64_t n;

    if (i < 0)
        return;
    off = rnd(10) == 0 ? BIG_OFF + rnd(1u << 18) : rnd(300000);
    len = rnd(4) == 0 ? rnd(40000) : rnd(5000);
    buf = xmalloc(len);
    for (uint32_t k = 0; k < len; k++)
        buf[k] = (uint8_t)rnd(256);
    n = ext2_write(&fs, nodes[i].ino, off, buf, len);
    if (n < 0) {
        expect((int)n, 0, "write", op);
    } else {
        end = off + (uint64_t)n;
        if (end > nodes[i].size) {
            nodes[i].data = realloc(nodes[i].data, end);
            memset(nodes[i].data + nodes[i].size, 0, end - nodes[i].size);
            nodes[i].size = end;
        }
        if (n > 0)
            memcpy(nodes[i].data + off, buf, (size_t)n);
        expect(n == len, 1, "write length", op);
    }
    free(buf);
}

static void op_truncate(int op)
{
    int i = pick_any(false, false, true);
    uint64_t size;

    if (i < 0)
        return;
    size = rnd(3) == 0 ? 0 : rnd(2) ? rnd((uint32_t)nodes[i].size + 1) : rnd(400000);
    expect(ext2_truncate(&fs, nodes[i].ino, size), 0, "truncate", op);
    if (size > nodes[i].size) {
        nodes[i].data = realloc(nodes[i].data, size);
        memset(nodes[i].data + nodes[i].size, 0, size - nodes[i].size);
    }
    nodes[i].size = size;
}

static void op_unlink(int op, bool dir)
{
    int i = pick(dir, false), want;

    if (i < 0)
        return;
    want = dir && has_children(i) ? -ENOTEMPTY : 0;
    expect(dir ? ext2_rmdir(&fs, nodes[nodes[i].parent].ino, nodes[i].name)
               : ext2_unlink(&fs, nodes[nodes[i].parent].ino, nodes[i].name),
           want, dir ? "rmdir" : "unlink", op);
    if (want == 0)
        drop(i);
    /* The wrong call for the type. */
    i = pick(!dir, false);
    if (i >= 0)
        expect(dir ? ext2_rmdir(&fs, nodes[nodes[i].parent].ino, nodes[i].name)
                   : ext2_unlink(&fs, nodes[nodes[i].parent].ino, nodes[i].name),
               dir ? -ENOTDIR : -EISDIR, "wrong-type removal", op);
}

static void op_rename(int op)
{
    bool dir = rnd(4) == 0;
    int s = pick(dir, false), d = pick(true, true), t, want = 0;
    char name[16];

    if (s < 0)
        return;
    snprintf(name, sizeof(name), "%c%u", rnd(2) ? 'd' : 'f', rnd(NNAMES));
    t = find_child(d, name);
    if (t == s)
        want = 0;
    else if (dir && under(d, s))
        want = -EINVAL;
    else if (t >= 0 && nodes[t].dir && !dir)
        want = -EISDIR;
    else if (t >= 0 && !nodes[t].dir && dir)
        want = -ENOTDIR;
    else if (t >= 0 && nodes[t].dir && has_children(t))
        want = -ENOTEMPTY;
    expect(ext2_rename(&fs, nodes[nodes[s].parent].ino, nodes[s].name, nodes[d].ino, name), want,
           "rename", op);
    if (want == 0 && t != s) {
        if (t >= 0)
            drop(t);
        nodes[s].parent = d;
        snprintf(nodes[s].name, sizeof(nodes[s].name), "%s", name);
    }
}

/* Hold a file (open it) or let one go; releasing an orphan frees it. */
static void op_hold(int op)
{
    int i = pick_any(false, false, true), r;

    if (i < 0)
        return;
    if (!nodes[i].held) {
        nodes[i].held = true;
        return;
    }
    nodes[i].held = false;
    r = ext2_release(&fs, nodes[i].ino);
    expect(r, nodes[i].parent == -2 ? 1 : 0, "release", op);
    if (nodes[i].parent == -2)
        release(i);
}

/* A mapping writes past the end of file; extending (write or truncate) must zero that. */
static void op_scribble(int op)
{
    int i = pick_any(false, false, true);
    uint32_t blocks[1];
    uint64_t size, end;

    if (i < 0 || (size = nodes[i].size) % BS == 0 ||
        ext2_page_map(&fs, nodes[i].ino, size / BS, 1, false, blocks) != 1 || !blocks[0])
        return;
    memset(fs.image + (size_t)blocks[0] * BS + size % BS, 0xa5, BS - size % BS);
    end = size + 1 + rnd(2 * BS);
    nodes[i].data = realloc(nodes[i].data, end);
    memset(nodes[i].data + size, 0, end - size);
    nodes[i].size = end;
    if (rnd(2)) {
        expect(ext2_truncate(&fs, nodes[i].ino, end), 0, "truncate after scribble", op);
    } else {
        expect((int)ext2_write(&fs, nodes[i].ino, end - 1, "w", 1), 1, "write after scribble", op);
        nodes[i].data[end - 1] = 'w';
    }
    check_file(i, op);
}

/* Every model node found by path; every directory lists exactly its model children. */
static void check_all(int op)
{
    char path[400];
    uint32_t ino;

    for (int i = 0; i < MAXN; i++) {
        struct ext2_dirent de;
        uint64_t cookie = 0;
        int n = 0, want = 0, r;

        if (!nodes[i].used)
            continue;
        if (nodes[i].parent == -2) {
            check_file(i, op); /* an orphan: no path, data by number */
            continue;
        }
        path_of(i, path, sizeof(path));
        r = ext2_lookup(&fs, path, &ino);
        if ((r != 0 || ino != nodes[i].ino) && mismatches++ < 10)
            diag("op %d: lookup %s: %d", op, path, r);
        if (!nodes[i].dir) {
            check_file(i, op);
            continue;
        }
        while ((r = ext2_readdir(&fs, nodes[i].ino, &cookie, &de)) == 1) {
            int c = find_child(i, de.name);

            n += c >= 0 && nodes[c].ino == de.ino;
        }
        for (int c = 1; c < MAXN; c++)
            want += nodes[c].used && nodes[c].parent == i;
        if (i == 0)
            n -= find_child(0, "lost+found") >= 0; /* not in the model */
        if ((r != 0 || n != want) && mismatches++ < 10)
            diag("op %d: readdir %s: %d entries of %d (%d)", op, path, n, want, r);
    }
}

int main(int argc, char **argv)
{
    unsigned long seed = argc > 1 ? strtoul(argv[1], NULL, 0) : 1;
    int ops = argc > 2 ? atoi(argv[2]) : 2000, op, checked = 0;
    uint8_t *img;
    size_t size;

    rng = seed * 0x9E3779B97F4A7C15ull + 1;
    scratch_init();
    img = make_image(NULL, BS, 8192, NULL, &size);
    ok(ext2_mount(&fs, img, size, NULL) == 0, "seed %lu: mount a 32 MiB image", seed);
    ext2_set_hold(&fs, held_fn, NULL);
    nodes[0] = (struct node){.used = true, .dir = true, .parent = -1, .ino = EXT2_ROOT_INO};
    for (op = 0; op < ops; op++) {
        uint32_t k = rnd(100);

        ext2_set_time(&fs, 1700000000u + (uint32_t)op);
        if (k < 15)
            op_create(op, false);
        else if (k < 20)
            op_create(op, true);
        else if (k < 50)
            op_write(op);
        else if (k < 62)
            op_truncate(op);
        else if (k < 72)
            op_rename(op);
        else if (k < 80)
            op_unlink(op, false);
        else if (k < 85)
            op_unlink(op, true);
        else if (k < 90)
            op_hold(op);
        else if (k < 93)
            op_scribble(op);
        else {
            int i = pick(false, false);

            if (i >= 0)
                check_file(i, op);
        }
        if (op % 250 == 249) {
            check_all(op);
            checked++;
        }
    }
    check_all(op);
    {
        int orphans = 0, bad = 0;

        for (int i = 1; i < MAXN; i++) {
            if (!nodes[i].used || !nodes[i].held)
                continue;
            nodes[i].held = false;
            orphans += nodes[i].parent == -2;
            bad += ext2_release(&fs, nodes[i].ino) != (nodes[i].parent == -2 ? 1 : 0);
            if (nodes[i].parent == -2)
                release(i);
        }
        ok(bad == 0, "release every held file (%d orphans made, %d left for the end)", orphans_made,
           orphans);
    }
    ok(mismatches == 0, "%d operations, every result and read as the model says (%d full checks)",
       ops, checked + 1);
    ok(fsck(img, size) == 0, "e2fsck -fn clean");
    {
        int n = 0, bad = 0;
        char path[400];

        for (int i = 1; i < MAXN && n < 6; i++) {
            if (!nodes[i].used || nodes[i].dir)
                continue;
            path_of(i, path, sizeof(path));
            bad += !debugfs_cat(path, nodes[i].data, nodes[i].size);
            n++;
        }
        ok(bad == 0, "debugfs cat agrees with the model on %d files", n);
    }
    for (int i = 0; i < MAXN; i++)
        free(nodes[i].data);
    free(img);
    return tap_done();
}
