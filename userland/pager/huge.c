/*
 * huge.c - the huge-page pool: 2 MiB pages for MAP_HUGETLB mappings.
 *
 * As with Linux's hugetlbfs, huge pages come from a pool set aside at start-up (bootarg
 * `hugepages=N`), so that a 2 MiB-aligned run of free frames is there when asked for. A
 * MAP_HUGETLB mapping is populated a whole 2 MiB page at a time, mapped with one leaf.
 * A huge page counts its mappings in its first frame's metadata (fork shares it); a private
 * one written after fork is copied whole (huge_populate), as Linux's hugetlb COW.
 */
#include "pager.h"

static uint64_t huge_free_list[HUGE_MAX];
static unsigned huge_nfree;

void huge_init(void)
{
    const uint64_t *bases;
    unsigned n = frame_huge_pool(&bases);
    for (unsigned i = 0; i < n; i++)
        huge_free_list[huge_nfree++] = bases[i];
}

uint64_t huge_alloc(void)
{
    if (!huge_nfree)
        return 0;
    uint64_t pa = huge_free_list[--huge_nfree];
    for (unsigned i = 0; i < 512; i++)
        page_zero(physmap(pa + i * PAGE_SIZE));
    frame_info(pa)->refs = 1;
    return pa;
}

void huge_get(uint64_t pa)
{
    frame_info(pa & ~((2ul << 20) - 1))->refs++;
}

void huge_put(uint64_t pa)
{
    pa &= ~((2ul << 20) - 1);
    struct frame_meta *m = frame_info(pa);
    if (m->refs > 1) {
        m->refs--;
        return;
    }
    m->refs = 0;
    huge_free_list[huge_nfree++] = pa;
}

unsigned huge_free_count(void)
{
    return huge_nfree;
}

int huge_populate(struct proc *p, struct vma *v, uint64_t start, uint64_t end, bool write)
{
    const uint64_t size = 2ul << 20;
    for (uint64_t va = start & ~(size - 1); va < end; va += size) {
        uint64_t word = 0, old = 0;
        sys4(SYS_QUERY, proc_task_slot(p), (long)va, 1, (long)&word);
        if (word) {
            /*
             * The page is there with fewer rights than the VMA gives (mprotect takes rights
             * away at once; they come back here), or read-only after fork. A write to a page
             * fork shares copies it (unless this is its last mapping); otherwise the page gets
             * the VMA's rights, read-only while it is shared.
             */
            old = PAGE_W_PA(word) & ~(size - 1);
            unsigned perms = vma_map_perms(v->prot);
            bool cow = !(v->flags & VM_SHARED) && frame_info(old)->refs > 1;
            if (!(write && cow && perms & MAP_PERM_W)) {
                if (cow)
                    perms &= ~MAP_PERM_W;
                if (!perms || (word & PAGE_W_PRESENT && PAGE_W_PERMS(word) == perms))
                    continue;
                if (sys6(SYS_MAP, proc_task_slot(p), (long)va, frame_cap_slot(old), (long)old, 1,
                         perms | MAP_SIZE_2M << MAP_SIZE_SHIFT))
                    return -SAMARA_ENOMEM;
                continue;
            }
        }
        uint64_t pa = huge_alloc();
        if (!pa)
            return -SAMARA_ENOMEM;
        if (old) {
            for (unsigned i = 0; i < 512; i++)
                page_copy(physmap(pa + i * PAGE_SIZE), physmap(old + i * PAGE_SIZE));
            huge_put(old);
            p->huge_pages--;
        }
        long err = sys6(SYS_MAP, proc_task_slot(p), (long)va, frame_cap_slot(pa), (long)pa, 1,
                        vma_map_perms(v->prot) | MAP_SIZE_2M << MAP_SIZE_SHIFT);
        if (err) {
            huge_put(pa);
            return -SAMARA_ENOMEM;
        }
        p->huge_pages++;
    }
    return 0;
}
