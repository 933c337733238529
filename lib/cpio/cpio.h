/*
 * cpio.h - reader for cpio "newc" archives (the initrd format).
 *
 * The archive is untrusted: every field is checked against the buffer, and entries point
 * into the archive (nothing is copied or allocated). Format, as GNU cpio writes with
 * `-H newc` and Linux's initramfs reads:
 *
 *   offset 0    "070701"                     magic (6 bytes)
 *          6    13 fields of 8 ASCII hex digits: ino mode uid gid nlink mtime filesize
 *                devmajor devminor rdevmajor rdevminor namesize check
 *        110    name, namesize bytes including its NUL, then zeros up to a multiple of 4
 *               (counted from the start of the header)
 *               data, filesize bytes, then zeros up to a multiple of 4
 *
 * Headers therefore start 4-aligned; the entry named "TRAILER!!!" ends the archive.
 */
#ifndef CPIO_CPIO_H
#define CPIO_CPIO_H

#include <stddef.h>
#include <stdint.h>

#define CPIO_HEADER_SIZE 110

/* File type bits of cpio_entry.mode (the POSIX st_mode encoding). */
#define CPIO_S_IFMT  0170000u
#define CPIO_S_IFDIR 0040000u
#define CPIO_S_IFREG 0100000u
#define CPIO_S_IFLNK 0120000u

struct cpio_entry {
    const char *name; /* points into the archive; NUL-terminated */
    size_t namelen;   /* without the NUL */
    const void *data; /* points into the archive */
    size_t size;
    uint32_t mode;
    uint32_t ino;
};

/*
 * cpio_next - read the entry at *@offset and advance *@offset to the next header.
 * @archive, @len: the archive; *@offset: 0 for the first entry.
 * @why: set to a static string naming the problem on a negative result (may be NULL).
 * Return: 0 with *@out filled; 1 at the trailer (*@out filled, *@offset past it); or -EINVAL
 * for a malformed archive: offset not 4-aligned or past the end, header truncated, bad magic,
 * a non-hex digit, namesize 0, a name not NUL-terminated or containing a NUL, name or data
 * running past the end, or the archive ending without a trailer. *@offset is only changed on
 * success.
 */
int cpio_next(const void *archive, size_t len, size_t *offset, struct cpio_entry *out,
              const char **why);

/*
 * cpio_find - the entry named @path. Leading "/" and "./" are ignored on both sides, so
 * "/bin/init", "./bin/init" and "bin/init" are the same name.
 * Return: 0 with *@out filled, -ENOENT if the trailer comes first, or cpio_next()'s error
 * (with *@why set) for a malformed archive.
 */
int cpio_find(const void *archive, size_t len, const char *path, struct cpio_entry *out,
              const char **why);

#endif
