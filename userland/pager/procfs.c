/*
 * procfs.c - the text of /proc/<pid>/{maps,smaps,smaps_rollup,status,stat}, in Linux 6.1's
 * exact formats (fs/proc/task_mmu.c, fs/proc/array.c), served to programs by PAGER_PROCREAD.
 *
 * The text is made when a program reads offset 0 and kept for the reads that follow, as
 * Linux's seq_file does for one read() pass; reading offset 0 again makes it afresh.
 * What is resident comes from the kernel's page tables (SYS_QUERY), never from a guess.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "pager.h"

#define PROC_BUF (1u << 20)

static char text[PROC_BUF];
static size_t text_len;
static int cache_reader, cache_pid, cache_file;

static void put(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    if (text_len < PROC_BUF) {
        int n = vsnprintf(text + text_len, PROC_BUF - text_len, fmt, ap);
        text_len = n < 0                             ? text_len
                   : text_len + (size_t)n < PROC_BUF ? text_len + (size_t)n
                                                     : PROC_BUF;
    }
    va_end(ap);
}

static const char *vma_name(struct proc *p, const struct vma *v)
{
    if (v->name)
        return v->name;
    if (v->shm)
        return "/dev/zero (deleted)"; /* as Linux names shared anonymous memory */
    if (v->flags & VM_SPECIAL)
        return "[ipcbuf]";
    if (v->flags & VM_STACK)
        return "[stack]";
    if (p->brk > p->start_brk && v->start <= p->brk && v->end >= p->start_brk)
        return "[heap]";
    return NULL;
}

/* "start-end perms offset dev inode", then the name padded to column 73, as show_map_vma. */
static void map_line(struct proc *p, const struct vma *v, uint64_t start, uint64_t end,
                     const char *perm, const char *name)
{
    size_t at = text_len;
    char perms[5] = "----";
    if (perm) {
        memcpy(perms, perm, 4);
    } else {
        perms[0] = v->prot & VP_READ ? 'r' : '-';
        perms[1] = v->prot & VP_WRITE ? 'w' : '-';
        perms[2] = v->prot & VP_EXEC ? 'x' : '-';
        perms[3] = v->flags & VM_SHARED ? 's' : 'p';
    }
    uint64_t off = v && (v->name || v->shm) ? v->pgoff * PAGE_SIZE : 0;
    unsigned long ino = v && v->name ? (unsigned long)v->ino : v && v->shm ? 1000 + v->shm->id : 0;
    /* Files of the RAM disk on device 01:00 (Linux's /dev/ram0); of the boot image, and shared
     * anonymous memory (Linux's shmem), on 00:01. */
    unsigned major = v && v->file ? 1 : 0, minor = v && ((v->name && !v->file) || v->shm) ? 1 : 0;
    put("%08lx-%08lx %s %08lx %02x:%02x %lu ", (unsigned long)start, (unsigned long)end, perms,
        (unsigned long)off, major, minor, ino);
    if (!name && v)
        name = vma_name(p, v);
    if (name) {
        while (text_len - at < 73)
            put(" ");
        put("%s", name);
        if (v && v->file && pfile_deleted(v->file))
            put(" (deleted)");
    }
    put("\n");
}

static void kb(const char *field, uint64_t kbytes)
{
    put("%-16s%8lu kB\n", field, (unsigned long)kbytes);
}

struct mem_counts {
    uint64_t rss, anon, dirty, clean, huge_tlb, locked; /* kB; dirty, clean: private */
    uint64_t shared_clean, shared_dirty;                /* kB of pages mapped more than once */
    uint64_t pss, pss_dirty;                            /* kB << PSS_SHIFT, as Linux */
};
#define PSS_SHIFT 12

/*
 * A file mapping page by page: a frame of the disk is a file page, dirty while mapped
 * writable (a shared mapping's written page; syncing protects it again), clean otherwise;
 * any other frame is a private copy (anonymous, dirty).
 */
static void count_file_vma(struct proc *p, const struct vma *v, struct mem_counts *c)
{
    static uint64_t words[512];
    /* A page written through any mapping is dirty in all (it is one page): gather first. */
    pfile_harvest(v->file, false);
    for (uint64_t a = v->start; a < v->end;) {
        uint64_t n = (v->end - a) / PAGE_SIZE > 512 ? 512 : (v->end - a) / PAGE_SIZE;
        if (sys4(SYS_QUERY, proc_task_slot(p), (long)a, (long)n, (long)words))
            return;
        for (uint64_t i = 0; i < n; i++) {
            uint64_t w = words[i];
            if (!w || PAGE_W_PA(w) == space_zero_page())
                continue;
            struct frame_meta *fm = frame_info(PAGE_W_PA(w));
            if (fm && fm->flags & FRAME_DISK) {
                /* A file page: Shared_* when mapped more than once, its Pss shared out. */
                bool dirty = fm->flags & FRAME_DIRTY || w & PAGE_W_DIRTY, shared = fm->refs > 1;
                uint64_t pss = (4ul << PSS_SHIFT) / (fm->refs ? fm->refs : 1);
                *(shared ? (dirty ? &c->shared_dirty : &c->shared_clean)
                         : (dirty ? &c->dirty : &c->clean)) += 4;
                c->pss += pss;
                if (dirty)
                    c->pss_dirty += pss;
            } else {
                c->anon += 4;
                c->dirty += 4;
                c->pss += 4ul << PSS_SHIFT;
                c->pss_dirty += 4ul << PSS_SHIFT;
            }
            if (v->flags & VM_LOCKED)
                c->locked += 4;
        }
        a += n * PAGE_SIZE;
    }
}

static void count_vma(struct proc *p, const struct vma *v, struct mem_counts *c)
{
    uint64_t huge = 0;
    uint64_t rss = space_resident(p, v->start, v->end, &huge) * 4;
    if (v->flags & VM_HUGETLB) {
        c->huge_tlb += rss;
        return; /* hugetlb pages are not in Rss, as on Linux */
    }
    c->rss += rss;
    if (v->file) {
        count_file_vma(p, v, c);
        return;
    }
    if (v->ops == &vma_anon_ops || v->prot & VP_WRITE)
        c->anon += rss;
    if (v->prot & VP_WRITE)
        c->dirty += rss;
    else
        c->clean += rss;
    c->pss += rss << PSS_SHIFT;
    if (v->prot & VP_WRITE)
        c->pss_dirty += rss << PSS_SHIFT;
    if (v->flags & VM_LOCKED)
        c->locked += rss;
}

static void vm_flags(const struct vma *v)
{
    put("VmFlags:");
    if (v->prot & VP_READ)
        put(" rd");
    if (v->prot & VP_WRITE)
        put(" wr");
    if (v->prot & VP_EXEC)
        put(" ex");
    if (v->flags & VM_SHARED)
        put(" sh");
    put(" mr mw me");
    if (v->flags & VM_SHARED)
        put(" ms");
    if (v->flags & VM_GROWSDOWN)
        put(" gd");
    if (v->flags & VM_LOCKED)
        put(" lo");
    if (v->flags & VM_SEQ_READ)
        put(" sr");
    if (v->flags & VM_RAND_READ)
        put(" rr");
    if (v->flags & VM_DONTCOPY)
        put(" dc");
    if (v->flags & VM_ACCOUNT)
        put(" ac");
    if (v->flags & VM_NORESERVE)
        put(" nr");
    if (v->flags & VM_HUGETLB)
        put(" ht");
    if (v->flags & VM_WIPEONFORK)
        put(" wf");
    if (v->flags & VM_DONTDUMP)
        put(" dd");
    put(" \n");
}

static void counts_block(const struct mem_counts *c, bool rollup)
{
    kb("Rss:", c->rss);
    kb("Pss:", c->pss >> PSS_SHIFT);
    kb("Pss_Dirty:", c->pss_dirty >> PSS_SHIFT);
    if (rollup) {
        kb("Pss_Anon:", c->anon);
        kb("Pss_File:", (c->pss >> PSS_SHIFT) - c->anon);
        kb("Pss_Shmem:", 0);
    }
    kb("Shared_Clean:", c->shared_clean);
    kb("Shared_Dirty:", c->shared_dirty);
    kb("Private_Clean:", c->clean);
    kb("Private_Dirty:", c->dirty);
    kb("Referenced:", c->rss);
    kb("Anonymous:", c->anon);
    kb("LazyFree:", 0);
    kb("AnonHugePages:", 0);
    kb("ShmemPmdMapped:", 0);
    kb("FilePmdMapped:", 0);
    kb("Shared_Hugetlb:", 0);
    kb("Private_Hugetlb:", c->huge_tlb);
    kb("Swap:", 0);
    kb("SwapPss:", 0);
    kb("Locked:", c->locked);
}

static void gen_maps(struct proc *p, bool smaps)
{
    unsigned long index = 0;
    struct vma *v;
    mt_for_each(&p->mm, v, index, ~0ul)
    {
        map_line(p, v, v->start, v->end, NULL, NULL);
        if (!smaps)
            continue;
        struct mem_counts c = {0};
        count_vma(p, v, &c);
        unsigned page_kb = v->flags & VM_HUGETLB ? 2048 : 4;
        kb("Size:", (v->end - v->start) / 1024);
        kb("KernelPageSize:", page_kb);
        kb("MMUPageSize:", page_kb);
        counts_block(&c, false);
        put("THPeligible:    %8d\n", 0);
        vm_flags(v);
    }
}

static void gen_rollup(struct proc *p)
{
    struct mem_counts c = {0};
    uint64_t first = 0, last = 0;
    unsigned long index = 0;
    struct vma *v;
    mt_for_each(&p->mm, v, index, ~0ul)
    {
        if (!last)
            first = v->start;
        last = v->end;
        count_vma(p, v, &c);
    }
    map_line(p, NULL, first, last, "---p", "[rollup]");
    counts_block(&c, true);
}

static void gen_status(struct proc *p)
{
    uint64_t size = 0, lck = 0, data = 0, stk = 0, exe = 0;
    unsigned long index = 0;
    struct vma *v;
    mt_for_each(&p->mm, v, index, ~0ul)
    {
        uint64_t kbytes = (v->end - v->start) / 1024;
        size += kbytes;
        if (v->flags & VM_LOCKED)
            lck += kbytes;
        if (v->flags & (VM_STACK | VM_GROWSDOWN))
            stk += kbytes;
        else if ((v->prot & VP_WRITE) && !(v->flags & VM_SHARED))
            data += kbytes;
    }
    exe = (p->end_code - p->start_code) / 1024;
    uint64_t peak = p->peak_vm * 4 > size ? p->peak_vm * 4 : size;
    put("Name:\t%s\n", p->name);
    put("Umask:\t0022\n");
    put("State:\t%s\n", p->state == PROC_ZOMBIE ? "Z (zombie)"
                        : p->waiting            ? "S (sleeping)"
                                                : "R (running)");
    put("Tgid:\t%d\nNgid:\t0\nPid:\t%d\nPPid:\t%d\nTracerPid:\t0\n", p->pid, p->pid, p->ppid);
    put("Uid:\t0\t0\t0\t0\nGid:\t0\t0\t0\t0\nFDSize:\t64\nGroups:\t\n");
    put("VmPeak:\t%8lu kB\n", (unsigned long)peak);
    put("VmSize:\t%8lu kB\n", (unsigned long)size);
    put("VmLck:\t%8lu kB\n", (unsigned long)lck);
    put("VmPin:\t%8lu kB\n", 0ul);
    put("VmHWM:\t%8lu kB\n", (unsigned long)(p->hwm * 4));
    put("VmRSS:\t%8lu kB\n", (unsigned long)(p->rss * 4));
    put("RssAnon:\t%8lu kB\n", (unsigned long)((p->rss - p->rss_file) * 4));
    put("RssFile:\t%8lu kB\n", (unsigned long)(p->rss_file * 4));
    put("RssShmem:\t%8lu kB\n", 0ul);
    put("VmData:\t%8lu kB\n", (unsigned long)data);
    put("VmStk:\t%8lu kB\n", (unsigned long)stk);
    put("VmExe:\t%8lu kB\n", (unsigned long)exe);
    put("VmLib:\t%8lu kB\n", 0ul);
    put("VmPTE:\t%8lu kB\n", 0ul);
    put("VmSwap:\t%8lu kB\n", 0ul);
    put("HugetlbPages:\t%8lu kB\n", (unsigned long)(p->huge_pages * 2048));
    put("Threads:\t1\n");
}

static void gen_stat(struct proc *p)
{
    /* Fields 1..52 of proc(5); minflt is field 10, majflt 12, vsize 23, rss 24. */
    unsigned long st = (unsigned long)p->stack_top;
    /* The state: Z once exited, S while in wait(), else R (the pager cannot see whether a
     * thread is blocked in some other call). */
    char state = p->state == PROC_ZOMBIE ? 'Z' : p->waiting ? 'S' : 'R';
    put("%d (%s) %c %d %d %d 0 -1 4194304 "         /* 1-9: pid .. flags */
        "%lu 0 %lu 0 0 0 0 0 20 0 1 0 0 "           /* 10-22: minflt .. starttime */
        "%lu %lu 18446744073709551615 %lu %lu %lu " /* 23-28: vsize .. startstack */
        "0 0 0 0 0 0 0 0 0 17 0 0 0 0 0 0 "         /* 29-44: kstkesp .. cguest_time */
        "%lu %lu %lu %lu %lu %lu %lu 0\n",          /* 45-52: start_data .. exit_code */
        p->pid, p->name, state, p->ppid, p->pid, p->pid, (unsigned long)p->minflt,
        (unsigned long)p->majflt, (unsigned long)(vma_total_pages(p) * PAGE_SIZE),
        (unsigned long)p->rss, (unsigned long)p->start_code, (unsigned long)p->end_code, st,
        (unsigned long)p->end_code, (unsigned long)p->start_brk, (unsigned long)p->start_brk, st,
        st, st, st);
}

/* /proc/meminfo: the frames, in Linux's layout (the fields a program looks for). */
static void gen_meminfo(void)
{
    uint64_t total = frame_total() * 4, free = frame_free_count() * 4;
    kb("MemTotal:", total);
    kb("MemFree:", free);
    kb("MemAvailable:", free);
    kb("Buffers:", 0);
    kb("Cached:", 0);
    kb("SwapCached:", 0);
    kb("SwapTotal:", 0);
    kb("SwapFree:", 0);
    kb("Shmem:", 0);
    const uint64_t *bases;
    put("HugePages_Total:   %5u\n", frame_huge_pool(&bases));
    put("HugePages_Free:    %5u\n", huge_free_count());
    put("HugePages_Rsvd:    %5u\n", 0u);
    put("HugePages_Surp:    %5u\n", 0u);
    kb("Hugepagesize:", 2048);
}

/* /proc/cmdline: the kernel's boot arguments and a newline, as Linux's. */
static void gen_kcmdline(void)
{
    put("%s\n", bootinfo->bootargs);
}

/* /proc/<pid>/cmdline: the arguments, each ending in a NUL. */
static void gen_cmdline(struct proc *p)
{
    if (p->cmdline_len <= sizeof(text))
        memcpy(text, p->cmdline, p->cmdline_len);
    text_len = p->cmdline_len;
}

void do_procread(struct proc *p, const struct ipc_msg *m, struct reply *r)
{
    struct proc *target = m->w[0] ? proc_get(m->w[0]) : p;
    int file = (int)m->w[1];
    uint64_t off = m->w[2];
    r->send = true;
    r->tag = IPC_TAG(0, 2);
    /* A zombie keeps its stat, status and cmdline (as Linux's), not its maps. */
    bool zombie_ok =
        file == PROC_FILE_STAT || file == PROC_FILE_STATUS || file == PROC_FILE_CMDLINE;
    if (!target || (target->state != PROC_LIVE && !(target->state == PROC_ZOMBIE && zombie_ok))) {
        r->w[0] = (uint64_t)-SAMARA_ESRCH;
        return;
    }
    if (file < PROC_FILE_MAPS || file > PROC_FILE_RANDOMIZE) {
        r->w[0] = (uint64_t)-SAMARA_ENOENT;
        return;
    }
    if (off == 0 || cache_reader != p->pid || cache_pid != target->pid || cache_file != file) {
        text_len = 0;
        if (file == PROC_FILE_MAPS || file == PROC_FILE_SMAPS)
            gen_maps(target, file == PROC_FILE_SMAPS);
        else if (file == PROC_FILE_SMAPS_ROLLUP)
            gen_rollup(target);
        else if (file == PROC_FILE_STATUS)
            gen_status(target);
        else if (file == PROC_FILE_MEMINFO)
            gen_meminfo();
        else if (file == PROC_FILE_CMDLINE)
            gen_cmdline(target);
        else if (file == PROC_FILE_KCMDLINE)
            gen_kcmdline();
        else if (file == PROC_FILE_RANDOMIZE)
            put("%u\n", randomize_va_space);
        else
            gen_stat(target);
        cache_reader = p->pid;
        cache_pid = target->pid;
        cache_file = file;
    }
    size_t n = off < text_len ? text_len - off : 0;
    if (n > PROC_CHUNK)
        n = PROC_CHUNK;
    struct ipc_buffer *b = (struct ipc_buffer *)ROOT_IPCBUF_VA;
    memcpy(&b->words[IPC_REG_WORDS], text + off, n);
    r->tag = IPC_TAG(0, IPC_REG_WORDS + (n + 7) / 8);
    r->w[0] = n;
    r->w[1] = text_len;
}
