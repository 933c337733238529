/*
 * endpoint.c - synchronous IPC through endpoints, and faults delivered as IPC.
 *
 * An endpoint has two queues: threads waiting to send (send, call, or a fault on their
 * behalf) and threads waiting to receive. A message goes from sender to receiver the moment
 * both are there: words 0..3 from register to register (ctx[a2..a5]), words 4.. between the
 * two threads' IPC buffers (samara/ipc.h). A call also gives the receiver a one-shot reply
 * capability, in the slot the receiver named when it called recv; the caller sleeps until
 * that capability is used.
 *
 * Scheduling: when a call finds its server waiting, the server runs next (the caller is
 * blocked anyway); when a server's reply_recv blocks, the client it answered is the highest
 * thread ready in the common case, so the pair round-trips without touching other threads.
 */
#include "endpoint.h"

#include <samara/ipc.h>

#include "kernel.h"
#include "pool.h"
#include "sched.h"
#include "task.h"
#include "thread.h"
#include "vspace.h"
#include "arch/riscv/csr.h"
#include "arch/riscv/mmu.h"

struct endpoint *endpoint_create(void)
{
    struct endpoint *ep = pool_alloc(sizeof(*ep));
    if (!ep)
        return NULL;
    ep->obj.type = CAP_ENDPOINT;
    ep->obj.refs = 1;
    return ep;
}

void endpoint_free(struct endpoint *ep)
{
    kassert(!ep->sendq.head && !ep->recvq.head);
    pool_free(ep, sizeof(*ep));
}

void tqueue_push(struct tqueue *q, struct thread *t)
{
    t->qnext = NULL;
    t->qprev = q->tail;
    if (q->tail)
        q->tail->qnext = t;
    else
        q->head = t;
    q->tail = t;
}

void tqueue_remove(struct tqueue *q, struct thread *t)
{
    if (t->qprev)
        t->qprev->qnext = t->qnext;
    else
        q->head = t->qnext;
    if (t->qnext)
        t->qnext->qprev = t->qprev;
    else
        q->tail = t->qprev;
    t->qnext = t->qprev = NULL;
}

struct thread *tqueue_pop(struct tqueue *q)
{
    struct thread *t = q->head;
    if (t)
        tqueue_remove(q, t);
    return t;
}

/* Words 4..4+n of a long message, buffer to buffer. Returns how many arrived. */
static unsigned copy_long(struct thread *src, struct thread *dst, unsigned n)
{
    if (!src->ipcbuf_va || !dst->ipcbuf_va || !src->task || !dst->task)
        return 0;
    const struct ipc_buffer *s = vspace_user_page(src->task, src->ipcbuf_va, false);
    struct ipc_buffer *d = vspace_user_page(dst->task, dst->ipcbuf_va, true);
    if (!s || !d)
        return 0;
    memcpy(&d->words[IPC_REG_WORDS], &s->words[IPC_REG_WORDS], n * sizeof(uint64_t));
    return n;
}

/*
 * Give src's message to dst: a0 = 0, a1 = tag (length as delivered), a2..a5 = words 0..3,
 * a6 = badge. A faulting src sends its fault message.
 */
static void msg_transfer(struct thread *src, struct thread *dst, uint64_t badge)
{
    uint64_t tag;
    const uint64_t *w;
    if (src->fault_pending) {
        tag = IPC_TAG(IPC_LABEL_FAULT, 4);
        w = src->fault_msg;
    } else {
        tag = src->ctx[REG_A1];
        w = &src->ctx[REG_A2];
    }
    unsigned len = IPC_TAG_LEN(tag);
    if (len > IPC_MAX_WORDS)
        len = IPC_MAX_WORDS;
    dst->ctx[REG_A2] = w[0];
    dst->ctx[REG_A3] = w[1];
    dst->ctx[REG_A4] = w[2];
    dst->ctx[REG_A5] = w[3];
    if (len > IPC_REG_WORDS)
        len = IPC_REG_WORDS + copy_long(src, dst, len - IPC_REG_WORDS);
    dst->ctx[REG_A0] = 0;
    dst->ctx[REG_A1] = (tag & ~0x7ful) | len;
    dst->ctx[REG_A6] = badge;
}

/* Put a reply capability for caller into receiver's chosen slot; the caller waits for it. */
static void make_reply(struct thread *caller, struct thread *receiver)
{
    struct cap *slot = cap_slot(receiver->task, receiver->reply_slot, false);
    /* recv checked the slot and allocated its page; it holds nothing or an old reply. */
    if (slot->type)
        cap_clear(slot);
    struct cap rc = {.type = CAP_REPLY, .obj = (uint64_t)caller, .word = ++caller->reply_seq};
    cap_install(slot, &rc);
    caller->state = TS_BLOCKED_REPLY;
}

/* Block t on ep's queue q. */
static void block_on(struct thread *t, struct endpoint *ep, struct tqueue *q, uint8_t state)
{
    t->state = state;
    t->blocked_on = ep;
    kobj_ref(&ep->obj);
    tqueue_push(q, t);
    if (sched_current == t)
        sched_current = NULL;
}

static void unblock_from(struct thread *t)
{
    struct endpoint *ep = t->blocked_on;
    t->blocked_on = NULL;
    kobj_unref(&ep->obj);
}

/* t sends (call or not) through ep with badge; shared by call, send and faults. */
static void ipc_send(struct thread *t, struct endpoint *ep, uint64_t badge, bool call)
{
    struct thread *r = tqueue_pop(&ep->recvq);
    if (!r) {
        t->send_badge = badge;
        t->is_call = call;
        block_on(t, ep, &ep->sendq, TS_BLOCKED_SEND);
        return;
    }
    unblock_from(r);
    msg_transfer(t, r, badge);
    r->state = TS_RUNNABLE;
    if (call) {
        make_reply(t, r);
        if (sched_current == t)
            sched_current = NULL;
        if (!sched_higher_waiting(r->prio) && r->prio >= t->prio) {
            sched_current = r;
            return;
        }
    } else if (!t->fault_pending) {
        t->ctx[REG_A0] = 0;
    }
    sched_enqueue(r);
}

/* t receives on ep; the reply capability of a call goes to reply_slot. */
static void ipc_recv(struct thread *t, struct endpoint *ep, uint64_t reply_slot)
{
    t->reply_slot = reply_slot;
    struct thread *s = tqueue_pop(&ep->sendq);
    if (!s) {
        block_on(t, ep, &ep->recvq, TS_BLOCKED_RECV);
        return;
    }
    unblock_from(s);
    msg_transfer(s, t, s->send_badge);
    if (s->is_call) {
        make_reply(s, t);
    } else {
        s->ctx[REG_A0] = 0;
        s->state = TS_RUNNABLE;
        sched_enqueue(s);
    }
}

static int lookup_ep(struct thread *t, uint64_t slot, unsigned right, struct cap **c)
{
    return cap_lookup(t->task, slot, CAP_ENDPOINT, right, c);
}

/* Labels from 0xff00 up are the kernel's (fault messages): a thread cannot forge one. */
static int check_label(uint64_t tag)
{
    return IPC_TAG_LABEL(tag) >= IPC_LABEL_KERNEL ? -EINVAL : 0;
}

/* call and send: check the label and the endpoint capability, then send. */
static void do_send(struct thread *t, bool call)
{
    struct cap *c;
    int err = check_label(t->ctx[REG_A1]);
    if (!err)
        err = lookup_ep(t, t->ctx[REG_A0], CAP_R_SEND, &c);
    if (err) {
        t->ctx[REG_A0] = (uint64_t)err;
        return;
    }
    ipc_send(t, (struct endpoint *)c->obj, c->word, call);
}

void sys_call(struct thread *t)
{
    do_send(t, true);
}

void sys_send(struct thread *t)
{
    do_send(t, false);
}

/* Check the reply slot a receiver names: in range, page allocated, empty or a reply cap. */
static int check_reply_slot(struct thread *t, uint64_t slot)
{
    if (slot == 0 || slot >= CAP_SLOTS)
        return -EBADF; /* slot 0 means "none" everywhere */
    struct cap *c = cap_slot(t->task, slot, true);
    if (!c)
        return -ENOMEM;
    if (c->type != CAP_NULL && c->type != CAP_REPLY)
        return -EEXIST;
    return 0;
}

static void do_recv(struct thread *t, uint64_t ep_slot, uint64_t reply_slot)
{
    struct cap *c;
    int err = lookup_ep(t, ep_slot, CAP_R_RECV, &c);
    if (!err)
        err = check_reply_slot(t, reply_slot);
    if (err) {
        t->ctx[REG_A0] = (uint64_t)err;
        return;
    }
    ipc_recv(t, (struct endpoint *)c->obj, reply_slot);
}

void sys_recv(struct thread *t)
{
    do_recv(t, t->ctx[REG_A0], t->ctx[REG_A1]);
}

/* The caller a reply capability answers, if it still waits for that reply. */
static struct thread *reply_target(struct cap *c)
{
    struct thread *caller = (struct thread *)c->obj;
    if (caller->state != TS_BLOCKED_REPLY || caller->reply_seq != c->word)
        return NULL;
    return caller;
}

/*
 * Answer a fault: check every mapping of a MAP reply first (decode), then install them
 * (perform). Returns 0, or an error with the caller still waiting.
 */
static int fault_reply(struct thread *t, struct thread *caller)
{
    uint64_t label = IPC_TAG_LABEL(t->ctx[REG_A1]);
    unsigned len = IPC_TAG_LEN(t->ctx[REG_A1]);
    if (label == FAULT_REPLY_KILL) {
        caller->fault_pending = false;
        thread_kill(caller);
        return 0;
    }
    if (label == FAULT_REPLY_RESUME) {
        caller->fault_pending = false;
        caller->state = TS_RUNNABLE;
        sched_enqueue(caller);
        return 0;
    }
    if (label == FAULT_REPLY_SIGNAL) {
        /* Keep the registers until the handler copies them onto its own stack (the signal
         * frame: SYS_SIGCONTEXT), then run it with three arguments. */
        uint64_t entry = t->ctx[REG_A2];
        if (len != 4 || entry >= mmu_task_size || entry & 1)
            return -EINVAL;
        if (caller->sigctx_kept)
            return -EBUSY; /* the last handler faulted before it took them: the pager kills */
        memcpy(caller->sigctx, caller->ctx, sizeof(caller->ctx));
        caller->sigctx_kept = true;
        caller->ctx[REG_PC] = entry;
        caller->ctx[REG_A0] = t->ctx[REG_A3];
        caller->ctx[REG_A1] = t->ctx[REG_A4];
        caller->ctx[REG_A2] = t->ctx[REG_A5];
        caller->fault_pending = false;
        caller->state = TS_RUNNABLE;
        sched_enqueue(caller);
        return 0;
    }
    if (label != FAULT_REPLY_MAP || len == 0 || len % 4 || len > IPC_MAX_WORDS)
        return -EINVAL;
    const uint64_t *w = &t->ctx[REG_A2];
    const struct ipc_buffer *buf = NULL;
    if (len > IPC_REG_WORDS) {
        buf = t->ipcbuf_va ? vspace_user_page(t->task, t->ipcbuf_va, false) : NULL;
        if (!buf)
            return -EFAULT;
    }
    struct vspace_map_req req[IPC_MAX_WORDS / 4];
    unsigned n = len / 4;
    for (unsigned i = 0; i < n; i++) {
        const uint64_t *g = i == 0 ? w : &buf->words[i * 4];
        int err = vspace_map_decode(t->task, caller->task, g[0] & ~0xffful, g[1], g[2], g[3],
                                    g[0] & 0xfff, &req[i]);
        if (err)
            return err;
    }
    for (unsigned i = 0; i < n; i++) {
        int err = vspace_map_perform(caller->task, &req[i]);
        if (err)
            return err;
    }
    caller->fault_pending = false;
    caller->state = TS_RUNNABLE;
    sched_enqueue(caller);
    return 0;
}

/*
 * Use the reply capability in slot. Returns 0, or an error: -EBADF (no reply capability),
 * -ESRCH (the caller is gone or was answered: the stale capability is deleted), or the
 * fault reply's error (the capability survives, so the replier can answer again).
 */
static int do_reply(struct thread *t, uint64_t slot, bool must_exist)
{
    struct cap *c = cap_slot(t->task, slot, false);
    if (!c || c->type == CAP_NULL)
        return must_exist ? -EBADF : 0;
    if (c->type != CAP_REPLY)
        return -EBADF;
    struct thread *caller = reply_target(c);
    if (!caller) {
        cap_clear(c);
        return must_exist ? -ESRCH : 0;
    }
    if (caller->fault_pending) {
        int err = fault_reply(t, caller);
        if (err)
            return err;
    } else {
        unsigned len = IPC_TAG_LEN(t->ctx[REG_A1]);
        if (len > IPC_MAX_WORDS)
            len = IPC_MAX_WORDS;
        caller->ctx[REG_A2] = t->ctx[REG_A2];
        caller->ctx[REG_A3] = t->ctx[REG_A3];
        caller->ctx[REG_A4] = t->ctx[REG_A4];
        caller->ctx[REG_A5] = t->ctx[REG_A5];
        if (len > IPC_REG_WORDS)
            len = IPC_REG_WORDS + copy_long(t, caller, len - IPC_REG_WORDS);
        caller->ctx[REG_A0] = 0;
        caller->ctx[REG_A1] = (t->ctx[REG_A1] & ~0x7ful) | len;
        caller->state = TS_RUNNABLE;
        sched_enqueue(caller);
    }
    cap_clear(c);
    return 0;
}

void sys_reply(struct thread *t)
{
    t->ctx[REG_A0] = (uint64_t)do_reply(t, t->ctx[REG_A0], true);
}

void sys_reply_recv(struct thread *t)
{
    int err = do_reply(t, t->ctx[REG_A6], false);
    if (err) {
        t->ctx[REG_A0] = (uint64_t)err;
        return;
    }
    do_recv(t, t->ctx[REG_A0], t->ctx[REG_A6]);
}

static unsigned fault_access(uint64_t cause)
{
    switch (cause) {
    case EXC_LOAD_PAGE_FAULT:
    case EXC_LOAD_ACCESS:
    case EXC_LOAD_MISALIGNED:
        return FAULT_READ;
    case EXC_STORE_PAGE_FAULT:
    case EXC_STORE_ACCESS:
    case EXC_STORE_MISALIGNED:
        return FAULT_WRITE;
    case EXC_INST_PAGE_FAULT:
    case EXC_INST_ACCESS:
    case EXC_INST_MISALIGNED:
        return FAULT_EXEC;
    default:
        return FAULT_OTHER;
    }
}

void fault_raise(struct thread *t, uint64_t cause, uint64_t addr, uint64_t pc)
{
    /* A store to a writable page mapped clean (MAP_FLAG_CLEAN), on a core that faults rather
     * than set the D bit itself: the kernel sets it, and the store retries. */
    if (cause == EXC_STORE_PAGE_FAULT && vspace_mark_dirty(t->task, addr))
        return;
    if (t->fault_ep.type != CAP_ENDPOINT) {
        kprintf("samara: thread %u (task %u) fault cause %lu at %lx, pc %lx, no fault "
                "endpoint: killed\n",
                t->id, t->task->id, cause, addr, pc);
        thread_kill(t);
        return;
    }
    t->fault_msg[0] = addr;
    t->fault_msg[1] = fault_access(cause);
    t->fault_msg[2] = pc;
    t->fault_msg[3] = cause;
    if (cause == EXC_LOAD_PAGE_FAULT || cause == EXC_STORE_PAGE_FAULT ||
        cause == EXC_INST_PAGE_FAULT) {
        pte_t *slot;
        uint64_t page = vspace_page_word_slot(t->task, addr & ~(PAGE_SIZE - 1), &slot);
        t->fault_msg[3] |= page;
        if (t->fault_msg[1] != FAULT_WRITE)
            t->fault_msg[1] |= vspace_fault_neighbours(addr, page, slot);
    }
    t->fault_pending = true;
    t->fault_pte = NULL;
    ipc_send(t, (struct endpoint *)t->fault_ep.obj, t->fault_ep.word, true);
}
