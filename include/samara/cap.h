/*
 * samara/cap.h - capability types, rights and the slots every task starts with.
 *
 * A task names kernel objects through the slots of its capability table. A capability has a
 * type, a set of rights, and (for endpoints) a badge the receiver sees on every message sent
 * through it. Copies can only drop rights, and an endpoint capability's badge can be set only
 * while it is still 0 (minting), so a server can tell its clients apart and a client cannot
 * forge another's badge.
 */
#ifndef SAMARA_CAP_H
#define SAMARA_CAP_H

enum samara_cap_type {
    CAP_NULL = 0,
    CAP_CONTROL = 1, /* authority to create objects and to shut down */
    CAP_TASK = 2,    /* an address space and capability table */
    CAP_THREAD = 3,
    CAP_ENDPOINT = 4,
    CAP_REPLY = 5,  /* one-shot: answers exactly one call, then the slot is empty */
    CAP_MEMORY = 6, /* a range of physical frames its holder may map */
};

/* Rights. Their meaning depends on the type. */
#define CAP_R_SEND     (1u << 0) /* endpoint: call and send */
#define CAP_R_RECV     (1u << 1) /* endpoint: recv */
#define CAP_R_READ     (1u << 0) /* memory: map readable */
#define CAP_R_WRITE    (1u << 1) /* memory: map writable */
#define CAP_R_EXEC     (1u << 2) /* memory: map executable */
#define CAP_R_CREATE   (1u << 0) /* control: create objects */
#define CAP_R_SHUTDOWN (1u << 1) /* control: power off the machine */
#define CAP_R_MANAGE   (1u << 0) /* task, thread: change, map into, destroy */
#define CAP_R_ALL      0xffu

/* Capability table size of every task. */
#define CAP_SLOTS 1024

/*
 * Slots of the root task (the pager) at boot. The memory capabilities for free RAM follow
 * from CAP_ROOT_FIRST_MEM on; samara/bootinfo.h lists them.
 */
#define CAP_ROOT_TASK      1
#define CAP_ROOT_THREAD    2
#define CAP_ROOT_CONTROL   3
#define CAP_ROOT_INITRD    4 /* memory, read-only: the boot image */
#define CAP_ROOT_FIRST_MEM 8

/* Slots of every program the pager starts (samara/pager.h). */
#define CAP_PROC_PAGER   1 /* endpoint to the pager, badged with the pid, send only */
#define CAP_PROC_TASK    2 /* the program's own task */
#define CAP_PROC_THREAD  3 /* its main thread */
#define CAP_PROC_CONTROL 4 /* control, create only */
#define CAP_PROC_FS      5 /* endpoint to the file server, badged with the pid (samara/fs.h) */
#define CAP_FS_SERVER_EP 6 /* the file server only: its endpoint, receive only */
#define CAP_PROC_FREE    8 /* first slot the program may use freely */

#endif
