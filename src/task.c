/*
 * task.c - tasks: creation, destruction, address-space switch and ASIDs.
 *
 * ASIDs: when the hart has them, each live task gets its own from a bitmap (up to
 * TASK_MAX_ASIDS), so switching spaces needs no TLB flush. A task that gets none (no ASIDs
 * on the hart, or all taken) uses ASID 0 and the TLB is flushed whenever it is switched to.
 */
#include "task.h"

#include "kernel.h"
#include "pool.h"
#include "thread.h"
#include "arch/riscv/csr.h"
#include "arch/riscv/mmu.h"

#define TASK_MAX_ASIDS 4096

static uint64_t asid_used[TASK_MAX_ASIDS / 64];
static uint32_t task_next_id = 1;
struct task *active_task;

static uint16_t asid_alloc(void)
{
    unsigned limit = mmu_asid_bits >= 12 ? TASK_MAX_ASIDS : (1u << mmu_asid_bits);
    for (unsigned a = 1; a < limit; a++) {
        if (!(asid_used[a / 64] & (1ul << (a % 64)))) {
            asid_used[a / 64] |= 1ul << (a % 64);
            return (uint16_t)a;
        }
    }
    return 0;
}

static void asid_free(uint16_t a)
{
    if (a)
        asid_used[a / 64] &= ~(1ul << (a % 64));
}

struct task *task_create(void)
{
    struct task *t = pool_alloc(sizeof(*t));
    if (!t)
        return NULL;
    t->root = pool_page_alloc();
    if (!t->root) {
        pool_free(t, sizeof(*t));
        return NULL;
    }
    mmu_copy_kernel_half(t->root);
    t->obj.type = CAP_TASK;
    t->obj.refs = 1;
    t->id = task_next_id++;
    t->asid = asid_alloc();
    t->satp = mmu_satp(kva_to_pa(t->root), t->asid);
    /* A recycled ASID may still have entries from its previous owner. */
    if (t->asid)
        mmu_flush_space(t->asid);
    return t;
}

void task_destroy(struct task *t)
{
    if (t->dead)
        return;
    t->dead = true;
    kobj_ref(&t->obj); /* its own table may hold the last capability to it */
    while (t->threads)
        thread_kill(t->threads);
    mmu_free_user_tables(t->root);
    task_flush(t);
    cap_table_free(t);
    kobj_unref(&t->obj);
}

void task_free(struct task *t)
{
    t->obj.refs = 1; /* task_destroy takes and drops a reference */
    task_destroy(t);
    /* Never free the root satp points to: fall back to the kernel's own. */
    if (active_task == t || csr_read(satp) == t->satp) {
        active_task = NULL;
        csr_write(satp, mmu_satp(kva_to_pa(mmu_kernel_root), 0));
        sfence_vma_all();
    }
    pool_page_free(t->root);
    asid_free(t->asid);
    pool_free(t, sizeof(*t));
}

void task_activate(struct task *t)
{
    if (active_task == t)
        return;
    active_task = t;
    csr_write(satp, t->satp);
    if (!t->asid)
        sfence_vma_all();
}

void task_flush_page(struct task *t, uint64_t va)
{
    mmu_flush_page(va, t->asid);
}

void task_flush(struct task *t)
{
    mmu_flush_space(t->asid);
}
