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
 *   FS_READ       w0 = fd, w1 = offset, w2 = length (<= FS_DATA_MAX) -> w0 = bytes, in words 4..,
 *                 w1 = the offset after them. An offset of FS_OFFSET_CURRENT reads (and FS_WRITE
 *                 writes) at the open file's own offset, which moves on: the offset POSIX
 *                 shares between dup'ed descriptors and across fork (FS_FORK shares the open
 *                 file) and exec; read/write use it, pread/pwrite name theirs.
 *   FS_WRITE      w0 = fd, w1 = offset, w2 = length, bytes in words 4.. -> w0 = bytes written,
 *                 w1 = the offset after them (with FS_O_APPEND the write goes at the end)
 *   FS_FSTAT      w0 = fd                 -> w0 = 0, w1 = mode | links << 32, w2 = size,
 *                 w3 = ino, words 4..7 = blocks (512 bytes), atime, mtime, ctime
 *   FS_STAT       w0 = path bytes         -> as FS_FSTAT
 *   FS_FTRUNCATE  w0 = fd, w1 = size: refused (EPERM); files shrink only through the pager
 *                 (FS_TRUNCATE), as does FS_O_TRUNC in FS_OPEN (EPERM too)
 *   FS_UNLINK     w0 = path bytes                                -> w0 = 0
 *   FS_MKDIR      w0 = path bytes, w1 = mode                     -> w0 = 0
 *   FS_RMDIR      w0 = path bytes                                -> w0 = 0
 *   FS_RENAME     w0 = bytes of "old\0new\0"                      -> w0 = 0
 *   FS_LSEEK      w0 = fd, w1 = offset, w2 = whence (0 SET, 1 CUR, 2 END) -> w0 = the new
 *                 offset; EINVAL for an unknown whence or a negative result
 *   FS_GETDENTS   w0 = fd (a directory), w1 = cookie (0 first)   -> w0 = 1 (an entry), 0 (the
 *                 end), w1 = next cookie, w2 = ino, w3 = type (EXT2_FT_*), the name in words 4..
 *
 *   FS_DUP is not a request: dup/dup2 share one server descriptor in the C library.
 *   FS_FSYNC      w0 = fd                                        -> w0 = 0 or EBADF (a RAM disk
 *                 has every write in the image already; the pager syncs mapped pages first)
 *
 * Requests only the pager may make (badge 0; anyone else gets EPERM). The pager maps file
 * pages straight from the RAM disk's frames (docs/MM.md, "file pages"), so it asks the server
 * where a file's pages are, never for their bytes:
 *   FS_BMAP       w0 = ino, w1 = first page index, w2 = count (<= FS_BMAP_MAX),
 *                 w3 = flags (FS_BMAP_ALLOC: give blocks to holes below the end of file)
 *                 -> w0 = pages answered (n <= count; it stops at the page holding the end of
 *                 file), w1 = file size in bytes, w2 = generation; words 4..4+n-1 = the block of
 *                 each page (0: a hole, all zero; its bytes past the end of file are zero).
 *                 ENOENT (no such inode), ENOSPC (FS_BMAP_ALLOC and no block for the first
 *                 page; w1 and w2 are set. When a later page gets none, the answer is short:
 *                 the pages before it), EOPNOTSUPP (blocks are not 4 KiB: the image cannot be
 *                 mapped page by page)
 *   FS_FDINFO     w0 = pid, w1 = fd   -> w0 = 0, w1 = ino | generation << 32, w2 = size,
 *                 w3 = open flags (FS_O_ACCMODE bits, FS_O_APPEND) | st_mode << 32, and the
 *                 path the file was opened by in words 4.. (NUL-terminated). EBADF.
 *   FS_LOOKUP     w0 = path bytes     -> w0 = 0, w1 = ino | generation << 32, w2 = size,
 *                 w3 = st_mode (for exec: the pager holds no descriptor)
 *   FS_PIN        w0 = ino, w1 = generation -> w0 = 0; ENOENT if the inode is gone or has
 *                 another generation (every inode allocation takes a new generation), ENFILE
 *                 (the server's table of referenced inodes is full). A pinned inode keeps its
 *                 blocks after its last link and descriptor go (it is freed at the last
 *                 FS_UNPIN), so mapped pages stay valid.
 *   FS_UNPIN      w0 = ino -> w0 = 0 (pins are counted)
 *   FS_TRUNCATE   w0 = pid, w1 = fd, w2 = size -> w0 = 0 (as FS_FTRUNCATE, for that process's
 *                 descriptor: EINVAL for a negative size, EBADF, EINVAL unless a regular file
 *                 open for writing, EFBIG, ENOSPC). The C library's ftruncate, truncate and
 *                 O_TRUNC go through the pager (PAGER_FTRUNCATE), which first unmaps the pages
 *                 past the new end from every mapping, so that no program keeps a freed block
 *                 mapped.
 *   FS_SYNC       w0 = ino, w1 = generation -> w0 = 0: shared mappings wrote the file's pages
 *                 (msync, fsync, munmap, exit); the server sets mtime and ctime.
 *   FS_EXIT       w0 = pid            -> w0 = 0: the process is gone; its descriptors close.
 *   FS_FORK       w0 = parent pid, w1 = child pid -> w0 = 0: the child gets a copy of the
 *                 parent's descriptor table, naming the same open files (offsets shared);
 *                 ENOMEM (no table free), ENOENT (the parent has no table: nothing to copy)
 *   FS_EXTENTS    w0 = ino, w1 = first page, w2 = pages (<= FS_EXTENTS_MAX) -> w0 = pages
 *                 answered (it stops at the end of file, or when FS_EXTENTS_RUNS runs are
 *                 used), w1 = size, w2 = generation; words 4.. = {first block, pages} runs of
 *                 consecutive blocks (block 0: a hole). How the pager learns a whole file's
 *                 layout in one call; FS_BMAP (with FS_BMAP_ALLOC) is for giving holes blocks.
 *   FS_NLINK      w0 = ino, w1 = generation -> w0 = its link count (0: unlinked but still
 *                 referenced: /proc/<pid>/maps says "(deleted)"), ENOENT
 *
 * The server keeps the image consistent for direct mapping: bytes past the end of a file in
 * its last block are always zero (extending a file, by write or truncate, zeroes what the old
 * last page held past the old end), and a freshly allocated block is zeroed.
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
    FS_FSYNC = 13,
    FS_LSEEK = 14,
    /* the pager's */
    FS_BMAP = 32,
    FS_FDINFO = 33,
    FS_LOOKUP = 34,
    FS_PIN = 35,
    FS_UNPIN = 36,
    FS_TRUNCATE = 37,
    FS_SYNC = 38,
    FS_EXIT = 39,
    FS_FORK = 40,
    FS_NLINK = 41,
    FS_EXTENTS = 42,
};

#define FS_BMAP_MAX     32 /* pages per FS_BMAP */
#define FS_BMAP_ALLOC   1u
#define FS_EXTENTS_MAX  4096 /* pages per FS_EXTENTS (16 MiB) */
#define FS_EXTENTS_RUNS 30   /* runs per answer: IPC words 4..63 */

#define FS_DATA_MAX       480 /* bytes per message: IPC words 4..63 */
#define FS_OFFSET_CURRENT (~0ul)

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
