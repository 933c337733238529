/*
 * fastpath.c - the IPC fast paths: call and reply_recv when nothing unusual is going on.
 *
 * The common shape of client/server IPC (and of a page fault through the pager) is: a client
 * calls an endpoint its server is already waiting on, the server answers with reply_recv and
 * nobody else is waiting on that endpoint. For that shape these functions do the whole job
 * with a handful of checks and register copies, and switch straight to the other thread,
 * skipping the general scheduler. When any check fails they return and the general path in
 * endpoint.c handles the call, with the same result (only slower). They never fail a call.
 *
 * Conditions: message in registers only (<= 4 words); no runnable thread has a higher
 * priority than the thread switched to (the current one blocks in every case, so that thread
 * is the scheduler's own choice); reply slots are empty; for a fault reply, one mapping (or a
 * plain resume).
 */
#include <samara/ipc.h>

#include "endpoint.h"
#include "kernel.h"
#include "sched.h"
#include "task.h"
#include "thread.h"
#include "vspace.h"
#include "arch/riscv/mmu.h"

void trap_return(struct thread *t) __attribute__((noreturn));

static struct cap *slot_of(struct task *task, uint64_t slot)
{
    if (slot >= CAP_SLOTS)
        return NULL;
    struct cap *page = task->captab[slot / CAPS_PER_PAGE];
    return page ? &page[slot % CAPS_PER_PAGE] : NULL;
}

static inline _Noreturn void switch_to(struct thread *next)
{
    sched_current = next;
    if (__builtin_expect(next->task != active_task, 0))
        task_activate(next->task);
    trap_return(next);
}

/*
 * The receiver waiting on ep for a call from t, if the fast path may take it: at the head of
 * the receive queue, no higher-priority thread runnable, its reply slot empty (*rs).
 */
static inline __attribute__((always_inline)) struct thread *fast_receiver(struct endpoint *ep,
                                                                          struct cap **rs)
{
    struct thread *r = ep->recvq.head;
    if (!r || sched_higher_waiting(r->prio))
        return NULL;
    *rs = slot_of(r->task, r->reply_slot);
    return *rs && (*rs)->type == CAP_NULL ? r : NULL;
}

/*
 * Hand caller t's message (already in r's registers but for a0 and the badge) to r, the head
 * of ep's receive queue: r takes a reply capability to t in rs and runs next; t waits.
 */
static inline __attribute__((always_inline)) _Noreturn void
fast_deliver(struct thread *t, struct endpoint *ep, struct thread *r, struct cap *rs,
             uint64_t badge)
{
    ep->recvq.head = r->qnext;
    if (r->qnext)
        r->qnext->qprev = NULL;
    else
        ep->recvq.tail = NULL;
    r->qnext = NULL;
    r->blocked_on = NULL;
    ep->obj.refs--; /* the capability t used still holds one */
    r->ctx[REG_A0] = 0;
    r->ctx[REG_A6] = badge;
    rs->type = CAP_REPLY;
    rs->rights = 0;
    rs->obj = (uint64_t)t;
    rs->word = ++t->reply_seq;
    t->obj.refs++;
    t->state = TS_BLOCKED_REPLY;
    r->state = TS_RUNNABLE;
    switch_to(r);
}

void fastpath_call(struct thread *t)
{
    struct cap *c = slot_of(t->task, t->ctx[REG_A0]), *rs;
    if (!c || c->type != CAP_ENDPOINT || !(c->rights & CAP_R_SEND) ||
        IPC_TAG_LEN(t->ctx[REG_A1]) > IPC_REG_WORDS ||
        IPC_TAG_LABEL(t->ctx[REG_A1]) >= IPC_LABEL_KERNEL)
        return;
    struct endpoint *ep = (struct endpoint *)c->obj;
    struct thread *r = fast_receiver(ep, &rs);
    if (!r)
        return;
    r->ctx[REG_A1] = t->ctx[REG_A1];
    r->ctx[REG_A2] = t->ctx[REG_A2];
    r->ctx[REG_A3] = t->ctx[REG_A3];
    r->ctx[REG_A4] = t->ctx[REG_A4];
    r->ctx[REG_A5] = t->ctx[REG_A5];
    fast_deliver(t, ep, r, rs, c->word);
}

/*
 * A page fault, delivered on the fast path: the fault endpoint's handler is waiting, so the
 * fault message goes straight into its registers and it runs next. The faulting thread's
 * registers stay as they are (it will retry the access). Returns when it does not apply.
 */
void fastpath_fault(struct thread *t, uint64_t cause, uint64_t addr, uint64_t access)
{
    struct cap *c = &t->fault_ep, *rs;
    if (c->type != CAP_ENDPOINT)
        return;
    struct endpoint *ep = (struct endpoint *)c->obj;
    struct thread *r = fast_receiver(ep, &rs);
    if (!r)
        return;
    uint64_t page = vspace_page_word_slot(t->task, addr & ~(PAGE_SIZE - 1), &t->fault_pte);
    if (access == FAULT_WRITE && (PAGE_W_PERMS(page) & MAP_PERM_W) && !(page & PAGE_W_DIRTY) &&
        page & PAGE_W_PRESENT)
        return; /* a clean writable page on a core that does not set D: fault_raise's */
    uint64_t word = cause | page;
    if (access != FAULT_WRITE) /* writes are mostly answered page by page: keep them lean */
        access |= vspace_fault_neighbours(addr, page, t->fault_pte);
    t->fault_pte_gen = mmu_tables_freed;
    t->fault_msg[0] = addr;
    t->fault_msg[1] = access;
    t->fault_msg[2] = t->ctx[REG_PC];
    t->fault_msg[3] = word;
    t->fault_pending = true;
    r->ctx[REG_A1] = IPC_TAG(IPC_LABEL_FAULT, 4);
    r->ctx[REG_A2] = addr;
    r->ctx[REG_A3] = access;
    r->ctx[REG_A4] = t->ctx[REG_PC];
    r->ctx[REG_A5] = word;
    fast_deliver(t, ep, r, rs, c->word);
}

/*
 * A fault reply on the fast path: one mapping, or a resume. Returns false (with nothing
 * changed, or a mapping the general path will simply install again) to leave it to endpoint.c,
 * which also reports errors. Kept out of line so the plain reply path stays short.
 */
static __attribute__((noinline)) bool fast_fault_reply(struct thread *t, struct thread *caller,
                                                       uint64_t tag)
{
    uint64_t label = IPC_TAG_LABEL(tag);
    if (label == FAULT_REPLY_MAP && IPC_TAG_LEN(tag) == 4) {
        struct vspace_map_req req;
        uint64_t w0 = t->ctx[REG_A2];
        if (vspace_map_decode(t->task, caller->task, w0 & ~0xffful, t->ctx[REG_A3], t->ctx[REG_A4],
                              t->ctx[REG_A5], w0 & 0xfff, &req))
            return false;
        /* The common answer, one 4 KiB page at the faulting address: the entry found when
         * the fault came in is still the one (tables are freed only with the task). */
        if (req.npages == 1 && req.level == 0 && !req.flags && caller->fault_pte &&
            caller->fault_pte_gen == mmu_tables_freed &&
            req.va == (caller->fault_msg[0] & ~(PAGE_SIZE - 1))) {
            *caller->fault_pte = pte_leaf(req.pa, req.pte_perms);
            task_flush_page(caller->task, req.va);
        } else if (vspace_map_perform(caller->task, &req)) {
            return false;
        }
    } else if (label != FAULT_REPLY_RESUME) {
        return false;
    }
    caller->fault_pending = false;
    return true;
}

void fastpath_reply_recv(struct thread *t)
{
    struct cap *rs = slot_of(t->task, t->ctx[REG_A6]);
    if (!rs || rs->type != CAP_REPLY)
        return;
    struct thread *caller = (struct thread *)rs->obj;
    uint64_t tag = t->ctx[REG_A1];
    if (caller->state != TS_BLOCKED_REPLY || caller->reply_seq != rs->word ||
        IPC_TAG_LEN(tag) > IPC_REG_WORDS)
        return;
    if (sched_higher_waiting(caller->prio))
        return;
    struct cap *c = slot_of(t->task, t->ctx[REG_A0]);
    if (!c || c->type != CAP_ENDPOINT || !(c->rights & CAP_R_RECV))
        return;
    struct endpoint *ep = (struct endpoint *)c->obj;
    if (ep->sendq.head)
        return;

    if (caller->fault_pending) {
        if (!fast_fault_reply(t, caller, tag))
            return;
    } else {
        caller->ctx[REG_A0] = 0;
        caller->ctx[REG_A1] = tag;
        caller->ctx[REG_A2] = t->ctx[REG_A2];
        caller->ctx[REG_A3] = t->ctx[REG_A3];
        caller->ctx[REG_A4] = t->ctx[REG_A4];
        caller->ctx[REG_A5] = t->ctx[REG_A5];
    }
    rs->type = CAP_NULL;
    rs->obj = rs->word = 0;
    caller->obj.refs--; /* a live thread holds a reference on itself */
    caller->state = TS_RUNNABLE;

    t->reply_slot = t->ctx[REG_A6];
    t->state = TS_BLOCKED_RECV;
    t->blocked_on = ep;
    ep->obj.refs++;
    tqueue_push(&ep->recvq, t);
    switch_to(caller);
}
