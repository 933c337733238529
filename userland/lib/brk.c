/*
 * brk.c - the program break (brk, sbrk) on PAGER_BRK; picolibc's malloc grows its heap here.
 *
 * The pager owns the break: it says where it starts (PAGER_BRK with 0) and moves it, with
 * Linux's brk system call semantics (it answers the break as it is afterwards, unchanged when
 * the request fails). These definitions replace picolibc's sbrk, which hands out a fixed
 * area between the linker symbols __heap_start and __heap_end: libsamara is linked whole,
 * before libc, so picolibc's sbrk object is never pulled in.
 *
 * Transition: a pager that does not serve PAGER_BRK yet answers -ENOSYS. Until it does, the
 * break moves inside the old linker heap, if the program has one (the symbols are weak), so
 * that malloc keeps working; once the pager answers, they are never looked at.
 */
#include <errno.h>
#include <stdint.h>
#include <unistd.h>

#include <samara/user.h>

extern char __heap_start[] __attribute__((weak));
extern char __heap_end[] __attribute__((weak));

/* The ABI result r, or -1 with errno set (posix.c). */
long posix_errno(long r);

static uintptr_t brk_now;   /* the break, 0 until first asked */
static int brk_from_linker; /* the pager answered -ENOSYS: use __heap_start..__heap_end */

/* The transitional break inside the linker's heap; same contract as brk_request. */
static long brk_linker(uintptr_t want)
{
    uintptr_t start = (uintptr_t)__heap_start, end = (uintptr_t)__heap_end;
    if (!start)
        return -SAMARA_ENOMEM;
    if (!brk_now)
        brk_now = start;
    if (want >= start && want <= end)
        brk_now = want;
    return (long)brk_now;
}

/* Ask the pager to move the break to want (0: only ask). Return: the break, or -errno. */
static long brk_request(uintptr_t want)
{
    if (!brk_from_linker) {
        struct ipc_msg m = ipc_call(CAP_PROC_PAGER, IPC_TAG(PAGER_BRK, 1), want, 0, 0, 0);
        long r = m.err ? m.err : (long)m.w[0];
        if (r != -SAMARA_ENOSYS)
            return r;
        brk_from_linker = 1;
    }
    return brk_linker(want);
}

/*
 * brk - set the break to addr.
 * Return: 0, or -1 with errno ENOMEM when the break is now below addr (glibc's rule over
 * Linux's system call: a request the pager refused leaves the break where it was).
 */
int brk(void *addr)
{
    long r = brk_request((uintptr_t)addr);
    if (r < 0 && r >= -4095)
        return (int)posix_errno(r);
    brk_now = (uintptr_t)r;
    if (brk_now < (uintptr_t)addr) {
        errno = ENOMEM;
        return -1;
    }
    return 0;
}

/*
 * sbrk - move the break by increment bytes (may be negative; 0 only asks).
 * Return: the break before the call, or (void *)-1 with errno ENOMEM (the pager refused, or
 * the new break would wrap around).
 */
void *sbrk(intptr_t increment)
{
    if (!brk_now && brk(0) < 0)
        return (void *)-1;
    uintptr_t old = brk_now, step = (uintptr_t)increment;
    if (increment == 0)
        return (void *)old;
    if (increment > 0 ? old + step < old : old < 0 - step) {
        errno = ENOMEM;
        return (void *)-1;
    }
    if (brk((void *)(old + step)) < 0)
        return (void *)-1;
    return (void *)old;
}
