/*
 * frame.c - the physical frame allocator.
 *
 * Every frame of the memory capabilities the kernel gave at boot is here. The frame table is
 * one 32-bit "next" index per frame, placed in the first frames of the largest range: free
 * frames form a stack through it, and each process's frames form a list through it (a frame
 * is on exactly one list), so exit frees a process's frames in one walk.
 * Index 0 means "none"; frame i+1 is global frame i.
 *
 * Beside the links, every frame has a reference count (how many mappings, or owners, hold
 * it: copy-on-write shares a frame between spaces), flags (the zero page, granted frames and
 * the huge-page pool are never freed by unmapping), and a reverse-map entry: the pid and
 * address of its first mapping, which is all a private page needs (shared and COW pages add
 * more when those arrive).
 */
#include <string.h>

#include "pager.h"

static uint32_t *frame_next;
struct frame_meta *frame_table;
static uint32_t free_head;
static uint64_t nfree, ntotal, cache_frames;

static struct frame_span spans[BOOTINFO_MAX_MEM];
static unsigned nspans;
/* The span of the last lookup, tried first: frames come in runs (fork, unmap reports), and
 * a board has one or two spans. Never NULL (an empty span until frame_init). */
const struct frame_span *frame_span_hint = &spans[0];

/* The span holding pa, made the hint; or NULL. */
const struct frame_span *frame_span_of(uint64_t pa)
{
    for (unsigned i = 0; i < nspans; i++)
        if (pa - spans[i].base < spans[i].npages * PAGE_SIZE)
            return frame_span_hint = &spans[i];
    return NULL;
}

static uint64_t frame_pa(uint32_t idx)
{
    uint64_t g = idx - 1;
    const struct frame_span *s = frame_span_hint;
    if (g - s->first < s->npages)
        return s->base + (g - s->first) * PAGE_SIZE;
    for (unsigned i = 0; i < nspans; i++)
        if (g - spans[i].first < spans[i].npages)
            return spans[i].base + (g - spans[i].first) * PAGE_SIZE;
    return 0;
}

static uint32_t frame_idx(uint64_t pa)
{
    struct frame_meta *m = frame_info(pa);
    return m ? (uint32_t)(m - frame_table + 1) : 0;
}

/* The huge-page pool: 2 MiB-aligned runs of 512 frames, set aside at start-up (huge.c). */
static uint64_t huge_base[HUGE_MAX];
static unsigned huge_count;

void frame_init(unsigned huge_pages)
{
    uint64_t total = 0;
    unsigned big = 0;
    for (unsigned i = 0; i < bootinfo->nmem; i++) {
        const struct bootinfo_mem *m = &bootinfo->mem[i];
        spans[i] = (struct frame_span){m->base, m->npages, total, m->slot};
        total += m->npages;
        if (m->npages > spans[big].npages)
            big = i;
    }
    nspans = bootinfo->nmem;
    /* The table lives at the start of the biggest span; those frames are never free. */
    uint64_t next_bytes = (total * sizeof(uint32_t) + 63) & ~63ul;
    uint64_t table_pages =
        (next_bytes + total * sizeof(struct frame_meta) + PAGE_SIZE - 1) / PAGE_SIZE;
    frame_next = physmap(spans[big].base);
    frame_table = (struct frame_meta *)((char *)frame_next + next_bytes);
    memset(frame_next, 0, table_pages * PAGE_SIZE);
    ntotal = total - table_pages;
    /* Huge pages from the top of the biggest span, 2 MiB aligned. */
    uint64_t top = spans[big].base + spans[big].npages * PAGE_SIZE;
    uint64_t low = spans[big].base + (table_pages + 1024) * PAGE_SIZE;
    uint64_t hb = top & ~((2ul << 20) - 1);
    while (huge_count < huge_pages && huge_count < HUGE_MAX && hb >= low + (2ul << 20)) {
        hb -= 2ul << 20;
        huge_base[huge_count++] = hb;
    }
    uint64_t huge_lo = huge_count ? huge_base[huge_count - 1] : top;
    for (unsigned s = nspans; s-- > 0;) {
        uint64_t skip = s == big ? table_pages : 0;
        for (uint64_t i = spans[s].npages; i-- > skip;) {
            uint32_t idx = (uint32_t)(spans[s].first + i + 1);
            uint64_t pa = spans[s].base + i * PAGE_SIZE;
            if (s == big && pa >= huge_lo && pa < (top & ~((2ul << 20) - 1))) {
                frame_table[idx - 1].flags = FRAME_HUGE;
                ntotal--;
                continue;
            }
            frame_next[idx - 1] = free_head;
            free_head = idx;
            nfree++;
        }
    }
}

struct frame_meta *frame_info_span(uint64_t pa, uint64_t *lo, uint64_t *hi)
{
    const struct frame_span *s = frame_span_of(pa);
    if (!s)
        return NULL;
    *lo = s->base;
    *hi = s->base + s->npages * PAGE_SIZE;
    return &frame_table[s->first + (pa - s->base) / PAGE_SIZE];
}

/* Take a frame off the free stack; *clean says whether it is known to be zero. */
static uint64_t frame_take(bool *clean)
{
    if (!free_head)
        return 0;
    uint32_t idx = free_head;
    free_head = frame_next[idx - 1];
    frame_next[idx - 1] = 0;
    nfree--;
    *clean = frame_table[idx - 1].flags & FRAME_CLEAN;
    frame_table[idx - 1] = (struct frame_meta){.refs = 1};
    return frame_pa(idx);
}

uint64_t frame_alloc_nozero(void)
{
    bool clean;
    return frame_take(&clean);
}

/*
 * Frames are zeroed when they are freed (frame_free), so that a fault on fresh anonymous
 * memory usually finds a zero frame ready; a frame whose contents are unknown (at start-up,
 * on a real board's RAM) is zeroed here instead.
 */
uint64_t frame_alloc(void)
{
    bool clean;
    uint64_t pa = frame_take(&clean);
    if (pa && !clean)
        page_zero(physmap(pa));
    return pa;
}

void frame_unref(struct frame_meta *m, uint64_t pa)
{
    if (m->flags & (FRAME_ZERO | FRAME_GRANTED | FRAME_HUGE))
        return;
    if (m->refs && --m->refs == 0)
        frame_free(pa);
}

void frame_free(uint64_t pa)
{
    uint32_t idx = frame_idx(pa);
    if (!idx)
        return;
    page_zero(physmap(pa));
    frame_table[idx - 1].flags = FRAME_CLEAN;
    frame_next[idx - 1] = free_head;
    free_head = idx;
    nfree++;
}

/*
 * n contiguous frames: take frames off the free stack until n of them are consecutive, then
 * put the others back. Rare (test grants), so simplicity wins over speed.
 */
uint64_t frame_alloc_contig(uint64_t n)
{
    if (n == 1)
        return frame_alloc();
    uint32_t taken = 0; /* list of frames taken and not used */
    uint64_t run_start = 0, run_len = 0, result = 0;
    uint32_t run_list = 0;
    while (nfree && !result) {
        uint64_t pa = frame_alloc();
        if (run_len && pa == run_start + run_len * PAGE_SIZE &&
            frame_cap_slot(pa) == frame_cap_slot(run_start)) {
            run_len++;
        } else if (run_len && pa + PAGE_SIZE == run_start &&
                   frame_cap_slot(pa) == frame_cap_slot(run_start)) {
            run_start = pa;
            run_len++;
        } else {
            /* Start over: the old run goes to the give-back list. */
            while (run_list) {
                uint32_t i = run_list;
                run_list = frame_next[i - 1];
                frame_next[i - 1] = taken;
                taken = i;
            }
            run_start = pa;
            run_len = 1;
        }
        uint32_t idx = frame_idx(pa);
        frame_next[idx - 1] = run_list;
        run_list = idx;
        if (run_len == n)
            result = run_start;
    }
    if (!result) {
        while (run_list) {
            uint32_t i = run_list;
            run_list = frame_next[i - 1];
            frame_next[i - 1] = taken;
            taken = i;
        }
    }
    while (taken) {
        uint32_t i = taken;
        taken = frame_next[i - 1];
        frame_free(frame_pa(i));
    }
    return result;
}

unsigned frame_huge_pool(const uint64_t **bases)
{
    *bases = huge_base;
    return huge_count;
}

void frame_cache_add(uint64_t pa)
{
    frame_info(pa)->flags |= FRAME_CACHE;
    cache_frames++;
}

/*
 * Free frames as programs see them: the free list and the file cache, which holds copies of
 * program files that the pager could drop and read again (as Linux's MemAvailable counts the
 * page cache). Mapping a cached page, or filling the cache, leaves the count as it was, so
 * after a process exits the count is exactly what it was before it started.
 */
uint64_t frame_free_count(void)
{
    return nfree + cache_frames;
}

uint64_t frame_total(void)
{
    return ntotal;
}

void frame_list_add(uint32_t *head, uint64_t pa)
{
    uint32_t idx = frame_idx(pa);
    frame_next[idx - 1] = *head;
    *head = idx;
}

void frame_list_free_all(uint32_t *head)
{
    while (*head) {
        uint32_t idx = *head;
        *head = frame_next[idx - 1];
        frame_free(frame_pa(idx));
    }
}
