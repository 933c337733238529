/*
 * samara/user.h - system calls and IPC for user programs, as C functions.
 *
 * Thin wrappers over `ecall` (samara/syscall.h gives the numbers and register conventions).
 * Each returns what the kernel put in a0: a value >= 0, or a negative samara/errno.h code.
 * The IPC calls return the whole message in a struct ipc_msg.
 */
#ifndef SAMARA_USER_H
#define SAMARA_USER_H

#include <stddef.h>
#include <stdint.h>

#include <samara/cap.h>
#include <samara/errno.h>
#include <samara/ipc.h>
#include <samara/pager.h>
#include <samara/syscall.h>

struct ipc_msg {
    int64_t err; /* 0, or a negative error and nothing else is valid */
    uint64_t tag;
    uint64_t w[4];
    uint64_t badge; /* recv only */
};

long sys0(long n);
long sys1(long n, long a0);
long sys2(long n, long a0, long a1);
long sys3(long n, long a0, long a1, long a2);
long sys4(long n, long a0, long a1, long a2, long a3);
long sys5(long n, long a0, long a1, long a2, long a3, long a4);
long sys6(long n, long a0, long a1, long a2, long a3, long a4, long a5);
long sys7(long n, long a0, long a1, long a2, long a3, long a4, long a5, long a6);

/*
 * The IPC calls, inline so that the message stays in registers (samara/syscall.h: a0 = ep or
 * reply slot, a1 = tag, a2..a5 = words, a6 = reply slot for reply_recv; they return a0 = 0 or
 * an error, a1 = tag, a2..a5 = words, a6 = badge).
 */
static inline struct ipc_msg ipc_syscall(long n, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3,
                                         uint64_t a4, uint64_t a5, uint64_t a6)
{
    register uint64_t r0 __asm__("a0") = a0;
    register uint64_t r1 __asm__("a1") = a1;
    register uint64_t r2 __asm__("a2") = a2;
    register uint64_t r3 __asm__("a3") = a3;
    register uint64_t r4 __asm__("a4") = a4;
    register uint64_t r5 __asm__("a5") = a5;
    register uint64_t r6 __asm__("a6") = a6;
    register long r7 __asm__("a7") = n;
    __asm__ volatile("ecall"
                     : "+r"(r0), "+r"(r1), "+r"(r2), "+r"(r3), "+r"(r4), "+r"(r5), "+r"(r6)
                     : "r"(r7)
                     : "memory", "t0", "t1", "t2", "t3", "t4", "t5", "t6");
    return (struct ipc_msg){(int64_t)r0, r1, {r2, r3, r4, r5}, r6};
}

static inline struct ipc_msg ipc_call(unsigned long ep, uint64_t tag, uint64_t w0, uint64_t w1,
                                      uint64_t w2, uint64_t w3)
{
    return ipc_syscall(SYS_CALL, ep, tag, w0, w1, w2, w3, 0);
}

static inline long ipc_send(unsigned long ep, uint64_t tag, uint64_t w0, uint64_t w1, uint64_t w2,
                            uint64_t w3)
{
    return ipc_syscall(SYS_SEND, ep, tag, w0, w1, w2, w3, 0).err;
}

static inline struct ipc_msg ipc_recv(unsigned long ep, unsigned long reply_slot)
{
    return ipc_syscall(SYS_RECV, ep, reply_slot, 0, 0, 0, 0, 0);
}

static inline long ipc_reply(unsigned long reply_slot, uint64_t tag, uint64_t w0, uint64_t w1,
                             uint64_t w2, uint64_t w3)
{
    return ipc_syscall(SYS_REPLY, reply_slot, tag, w0, w1, w2, w3, 0).err;
}

static inline struct ipc_msg ipc_reply_recv(unsigned long ep, uint64_t tag, uint64_t w0,
                                            uint64_t w1, uint64_t w2, uint64_t w3,
                                            unsigned long reply_slot)
{
    return ipc_syscall(SYS_REPLY_RECV, ep, tag, w0, w1, w2, w3, reply_slot);
}

/* This thread's IPC buffer (words 4.. of long messages), as set up by the pager. */
struct ipc_buffer *ipc_buffer(void);

/* Convenience wrappers. */
long sys_debug_write(const void *buf, size_t len);
long sys_yield(void);
long sys_sysinfo(unsigned which);

/* Zero or copy one 4 KiB page, 8 bytes a store (page.c). Both must be page aligned. */
void page_zero(void *page);
void page_copy(void *dst, const void *src);

/* Calls on the pager (samara/pager.h). */
long pager_spawn(const char *path, const char *const argv[]);
long pager_wait(long pid, int *status, int options);
long pager_kill(long pid, int sig);
/*
 * What the running signal handler was called for (signal.c): the signal (picolibc's number),
 * si_code (below) and, for a fault, the faulting address.
 */
struct samara_siginfo {
    int si_signo;
    int si_code;
    void *si_addr;
};
const struct samara_siginfo *samara_siginfo(void);
#ifndef SEGV_MAPERR
#define SEGV_MAPERR 1 /* si_code of SIGSEGV: nothing is mapped there */
#define SEGV_ACCERR 2 /* the protection forbids the access */
#define BUS_ADRALN  1 /* si_code of SIGBUS: misaligned */
#define BUS_ADRERR  2 /* no such page (past the end of a file) */
#define ILL_ILLOPC  1 /* si_code of SIGILL: illegal opcode */
#define TRAP_BRKPT  1 /* si_code of SIGTRAP: a breakpoint (ebreak) */
#endif

/* PAGER_PERSONALITY: set the persona (0xffffffff: only ask); the old one or -errno. */
long pager_personality(unsigned long persona);
long pager_free_frames(void);
/* A memory capability for npages fresh zeroed contiguous frames, in slot; its physical base. */
long pager_memgrant(unsigned long npages, unsigned long slot, uint64_t *pa);

#endif
