/*
 * cpio.c - cpio "newc" reader: walks the archive entry by entry, checking each header
 * before anything it points at is used. See cpio.h for the layout.
 *
 * All arithmetic is on size_t offsets that are first checked to be <= len, and every
 * "does X bytes fit" test is written as X <= len - off, so nothing can wrap.
 */
#include "cpio/cpio.h"
#include "base/lib_errno.h"

#include <stdbool.h>

#define FIELD_DIGITS 8
/* Field numbers after the magic; field i starts at 6 + 8 * i. */
#define F_INO      0
#define F_MODE     1
#define F_FILESIZE 6
#define F_NAMESIZE 11
#define F_COUNT    13

static const char magic[6] = {'0', '7', '0', '7', '0', '1'};
static const char trailer[] = "TRAILER!!!";

static int fail(const char **why, int err, const char *msg)
{
    if (why)
        *why = msg;
    return err;
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Decode the 13 header fields at @h; false on a non-hex digit. */
static bool decode_fields(const char *h, uint32_t field[F_COUNT])
{
    int i, j, d;

    for (i = 0; i < F_COUNT; i++) {
        field[i] = 0;
        for (j = 0; j < FIELD_DIGITS; j++) {
            d = hexval(h[sizeof(magic) + FIELD_DIGITS * i + j]);
            if (d < 0)
                return false;
            field[i] = field[i] << 4 | (uint32_t)d;
        }
    }
    return true;
}

/* @off rounded up to 4, or 0 if that would wrap (callers check the result against len). */
static size_t align4(size_t off)
{
    return off > SIZE_MAX - 3 ? 0 : (off + 3) & ~(size_t)3;
}

int cpio_next(const void *archive, size_t len, size_t *offset, struct cpio_entry *out,
              const char **why)
{
    const char *a = archive;
    size_t off = *offset, name_off, data_off, namesize, filesize, next;
    uint32_t field[F_COUNT];
    size_t i;

    if (!archive && len != 0)
        return fail(why, -EINVAL, "cpio: no archive");
    if (off % 4 != 0)
        return fail(why, -EINVAL, "cpio: header offset not 4-aligned");
    if (off > len)
        return fail(why, -EINVAL, "cpio: header offset past the end of the archive");
    if (off == len)
        return fail(why, -EINVAL, "cpio: archive ends without a TRAILER!!! entry");
    if (len - off < CPIO_HEADER_SIZE)
        return fail(why, -EINVAL, "cpio: header truncated");
    if (__builtin_memcmp(a + off, magic, sizeof(magic)) != 0)
        return fail(why, -EINVAL, "cpio: bad magic (not 070701, the newc format)");
    if (!decode_fields(a + off, field))
        return fail(why, -EINVAL, "cpio: non-hex digit in a header field");

    namesize = field[F_NAMESIZE];
    filesize = field[F_FILESIZE];
    name_off = off + CPIO_HEADER_SIZE;
    if (namesize == 0)
        return fail(why, -EINVAL, "cpio: namesize is 0 (no room for the NUL)");
    if (namesize > len - name_off)
        return fail(why, -EINVAL, "cpio: name runs past the end of the archive");
    if (a[name_off + namesize - 1] != '\0')
        return fail(why, -EINVAL, "cpio: name not NUL-terminated within namesize");
    for (i = 0; i < namesize - 1; i++)
        if (a[name_off + i] == '\0')
            return fail(why, -EINVAL, "cpio: NUL inside the name (namesize too large)");

    data_off = align4(name_off + namesize);
    if (data_off == 0 || data_off > len)
        return fail(why, -EINVAL, "cpio: name padding runs past the end of the archive");
    if (filesize > len - data_off)
        return fail(why, -EINVAL, "cpio: file data runs past the end of the archive");
    /* The last entry's padding may be cut off; the next call then reports it. */
    next = align4(data_off + filesize);
    if (next == 0)
        return fail(why, -EINVAL, "cpio: file data runs past the end of the archive");

    out->name = a + name_off;
    out->namelen = namesize - 1;
    out->data = a + data_off;
    out->size = filesize;
    out->mode = field[F_MODE];
    out->ino = field[F_INO];
    *offset = next;
    if (out->namelen == sizeof(trailer) - 1 &&
        __builtin_memcmp(out->name, trailer, sizeof(trailer) - 1) == 0)
        return 1;
    return 0;
}

/* Skip leading "/" and "./" (any number, in any order). */
static const char *strip_prefix(const char *s, size_t *len)
{
    for (;;) {
        if (*len >= 1 && s[0] == '/') {
            s++;
            (*len)--;
        } else if (*len >= 2 && s[0] == '.' && s[1] == '/') {
            s += 2;
            *len -= 2;
        } else {
            return s;
        }
    }
}

int cpio_find(const void *archive, size_t len, const char *path, struct cpio_entry *out,
              const char **why)
{
    size_t off = 0, want_len = 0;
    const char *want;

    while (path[want_len] != '\0')
        want_len++;
    want = strip_prefix(path, &want_len);
    for (;;) {
        int r = cpio_next(archive, len, &off, out, why);
        size_t have_len;
        const char *have;

        if (r < 0)
            return r;
        if (r == 1)
            return -ENOENT;
        have_len = out->namelen;
        have = strip_prefix(out->name, &have_len);
        if (have_len == want_len && __builtin_memcmp(have, want, want_len) == 0)
            return 0;
    }
}
