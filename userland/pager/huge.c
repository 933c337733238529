/*
 * huge.c - the huge-page pool: 2 MiB pages for MAP_HUGETLB mappings.
 *
 * As with Linux's hugetlbfs, huge pages come from a pool set aside at start-up (bootarg
 * `hugepages=N`), so that a 2 MiB-aligned run of free frames is there when asked for. A
 * MAP_HUGETLB mapping is populated a whole 2 MiB page at a time, mapped with one leaf.
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
    return pa;
}

void huge_put(uint64_t pa)
{
    huge_free_list[huge_nfree++] = pa & ~((2ul << 20) - 1);
}

unsigned huge_free_count(void)
{
    return huge_nfree;
}

int huge_populate(struct proc *p, struct vma *v, uint64_t start, uint64_t end)
{
    const uint64_t size = 2ul << 20;
    for (uint64_t va = start & ~(size - 1); va < end; va += size) {
        uint64_t word = 0;
        sys4(SYS_QUERY, proc_task_slot(p), (long)va, 1, (long)&word);
        if (word)
            continue;
        uint64_t pa = huge_alloc();
        if (!pa)
            return -SAMARA_ENOMEM;
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
