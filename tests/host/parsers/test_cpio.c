/*
 * test_cpio.c - host tests of lib/cpio (ASan + UBSan): archives written by GNU cpio, one
 * written here, header patches, every truncation and every bit flip.
 *
 * Usage: test_cpio small.cpio dotslash.cpio   (prints TAP)
 * small.cpio holds, in order: init (1 byte "x"), bin/, bin/hello ("hello"), etc/,
 * etc/empty (0 bytes), etc/motd ("abcdefghij"); dotslash.cpio was given `find .`-style names
 * (., ./init, ./bin, ./bin/hello), which GNU cpio stores without the "./".
 */
#include "cpio/cpio.h"
#include "tap.h"

#include <errno.h>

/* Append a newc entry to @buf at *@n (the test's own writer, for names of every length). */
static void cp_add(uint8_t *buf, size_t *n, const char *name, const void *data, size_t size,
                   uint32_t mode)
{
    char hdr[CPIO_HEADER_SIZE + 1];
    size_t namesize = strlen(name) + 1;

    snprintf(hdr, sizeof(hdr), "070701%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X", 7u,
             mode, 0u, 0u, 1u, 0u, (unsigned)size, 0u, 0u, 0u, 0u, (unsigned)namesize, 0u);
    memcpy(buf + *n, hdr, CPIO_HEADER_SIZE);
    memcpy(buf + *n + CPIO_HEADER_SIZE, name, namesize);
    *n += CPIO_HEADER_SIZE + namesize;
    while (*n % 4)
        buf[(*n)++] = 0;
    memcpy(buf + *n, data, size);
    *n += size;
    while (*n % 4)
        buf[(*n)++] = 0;
}

static bool entry_is(const struct cpio_entry *e, const char *name, const char *data)
{
    return e->namelen == strlen(name) && strcmp(e->name, name) == 0 && e->size == strlen(data) &&
           memcmp(e->data, data, e->size) == 0;
}

static void test_real(const uint8_t *a, size_t len, const uint8_t *d, size_t dlen)
{
    static const struct {
        const char *name, *data;
        bool dir;
    } want[] = {
        {"init", "x", false}, {"bin", "", true},        {"bin/hello", "hello", false},
        {"etc", "", true},    {"etc/empty", "", false}, {"etc/motd", "abcdefghij", false},
    };
    static const char *const hello[] = {"bin/hello", "/bin/hello", "./bin/hello", "//./bin/hello"};
    struct cpio_entry e;
    const char *why = NULL;
    size_t off = 0, i;
    int r = 0;

    for (i = 0; i < 6; i++) {
        r = cpio_next(a, len, &off, &e, &why);
        ok(r == 0 && entry_is(&e, want[i].name, want[i].data) &&
               ((e.mode & CPIO_S_IFMT) == (want[i].dir ? CPIO_S_IFDIR : CPIO_S_IFREG)) &&
               off % 4 == 0,
           "real: entry %zu is %s", i, want[i].name);
    }
    r = cpio_next(a, len, &off, &e, &why);
    ok(r == 1 && strcmp(e.name, "TRAILER!!!") == 0, "real: then the trailer");

    for (i = 0; i < 4; i++) {
        r = cpio_find(a, len, hello[i], &e, &why);
        ok(r == 0 && entry_is(&e, "bin/hello", "hello"), "find: '%s'", hello[i]);
    }
    ok(cpio_find(a, len, "/etc/empty", &e, &why) == 0 && e.size == 0, "find: empty file");
    ok(cpio_find(a, len, "./init", &e, &why) == 0 && entry_is(&e, "init", "x"), "find: ./init");
    ok(cpio_find(a, len, "bin/hell", &e, &why) == -ENOENT, "find: a prefix is not a match");
    ok(cpio_find(a, len, "bin/hello/", &e, &why) == -ENOENT, "find: trailing slash differs");
    ok(cpio_find(a, len, "nothing", &e, &why) == -ENOENT, "find: absent name");
    ok(cpio_find(a, len, "TRAILER!!!", &e, &why) == -ENOENT, "find: the trailer is no file");

    ok(cpio_find(d, dlen, "bin/hello", &e, &why) == 0 && entry_is(&e, "bin/hello", "hello"),
       "find: bin/hello in a find . archive");
    ok(cpio_find(d, dlen, "/init", &e, &why) == 0 && entry_is(&e, "init", "x"),
       "find: /init in a find . archive");
    ok(cpio_find(d, dlen, ".", &e, &why) == 0 && (e.mode & CPIO_S_IFMT) == CPIO_S_IFDIR,
       "find: the . entry");
}

static void test_own_writer(void)
{
    static uint8_t buf[4096];
    char name[16], data[16];
    struct cpio_entry e;
    size_t n = 0, off = 0, len, i;
    bool good = true;
    int r;

    /* Names of 1..9 bytes and data of 0..8 bytes: every padding amount on both. */
    for (i = 1; i <= 9; i++) {
        memset(name, 'a' + (int)i, i);
        name[i] = '\0';
        memset(data, '0' + (int)i, i - 1);
        cp_add(buf, &n, name, data, i - 1, CPIO_S_IFREG | 0644);
    }
    cp_add(buf, &n, "./sbin/x", "X", 1, CPIO_S_IFREG | 0755);
    cp_add(buf, &n, "/abs", "A", 1, CPIO_S_IFREG | 0755);
    cp_add(buf, &n, "TRAILER!!!", "", 0, 0);
    len = n;
    for (i = 1; i <= 9; i++) {
        r = cpio_next(buf, len, &off, &e, NULL);
        good = good && r == 0 && e.namelen == i && e.size == i - 1 && e.ino == 7 &&
               (e.size == 0 || ((const char *)e.data)[0] == '0' + (int)i);
    }
    good = good && cpio_next(buf, len, &off, &e, NULL) == 0;
    good = good && cpio_next(buf, len, &off, &e, NULL) == 0;
    ok(good && cpio_next(buf, len, &off, &e, NULL) == 1 && off == len,
       "writer: names and data of every padding, uppercase hex");
    ok(cpio_find(buf, len, "/ddd", &e, NULL) == 0 && e.size == 2, "writer: find /ddd");
    ok(cpio_find(buf, len, "sbin/x", &e, NULL) == 0 && entry_is(&e, "./sbin/x", "X"),
       "writer: sbin/x finds ./sbin/x");
    ok(cpio_find(buf, len, "./abs", &e, NULL) == 0 && entry_is(&e, "/abs", "A"),
       "writer: ./abs finds /abs");
}

struct patch {
    const char *what;
    size_t off;        /* in the archive */
    const char *bytes; /* written there */
    const char *why;
};

static void test_patches(const uint8_t *a, size_t len)
{
    /* The first header is init's: fields start at 6 + 8 * i; name at 110, data at 116. */
    const struct patch patches[] = {
        {"magic 070702", 5, "2", "bad magic"},
        {"magic 070707 (odc)", 0, "070707", "bad magic"},
        {"non-hex digit in namesize", 6 + 8 * 11 + 7, "g", "non-hex"},
        {"non-hex digit in filesize", 6 + 8 * 6, "Z", "non-hex"},
        {"space in the mode", 6 + 8 * 1 + 3, " ", "non-hex"},
        {"non-hex digit in check", 6 + 8 * 12 + 7, "x", "non-hex"},
        {"NUL in the ino field", 6 + 2, "\0", "non-hex"},
        {"namesize 0", 6 + 8 * 11, "00000000", "namesize is 0"},
        {"namesize 0xffffffff", 6 + 8 * 11, "FFFFFFFF", "name runs past"},
        {"namesize 4 (NUL outside)", 6 + 8 * 11, "00000004", "not NUL-terminated"},
        {"namesize 6 (NUL inside)", 6 + 8 * 11, "00000006", "NUL inside the name"},
        {"name without its NUL", 114, "X", "not NUL-terminated"},
        {"filesize 0xffffffff", 6 + 8 * 6, "FFFFFFFF", "file data runs past"},
        {"filesize 0x7ffffffc", 6 + 8 * 6, "7ffffffc", "file data runs past"},
    };
    struct cpio_entry e;
    size_t i, off;

    for (i = 0; i < sizeof(patches) / sizeof(patches[0]); i++) {
        const struct patch *p = &patches[i];
        uint8_t *m = dup_exact(a, len);
        const char *why = NULL;
        int r;

        memcpy(m + p->off, p->bytes, strlen(p->bytes) ? strlen(p->bytes) : 1);
        off = 0;
        r = cpio_next(m, len, &off, &e, &why);
        ok(r == -EINVAL && why && strstr(why, p->why) && off == 0, "patch: %s -> %s", p->what,
           why ? why : "(no why)");
        why = NULL;
        ok(cpio_find(m, len, "etc/motd", &e, &why) == -EINVAL && why,
           "patch: %s stops cpio_find too", p->what);
        free(m);
    }

    {
        const char *why = NULL;

        off = 2;
        ok(cpio_next(a, len, &off, &e, &why) == -EINVAL && why && strstr(why, "4-aligned"),
           "offset: misaligned -> %s", why ? why : "(null)");
        off = len + 4;
        ok(cpio_next(a, len, &off, &e, &why) == -EINVAL && why && strstr(why, "past the end"),
           "offset: past the end -> %s", why ? why : "(null)");
        off = (len - 4) & ~(size_t)3;
        ok(cpio_next(a, len, &off, &e, &why) == -EINVAL && why && strstr(why, "truncated"),
           "offset: 4 bytes before the end -> %s", why ? why : "(null)");
        off = 0;
        ok(cpio_next(a, 0, &off, &e, &why) == -EINVAL && why && strstr(why, "without a TRAILER"),
           "empty archive -> %s", why ? why : "(null)");
    }
}

/* Where the trailer's header starts, and the length the archive needs (through its name). */
static size_t trailer_end(const uint8_t *a, size_t len, size_t *count)
{
    struct cpio_entry e;
    size_t off = 0, prev = 0;
    int r;

    *count = 0;
    while ((r = cpio_next(a, len, &off, &e, NULL)) == 0) {
        (*count)++;
        prev = off;
    }
    (*count)++;
    return prev + ((CPIO_HEADER_SIZE + sizeof("TRAILER!!!") + 3) & ~(size_t)3); /* 124 */
}

/* Walk the whole archive; every entry must lie inside it; return the final result. */
static int walk(const uint8_t *a, size_t len, size_t *count, const char **why)
{
    struct cpio_entry e;
    size_t off = 0;
    int r;

    *count = 0;
    while ((r = cpio_next(a, len, &off, &e, why)) == 0 || r == 1) {
        const uint8_t *name = (const uint8_t *)e.name, *data = e.data;

        (*count)++;
        if (name < a || name + e.namelen >= a + len || name[e.namelen] != '\0' || data < a ||
            e.size > len || data + e.size > a + len || off % 4 != 0)
            return 99; /* an entry outside the archive: a parser bug */
        if (r == 1)
            break;
    }
    return r;
}

static void test_truncations(const char *tag, const uint8_t *a, size_t len)
{
    size_t entries, need = trailer_end(a, len, &entries), n, count;
    unsigned bad = 0;

    for (n = 0; n < len; n++) {
        uint8_t *cut = dup_exact(a, n);
        const char *why = NULL;
        int r = walk(cut, n, &count, &why);
        bool good = n < need ? (r == -EINVAL && why) : (r == 1 && count == entries);

        if (!good && bad++ < 3)
            diag("%s cut to %zu (needs %zu): r=%d count=%zu", tag, n, need, r, count);
        free(cut);
    }
    ok(bad == 0, "truncate: %s, %zu cuts: shorter than %zu refused, longer complete", tag, len,
       need);
}

static void test_flips(const char *tag, const uint8_t *a, size_t len)
{
    static const uint8_t masks[] = {0x01, 0x02, 0x04, 0x08, 0x10, 0x20, 0x40, 0x80, 0xff};
    uint8_t *m = dup_exact(a, len);
    unsigned bad = 0, accepted = 0;
    struct cpio_entry e;
    size_t i, k, count;

    for (i = 0; i < len; i++) {
        for (k = 0; k < sizeof(masks); k++) {
            const char *why = NULL, *fwhy = NULL;
            int r, f;

            m[i] ^= masks[k];
            r = walk(m, len, &count, &why);
            f = cpio_find(m, len, "etc/motd", &e, &fwhy);
            if (r == 1)
                accepted++;
            if ((r != 1 && (r >= 0 || !why || strncmp(why, "cpio: ", 6) != 0)) ||
                (f < 0 && f != -ENOENT && !fwhy)) {
                if (bad++ < 3)
                    diag("%s byte %zu ^ %#x: walk %d find %d", tag, i, masks[k], r, f);
            }
            m[i] ^= masks[k];
        }
    }
    free(m);
    ok(bad == 0, "flip: %s, %zu mutations: %u still complete, the rest refused with why", tag,
       len * sizeof(masks), accepted);
}

int main(int argc, char **argv)
{
    uint8_t *small, *dots;
    size_t slen, dlen;

    if (argc != 3) {
        fprintf(stderr, "usage: %s small.cpio dotslash.cpio\n", argv[0]);
        return 2;
    }
    small = load_file(argv[1], &slen);
    dots = load_file(argv[2], &dlen);
    test_real(small, slen, dots, dlen);
    test_own_writer();
    test_patches(small, slen);
    test_truncations("small.cpio", small, slen);
    test_truncations("dotslash.cpio", dots, dlen);
    test_flips("small.cpio", small, slen);
    test_flips("dotslash.cpio", dots, dlen);
    free(small);
    free(dots);
    return tap_done();
}
