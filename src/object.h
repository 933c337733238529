/*
 * object.h - kernel objects and the capabilities that name them.
 *
 * Every object (task, thread, endpoint) starts with a struct kobj holding its type and a
 * reference count. References are held by capabilities, by a live thread on its task, and by
 * a thread blocked on an endpoint; an object is freed when its count drops to zero.
 * Memory and control capabilities name no object: the capability itself says everything
 * (a physical range; an authority).
 */
#ifndef OBJECT_H
#define OBJECT_H

#include <stdbool.h>
#include <stdint.h>

#include <samara/cap.h>

struct kobj {
    uint32_t refs;
    uint8_t type; /* enum samara_cap_type */
};

/*
 * A capability: 32 bytes, 128 to a page. `obj` is the object (task, thread, endpoint; for a
 * reply capability, the thread waiting for the reply); `word` is the badge of an endpoint
 * capability, the reply sequence number of a reply capability, the page count of a memory
 * capability (whose `obj` is then the physical base).
 */
struct cap {
    uint8_t type;
    uint8_t rights;
    uint8_t pad[6];
    uint64_t obj;
    uint64_t word;
    uint64_t spare;
};

_Static_assert(sizeof(struct cap) == 32, "capabilities are 32 bytes");

#define CAPS_PER_PAGE 128

struct task;

/*
 * The slot `slot` of task t, or NULL if out of range. With alloc, the table page holding it
 * is allocated if needed (NULL on -ENOMEM).
 */
struct cap *cap_slot(struct task *t, uint64_t slot, bool alloc);

/*
 * Look up slot in t's table and check its type and rights. Returns 0 and *out, -EBADF (empty,
 * out of range, wrong type) or -EPERM (rights missing).
 */
int cap_lookup(struct task *t, uint64_t slot, unsigned type, unsigned rights, struct cap **out);

/* Store a copy of src into the empty slot dst, taking a reference on its object. */
void cap_install(struct cap *dst, const struct cap *src);
/* Empty a slot, dropping its reference. */
void cap_clear(struct cap *c);
/* Drop every capability of t and free its table pages. */
void cap_table_free(struct task *t);

void kobj_ref(struct kobj *o);
void kobj_unref(struct kobj *o);

#endif
