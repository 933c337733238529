/*
 * fault.c - resolving page faults of programs.
 *
 * The kernel turns a program's page fault into a call from the faulting thread to the pager
 * (label IPC_LABEL_FAULT: address, access, pc, and scause with the page word of what is mapped
 * there now; badge = pid). The pager finds the VMA, checks the access against its
 * protection, and answers with one map-and-resume reply:
 *   - nothing mapped: a read of anonymous memory gets the shared zero page (read-only); any
 *     other access gets a fresh frame, filled by the VMA's backing (zeroes, ELF bytes);
 *   - something mapped with fewer rights than the VMA now gives (after mprotect, or the zero
 *     page under a write): the same frame with the VMA's rights, or a fresh frame in place of
 *     the zero page;
 *   - below a growing stack, within its limit and guard gap: the stack grows first;
 *   - file mappings are filemap.c's;
 *   - anything else is SIGSEGV (SEGV_MAPERR: no VMA; SEGV_ACCERR: the protection forbids it),
 *     a misaligned access SIGBUS, an illegal instruction SIGILL, as on Linux.
 */
#include <stdio.h>

#include "pager.h"

#define STACK_LIMIT     (8ul << 20)   /* RLIMIT_STACK */
#define STACK_GUARD_GAP (256ul << 12) /* Linux's stack_guard_gap: 256 pages */
#define ZERO_AROUND     16            /* pages of zero-page fault-around */

void fault_signal(struct proc *p, unsigned what, const char *why, uint64_t addr, uint64_t pc,
                  struct reply *r)
{
    int sig = (int)(what & 0xff);
    uint64_t bit = 1ul << sig;
    if (p->sig_entry && p->sig_caught & bit && !(p->sig_blocked & bit)) {
        /* The program catches it: its handler runs (libsamara's trampoline, signal.c), with
         * the signal blocked unless SA_NODEFER. A fault signal that is blocked (its handler
         * faulted, or longjmp left one without restoring the mask) ends the process, as on
         * Linux. */
        if (!(p->sig_nodefer & bit))
            p->sig_blocked |= bit;
        r->send = true;
        r->tag = IPC_TAG(FAULT_REPLY_SIGNAL, 4);
        r->w[0] = p->sig_entry;
        r->w[1] = (uint64_t)sig;
        r->w[2] = what >> 8;
        r->w[3] = addr;
        return;
    }
    printf("pager: pid %d (%s): %s at 0x%lx, pc 0x%lx: %s\n", p->pid, p->name, why,
           (unsigned long)addr, (unsigned long)pc, signal_name(sig));
    p->invalid_faults++;
    proc_exit(p, sig);
    r->send = false; /* the thread is gone with its task */
}

/* The growsdown VMA just above addr, grown down to cover it; or NULL. */
static struct vma *stack_grow(struct proc *p, uint64_t addr)
{
    struct vma *v = vma_find_from(p, addr);
    if (!v || !(v->flags & VM_GROWSDOWN))
        return NULL;
    uint64_t va = addr & ~(PAGE_SIZE - 1);
    uint64_t top = v->flags & VM_STACK ? p->stack_top : v->end;
    if (top - va > STACK_LIMIT)
        return NULL;
    struct vma *prev = vma_prev(p, v->start);
    if (prev && prev->end + STACK_GUARD_GAP > va)
        return NULL; /* into the guard gap above the next mapping down */
    vma_gen++;
    if (mtree_store_range(&p->mm, va, v->end - 1, v))
        return NULL;
    v->start = va;
    return v;
}

void fault_handle(struct proc *p, const struct ipc_msg *m, struct reply *r)
{
    uint64_t addr = m->w[0], access = FAULT_ACCESS(m->w[1]), pc = m->w[2], word = m->w[3];
    unsigned cause = word & 15;
    /* As Linux on riscv: si_addr is the pc for these three, not stval. */
    if (cause == 0 || cause == 4 || cause == 6)
        return fault_signal(p, FAULT_BUS_ADRALN, "misaligned access", pc, pc, r);
    if (cause == 3)
        return fault_signal(p, FAULT_TRAP_BRKPT, "breakpoint", pc, pc, r);
    if (access == FAULT_OTHER)
        return fault_signal(p, FAULT_ILL_ILLOPC, "illegal instruction", pc, pc, r);
    struct vma *v = vma_find(p, addr);
    if (!v && !(v = stack_grow(p, addr)))
        return fault_signal(p, FAULT_SEGV_MAPERR, "segfault (SEGV_MAPERR)", addr, pc, r);
    unsigned need = access == FAULT_WRITE  ? VP_WRITE
                    : access == FAULT_EXEC ? VP_EXEC
                                           : VP_READ | VP_WRITE; /* write implies read */
    if (!(v->prot & need))
        return fault_signal(p, FAULT_SEGV_ACCERR, "segfault (SEGV_ACCERR)", addr, pc, r);
    if (cause < 12) /* an access fault: Linux's riscv do_trap_*_fault is SIGSEGV too */
        return fault_signal(p, FAULT_SEGV_ACCERR, "access fault", addr, pc, r);

    p->minflt++;
    if (v->flags & VM_HUGETLB) {
        if (huge_populate(p, v, addr & ~((2ul << 20) - 1), (addr | ((2ul << 20) - 1)) + 1,
                          access == FAULT_WRITE))
            return fault_signal(p, FAULT_BUS_ADRERR, "no huge page left", addr, pc, r);
        r->send = true;
        r->tag = IPC_TAG(FAULT_REPLY_RESUME, 0);
        return;
    }
    bool write = access == FAULT_WRITE;
    if (v->file)
        return filemap_fault(p, v, addr, word, m->w[1], pc, r);
    uint64_t va = addr & ~(PAGE_SIZE - 1), pa = PAGE_W_PA(word);
    unsigned perms = vma_map_perms(v->prot);
    if (v->shm) {
        /* Shared anonymous memory: the object's page, whoever touches it (shmem.c). */
        bool present = word & (PAGE_W_PRESENT | PAGE_W_RETAINED);
        if (!present) {
            pa = shmem_page(v->shm, v->pgoff + (va - v->start) / PAGE_SIZE);
            if (!pa)
                return fault_signal(p, FAULT_BUS_ADRERR, "out of memory", addr, pc, r);
            frame_info(pa)->refs++;
            space_note_rss(p, 1);
        }
        return reply_map(r, va | perms, pa, 1, 0);
    }
    bool present = word & (PAGE_W_PRESENT | PAGE_W_RETAINED);
    struct frame_meta *fm = present ? frame_info(pa) : NULL;
    /* Shared: the zero page, a cached program page, or a page fork left to several spaces. */
    bool shared = fm && (fm->flags & (FRAME_ZERO | FRAME_CACHE) || fm->refs > 1);
    if (present && write && shared) {
        /* A write to a shared page: copy it first (a fresh frame is zero already). */
        uint64_t copy = fm->flags & FRAME_ZERO ? frame_alloc() : frame_alloc_nozero();
        if (!copy)
            return fault_signal(p, FAULT_BUS_ADRERR, "out of memory", addr, pc, r);
        if (!(fm->flags & FRAME_ZERO)) {
            page_copy(physmap(copy), physmap(pa));
            frame_unref(fm, pa);
            p->rss--;
        }
        pa = copy;
        space_own_frame(p, pa, va);
    } else if (present) {
        /* The frame is there: give it the VMA's rights, but a shared page stays read-only
         * (a write to it copies it then). */
        if (shared)
            perms &= ~MAP_PERM_W;
    } else if (v->ops == &vma_elf_ops && !(v->prot & VP_WRITE)) {
        pa = filecache_get(v, va);
        if (!pa)
            return fault_signal(p, FAULT_BUS_ADRERR, "out of memory", addr, pc, r);
        space_note_rss(p, 1);
        /* Map the cached neighbours too: groups 2.. travel in the pager's IPC buffer. */
        struct ipc_buffer *b = (struct ipc_buffer *)ROOT_IPCBUF_VA;
        unsigned n = filecache_around(p, v, va, perms, &b->words[4], FAULT_AROUND - 1);
        if (n)
            return reply_map(r, va | perms, pa, 1, n);
    } else if (!write && v->ops == &vma_anon_ops && !(v->flags & VM_SHARED)) {
        /*
         * A read of untouched anonymous memory: the zero page, read-only, here and at the
         * free pages of the aligned 16-page block around it (the kernel skips pages already
         * mapped). Reads there then cost no fault; RSS is unchanged (the zero page is not
         * counted) and a later write faults as it would have.
         */
        uint64_t lo = va & ~(ZERO_AROUND * PAGE_SIZE - 1), hi = lo + ZERO_AROUND * PAGE_SIZE;
        lo = lo < v->start ? v->start : lo;
        hi = hi > v->end ? v->end : hi;
        return reply_map(r, lo | (perms & ~MAP_PERM_W) | MAP_FLAG_NOREPLACE | MAP_FLAG_REPEAT,
                         space_zero_page(), (hi - lo) / PAGE_SIZE, 0);
    } else {
        /* Anonymous memory takes a frame as it comes (zeroed when freed); others fill it. */
        pa = v->ops == &vma_anon_ops ? frame_alloc() : frame_alloc_nozero();
        if (!pa)
            return fault_signal(p, FAULT_BUS_ADRERR, "out of memory", addr, pc, r);
        if (v->ops != &vma_anon_ops)
            v->ops->fill(v, va, pa);
        space_own_frame(p, pa, va);
    }
    reply_map(r, va | perms, pa, 1, 0);
}
