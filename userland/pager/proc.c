/*
 * proc.c - processes: spawn from the RAM disk or the initrd, exit, and the process table.
 *
 * A process is a task with one thread, created by the pager, which keeps their capabilities
 * in its own table (SLOT_PROC_BASE + 4 * index). The program gets its own copies: an endpoint
 * to the pager badged with its pid (requests and faults both arrive with that badge), its task
 * and thread, and a control capability that can create objects but not shut down.
 */
#include <stdio.h>
#include <string.h>

#include "cpio/cpio.h"
#include "elf/elf.h"

#include "pager.h"

struct proc procs[PROC_MAX];
bool init_gone;
static int next_pid = 1;
unsigned proc_max = PROC_MAX;

void proc_set_next_pid(int pid)
{
    next_pid = pid;
}

#define PROC_PRIO 40

struct proc *proc_get(uint64_t pid)
{
    for (unsigned i = 0; i < PROC_MAX; i++)
        if (procs[i].state != PROC_FREE && (uint64_t)procs[i].pid == pid)
            return &procs[i];
    return NULL;
}

uint64_t proc_badge(const struct proc *p)
{
    return (uint64_t)(p - procs) << 32 | (uint32_t)p->pid;
}

struct proc *proc_from_badge(uint64_t badge)
{
    uint64_t i = badge >> 32;
    if (i >= PROC_MAX || procs[i].state == PROC_FREE || procs[i].pid != (int)(uint32_t)badge)
        return NULL;
    return &procs[i];
}

unsigned proc_task_slot(const struct proc *p)
{
    return SLOT_PROC_BASE + 4 * (unsigned)(p - procs);
}

static long map_into(struct proc *p, uint64_t va, uint64_t pa, unsigned perms)
{
    return sys6(SYS_MAP, proc_task_slot(p), (long)va, frame_cap_slot(pa), (long)pa, 1, perms);
}

/*
 * The initial stack (System V ABI, as Linux builds it): from sp up, argc, argv[0..argc-1],
 * NULL, envp[], NULL, the auxiliary vector {AT_PAGESZ, 4096}, {AT_RANDOM, address},
 * {AT_SAMARA_BLOCK, address} (when there is an inherited block), {AT_NULL, 0}; above them the
 * block, the strings and AT_RANDOM's 16 random bytes, right below top.
 * It is built in a buffer and copied into as many fresh pages as it needs below top.
 */
static uint8_t stack_image[PAGER_EXEC_ARGS_MAX + PAGER_EXEC_BLOCK_MAX + 4 * PAGE_SIZE];

static long build_stack(struct proc *p, uint64_t top, const struct proc_image *img, uint64_t *sp)
{
    size_t size = sizeof(stack_image), off = size;
    uint64_t base = top - size;   /* the user address of stack_image[0] */
    memset(stack_image, 0, size); /* nothing of the last program's stack goes along */
    off -= 16; /* AT_RANDOM: seeds for the program's own use (stack protector, hashing) */
    layout_random(stack_image + off, 16);
    uint64_t random_va = base + off;
    uint64_t words[2 * PAGER_EXEC_ARGC_MAX + 16];
    size_t nw = 0;
    if (img->argc > PAGER_EXEC_ARGC_MAX || img->envc > PAGER_EXEC_ARGC_MAX)
        return -SAMARA_E2BIG;
    uint64_t block_va = 0;
    if (img->block_len) {
        /* As the library handed it over: its length, then its bytes (start.c reads it so). */
        off = (off - img->block_len - 8) & ~15ul;
        memcpy(stack_image + off, &img->block_len, 8);
        memcpy(stack_image + off + 8, img->block, img->block_len);
        block_va = base + off;
    }
    /* Strings, last first, so that argv[0]'s lie lowest, as Linux's. */
    uint64_t ptrs[2 * PAGER_EXEC_ARGC_MAX] = {0};
    int total = img->argc + img->envc;
    for (int i = total; i-- > 0;) {
        const char *str = i < img->argc ? img->argv[i] : img->envp[i - img->argc];
        size_t n = strlen(str) + 1;
        if (n > off - PAGE_SIZE)
            return -SAMARA_E2BIG;
        off -= n;
        memcpy(stack_image + off, str, n);
        ptrs[i] = base + off;
    }
    words[nw++] = (uint64_t)img->argc;
    for (int i = 0; i < img->argc; i++)
        words[nw++] = ptrs[i];
    words[nw++] = 0;
    for (int i = 0; i < img->envc; i++)
        words[nw++] = ptrs[img->argc + i];
    words[nw++] = 0;
    words[nw++] = 6; /* AT_PAGESZ */
    words[nw++] = PAGE_SIZE;
    words[nw++] = 25; /* AT_RANDOM */
    words[nw++] = random_va;
    if (block_va) {
        words[nw++] = AT_SAMARA_BLOCK;
        words[nw++] = block_va;
    }
    words[nw++] = 0; /* AT_NULL */
    words[nw++] = 0;
    if (nw * 8 + 16 > off)
        return -SAMARA_E2BIG;
    off = (off - nw * 8) & ~15ul;
    memcpy(stack_image + off, words, nw * 8);
    *sp = base + off;
    /* The pages from the one holding sp up to top. */
    for (uint64_t va = (base + off) & ~(PAGE_SIZE - 1); va < top; va += PAGE_SIZE) {
        uint64_t pa = frame_alloc();
        if (!pa)
            return -SAMARA_ENOMEM;
        memcpy(physmap(pa), stack_image + (va - base), PAGE_SIZE);
        space_own_frame(p, pa, va);
        long err = map_into(p, va, pa, MAP_PERM_R | MAP_PERM_W);
        if (err) {
            frame_put(pa);
            return err;
        }
    }
    return 0;
}

/* A new VMA [start, end) in p; 0 or -ENOMEM. */
static long add_vma(struct proc *p, struct vma v)
{
    struct vma *n = vma_alloc();
    if (!n)
        return -SAMARA_ENOMEM;
    *n = v;
    long err = vma_insert(p, n);
    if (err)
        vma_free(n);
    return err;
}

/*
 * Load the ELF's segments as VMAs backed by the file's bytes in the boot image (nothing is
 * read until a fault asks for it). The heap starts after the last segment.
 */
static long load_elf(struct proc *p, const struct cpio_entry *file, uint64_t limit, uint64_t *entry)
{
    struct elf_image img;
    const char *why = NULL;
    long err = elf_parse(file->data, file->size, limit, PAGE_SIZE, &img, &why);
    if (err) {
        printf("pager: %s: not a valid executable: %s\n", p->name, why ? why : "?");
        return -SAMARA_ENOEXEC;
    }
    uint64_t file_pa = bootinfo->initrd_base +
                       ((const char *)file->data - (const char *)physmap(bootinfo->initrd_base));
    for (unsigned i = 0; i < img.nseg; i++) {
        const struct elf_segment *s = &img.seg[i];
        unsigned prot = ((s->flags & ELF_PF_R) ? VP_READ : 0) |
                        ((s->flags & ELF_PF_W) ? VP_WRITE : 0) |
                        ((s->flags & ELF_PF_X) ? VP_EXEC : 0);
        uint64_t start = s->vaddr & ~(PAGE_SIZE - 1);
        uint64_t end = (s->vaddr + s->memsz + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1);
        struct vma v = {
            .start = start,
            .end = end,
            .prot = prot,
            .flags = prot & VP_WRITE ? VM_ACCOUNT : 0,
            .ops = &vma_elf_ops,
            .pgoff = (s->offset & ~(PAGE_SIZE - 1)) / PAGE_SIZE,
            .file_va = s->vaddr,
            .file_len = s->filesz,
            .file_pa = file_pa + s->offset,
            .name = p->path,
            .ino = file->ino,
        };
        err = add_vma(p, v);
        if (err)
            return err;
        if (prot & VP_EXEC && !p->start_code) {
            p->start_code = start;
            p->end_code = end;
        }
        if (end > p->start_brk)
            p->start_brk = p->brk = end;
    }
    *entry = img.entry;
    return 0;
}

/*
 * The part of segment s that comes from the file: its pages as a private file mapping of f
 * (demand-paged from the disk), except a last page the segment shares with its bss, which
 * gets a private copy at once with the bytes past the file part zeroed (as Linux's padzero);
 * the rest of the bss is anonymous. Returns 0 or -errno.
 */
static long load_disk_segment(struct proc *p, struct pfile *f, const struct elf_segment *s,
                              unsigned prot)
{
    uint64_t start = s->vaddr & ~(PAGE_SIZE - 1);
    uint64_t file_end = s->vaddr + s->filesz;
    uint64_t end = (s->vaddr + s->memsz + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1);
    uint64_t pgoff = (s->offset & ~(PAGE_SIZE - 1)) / PAGE_SIZE;
    bool partial = s->memsz > s->filesz && (file_end & (PAGE_SIZE - 1));
    uint64_t mapped_end =
        partial ? file_end & ~(PAGE_SIZE - 1) : (file_end + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1);
    unsigned flags = prot & VP_WRITE ? VM_ACCOUNT : 0;
    long err;
    if (s->filesz && mapped_end > start) {
        err = pfile_vma_get(f);
        if (err)
            return err;
        struct vma v = {.start = start,
                        .end = mapped_end,
                        .prot = prot,
                        .flags = flags,
                        .ops = &vma_file_ops,
                        .pgoff = pgoff,
                        .name = f->path,
                        .ino = f->ino,
                        .file = f};
        err = add_vma(p, v); /* on failure, add_vma's vma_free dropped the reference */
        if (err)
            return err;
    }
    uint64_t anon = s->filesz ? mapped_end : start;
    if (anon >= end)
        return 0;
    err = add_vma(
        p, (struct vma){
               .start = anon, .end = end, .prot = prot, .flags = flags, .ops = &vma_anon_ops});
    if (err || !partial)
        return err;
    /* The shared page: file bytes up to file_end, zeroes after. */
    uint64_t pa = frame_alloc(), block;
    if (!pa)
        return -SAMARA_ENOMEM;
    bool major;
    uint64_t idx = pgoff + (anon - start) / PAGE_SIZE;
    if (pfile_blocks(f, idx, 1, false, &block, &major) == 1 && block)
        memcpy(physmap(pa), physmap(pfile_block_pa(block)), file_end - anon);
    space_own_frame(p, pa, anon);
    return map_into(p, anon, pa, vma_map_perms(prot));
}

/* Load an ELF from the RAM disk: its program headers must be in its first page. */
static long load_disk_elf(struct proc *p, struct pfile *f, uint64_t limit, uint64_t *entry)
{
    uint64_t block;
    bool major;
    if ((f->mode & 0170000) != 0100000)
        return -SAMARA_EACCES; /* not a regular file, as execve */
    if (pfile_blocks(f, 0, 1, false, &block, &major) != 1 || !block)
        return -SAMARA_ENOEXEC;
    const uint8_t *hdr = physmap(pfile_block_pa(block));
    uint64_t phoff, phnum = (uint64_t)hdr[56] | (uint64_t)hdr[57] << 8;
    memcpy(&phoff, hdr + 32, 8);
    struct elf_image img;
    const char *why = "program headers past the first page";
    if (phoff > PAGE_SIZE || phnum * sizeof(struct elf64_phdr) > PAGE_SIZE - phoff ||
        elf_parse(hdr, f->size, limit, PAGE_SIZE, &img, &why)) {
        printf("pager: %s: not a valid executable: %s\n", p->path, why ? why : "?");
        return -SAMARA_ENOEXEC;
    }
    for (unsigned i = 0; i < img.nseg; i++) {
        const struct elf_segment *s = &img.seg[i];
        unsigned prot = ((s->flags & ELF_PF_R) ? VP_READ : 0) |
                        ((s->flags & ELF_PF_W) ? VP_WRITE : 0) |
                        ((s->flags & ELF_PF_X) ? VP_EXEC : 0);
        long err = load_disk_segment(p, f, s, prot);
        if (err)
            return err;
        uint64_t start = s->vaddr & ~(PAGE_SIZE - 1);
        uint64_t end = (s->vaddr + s->memsz + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1);
        if (prot & VP_EXEC && !p->start_code) {
            p->start_code = start;
            p->end_code = end;
        }
        if (end > p->start_brk)
            p->start_brk = p->brk = end;
    }
    *entry = img.entry;
    return 0;
}

static struct proc *proc_alloc(void)
{
    for (unsigned i = 0; i < PROC_MAX; i++) {
        if (procs[i].state == PROC_FREE) {
            memset(&procs[i], 0, sizeof(procs[i]));
            mtree_init(&procs[i].mm, MT_FLAGS_ALLOC_RANGE);
            return &procs[i];
        }
    }
    return NULL;
}

/* Undo a half-built process: its objects, capabilities and frames. */
void proc_each_vma(void (*fn)(struct proc *p, struct vma *v, void *ctx), void *ctx)
{
    for (unsigned i = 0; i < PROC_MAX; i++) {
        struct proc *p = &procs[i];
        if (p->state != PROC_LIVE)
            continue;
        unsigned long index = 0;
        struct vma *v;
        mt_for_each(&p->mm, v, index, ~0ul) fn(p, v, ctx);
    }
}

void proc_discard(struct proc *p)
{
    unsigned base = proc_task_slot(p);
    /* Every frame mapped in the space comes back through the kernel's report: before the
     * task goes, with its page tables. */
    space_unmap(p, 0, task_size);
    sys1(SYS_TASK_DESTROY, base);
    for (unsigned i = 0; i < 3; i++)
        sys1(SYS_CAP_DELETE, base + i);
    /* Not live any more, so that syncing a file's mappings (vma_free) skips this tree. */
    p->state = PROC_FREE;
    fsrv_proc_gone(p);
    unsigned long index = 0;
    struct vma *v;
    mt_for_each(&p->mm, v, index, ~0ul) vma_free(v);
    mtree_destroy(&p->mm);
    p->map_count = 0;
    frame_list_free_all(&p->frames);
    if (p->waiting) {
        sys1(SYS_CAP_DELETE, p->wait_reply);
        reply_slot_release(p->wait_reply);
        p->waiting = false;
    }
    p->state = PROC_FREE;
}

long proc_create(int ppid, const char *path, struct proc **out)
{
    unsigned n = 0;
    for (unsigned i = 0; i < PROC_MAX; i++)
        n += procs[i].state != PROC_FREE;
    struct proc *p = n < proc_max ? proc_alloc() : NULL;
    if (!p)
        return -SAMARA_EAGAIN;
    p->state = PROC_LIVE;
    p->pid = next_pid++;
    p->ppid = ppid;
    const char *base = strrchr(path, '/');
    strncpy(p->name, base ? base + 1 : path, sizeof(p->name) - 1);
    snprintf(p->path, sizeof(p->path), "%s%s", path[0] == '/' ? "" : "/", path);

    unsigned slot = proc_task_slot(p);
    long err = sys2(SYS_TASK_CREATE, CAP_ROOT_CONTROL, slot);
    if (!err)
        err = sys3(SYS_THREAD_CREATE, CAP_ROOT_CONTROL, slot, slot + 1);
    /* A badged endpoint for the program's faults, and copies of it and its objects for it. */
    if (!err)
        err = sys5(SYS_CAP_COPY, SLOT_EP, 0, slot + 2, CAP_R_SEND, (long)proc_badge(p));
    if (!err)
        err = sys5(SYS_CAP_COPY, slot + 2, slot, CAP_PROC_PAGER, CAP_R_SEND, 0);
    if (!err)
        err = sys5(SYS_CAP_COPY, slot, slot, CAP_PROC_TASK, CAP_R_ALL, 0);
    if (!err)
        err = sys5(SYS_CAP_COPY, slot + 1, slot, CAP_PROC_THREAD, CAP_R_ALL, 0);
    if (!err)
        err = sys5(SYS_CAP_COPY, CAP_ROOT_CONTROL, slot, CAP_PROC_CONTROL, CAP_R_CREATE, 0);
    /* The file server's endpoint, badged like the pager's so the server can tell clients. */
    if (!err && fsrv_ready)
        err = sys5(SYS_CAP_COPY, SLOT_FS_EP, slot, CAP_PROC_FS, CAP_R_SEND, (long)proc_badge(p));
    if (err) {
        proc_discard(p);
        return err == -SAMARA_ENOMEM ? err : -SAMARA_EAGAIN;
    }
    *out = p;
    return 0;
}

long proc_map_ipcbuf(struct proc *p, uint64_t ipcbuf)
{
    long err = add_vma(p, (struct vma){.start = ipcbuf,
                                       .end = ipcbuf + PAGE_SIZE,
                                       .prot = VP_READ | VP_WRITE,
                                       .flags = VM_SPECIAL,
                                       .ops = &vma_anon_ops});
    if (err && !vma_find(p, ipcbuf)) /* fork: the VMA came with the copy */
        return err;
    uint64_t pa = frame_alloc();
    if (!pa)
        return -SAMARA_ENOMEM;
    space_note_rss(p, 1);
    return map_into(p, ipcbuf, pa, MAP_PERM_R | MAP_PERM_W);
}

long proc_thread_start(struct proc *p, uint64_t pc, uint64_t sp, uint64_t a0)
{
    unsigned slot = proc_task_slot(p);
    long err = sys2(SYS_THREAD_SET_IPCBUF, slot + 1, (long)(task_size - PROC_IPCBUF_OFFSET));
    if (!err)
        err = sys2(SYS_THREAD_SET_FAULT, slot + 1, slot + 2);
    if (!err)
        err = sys2(SYS_THREAD_SET_PRIO, slot + 1, PROC_PRIO);
    if (!err)
        err = sys4(SYS_THREAD_START, slot + 1, (long)pc, (long)sp, (long)a0);
    return err;
}

/* Where a program comes from: the RAM disk once its server runs, else the initrd. */
struct proc_program {
    struct pfile *disk;
    struct cpio_entry file;
};

static long proc_find_program(const char *path, struct proc_program *prog)
{
    const char *why = NULL;
    prog->disk = NULL;
    long err = fsrv_running && path[0] == '/' ? pfile_from_path(path, &prog->disk) : -SAMARA_ENOENT;
    if (err == 0) /* as execve: a regular file with an execute bit, else EACCES */
        return (prog->disk->mode & 0170000) == 0100000 && prog->disk->mode & 0111 ? 0
                                                                                  : -SAMARA_EACCES;
    if (err != -SAMARA_ENOENT)
        return err; /* ENOTDIR, ENAMETOOLONG...: what the disk says */
    if (cpio_find(physmap(bootinfo->initrd_base), bootinfo->initrd_size, path, &prog->file, &why))
        return -SAMARA_ENOENT;
    return 0;
}

/*
 * Load a program into p, whose space is empty: the ELF, the stack and IPC buffer VMAs, and
 * the initial stack; *entry and *sp say where its thread starts.
 */
static long proc_load(struct proc *p, const struct proc_program *prog, const struct proc_image *img,
                      uint64_t *entry, uint64_t *sp)
{
    /*
     * The layout, as Linux's (docs/BOOT.md): the ELF, the heap after it, mmap areas top-down
     * from mmap_base (at least 129 MiB below the top, the gap Linux leaves for an 8 MiB
     * stack), the stack growing down from stack_top, and the IPC buffer page above it; the
     * heap, mmap_base and stack top randomised as Linux's (layout.c).
     */
    layout_choose(p);
    uint64_t stack_top = p->stack_top, ipcbuf = task_size - PROC_IPCBUF_OFFSET;
    p->cmdline_len = 0;
    for (int i = 0; i < img->argc; i++) {
        size_t n = strlen(img->argv[i]) + 1;
        if (p->cmdline_len + n > sizeof(p->cmdline))
            break;
        memcpy(p->cmdline + p->cmdline_len, img->argv[i], n);
        p->cmdline_len += (unsigned)n;
    }
    long err = prog->disk ? load_disk_elf(p, prog->disk, p->mmap_base, entry)
                          : load_elf(p, &prog->file, p->mmap_base, entry);
    if (!err)
        layout_place_heap(p);
    if (!err)
        err = add_vma(p, (struct vma){.start = stack_top - PROC_STACK_INITIAL,
                                      .end = stack_top,
                                      .prot = VP_READ | VP_WRITE,
                                      .flags = VM_GROWSDOWN | VM_STACK | VM_ACCOUNT,
                                      .ops = &vma_anon_ops});
    if (!err)
        err = build_stack(p, stack_top, img, sp);
    if (!err)
        err = proc_map_ipcbuf(p, ipcbuf);
    p->peak_vm = vma_total_pages(p);
    return err;
}

long proc_spawn(int ppid, const char *path, char *const argv[], int argc)
{
    return proc_spawn_with(ppid, path, argv, argc, NULL);
}

long proc_spawn_with(int ppid, const char *path, char *const argv[], int argc,
                     long (*setup)(struct proc *p))
{
    struct proc_program prog;
    long err = proc_find_program(path, &prog);
    if (err)
        return err;
    struct proc *p;
    err = proc_create(ppid, path, &p);
    if (err)
        return err;
    struct proc *parent = proc_get(ppid);
    if (parent)
        p->personality = parent->personality; /* as fork then exec would keep it */
    static char *const no_env[] = {NULL};
    struct proc_image img = {.argv = argv, .argc = argc, .envp = no_env, .envc = 0};
    uint64_t entry = 0, sp = 0;
    err = proc_load(p, &prog, &img, &entry, &sp);
    if (!err && setup)
        err = setup(p);
    if (!err)
        err = proc_thread_start(p, entry, sp, 0);
    if (err) {
        proc_discard(p);
        return err;
    }
    return p->pid;
}

/* Check the program's ELF before anything of the caller is gone: 0 or -ENOEXEC. */
static long proc_check_program(const struct proc_program *prog)
{
    struct elf_image img;
    const char *why = NULL;
    if (!prog->disk)
        return elf_parse(prog->file.data, prog->file.size, task_size, PAGE_SIZE, &img, &why)
                   ? -SAMARA_ENOEXEC
                   : 0;
    uint64_t block;
    bool major;
    if (pfile_blocks(prog->disk, 0, 1, false, &block, &major) != 1 || !block)
        return -SAMARA_ENOEXEC;
    const uint8_t *hdr = physmap(pfile_block_pa(block));
    uint64_t phoff, phnum = (uint64_t)hdr[56] | (uint64_t)hdr[57] << 8;
    memcpy(&phoff, hdr + 32, 8);
    if (phoff > PAGE_SIZE || phnum * sizeof(struct elf64_phdr) > PAGE_SIZE - phoff ||
        elf_parse(hdr, prog->disk->size, task_size, PAGE_SIZE, &img, &why))
        return -SAMARA_ENOEXEC;
    return 0;
}

long proc_exec(struct proc *p, const char *path, const struct proc_image *img)
{
    struct proc_program prog;
    long err = proc_find_program(path, &prog);
    if (!err)
        err = proc_check_program(&prog);
    if (err)
        return err;
    /* The point of no return: the old image goes. */
    unsigned slot = proc_task_slot(p);
    sys1(SYS_THREAD_SUSPEND, slot + 1);
    sys1(SYS_CAP_DELETE, slot + 1);
    space_unmap(p, 0, task_size);
    p->state = PROC_ZOMBIE; /* so that syncing a file's mappings (vma_free) skips this tree */
    unsigned long index = 0;
    struct vma *v;
    mt_for_each(&p->mm, v, index, ~0ul) vma_free(v);
    mtree_destroy(&p->mm);
    mtree_init(&p->mm, MT_FLAGS_ALLOC_RANGE);
    vma_gen++;
    p->state = PROC_LIVE;
    p->map_count = 0;
    p->def_flags = 0;
    p->start_brk = p->brk = p->start_code = p->end_code = 0;
    p->sig_caught = p->sig_entry = p->sig_nodefer = 0; /* back to the default actions */
    const char *base = strrchr(path, '/');
    memset(p->name, 0, sizeof(p->name));
    strncpy(p->name, base ? base + 1 : path, sizeof(p->name) - 1);
    snprintf(p->path, sizeof(p->path), "%s", path);
    uint64_t entry = 0, sp = 0;
    err = sys3(SYS_THREAD_CREATE, CAP_ROOT_CONTROL, slot, slot + 1);
    if (!err)
        err = proc_load(p, &prog, img, &entry, &sp);
    if (!err)
        err = proc_thread_start(p, entry, sp, 0);
    if (err) {
        printf("pager: pid %d: exec of %s failed after the old image was gone: %ld\n", p->pid, path,
               err);
        proc_exit(p, PAGER_SIGKILL);
    }
    return PROC_EXEC_GONE;
}

static void wake_waiter(struct proc *parent);

void proc_exit(struct proc *p, int status)
{
    if (p->state != PROC_LIVE)
        return;
    proc_discard(p);
    p->state = PROC_ZOMBIE;
    p->status = status;
    if (p->pid == 1)
        init_gone = true;
    /* Orphans go to init (pid 1); a zombie nobody will wait for is reaped at once. */
    for (unsigned i = 0; i < PROC_MAX; i++) {
        if (procs[i].state != PROC_FREE && procs[i].ppid == p->pid)
            procs[i].ppid = 1;
        if (procs[i].state == PROC_ZOMBIE && procs[i].ppid == p->pid)
            procs[i].state = PROC_FREE;
    }
    struct proc *parent = proc_get((uint64_t)p->ppid);
    if (!parent || parent->state != PROC_LIVE) {
        if (p->pid != 1)
            p->state = PROC_FREE;
        return;
    }
    wake_waiter(parent);
}

/* Find a child of parent matching pid (-1: any); *any_child tells whether one exists. */
struct proc *proc_zombie_child(struct proc *parent, long pid, bool *any_child)
{
    *any_child = false;
    for (unsigned i = 0; i < PROC_MAX; i++) {
        struct proc *c = &procs[i];
        if (c->state == PROC_FREE || c->ppid != parent->pid || (pid > 0 && c->pid != pid))
            continue;
        *any_child = true;
        if (c->state == PROC_ZOMBIE)
            return c;
    }
    return NULL;
}

static void wake_waiter(struct proc *parent)
{
    if (!parent->waiting)
        return;
    bool any;
    struct proc *c = proc_zombie_child(parent, parent->wait_pid, &any);
    if (!c && any)
        return;
    parent->waiting = false;
    uint64_t pid = c ? (uint64_t)c->pid : (uint64_t)-SAMARA_ECHILD;
    uint64_t status = c ? (uint64_t)c->status : 0;
    if (c)
        c->state = PROC_FREE;
    ipc_reply(parent->wait_reply, IPC_TAG(0, 2), pid, status, 0, 0);
    reply_slot_release(parent->wait_reply);
}
