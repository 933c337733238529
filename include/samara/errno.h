/*
 * samara/errno.h - error codes of the system-call ABI.
 *
 * Every Samara system call returns 0 (or a non-negative value) on success and a negative
 * error code on failure. The codes are Linux's errno values, so that the C library can hand
 * them to POSIX programs unchanged. Shared by the kernel and userland; the SAMARA_ prefix keeps
 * them apart from a C library's <errno.h>.
 */
#ifndef SAMARA_ERRNO_H
#define SAMARA_ERRNO_H

#define SAMARA_EPERM      1  /* capability lacks the right needed */
#define SAMARA_ENOENT     2  /* no such object (e.g. program not in the initrd) */
#define SAMARA_ESRCH      3  /* no such process or thread */
#define SAMARA_E2BIG      7  /* argument list or message too long */
#define SAMARA_ENOEXEC    8  /* malformed executable */
#define SAMARA_EBADF      9  /* capability slot empty, out of range, or of the wrong type */
#define SAMARA_ECHILD     10 /* no child to wait for */
#define SAMARA_EAGAIN     11 /* try again (would block) */
#define SAMARA_ENOMEM     12 /* kernel pool or frames exhausted */
#define SAMARA_EACCES     13 /* the file's open mode forbids the access */
#define SAMARA_EFAULT     14 /* user pointer not mapped with the needed access */
#define SAMARA_EBUSY      16 /* object busy (e.g. thread already started) */
#define SAMARA_EEXIST     17 /* slot or mapping already in use */
#define SAMARA_ENODEV     19 /* the descriptor's kind cannot be mapped */
#define SAMARA_EINVAL     22 /* argument out of range or misaligned */
#define SAMARA_ENOSPC     28 /* no block left on the disk */
#define SAMARA_ENOSYS     38 /* unknown system call or request */
#define SAMARA_EOVERFLOW  75 /* offset plus length past what a file can hold */
#define SAMARA_EOPNOTSUPP 95 /* the operation is not supported (e.g. punching a hole in ext2) */
#define SAMARA_ETIMEDOUT  110

#endif
