/*
 * samara/ipc.h - message format, fault messages and fault replies.
 *
 * A message is a tag and up to IPC_MAX_WORDS words. The tag packs a label (what the message
 * means, chosen by the protocol) and the word count:
 *
 *     63                          16 15      7 6      0
 *    +------------------------------+---------+--------+
 *    |            label             |  zero   | length |
 *    +------------------------------+---------+--------+
 *
 * Words 0..3 travel in registers a2..a5 (the fast path: no memory is touched). Words 4 and up
 * travel in the IPC buffers of sender and receiver, a page each thread registers with
 * SYS_THREAD_SET_IPCBUF; a message longer than 4 words needs both buffers, and is cut to what
 * the receiver can take (the tag it receives says how many words arrived).
 *
 * Faults: when a thread takes a page fault or any other exception, the kernel sends a message
 * with label IPC_LABEL_FAULT on the thread's fault endpoint, on its behalf, as a call:
 *     w0 = faulting address (stval), w1 = access (FAULT_READ/WRITE/EXEC, or FAULT_OTHER; the
 *     low byte, FAULT_ACCESS(w1)) | for a read or execute page fault, FAULT_NEIGHBOURS_KNOWN
 *     and a bitmap of
 *     the pages of the aligned FAULT_WINDOW-page block around it that have something mapped
 *     (bit i: page i of the block), so that a pager's fault-around needs no SYS_QUERY,
 *     w2 = pc (sepc), w3 = scause (bits 0..3) | for a page fault, the page word of the faulting
 *     page (samara/syscall.h: what is mapped there now, if anything), so a pager can tell a
 *     missing page from a protection fault without asking the kernel.
 * The receiver sees the fault endpoint capability's badge. The thread stays blocked until the
 * reply, which is one of:
 *     FAULT_REPLY_RESUME: resume at the same pc (retry the access);
 *     FAULT_REPLY_KILL:   stop the thread for good;
 *     FAULT_REPLY_MAP:    length = 4 * n (n >= 1) words: n mappings, each
 *                         { va | perms | size << 4, memory slot of the replier, pa, npages },
 *                         installed into the faulting thread's address space, then resume;
 *     FAULT_REPLY_SIGNAL: length 4 { entry, a0, a1, a2 }: run a signal handler. The kernel
 *                         keeps the thread's 32 registers for it and starts it at entry with
 *                         those three arguments, on its own stack. The handler's first act is
 *                         SYS_SIGCONTEXT, which copies them onto its stack (a signal frame,
 *                         as Linux's) and frees the kernel's copy; SYS_SIGRETURN(frame) puts
 *                         them back. -EBUSY while a kept copy has not been taken yet.
 * All mappings are checked before any is installed; if a check fails the reply returns an
 * error to the replier and the reply capability stays valid, so the pager can answer again.
 */
#ifndef SAMARA_IPC_H
#define SAMARA_IPC_H

#include <stdint.h>

#define IPC_REG_WORDS 4
#define IPC_MAX_WORDS 64

#define IPC_TAG(label, len) (((uint64_t)(label) << 16) | (uint64_t)(len))
#define IPC_TAG_LABEL(tag)  ((uint64_t)(tag) >> 16)
#define IPC_TAG_LEN(tag)    ((unsigned)((tag)&0x7f))

/*
 * Labels the kernel itself produces or interprets. Protocols use labels below
 * IPC_LABEL_KERNEL: a call or send with a label from there up is refused (-EINVAL), so a
 * fault message always comes from the kernel. Replies may use FAULT_REPLY_*.
 */
#define IPC_LABEL_KERNEL   0xff00u
#define IPC_LABEL_FAULT    0xff01u
#define FAULT_REPLY_RESUME 0xff10u
#define FAULT_REPLY_KILL   0xff11u
#define FAULT_REPLY_MAP    0xff12u
#define FAULT_REPLY_SIGNAL 0xff13u

/* Fault access types (fault message word 1). */
#define FAULT_READ             0
#define FAULT_WRITE            1
#define FAULT_EXEC             2
#define FAULT_OTHER            3
#define FAULT_ACCESS(w1)       ((w1)&0xff)
#define FAULT_NEIGHBOURS_KNOWN (1ul << 8) /* the bitmap in bits 16..31 is valid */
#define FAULT_NEIGHBOURS(w1)   (((w1) >> 16) & 0xffff)
#define FAULT_WINDOW           16 /* illegal instruction, misaligned access, breakpoint, ... */

/* Layout of a thread's IPC buffer page. */
struct ipc_buffer {
    uint64_t words[IPC_MAX_WORDS]; /* words[0..3] unused: those travel in registers */
    uint64_t user[448];            /* free for the user library (e.g. thread-local data) */
};

_Static_assert(sizeof(struct ipc_buffer) == 4096, "the IPC buffer is one page");

#endif
