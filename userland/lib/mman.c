/*
 * mman.c - the POSIX memory calls (mmap, munmap, mprotect, mremap, madvise, msync, mlock...)
 * as requests to the pager.
 *
 * The pager keeps each process's regions and answers with Linux's semantics and errno values
 * (samara/pager.h, docs/ABI.md), so this file only packs arguments into the register words of
 * the request and turns a negative answer into errno. It checks only what the packing
 * itself needs: an mmap offset must be page aligned (its page number travels, not the byte
 * offset) and an mremap target address must be page aligned (the flags share its word).
 * Everything else (zero lengths, unknown flags, ranges) goes to the pager unchanged, because
 * it is the authority and must see bad arguments to answer as Linux does.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>

#include <samara/pager.h>
#include <samara/user.h>

#include "fd.h"

/* The ABI result r, or -1 with errno set (posix.c). */
long posix_errno(long r);

#define MMAN_PAGE_MASK 4095ul
#define MMAN_ERR_MAX   4095ul /* answers in [-4095, -1] are errors, as in Linux */

/* The answer in w0, or the IPC error: a value, or -errno. */
static long mman_call(unsigned label, unsigned len, uint64_t w0, uint64_t w1, uint64_t w2,
                      uint64_t w3)
{
    struct ipc_msg m = ipc_call(CAP_PROC_PAGER, IPC_TAG(label, len), w0, w1, w2, w3);
    return m.err ? m.err : (long)m.w[0];
}

static int mman_status(long r)
{
    return r < 0 ? (int)posix_errno(r) : 0;
}

/* An address answer (mmap, mremap): the address, or MAP_FAILED with errno set. */
static void *mman_address(long r)
{
    if ((unsigned long)r > -MMAN_ERR_MAX - 1) {
        posix_errno(r);
        return MAP_FAILED;
    }
    return (void *)r;
}

/*
 * mmap - map length bytes: anonymous memory, or fd's file from offset.
 * Return: the address, or MAP_FAILED with errno: EINVAL (offset not page aligned, and all of
 * Linux's argument checks, made by the pager), EOVERFLOW (an offset whose page number does
 * not fit the request's 32 bits), EBADF, EACCES, EEXIST, ENOMEM, ENODEV, ENOSYS...
 */
void *mmap(void *addr, size_t length, int prot, int flags, int fd, off_t offset)
{
    if ((unsigned long)offset & MMAN_PAGE_MASK) {
        errno = EINVAL;
        return MAP_FAILED;
    }
    /*
     * The page number travels in 32 bits. Linux answers EOVERFLOW to a negative offset
     * (its page number plus the length wraps); a larger one is meaningful only for a file,
     * since anonymous memory ignores the offset.
     */
    uint64_t pgoff = (uint64_t)offset / 4096;
    if (offset < 0 || pgoff > UINT32_MAX) {
        if (offset < 0 || !(flags & MAP_ANONYMOUS)) {
            errno = EOVERFLOW;
            return MAP_FAILED;
        }
        pgoff = 0;
    }
    /* A file is named by the server's descriptor; Linux checks the descriptor first. */
    if (!(flags & MAP_ANONYMOUS)) {
        fd = fd_server_fd(fd);
        if (fd == -EBADF) {
            errno = EBADF;
            return MAP_FAILED;
        }
        if (fd < 0)
            fd = PAGER_FD_NODEV;
    }
    uint64_t pf = (uint32_t)prot | (uint64_t)(uint32_t)flags << 32;
    uint64_t fo = (uint32_t)fd | pgoff << 32;
    return mman_address(mman_call(PAGER_MMAP, 4, (uint64_t)addr, length, pf, fo));
}

/* munmap - remove the mappings in [addr, addr + length). Return: 0, or -1 (EINVAL...). */
int munmap(void *addr, size_t length)
{
    return mman_status(mman_call(PAGER_MUNMAP, 2, (uint64_t)addr, length, 0, 0));
}

/* mprotect - change the access of [addr, addr + length). Return: 0, or -1 (EINVAL, ENOMEM,
 * EACCES). */
int mprotect(void *addr, size_t length, int prot)
{
    return mman_status(mman_call(PAGER_MPROTECT, 3, (uint64_t)addr, length, (uint32_t)prot, 0));
}

/*
 * mremap - grow, shrink or move the mapping at old_address. new_address (the fifth
 * argument) is read only with MREMAP_FIXED, as Linux does.
 * Return: the new address, or MAP_FAILED with errno: EINVAL (MREMAP_FIXED with an unaligned
 * new address, flags the request cannot carry, and the pager's checks), EFAULT, ENOMEM...
 */
void *mremap(void *old_address, size_t old_size, size_t new_size, int flags, ...)
{
    uint64_t new_address = 0;
    if (flags & MREMAP_FIXED) {
        va_list ap;
        va_start(ap, flags);
        new_address = (uint64_t)va_arg(ap, void *);
        va_end(ap);
    }
    /*
     * Flags and the new address share w3, flags in the low 12 bits. Linux refuses every flag
     * above MREMAP_DONTUNMAP with EINVAL; the ones that cannot travel are refused here with
     * the same error, the others are left for the pager to refuse.
     */
    if ((new_address & MMAN_PAGE_MASK) || ((unsigned)flags & ~MMAN_PAGE_MASK)) {
        errno = EINVAL;
        return MAP_FAILED;
    }
    uint64_t w3 = (uint64_t)(unsigned)flags | new_address;
    return mman_address(mman_call(PAGER_MREMAP, 4, (uint64_t)old_address, old_size, new_size, w3));
}

/* madvise - advice (MADV_*) on [addr, addr + length). Return: 0, or -1 (EINVAL, ENOMEM...). */
int madvise(void *addr, size_t length, int advice)
{
    return mman_status(mman_call(PAGER_MADVISE, 3, (uint64_t)addr, length, (uint32_t)advice, 0));
}

/*
 * posix_madvise - POSIX's madvise. Return: 0, or the error number itself (errno is left
 * alone). POSIX_MADV_DONTNEED does nothing, as in glibc: Linux's MADV_DONTNEED throws the
 * contents away, which POSIX does not allow.
 */
int posix_madvise(void *addr, size_t length, int advice)
{
    if (advice == POSIX_MADV_DONTNEED)
        return 0;
    int saved = errno;
    if (madvise(addr, length, advice) == 0)
        return 0;
    int e = errno;
    errno = saved;
    return e;
}

/* msync - write back [addr, addr + length) of a shared file mapping. Return: 0, or -1
 * (EINVAL, ENOMEM, EBUSY). */
int msync(void *addr, size_t length, int flags)
{
    return mman_status(mman_call(PAGER_MSYNC, 3, (uint64_t)addr, length, (uint32_t)flags, 0));
}

/*
 * mincore - a byte per page of [addr, addr + length) into vec: 1 when the page is in memory.
 * Return: 0, or -1 (EINVAL: addr not page aligned; ENOMEM: the range is not all mapped, or
 * lies past the end of user space; EFAULT: vec is not writable memory, checked by the pager
 * before each chunk is copied).
 */
int mincore(void *addr, size_t length, unsigned char *vec)
{
    uint64_t start = (uint64_t)addr;
    uint64_t done = 0, pages = (length >> 12) + ((length & MMAN_PAGE_MASK) != 0);
    do {
        uint64_t left = done ? length - done * 4096 : length;
        long n = mman_call(PAGER_MINCORE, 3, start + done * 4096, left, (uint64_t)(vec + done), 0);
        if (n <= 0)
            return mman_status(n);
        memcpy(vec + done, &ipc_buffer()->words[IPC_REG_WORDS], (size_t)n);
        done += (uint64_t)n;
    } while (done < pages);
    return 0;
}

/* mlock2 - keep [addr, addr + length) resident; MLOCK_ONFAULT: as it is touched. Return: 0,
 * or -1 (EINVAL, ENOMEM, EAGAIN, EPERM). mlock is mlock2 with no flags. */
int mlock2(const void *addr, size_t length, unsigned int flags)
{
    return mman_status(mman_call(PAGER_MLOCK, 3, (uint64_t)addr, length, flags, 0));
}

int mlock(const void *addr, size_t length)
{
    return mlock2(addr, length, 0);
}

/* munlock - undo mlock on [addr, addr + length). Return: 0, or -1 (ENOMEM, EINVAL). */
int munlock(const void *addr, size_t length)
{
    return mman_status(mman_call(PAGER_MUNLOCK, 2, (uint64_t)addr, length, 0, 0));
}

/* mlockall - lock every mapping (MCL_CURRENT) and/or later ones (MCL_FUTURE). Return: 0, or
 * -1 (EINVAL, ENOMEM, EPERM). */
int mlockall(int flags)
{
    return mman_status(mman_call(PAGER_MLOCKALL, 1, (uint32_t)flags, 0, 0, 0));
}

/* munlockall - undo mlockall and every mlock. Return: 0. */
int munlockall(void)
{
    return mman_status(mman_call(PAGER_MUNLOCKALL, 0, 0, 0, 0, 0));
}
