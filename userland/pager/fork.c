/*
 * fork.c - fork and exec: a copy-on-write copy of a process, and a process's new program.
 *
 * fork (PAGER_FORK). The child gets a task, thread and capabilities of its own (proc.c), a
 * copy of the parent's VMA tree made node for node (mtree_dup) whose entries are then
 * replaced by copies of the VMAs, and the parent's page tables shared through the kernel
 * (SYS_SHARE): every page the parent has is mapped at the same address in the child; private
 * writable pages lose their write right on both sides, so that the first write on either
 * side faults and copies (fault.c), or reuses the frame when it has become the only mapping.
 * Each shared page takes a frame reference, so a frame is freed by whichever side lets go
 * of it last. MAP_SHARED anonymous memory is an object both sides' VMAs hold (shmem.c), so
 * pages touched later are shared too; MAP_SHARED file pages are the disk's and shared anyway.
 * mlock is not inherited; the IPC buffer page is the child's own; hugetlb pages are shared
 * like small ones (a private one is copied whole at the first write, huge.c). The file server
 * copies the descriptor table (FS_FORK). The child's thread starts where the C library asked (its
 * trampoline restores the registers the library saved), and fork returns the child's pid to the
 * parent.
 *
 * exec (PAGER_EXEC). The path, arguments, environment and the library's inherited block
 * are read from the caller's memory first (uaccess below), and the program is checked;
 * only then is the old image torn down (the point of no return, as Linux's), the program
 * loaded into the same task (proc.c), and a new thread started in place of the caller's.
 */
#include <string.h>

#include <samara/fs.h>

#include "pager.h"

/* ---- reading a process's memory ---------------------------------------------------------- */

/* The physical address of byte va of p, read access; the page is faulted in if need be. */
static uint64_t uaccess_pa(struct proc *p, uint64_t va)
{
    int64_t t = sys2(SYS_TRANSLATE, proc_task_slot(p), (long)va);
    if (t < 0) {
        struct vma *v = vma_find(p, va);
        uint64_t page = va & ~(PAGE_SIZE - 1);
        if (!v || !(v->prot & VP_READ) || space_populate(p, v, page, page + PAGE_SIZE, false))
            return 0;
        t = sys2(SYS_TRANSLATE, proc_task_slot(p), (long)va);
        if (t < 0)
            return 0;
    }
    return ((uint64_t)t & ~(PAGE_SIZE - 1)) | (va & (PAGE_SIZE - 1));
}

/* Copy n bytes at va of p into buf: 0 or -EFAULT. */
static long uaccess_read(struct proc *p, uint64_t va, void *buf, size_t n)
{
    while (n) {
        uint64_t pa = uaccess_pa(p, va);
        size_t chunk = PAGE_SIZE - (va & (PAGE_SIZE - 1));
        if (!pa)
            return -SAMARA_EFAULT;
        chunk = chunk < n ? chunk : n;
        memcpy(buf, physmap(pa), chunk);
        buf = (char *)buf + chunk;
        va += chunk;
        n -= chunk;
    }
    return 0;
}

/* The NUL-terminated string at va of p into buf (room bytes): its length with the NUL, or
 * -EFAULT, -E2BIG. */
static long uaccess_string(struct proc *p, uint64_t va, char *buf, size_t room)
{
    const char *page = NULL;
    for (size_t i = 0; i < room; i++) {
        if (i == 0 || (va + i) % PAGE_SIZE == 0) { /* translate once a page */
            uint64_t pa = uaccess_pa(p, va + i);
            if (!pa)
                return -SAMARA_EFAULT;
            page = (const char *)physmap(pa) - (va + i) % PAGE_SIZE;
        }
        char c = page[(va + i) % PAGE_SIZE];
        buf[i] = c;
        if (!c)
            return (long)i + 1;
    }
    return -SAMARA_E2BIG;
}

/* ---- fork ---------------------------------------------------------------------------------- */

/* Share [start, end) of parent with child (SYS_SHARE), taking a reference per page. */
static long fork_share(struct proc *parent, struct proc *child, uint64_t start, uint64_t end,
                       bool cow)
{
    static _Alignas(16) uint64_t report[2 * 4096]; /* 16 MiB of small pages per call */
    while (start < end) {
        long n = sys7(SYS_SHARE, proc_task_slot(parent), proc_task_slot(child), (long)start,
                      (long)(end - start), cow ? SHARE_COW : 0, (long)report, 4096);
        if (n < 0)
            return n;
        uint64_t zero = space_zero_page(), pages = 0, files = 0, lo = 0, hi = 0;
        struct frame_meta *base = NULL;
        for (long i = 0; i < n; i++) {
            uint64_t pa = PAGE_W_PA(report[2 * i + 1]);
            struct frame_meta *fm;
            if (pa - lo < hi - lo) {
                fm = base + (pa - lo) / PAGE_SIZE; /* the span of the last frame: most are */
            } else if (pa == zero || !(fm = frame_info_span(pa, &lo, &hi))) {
                continue;
            } else {
                base = fm - (pa - lo) / PAGE_SIZE;
            }
            if (!(fm->flags & (FRAME_ZERO | FRAME_GRANTED | FRAME_HUGE | FRAME_DISK))) {
                fm->refs++; /* an anonymous frame, the common case */
                pages++;
                continue;
            }
            if (fm->flags & FRAME_HUGE) {
                huge_get(pa);
                child->huge_pages++; /* hugetlb pages are not in rss, as Linux's */
                continue;
            }
            if (!(fm->flags & FRAME_DISK))
                continue; /* the zero page, the pager's own granted frames */
            files++;
            fm->refs++;
            pages++;
        }
        space_note_rss(child, pages);
        child->rss_file += files;
        if (n < 4096)
            return 0;
        start = report[2 * (n - 1)] + (1ul << (12 + 9 * PAGE_W_SIZE(report[2 * n - 1])));
    }
    return 0;
}

/* Replace the parent's VMAs in the child's copied tree with copies of their own. */
static long fork_vmas(struct proc *parent, struct proc *child)
{
    vma_gen++;
    if (mtree_dup(&parent->mm, &child->mm))
        return -SAMARA_ENOMEM;
    unsigned long index = 0;
    struct vma *v;
    long err = 0;
    mt_for_each(&child->mm, v, index, ~0ul)
    {
        if (v->flags & VM_DONTCOPY) {
            mtree_store_range(&child->mm, v->start, v->end - 1, NULL); /* MADV_DONTFORK */
            continue;
        }
        struct vma *n = err ? NULL : vma_alloc();
        if (n) {
            *n = *v;
            vma_copied(n);
            n->flags &= ~(VM_LOCKED | VM_LOCKONFAULT); /* mlock is not inherited */
            if (mtree_store_range(&child->mm, n->start, n->end - 1, n)) {
                vma_free(n);
                n = NULL;
            }
        }
        if (!n) {
            /* Out of memory: the parent's VMA must not stay in (nor be freed with) the child. */
            err = -SAMARA_ENOMEM;
            mtree_store_range(&child->mm, v->start, v->end - 1, NULL);
            continue;
        }
        child->map_count++;
    }
    return err;
}

void do_fork(struct proc *p, const struct ipc_msg *m, struct reply *r)
{
    r->send = true;
    r->tag = IPC_TAG(0, 1);
    struct proc *c;
    long err = proc_create(p->pid, p->path, &c);
    if (err) {
        r->w[0] = (uint64_t)err;
        return;
    }
    memcpy(c->name, p->name, sizeof(c->name));
    memcpy(c->cmdline, p->cmdline, sizeof(c->cmdline));
    c->cmdline_len = p->cmdline_len;
    c->start_brk = p->start_brk;
    c->brk = p->brk;
    c->stack_top = p->stack_top;
    c->mmap_base = p->mmap_base;
    c->personality = p->personality;
    c->sig_caught = p->sig_caught; /* handlers are inherited by fork, not by exec */
    c->sig_entry = p->sig_entry;
    c->sig_nodefer = p->sig_nodefer;
    c->sig_blocked = p->sig_blocked; /* the mask by both */
    c->start_code = p->start_code;
    c->end_code = p->end_code;
    err = fork_vmas(p, c);
    unsigned long index = 0;
    struct vma *v;
    uint64_t ipcbuf = task_size - PROC_IPCBUF_OFFSET;
    mt_for_each(&c->mm, v, index, ~0ul)
    {
        if (err)
            break;
        if (v->flags & (VM_SPECIAL | VM_WIPEONFORK))
            continue; /* the IPC buffer is the child's own; MADV_WIPEONFORK: empty */
        err = fork_share(p, c, v->start, v->end, !(v->flags & VM_SHARED));
    }
    if (!err)
        err = proc_map_ipcbuf(c, ipcbuf);
    c->peak_vm = p->peak_vm;
    c->hwm = c->rss;
    if (!err)
        err = pfile_fork(p, c);
    if (!err)
        err = proc_thread_start(c, m->w[0], m->w[1], m->w[2]);
    if (err) {
        proc_discard(c);
        r->w[0] = (uint64_t)(err == -SAMARA_EAGAIN ? err : -SAMARA_ENOMEM);
        return;
    }
    r->w[0] = (uint64_t)c->pid;
}

/* ---- exec ---------------------------------------------------------------------------------- */

static char exec_strings[PAGER_EXEC_ARGS_MAX];
static char *exec_argv[PAGER_EXEC_ARGC_MAX + 1], *exec_envp[PAGER_EXEC_ARGC_MAX + 1];
static uint8_t exec_block[PAGER_EXEC_BLOCK_MAX];

/* Read the NULL-ended array of strings at va into out[], their bytes from *used on. */
static long exec_strings_read(struct proc *p, uint64_t va, char **out, size_t *used)
{
    unsigned n = 0;
    for (; va; va += 8, n++) {
        uint64_t s;
        if (uaccess_read(p, va, &s, 8))
            return -SAMARA_EFAULT;
        if (!s)
            break;
        if (n == PAGER_EXEC_ARGC_MAX)
            return -SAMARA_E2BIG;
        long len = uaccess_string(p, s, exec_strings + *used, sizeof(exec_strings) - *used);
        if (len < 0)
            return len;
        out[n] = exec_strings + *used;
        *used += (size_t)len;
    }
    out[n] = NULL;
    return n;
}

void do_exec(struct proc *p, const struct ipc_msg *m, struct reply *r)
{
    r->send = true;
    r->tag = IPC_TAG(0, 1);
    size_t used = 0;
    long len = uaccess_string(p, m->w[0], exec_strings, sizeof(exec_strings));
    char *path = exec_strings;
    if (len > 0)
        used = (size_t)len;
    long argc = len < 0 ? len : exec_strings_read(p, m->w[1], exec_argv, &used);
    long envc = argc < 0 ? argc : exec_strings_read(p, m->w[2], exec_envp, &used);
    uint64_t block_len = 0;
    if (envc >= 0 && m->w[3]) {
        if (uaccess_read(p, m->w[3], &block_len, 8))
            envc = -SAMARA_EFAULT;
        else if (block_len > sizeof(exec_block))
            envc = -SAMARA_E2BIG;
        else if (uaccess_read(p, m->w[3] + 8, exec_block, block_len))
            envc = -SAMARA_EFAULT;
    }
    if (envc < 0) {
        r->w[0] = (uint64_t)envc;
        return;
    }
    struct proc_image img = {.argv = exec_argv,
                             .argc = (int)argc,
                             .envp = exec_envp,
                             .envc = (int)envc,
                             .block = exec_block,
                             .block_len = block_len};
    long err = proc_exec(p, path, &img);
    if (err == PROC_EXEC_GONE) {
        r->send = false; /* the caller's thread is gone; the new program runs */
        return;
    }
    r->w[0] = (uint64_t)err;
}
