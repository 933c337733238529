/*
 * samara/fs.h - the file server's request protocol (userland/fs).
 *
 * Programs call the file server on the endpoint in slot CAP_PROC_FS, whose badge the pager
 * sets (its low 32 bits are the caller's pid); the server keeps a descriptor table per badge.
 * Request: label = FS_*, words as listed; reply: label 0, w0 = result (>= 0 or a negative Linux
 * errno), other words as listed. Paths and data travel in the IPC buffers (words 4..63, at most
 * FS_DATA_MAX bytes); a path is NUL-terminated and its length counts the NUL. Offsets are the
 * client's: reads and writes name theirs explicitly (pread/pwrite).
 *
 *   FS_OPEN       w0 = path bytes, w1 = FS_O_* flags, w2 = mode  -> w0 = fd, w1 = st_mode,
 *                 w2 = size
 *   FS_CLOSE      w0 = fd                                        -> w0 = 0
 *   FS_READ       w0 = fd, w1 = offset, w2 = length (<= FS_DATA_MAX) -> w0 = bytes, in words 4..
 *   FS_WRITE      w0 = fd, w1 = offset, w2 = length, bytes in words 4.. -> w0 = bytes written,
 *                 w1 = the offset after them (with FS_O_APPEND the write goes at the end)
 *   FS_FSTAT      w0 = fd                 -> w0 = 0, w1 = mode | links << 32, w2 = size,
 *                 w3 = ino, words 4..7 = blocks (512 bytes), atime, mtime, ctime
 *   FS_STAT       w0 = path bytes         -> as FS_FSTAT
 *   FS_FTRUNCATE  w0 = fd, w1 = size                             -> w0 = 0
 *   FS_UNLINK     w0 = path bytes                                -> w0 = 0
 *   FS_MKDIR      w0 = path bytes, w1 = mode                     -> w0 = 0
 *   FS_RMDIR      w0 = path bytes                                -> w0 = 0
 *   FS_RENAME     w0 = bytes of "old\0new\0"                      -> w0 = 0
 *   FS_GETDENTS   w0 = fd (a directory), w1 = cookie (0 first)   -> w0 = 1 (an entry), 0 (the
 *                 end), w1 = next cookie, w2 = ino, w3 = type (EXT2_FT_*), the name in words 4..
 *
 * Errors (Linux numbers): ENOENT, EEXIST (FS_O_CREAT | FS_O_EXCL), ENOTDIR, EISDIR (a
 * directory opened for writing), EBADF (no such descriptor), EACCES (writing or truncating
 * a read-only descriptor), EMFILE, ENOSPC, ENAMETOOLONG, ENOTEMPTY, EINVAL (a malformed
 * request), EFBIG, EUCLEAN (the image is corrupt), ENOSYS (unknown label).
 */
#ifndef SAMARA_FS_H
#define SAMARA_FS_H

enum fs_label {
    FS_OPEN = 1,
    FS_CLOSE = 2,
    FS_READ = 3,
    FS_WRITE = 4,
    FS_FSTAT = 5,
    FS_STAT = 6,
    FS_FTRUNCATE = 7,
    FS_UNLINK = 8,
    FS_MKDIR = 9,
    FS_RMDIR = 10,
    FS_RENAME = 11,
    FS_GETDENTS = 12,
};

#define FS_DATA_MAX 480 /* bytes per message: IPC words 4..63 */

/* Open flags: Linux's values (the C library translates its own). */
#define FS_O_ACCMODE   03
#define FS_O_RDONLY    00
#define FS_O_WRONLY    01
#define FS_O_RDWR      02
#define FS_O_CREAT     0100
#define FS_O_EXCL      0200
#define FS_O_TRUNC     01000
#define FS_O_APPEND    02000
#define FS_O_DIRECTORY 0200000

/*
 * The pager maps the RAM disk (the initrd's ramdisk.img, copied into fresh frames) read-write
 * at FS_IMAGE_VA in the server and starts it as `/sbin/fs SIZE`.
 */
#define FS_IMAGE_VA 0x100000000ul

#endif
