/*
 * cap.c - capability tables: slot lookup with type and rights checks, install, clear, and
 * the reference counting of the objects capabilities name.
 *
 * A task's table is CAP_SLOTS slots in pages of CAPS_PER_PAGE, allocated when a slot in them
 * is first written, so a task that uses ten slots costs one page.
 */
#include "kernel.h"
#include "endpoint.h"
#include "object.h"
#include "pool.h"
#include "task.h"
#include "thread.h"

struct cap *cap_slot(struct task *t, uint64_t slot, bool alloc)
{
    if (slot >= CAP_SLOTS)
        return NULL;
    struct cap **page = &t->captab[slot / CAPS_PER_PAGE];
    if (!*page) {
        if (!alloc)
            return NULL;
        *page = pool_page_alloc();
        if (!*page)
            return NULL;
    }
    return &(*page)[slot % CAPS_PER_PAGE];
}

int cap_lookup(struct task *t, uint64_t slot, unsigned type, unsigned rights, struct cap **out)
{
    struct cap *c = cap_slot(t, slot, false);
    if (!c || c->type != type)
        return -EBADF;
    if ((c->rights & rights) != rights)
        return -EPERM;
    *out = c;
    return 0;
}

static struct kobj *cap_object(const struct cap *c)
{
    switch (c->type) {
    case CAP_TASK:
        return &((struct task *)c->obj)->obj;
    case CAP_ENDPOINT:
        return &((struct endpoint *)c->obj)->obj;
    case CAP_THREAD:
    case CAP_REPLY:
        return &((struct thread *)c->obj)->obj;
    default:
        return NULL;
    }
}

void kobj_ref(struct kobj *o)
{
    o->refs++;
}

void kobj_unref(struct kobj *o)
{
    if (--o->refs)
        return;
    switch (o->type) {
    case CAP_TASK:
        task_free((struct task *)o);
        break;
    case CAP_THREAD:
        thread_free((struct thread *)((char *)o - __builtin_offsetof(struct thread, obj)));
        break;
    case CAP_ENDPOINT:
        endpoint_free((struct endpoint *)o);
        break;
    default:
        panic("kobj_unref: object of type %u", o->type);
    }
}

void cap_install(struct cap *dst, const struct cap *src)
{
    *dst = *src;
    struct kobj *o = cap_object(dst);
    if (o)
        kobj_ref(o);
}

void cap_clear(struct cap *c)
{
    struct kobj *o = cap_object(c);
    memset(c, 0, sizeof(*c));
    if (o)
        kobj_unref(o);
}

void cap_table_free(struct task *t)
{
    for (unsigned p = 0; p < ARRAY_SIZE(t->captab); p++) {
        struct cap *page = t->captab[p];
        if (!page)
            continue;
        for (unsigned i = 0; i < CAPS_PER_PAGE; i++)
            if (page[i].type)
                cap_clear(&page[i]);
        t->captab[p] = NULL;
        pool_page_free(page);
    }
}
