/*
 * fault.c - resolving page faults of programs.
 *
 * The kernel turns a program's page fault into a call from the faulting thread to the pager
 * (label IPC_LABEL_FAULT: address, access, pc, cause; badge = pid). This first version knows
 * two kinds of memory, both demand-paged into fresh frames: ELF segments (bytes from the file
 * in the initrd, the rest zero) and the zero-filled stack. An access outside every region, or
 * one the region's protection forbids, kills the process with SIGSEGV; a misaligned access
 * gives SIGBUS and an illegal instruction SIGILL, as on Linux.
 */
#include <stdio.h>
#include <string.h>

#include "pager.h"

static struct region *region_find(struct proc *p, uint64_t addr)
{
    return mtree_load(&p->vmas, addr);
}

static void fill_page(const struct region *r, uint64_t va, uint64_t pa)
{
    /* Frames come zeroed; copy the part of [va, va + 4K) that the file covers. */
    if (!r->file_len)
        return;
    uint64_t lo = va > r->file_va ? va : r->file_va;
    uint64_t hi =
        va + PAGE_SIZE < r->file_va + r->file_len ? va + PAGE_SIZE : r->file_va + r->file_len;
    if (hi > lo)
        memcpy((char *)physmap(pa) + (lo - va), physmap(r->file_pa + (lo - r->file_va)), hi - lo);
}

static void kill_reply(struct proc *p, int sig, const char *why, uint64_t addr, uint64_t pc,
                       struct reply *r)
{
    printf("pager: pid %d (%s): %s at 0x%lx, pc 0x%lx: %s\n", p->pid, p->name, why,
           (unsigned long)addr, (unsigned long)pc, signal_name(sig));
    p->invalid_faults++;
    proc_exit(p, sig);
    r->send = false; /* the thread is gone with its task */
}

void fault_handle(struct proc *p, const struct ipc_msg *m, struct reply *r)
{
    uint64_t addr = m->w[0], access = m->w[1], pc = m->w[2], cause = m->w[3];
    if (access == FAULT_OTHER) {
        bool misaligned = cause == 4 || cause == 6 || cause == 0;
        kill_reply(p, misaligned ? PAGER_SIGBUS : PAGER_SIGILL,
                   misaligned ? "misaligned access" : "illegal instruction", addr, pc, r);
        return;
    }
    /* Misaligned accesses are reported with their access type too. */
    if (cause == 0 || cause == 4 || cause == 6) {
        kill_reply(p, PAGER_SIGBUS, "misaligned access", addr, pc, r);
        return;
    }
    struct region *reg = region_find(p, addr);
    if (!reg) {
        kill_reply(p, PAGER_SIGSEGV, "segfault (SEGV_MAPERR)", addr, pc, r);
        return;
    }
    unsigned need = access == FAULT_WRITE  ? MAP_PERM_W
                    : access == FAULT_EXEC ? MAP_PERM_X
                                           : MAP_PERM_R;
    if (!(reg->perms & need)) {
        kill_reply(p, PAGER_SIGSEGV, "segfault (SEGV_ACCERR)", addr, pc, r);
        return;
    }
    uint64_t va = addr & ~(PAGE_SIZE - 1);
    long t = sys2(SYS_TRANSLATE, proc_task_slot(p), (long)va);
    if (t >= 0 && (t & need)) {
        /* Already mapped with the rights needed: another thread got there first. */
        r->send = true;
        r->tag = IPC_TAG(FAULT_REPLY_RESUME, 0);
        return;
    }
    if (t >= 0) {
        /* Mapped, allowed by the region, and still refused: an access fault (PMP). */
        kill_reply(p, PAGER_SIGBUS, "access fault on a mapped page", addr, pc, r);
        return;
    }
    uint64_t pa = frame_alloc();
    if (!pa) {
        kill_reply(p, PAGER_SIGBUS, "out of memory", addr, pc, r);
        return;
    }
    fill_page(reg, va, pa);
    frame_list_add(&p->frames, pa);
    p->minflt++;
    r->send = true;
    r->tag = IPC_TAG(FAULT_REPLY_MAP, 4);
    r->w[0] = va | reg->perms;
    r->w[1] = frame_cap_slot(pa);
    r->w[2] = pa;
    r->w[3] = 1;
}
