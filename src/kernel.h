/*
 * kernel.h - what every kernel file needs: fixed-width types, error codes, the console,
 * panic and asserts, and the conversions between physical and kernel virtual addresses.
 *
 * Design principles (after Hubris and seL4): the kernel is mechanism only and small enough to
 * read in an afternoon; simple, clear algorithms over clever ones; every system call checks
 * its arguments completely before changing anything (decode, then perform); a user mistake is
 * an error code, and panic() is reserved for a broken invariant of the kernel itself.
 */
#ifndef KERNEL_H
#define KERNEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <samara/errno.h>

#define EPERM  SAMARA_EPERM
#define ENOENT SAMARA_ENOENT
#define ESRCH  SAMARA_ESRCH
#define EBADF  SAMARA_EBADF
#define ENOMEM SAMARA_ENOMEM
#define EFAULT SAMARA_EFAULT
#define EBUSY  SAMARA_EBUSY
#define EEXIST SAMARA_EEXIST
#define EINVAL SAMARA_EINVAL
#define ENOSYS SAMARA_ENOSYS
#define E2BIG  SAMARA_E2BIG

#define ALIGN_UP(x, a)   (((x) + (a)-1) & ~((uint64_t)(a)-1))
#define ALIGN_DOWN(x, a) ((x) & ~((uint64_t)(a)-1))
#define ARRAY_SIZE(a)    (sizeof(a) / sizeof((a)[0]))

/* Console (src/console.c). */
void kputs(const char *s);
void kputc(char c);
void kprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
_Noreturn void panic(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#ifdef KERNEL_DEBUG
#define kassert(c)                                                                                 \
    do {                                                                                           \
        if (!(c))                                                                                  \
            panic("assertion failed: %s (%s:%d)", #c, __FILE__, __LINE__);                         \
    } while (0)
#else
#define kassert(c) ((void)0)
#endif

/*
 * Kernel virtual addresses. RAM is reachable through the direct map at dmap_offset + pa (the
 * offset depends on the paging mode, docs/BOOT.md); the kernel image is mapped separately at
 * its link address.
 */
extern uint64_t dmap_offset;
extern uint64_t kimage_offset; /* kernel image VA - PA */
extern char _kernel_start[], _kernel_end[];

/* Bytes from _kernel_start to _kernel_end (linker symbols: compared as addresses). */
static inline uint64_t kernel_image_size(void)
{
    return (uint64_t)(uintptr_t)_kernel_end - (uint64_t)(uintptr_t)_kernel_start;
}

static inline void *pa_to_kva(uint64_t pa)
{
    return (void *)(pa + dmap_offset);
}

static inline uint64_t kva_to_pa(const void *kva)
{
    uint64_t va = (uint64_t)kva;
    if (va >= (uint64_t)_kernel_start)
        return va - kimage_offset;
    return va - dmap_offset;
}

/* lib/base */
void *memset(void *d, int c, size_t n);
void *memcpy(void *d, const void *s, size_t n);
void *memmove(void *d, const void *s, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);
char *strstr(const char *h, const char *n);

#endif
