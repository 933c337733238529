/*
 * endpoint.h - endpoints and synchronous IPC (call, send, recv, reply, reply_recv), and the
 * delivery of faults as calls on a thread's fault endpoint.
 */
#ifndef ENDPOINT_H
#define ENDPOINT_H

#include "object.h"

struct thread;

struct tqueue {
    struct thread *head, *tail;
};

struct endpoint {
    struct kobj obj;
    struct tqueue sendq;
    struct tqueue recvq;
};

struct endpoint *endpoint_create(void);
void endpoint_free(struct endpoint *ep);

void tqueue_push(struct tqueue *q, struct thread *t);
struct thread *tqueue_pop(struct tqueue *q);
void tqueue_remove(struct tqueue *q, struct thread *t);

/* System calls; each reads its arguments from and writes its results to t->ctx. */
void sys_call(struct thread *t);
void sys_send(struct thread *t);
void sys_recv(struct thread *t);
void sys_reply(struct thread *t);
void sys_reply_recv(struct thread *t);

/* Deliver a fault of thread t to its fault endpoint, or kill it if it has none. */
void fault_raise(struct thread *t, uint64_t cause, uint64_t addr, uint64_t pc);

#endif
