/*
 * thread.h - a thread: a saved user context, a scheduling state, and its IPC state.
 *
 * The first fields are read by trap.S (asm_offsets.h): ctx[0] is the user pc, ctx[1..31] are
 * x1..x31, then the kernel stack to use on a trap.
 */
#ifndef THREAD_H
#define THREAD_H

#include <stdbool.h>
#include <stdint.h>

#include "object.h"
#include "arch/riscv/asm_offsets.h"

enum thread_state {
    TS_INACTIVE,      /* created, not started */
    TS_RUNNABLE,      /* running or in the run queue */
    TS_BLOCKED_SEND,  /* in an endpoint's send queue (send, call or fault) */
    TS_BLOCKED_RECV,  /* in an endpoint's receive queue */
    TS_BLOCKED_REPLY, /* waiting for the reply to a call or fault */
    TS_DEAD,          /* killed or suspended: never runs again */
};

/* Register numbers in ctx[]. */
enum {
    REG_PC = 0,
    REG_RA = 1,
    REG_SP = 2,
    REG_TP = 4,
    REG_A0 = 10,
    REG_A1,
    REG_A2,
    REG_A3,
    REG_A4,
    REG_A5,
    REG_A6,
    REG_A7
};

struct endpoint;
struct task;

struct thread {
    uint64_t ctx[32];
    uint64_t kstack_top;
    struct kobj obj;
    uint8_t state;
    uint8_t prio;
    bool in_runq;
    bool is_call;       /* blocked sender did a call (wants a reply), not a send */
    bool fault_pending; /* its message is fault_msg, and its reply a fault reply */
    uint32_t id;
    struct task *task; /* NULL once dead */
    struct thread *task_next;
    struct thread *qnext, *qprev; /* run queue or endpoint queue */
    struct endpoint *blocked_on;
    uint64_t send_badge; /* badge of the capability a blocked sender used */
    uint64_t reply_slot; /* blocked receiver: where its reply capability goes */
    uint64_t reply_seq;  /* reply capabilities to this thread carry this number */
    uint64_t ipcbuf_va;
    uint64_t fault_msg[4];
    uint64_t *fault_pte;    /* level-0 entry of the faulting page, or NULL (fastpath.c) */
    uint64_t fault_pte_gen; /* mmu_tables_freed when fault_pte was taken */
    struct cap fault_ep;    /* where faults are sent: a copy of an endpoint capability */
    /* Registers kept by FAULT_REPLY_SIGNAL until the handler takes them (SYS_SIGCONTEXT). */
    uint64_t sigctx[32];
    bool sigctx_kept;
};

_Static_assert(__builtin_offsetof(struct thread, kstack_top) == CTX_KSTACK, "trap.S offsets");

/* A new thread of task t, inactive, one reference (the caller's); NULL on -ENOMEM. */
struct thread *thread_create(struct task *t);
/* Stop t for good: out of every queue, dead, its task reference dropped. */
void thread_kill(struct thread *t);
void thread_free(struct thread *t);

#endif
