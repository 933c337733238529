/*
 * root.c - the root task: the pager, loaded from the initrd by the kernel itself.
 *
 * The pager is the only program the kernel loads. Its ELF segments are copied into frames
 * taken from free RAM (those frames are the pager's for good and are not in its memory
 * capabilities). It starts with:
 *   slots CAP_ROOT_TASK, _THREAD, _CONTROL (create + shutdown), _INITRD (read-only memory),
 *   and from CAP_ROOT_FIRST_MEM one memory capability per free RAM range;
 *   a stack below ROOT_STACK_TOP, the boot info page at BOOTINFO_VA, its IPC buffer at
 *   ROOT_IPCBUF_VA, and a0 = BOOTINFO_VA.
 */
#include "root.h"

#include <samara/bootinfo.h>
#include <samara/cap.h>

#include "cpio/cpio.h"
#include "elf/elf.h"

#include "kernel.h"
#include "physmem.h"
#include "platform.h"
#include "random.h"
#include "sched.h"
#include "task.h"
#include "thread.h"
#include "arch/riscv/mmu.h"

#define ROOT_PRIO 50

static _Noreturn void root_fail(const char *what, const char *why)
{
    kprintf("samara: cannot start the pager: %s: %s\n", what, why ? why : "?");
    platform_halt(4);
}

static void root_map(struct task *t, uint64_t va, uint64_t pa, uint64_t perms)
{
    if (mmu_map(t->root, va, pa, 0, perms | PTE_U))
        root_fail("map", "kernel pool exhausted");
}

/* A fresh zeroed frame for the root task; its physical address. */
static uint64_t root_frame(void)
{
    uint64_t pa = physmem_take(1);
    if (!pa)
        root_fail("memory", "no free frame");
    memset(pa_to_kva(pa), 0, PAGE_SIZE);
    return pa;
}

static void load_segment(struct task *t, const uint8_t *file, const struct elf_segment *s)
{
    uint64_t perms = ((s->flags & ELF_PF_R) ? PTE_R : 0) |
                     ((s->flags & ELF_PF_W) ? PTE_W | PTE_R : 0) |
                     ((s->flags & ELF_PF_X) ? PTE_X : 0);
    if (!perms)
        perms = PTE_R;
    for (uint64_t va = ALIGN_DOWN(s->vaddr, PAGE_SIZE); va < s->vaddr + s->memsz; va += PAGE_SIZE) {
        uint64_t pa = root_frame();
        uint8_t *page = pa_to_kva(pa);
        /* The part of [va, va + 4K) that comes from the file. */
        uint64_t lo = va < s->vaddr ? s->vaddr : va;
        uint64_t hi = va + PAGE_SIZE;
        if (hi > s->vaddr + s->filesz)
            hi = s->vaddr + s->filesz;
        if (hi > lo)
            memcpy(page + (lo - va), file + s->offset + (lo - s->vaddr), hi - lo);
        root_map(t, va, pa, perms);
    }
}

static void give(struct task *t, unsigned slot, const struct cap *c)
{
    struct cap *dst = cap_slot(t, slot, true);
    if (dst)
        cap_install(dst, c);
    else
        root_fail("capabilities", "kernel pool exhausted");
}

void root_start(uint64_t initrd_pa, uint64_t initrd_size, const char *bootargs,
                uint64_t timebase_hz, unsigned nharts)
{
    const void *initrd = pa_to_kva(initrd_pa);
    struct cpio_entry ent;
    const char *why = NULL;
    if (cpio_find(initrd, initrd_size, "pager", &ent, &why))
        root_fail("initrd", why ? why : "no file named pager");
    struct elf_image img;
    if (elf_parse(ent.data, ent.size, ROOT_STACK_TOP - ROOT_STACK_PAGES * PAGE_SIZE, PAGE_SIZE,
                  &img, &why))
        root_fail("pager ELF", why);

    struct task *t = task_create();
    struct thread *th = t ? thread_create(t) : NULL;
    if (!th)
        root_fail("objects", "kernel pool exhausted");
    for (unsigned i = 0; i < img.nseg; i++)
        load_segment(t, ent.data, &img.seg[i]);
    for (unsigned i = 1; i <= ROOT_STACK_PAGES; i++)
        root_map(t, ROOT_STACK_TOP - i * PAGE_SIZE, root_frame(), PTE_R | PTE_W);
    uint64_t ipcbuf = root_frame();
    root_map(t, ROOT_IPCBUF_VA, ipcbuf, PTE_R | PTE_W);
    uint64_t bi_pa = root_frame();
    struct bootinfo *bi = pa_to_kva(bi_pa);

    /* Capabilities. */
    struct cap c = {.type = CAP_TASK, .rights = CAP_R_ALL, .obj = (uint64_t)t};
    give(t, CAP_ROOT_TASK, &c);
    c = (struct cap){.type = CAP_THREAD, .rights = CAP_R_ALL, .obj = (uint64_t)th};
    give(t, CAP_ROOT_THREAD, &c);
    c = (struct cap){.type = CAP_CONTROL, .rights = CAP_R_CREATE | CAP_R_SHUTDOWN};
    give(t, CAP_ROOT_CONTROL, &c);
    uint64_t ib = ALIGN_DOWN(initrd_pa, PAGE_SIZE);
    c = (struct cap){.type = CAP_MEMORY,
                     .rights = CAP_R_READ,
                     .obj = ib,
                     .word = (ALIGN_UP(initrd_pa + initrd_size, PAGE_SIZE) - ib) / PAGE_SIZE};
    give(t, CAP_ROOT_INITRD, &c);

    bi->magic = BOOTINFO_MAGIC;
    bi->task_size = mmu_task_size;
    bi->paging_levels = mmu_levels;
    for (unsigned i = 0; i < physmem_nfree && i < BOOTINFO_MAX_MEM; i++) {
        struct physmem_range *r = &physmem_free[i];
        bi->mem[i] = (struct bootinfo_mem){r->base, (r->end - r->base) / PAGE_SIZE,
                                           CAP_ROOT_FIRST_MEM + i, 0};
        c = (struct cap){.type = CAP_MEMORY,
                         .rights = CAP_R_READ | CAP_R_WRITE | CAP_R_EXEC,
                         .obj = r->base,
                         .word = (r->end - r->base) / PAGE_SIZE};
        give(t, CAP_ROOT_FIRST_MEM + i, &c);
        bi->nmem++;
    }
    bi->initrd_base = initrd_pa;
    bi->initrd_size = initrd_size;
    bi->timebase_hz = timebase_hz;
    bi->nharts = nharts;
    random_bytes(bi->seed, sizeof(bi->seed));
    size_t n = strlen(bootargs);
    if (n >= sizeof(bi->bootargs))
        n = sizeof(bi->bootargs) - 1;
    memcpy(bi->bootargs, bootargs, n);
    root_map(t, BOOTINFO_VA, bi_pa, PTE_R);

    th->prio = ROOT_PRIO;
    th->ipcbuf_va = ROOT_IPCBUF_VA;
    th->ctx[REG_PC] = img.entry;
    th->ctx[REG_SP] = ROOT_STACK_TOP;
    th->ctx[REG_A0] = BOOTINFO_VA;
    th->state = TS_RUNNABLE;
    sched_enqueue(th);
    /* The capabilities hold the objects now. */
    kobj_unref(&th->obj);
    kobj_unref(&t->obj);
}
