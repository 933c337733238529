/*
 * sys/mman.h - memory mappings for POSIX programs on Samara (picolibc has no <sys/mman.h>).
 *
 * The constants are Linux's for RISC-V, which uses the generic values of
 * include/uapi/asm-generic/mman{,-common}.h and include/uapi/linux/mman.h, so that a Linux
 * program compiles unchanged and its numbers reach the pager as they would reach Linux.
 * The calls are in userland/lib/mman.c; each sends one request of samara/pager.h and, on
 * failure, sets errno and returns -1 (MAP_FAILED for mmap and mremap).
 */
#ifndef _SYS_MMAN_H
#define _SYS_MMAN_H

#include <stddef.h>
#include <sys/types.h>

#ifdef __cplusplus
extern "C" {
#endif

/* prot of mmap and mprotect */
#define PROT_NONE      0x0
#define PROT_READ      0x1
#define PROT_WRITE     0x2
#define PROT_EXEC      0x4
#define PROT_SEM       0x8
#define PROT_GROWSDOWN 0x01000000 /* mprotect: extend down to the start of a grows-down map */
#define PROT_GROWSUP   0x02000000

/* flags of mmap: one type (MAP_TYPE bits), then modifiers */
#define MAP_FILE            0
#define MAP_SHARED          0x01
#define MAP_PRIVATE         0x02
#define MAP_SHARED_VALIDATE 0x03 /* MAP_SHARED, and refuse unknown flags */
#define MAP_TYPE            0x0f
#define MAP_FIXED           0x10
#define MAP_ANONYMOUS       0x20
#define MAP_ANON            MAP_ANONYMOUS
#define MAP_GROWSDOWN       0x100
#define MAP_DENYWRITE       0x800
#define MAP_EXECUTABLE      0x1000
#define MAP_LOCKED          0x2000
#define MAP_NORESERVE       0x4000
#define MAP_POPULATE        0x8000
#define MAP_NONBLOCK        0x10000
#define MAP_STACK           0x20000
#define MAP_HUGETLB         0x40000
#define MAP_SYNC            0x80000
#define MAP_FIXED_NOREPLACE 0x100000
#define MAP_UNINITIALIZED   0x4000000

/* With MAP_HUGETLB, bits 26..31 may hold log2 of the huge page size. */
#define MAP_HUGE_SHIFT 26
#define MAP_HUGE_MASK  0x3f
#define MAP_HUGE_64KB  (16 << MAP_HUGE_SHIFT)
#define MAP_HUGE_512KB (19 << MAP_HUGE_SHIFT)
#define MAP_HUGE_1MB   (20 << MAP_HUGE_SHIFT)
#define MAP_HUGE_2MB   (21 << MAP_HUGE_SHIFT)
#define MAP_HUGE_8MB   (23 << MAP_HUGE_SHIFT)
#define MAP_HUGE_16MB  (24 << MAP_HUGE_SHIFT)
#define MAP_HUGE_1GB   (30 << MAP_HUGE_SHIFT)

#define MAP_FAILED ((void *)-1)

/* flags of mremap */
#define MREMAP_MAYMOVE   1
#define MREMAP_FIXED     2
#define MREMAP_DONTUNMAP 4

/* advice of madvise */
#define MADV_NORMAL          0
#define MADV_RANDOM          1
#define MADV_SEQUENTIAL      2
#define MADV_WILLNEED        3
#define MADV_DONTNEED        4
#define MADV_FREE            8
#define MADV_REMOVE          9
#define MADV_DONTFORK        10
#define MADV_DOFORK          11
#define MADV_MERGEABLE       12
#define MADV_UNMERGEABLE     13
#define MADV_HUGEPAGE        14
#define MADV_NOHUGEPAGE      15
#define MADV_DONTDUMP        16
#define MADV_DODUMP          17
#define MADV_WIPEONFORK      18
#define MADV_KEEPONFORK      19
#define MADV_COLD            20
#define MADV_PAGEOUT         21
#define MADV_POPULATE_READ   22
#define MADV_POPULATE_WRITE  23
#define MADV_DONTNEED_LOCKED 24

/* advice of posix_madvise (glibc's values, equal to the MADV_ ones) */
#define POSIX_MADV_NORMAL     0
#define POSIX_MADV_RANDOM     1
#define POSIX_MADV_SEQUENTIAL 2
#define POSIX_MADV_WILLNEED   3
#define POSIX_MADV_DONTNEED   4

/* flags of msync */
#define MS_ASYNC      1
#define MS_INVALIDATE 2
#define MS_SYNC       4

/* flags of mlockall and mlock2 */
#define MCL_CURRENT   1
#define MCL_FUTURE    2
#define MCL_ONFAULT   4
#define MLOCK_ONFAULT 0x01

void *mmap(void *addr, size_t length, int prot, int flags, int fd, off_t offset);
int munmap(void *addr, size_t length);
int mprotect(void *addr, size_t length, int prot);
void *mremap(void *old_address, size_t old_size, size_t new_size, int flags,
             ... /* void *new_address */);
int madvise(void *addr, size_t length, int advice);
int posix_madvise(void *addr, size_t length, int advice);
int msync(void *addr, size_t length, int flags);
int mlock(const void *addr, size_t length);
int mlock2(const void *addr, size_t length, unsigned int flags);
int mincore(void *addr, size_t length, unsigned char *vec);
int munlock(const void *addr, size_t length);
int mlockall(int flags);
int munlockall(void);

#ifdef __cplusplus
}
#endif

#endif
