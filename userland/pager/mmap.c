/*
 * mmap.c - the memory calls: mmap, munmap, mprotect, mremap, madvise, brk, the mlock family
 * and msync, with Linux's semantics and errno values (the checks follow Linux 6.1's order).
 *
 * Each call works on VMAs first (vma.c: split at the edges of the range, change, merge with
 * the neighbours) and then on pages through the kernel (space.c). Pages are not touched when
 * rights are added: the next fault maps them with the new rights (fault.c).
 */
#include <string.h>

#include <sys/mman.h>

#include <samara/fs.h>

#include "pager.h"

/* Linux's values come from the user library's <sys/mman.h> (uapi/asm-generic/mman*.h). */
#define LEGACY_MAP_MASK                                                                            \
    (MAP_SHARED | MAP_PRIVATE | MAP_FIXED | MAP_ANONYMOUS | MAP_DENYWRITE | MAP_EXECUTABLE |       \
     MAP_UNINITIALIZED | MAP_GROWSDOWN | MAP_LOCKED | MAP_NORESERVE | MAP_POPULATE |               \
     MAP_NONBLOCK | MAP_STACK | MAP_HUGETLB)

#define HUGE_SIZE       (2ul << 20)
#define STACK_GUARD_GAP (256ul << 12)

unsigned long max_map_count = 65530;
#define MMAP_MIN_ADDR 0x10000ul /* vm.mmap_min_addr as Debian sets it */

static uint64_t page_align(uint64_t x)
{
    return (x + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1);
}

/* True when nothing is mapped in [start, end). */
static bool range_free(struct proc *p, uint64_t start, uint64_t end)
{
    struct vma *v = vma_find_from(p, start);
    return !v || v->start >= end;
}

/* True when [start, end) is covered by VMAs without a hole. */
static bool range_covered(struct proc *p, uint64_t start, uint64_t end)
{
    while (start < end) {
        struct vma *v = vma_find(p, start);
        if (!v)
            return false;
        start = v->end;
    }
    return true;
}

/* A free range of len bytes (aligned to align), top-down below the mmap base; or 0. */
static uint64_t unmapped_area(struct proc *p, uint64_t hint, uint64_t len, uint64_t align)
{
    if (hint) {
        /* As Linux: a free hint is taken, unless it is in the guard gap below a stack. */
        uint64_t a = (hint + align - 1) & ~(align - 1);
        struct vma *next = a <= task_size - len ? vma_find_from(p, a) : NULL;
        uint64_t limit = next ? next->start : task_size;
        if (next && next->flags & VM_GROWSDOWN)
            limit = next->start > STACK_GUARD_GAP ? next->start - STACK_GUARD_GAP : 0;
        if (a >= MMAP_MIN_ADDR && a <= task_size - len && a + len <= limit)
            return a;
    }
    MA_STATE(mas, &p->mm, 0, 0);
    if (p->mmap_base < MMAP_MIN_ADDR + len + align ||
        mas_empty_area_rev(&mas, MMAP_MIN_ADDR, p->mmap_base - 1, len + align - PAGE_SIZE))
        return 0;
    return (mas.last + 1 - len) & ~(align - 1);
}

/* Make VMA boundaries at start and end. -ENOMEM at the map count limit. */
static int range_isolate(struct proc *p, uint64_t start, uint64_t end)
{
    struct vma *v = vma_find(p, start), *u;
    if (v && v->start < start) {
        int err = vma_split(p, v, start, &u);
        if (err)
            return err;
    }
    v = vma_find(p, end - 1);
    if (v && v->end > end) {
        int err = vma_split(p, v, end, &u);
        if (err)
            return err;
    }
    return 0;
}

/* Remove every VMA and page in [start, end). Returns 0 or -ENOMEM (map count). */
static int unmap_range(struct proc *p, uint64_t start, uint64_t end)
{
    struct vma *v = vma_find(p, start);
    if (v && v->start < start && v->end > end && p->map_count >= max_map_count)
        return -SAMARA_ENOMEM; /* a split in the middle would go over the limit */
    struct vma *first = vma_find_from(p, start);
    if (first && first->start < end && first->flags & VM_HUGETLB &&
        ((start | end) & (HUGE_SIZE - 1)))
        return -SAMARA_EINVAL;
    int err = range_isolate(p, start, end);
    if (err)
        return err;
    /* Pages first: a file's last VMA going unpins it, and its blocks may then be freed. */
    space_unmap(p, start, end);
    while ((v = vma_find_from(p, start)) && v->start < end)
        vma_remove(p, v);
    return 0;
}

static void note_vm(struct proc *p)
{
    uint64_t n = vma_total_pages(p);
    if (n > p->peak_vm)
        p->peak_vm = n;
}

static unsigned mmap_vm_flags(unsigned flags, unsigned prot)
{
    unsigned vf = 0;
    if ((flags & MAP_TYPE) != MAP_PRIVATE)
        vf |= VM_SHARED;
    if (flags & MAP_GROWSDOWN)
        vf |= VM_GROWSDOWN;
    if (flags & MAP_LOCKED)
        vf |= VM_LOCKED;
    if (flags & MAP_HUGETLB)
        vf |= VM_HUGETLB;
    if (flags & MAP_NORESERVE)
        vf |= VM_NORESERVE;
    else if (!(vf & VM_SHARED) && prot & VP_WRITE)
        vf |= VM_ACCOUNT;
    return vf;
}

/*
 * The checks Linux's do_mmap makes of a file, in its order, for descriptor fd of p (the file
 * server's number; PAGER_FD_NODEV for a descriptor of another kind). On success *file is the
 * file and *vflags has the VMA flags the open mode implies. 0 or -errno.
 */
static long mmap_file_check(struct proc *p, int fd, unsigned type, unsigned prot, unsigned flags,
                            struct pfile **file, unsigned *vflags)
{
    if (fd == PAGER_FD_NODEV)
        return -SAMARA_ENODEV; /* the console, /proc: nothing to map */
    unsigned oflags;
    long err = pfile_from_fd(p, fd, file, &oflags);
    if (err)
        return err;
    unsigned acc = oflags & FS_O_ACCMODE;
    bool readable = acc == FS_O_RDONLY || acc == FS_O_RDWR, writable = acc != FS_O_RDONLY;
    if (type != MAP_PRIVATE) {
        if (type == MAP_SHARED_VALIDATE && flags & ~LEGACY_MAP_MASK)
            return -SAMARA_EOPNOTSUPP;
        if (prot & VP_WRITE && !writable)
            return -SAMARA_EACCES;
        if (!writable)
            *vflags |= VM_NOMAYWRITE;
    }
    if (!readable)
        return -SAMARA_EACCES;
    if (((*file)->mode & 0170000) != 0100000)
        return -SAMARA_ENODEV; /* a directory (or anything but a regular file) */
    if (flags & MAP_GROWSDOWN)
        return -SAMARA_EINVAL;
    return 0;
}

void do_mmap(struct proc *p, const struct ipc_msg *m, struct reply *r)
{
    uint64_t addr = m->w[0], len = m->w[1];
    unsigned prot = (unsigned)(m->w[2] & 0xffffffffu), flags = (unsigned)(m->w[2] >> 32);
    int fd = (int)(uint32_t)m->w[3];
    uint64_t pgoff = m->w[3] >> 32;

    if (!len)
        return reply_value(r, -SAMARA_EINVAL);
    unsigned type = flags & MAP_TYPE;
    if (type != MAP_SHARED && type != MAP_PRIVATE && type != MAP_SHARED_VALIDATE)
        return reply_value(r, -SAMARA_EINVAL);
    if (type == MAP_SHARED_VALIDATE && flags & ~(LEGACY_MAP_MASK | MAP_SYNC | MAP_FIXED_NOREPLACE |
                                                 ((unsigned)MAP_HUGE_MASK << MAP_HUGE_SHIFT)))
        return reply_value(r, -SAMARA_EOPNOTSUPP);
    if (flags & MAP_FIXED_NOREPLACE)
        flags |= MAP_FIXED;
    uint64_t align = flags & MAP_HUGETLB ? HUGE_SIZE : PAGE_SIZE;
    if (len > task_size)
        return reply_value(r, -SAMARA_ENOMEM);
    len = (len + align - 1) & ~(align - 1);
    if (!len || len > task_size)
        return reply_value(r, -SAMARA_ENOMEM);
    if (pgoff + len / PAGE_SIZE < pgoff)
        return reply_value(r, -SAMARA_EOVERFLOW);
    if (p->map_count > max_map_count)
        return reply_value(r, -SAMARA_ENOMEM);
    bool anon = flags & MAP_ANONYMOUS;
    if (anon && type == MAP_SHARED_VALIDATE)
        return reply_value(r,
                           -SAMARA_EINVAL); /* anonymous memory: only MAP_SHARED or MAP_PRIVATE */
    if (anon && type == MAP_SHARED && flags & MAP_GROWSDOWN)
        return reply_value(r, -SAMARA_EINVAL); /* as Linux: shared memory does not grow */
    if (!anon && flags & MAP_HUGETLB)
        return reply_value(r, -SAMARA_EINVAL); /* no hugetlbfs files */
    if (flags & MAP_FIXED) {
        if (addr & (align - 1))
            return reply_value(r, -SAMARA_EINVAL);
        if (addr > task_size - len)
            return reply_value(r, -SAMARA_ENOMEM);
        if (addr < MMAP_MIN_ADDR)
            return reply_value(r, -SAMARA_EPERM);
        if (flags & MAP_FIXED_NOREPLACE && !range_free(p, addr, addr + len))
            return reply_value(r, -SAMARA_EEXIST);
    } else {
        addr = unmapped_area(p, addr, len, align);
        if (!addr)
            return reply_value(r, -SAMARA_ENOMEM);
    }
    if (flags & MAP_HUGETLB && huge_free_count() < len / HUGE_SIZE)
        return reply_value(r, -SAMARA_ENOMEM); /* hugetlb pages are reserved at mmap, as Linux */
    struct pfile *file = NULL;
    unsigned vflags = mmap_vm_flags(flags, prot) | p->def_flags;
    if (!anon) {
        long err = mmap_file_check(p, fd, type, prot, flags, &file, &vflags);
        if (err)
            return reply_value(r, err);
    }
    long pinned = file ? pfile_vma_get(file) : 0; /* ENFILE: the server's table is full */
    if (pinned)
        return reply_value(r, pinned);
    struct vma *v = vma_alloc();
    struct shmem *shm = anon && type != MAP_PRIVATE && !(flags & MAP_HUGETLB) ? shmem_new() : NULL;
    if (!v || (anon && type != MAP_PRIVATE && !(flags & MAP_HUGETLB) && !shm)) {
        if (file)
            pfile_vma_put(file);
        if (shm)
            shmem_put(shm);
        if (v)
            vma_free(v);
        return reply_value(r, -SAMARA_ENOMEM);
    }
    if (flags & MAP_FIXED) {
        int err = unmap_range(p, addr, addr + len);
        if (err) {
            vma_free(v);
            return reply_value(r, err);
        }
    }
    *v = (struct vma){.start = addr,
                      .end = addr + len,
                      .prot = prot & 7,
                      .flags = vflags,
                      .ops = file ? &vma_file_ops : &vma_anon_ops,
                      .pgoff = file ? pgoff : 0,
                      .name = file ? file->path : NULL,
                      .ino = file ? file->ino : 0,
                      .file = file,
                      .shm = shm};
    if (vma_insert(p, v)) {
        vma_free(v);
        return reply_value(r, -SAMARA_ENOMEM);
    }
    v = vma_merge(p, v);
    note_vm(p);
    bool populate =
        (flags & (MAP_POPULATE | MAP_NONBLOCK)) == MAP_POPULATE || (v->flags & VM_LOCKED);
    if (populate && prot & 7)
        space_populate(p, v, addr, addr + len, (v->prot & VP_WRITE) && !(v->flags & VM_SHARED));
    reply_value(r, (int64_t)addr);
}

void do_munmap(struct proc *p, const struct ipc_msg *m, struct reply *r)
{
    uint64_t start = m->w[0], len = m->w[1];
    if (start & (PAGE_SIZE - 1) || start > task_size || len > task_size - start)
        return reply_value(r, -SAMARA_EINVAL);
    len = page_align(len);
    if (!len)
        return reply_value(r, -SAMARA_EINVAL);
    reply_value(r, unmap_range(p, start, start + len));
}

void do_mprotect(struct proc *p, const struct ipc_msg *m, struct reply *r)
{
    uint64_t start = m->w[0], len = m->w[1];
    unsigned prot = (unsigned)m->w[2];
    const unsigned grows = 0x01000000u | 0x02000000u;
    if (start & (PAGE_SIZE - 1))
        return reply_value(r, -SAMARA_EINVAL);
    if ((prot & grows) == grows)
        return reply_value(r, -SAMARA_EINVAL);
    prot &= ~grows;
    if (prot & ~(VP_READ | VP_WRITE | VP_EXEC | PROT_SEM))
        return reply_value(r, -SAMARA_EINVAL);
    if (!len)
        return reply_value(r, 0);
    len = page_align(len);
    uint64_t end = start + len;
    if (end <= start || end > task_size)
        return reply_value(r, -SAMARA_ENOMEM);
    if (!range_covered(p, start, end))
        return reply_value(r, -SAMARA_ENOMEM);
    struct vma *first = vma_find(p, start), *last = vma_find(p, end - 1);
    if ((first->flags & VM_HUGETLB && start & (HUGE_SIZE - 1)) ||
        (last->flags & VM_HUGETLB && end & (HUGE_SIZE - 1)))
        return reply_value(r, -SAMARA_EINVAL);
    /* A shared mapping of a file opened read-only never becomes writable (Linux: EACCES). */
    for (uint64_t a = start; prot & VP_WRITE && a < end;) {
        struct vma *v = vma_find(p, a);
        if (v->flags & VM_NOMAYWRITE)
            return reply_value(r, -SAMARA_EACCES);
        a = v->end;
    }
    int err = range_isolate(p, start, end);
    if (err)
        return reply_value(r, err);
    prot &= 7;
    for (uint64_t a = start; a < end;) {
        struct vma *v = vma_find(p, a);
        unsigned old = v->prot;
        v->prot = prot;
        if (prot & VP_WRITE && !(v->flags & (VM_SHARED | VM_NORESERVE)))
            v->flags |= VM_ACCOUNT;
        /* Take rights away in the page table now; added rights come with the next fault. A
         * page made inaccessible forgets its D bit: a shared file page's is kept first. */
        if (v->file && v->flags & VM_SHARED && old & VP_WRITE && !(prot & 7))
            filemap_harvest(p, v->start, v->end, old, false);
        if (vma_map_perms(old) & ~vma_map_perms(prot))
            space_protect(p, v->start, v->end, prot);
        a = v->end;
        vma_merge(p, v);
    }
    reply_value(r, 0);
}

/* Move [old, old + len) of VMA-covered memory to a new VMA at to (free), new_len long. */
static int64_t move_vma(struct proc *p, uint64_t old, uint64_t old_len, uint64_t to,
                        uint64_t new_len, bool dontunmap)
{
    struct vma *src = vma_find(p, old);
    if (p->map_count >= max_map_count - 3)
        return -SAMARA_ENOMEM;
    struct vma *v = vma_alloc();
    if (!v)
        return -SAMARA_ENOMEM;
    *v = *src;
    vma_copied(v);
    v->start = to;
    v->end = to + new_len;
    v->pgoff = src->pgoff + (old - src->start) / PAGE_SIZE;
    uint64_t moved = old_len < new_len ? old_len : new_len; /* 0: a second mapping (below) */
    if (moved && sys4(SYS_REMAP, proc_task_slot(p), (long)old, (long)to, (long)moved)) {
        vma_free(v);
        return -SAMARA_ENOMEM;
    }
    if (vma_insert(p, v)) {
        if (moved)
            sys4(SYS_REMAP, proc_task_slot(p), (long)to, (long)old, (long)moved);
        vma_free(v);
        return -SAMARA_ENOMEM;
    }
    if (!dontunmap && old_len)
        unmap_range(p, old, old + old_len);
    vma_merge(p, v);
    note_vm(p);
    return (int64_t)to;
}

void do_mremap(struct proc *p, const struct ipc_msg *m, struct reply *r)
{
    uint64_t old = m->w[0], old_len = m->w[1], new_len = m->w[2];
    unsigned flags = (unsigned)(m->w[3] & 0xfff);
    uint64_t new_addr = m->w[3] & ~0xffful;
    if (flags & ~(MREMAP_MAYMOVE | MREMAP_FIXED | MREMAP_DONTUNMAP))
        return reply_value(r, -SAMARA_EINVAL);
    if (flags & MREMAP_FIXED && !(flags & MREMAP_MAYMOVE))
        return reply_value(r, -SAMARA_EINVAL);
    if (flags & MREMAP_DONTUNMAP && (!(flags & MREMAP_MAYMOVE) || old_len != new_len))
        return reply_value(r, -SAMARA_EINVAL);
    if (old & (PAGE_SIZE - 1))
        return reply_value(r, -SAMARA_EINVAL);
    old_len = page_align(old_len);
    new_len = page_align(new_len);
    if (!new_len)
        return reply_value(r, -SAMARA_EINVAL); /* an old length of 0 is Linux's special case */
    if (old_len > task_size || old > task_size - old_len)
        return reply_value(r, -SAMARA_EFAULT);
    if (flags & MREMAP_FIXED) {
        if (new_len > task_size || new_addr > task_size - new_len)
            return reply_value(r, -SAMARA_EINVAL);
        if ((new_addr <= old && new_addr + new_len > old) ||
            (old <= new_addr && old + old_len > new_addr))
            return reply_value(r, -SAMARA_EINVAL);
    }
    struct vma *v = vma_find(p, old);
    if (!v || old + old_len > v->end)
        return reply_value(r, -SAMARA_EFAULT);
    if (v->flags & (VM_HUGETLB | VM_SPECIAL))
        return reply_value(r, -SAMARA_EINVAL);
    /* Old length 0: a second mapping of the same pages of a shared mapping, at a new place
     * (Linux keeps this for the "duplicate a shared area" use); a private one is EINVAL. */
    if (!old_len && !(v->flags & VM_SHARED))
        return reply_value(r, -SAMARA_EINVAL);
    if (flags & MREMAP_FIXED) {
        if (new_addr < MMAP_MIN_ADDR)
            return reply_value(r, -SAMARA_EPERM);
        int err = unmap_range(p, new_addr, new_addr + new_len);
        if (err)
            return reply_value(r, err);
        if (new_len < old_len) {
            err = unmap_range(p, old + new_len, old + old_len);
            if (err)
                return reply_value(r, err);
            old_len = new_len;
        }
        return reply_value(r,
                           move_vma(p, old, old_len, new_addr, new_len, flags & MREMAP_DONTUNMAP));
    }
    if (new_len <= old_len && !(flags & MREMAP_DONTUNMAP)) {
        if (new_len < old_len) {
            int err = unmap_range(p, old + new_len, old + old_len);
            if (err)
                return reply_value(r, err);
        }
        return reply_value(r, (int64_t)old);
    }
    /* Grow in place when the VMA ends here and the room after it is free. */
    if (!(flags & MREMAP_DONTUNMAP) && old + old_len == v->end && old + new_len <= task_size &&
        range_free(p, v->end, old + new_len)) {
        vma_gen++;
        if (mtree_store_range(&p->mm, v->start, old + new_len - 1, v))
            return reply_value(r, -SAMARA_ENOMEM);
        v->end = old + new_len;
        vma_merge(p, v);
        note_vm(p);
        if (v->flags & VM_LOCKED)
            space_populate(p, v, old + old_len, old + new_len,
                           (v->prot & VP_WRITE) && !(v->flags & VM_SHARED));
        return reply_value(r, (int64_t)old);
    }
    if (!(flags & MREMAP_MAYMOVE))
        return reply_value(r, -SAMARA_ENOMEM);
    uint64_t to = unmapped_area(p, 0, new_len, PAGE_SIZE);
    if (!to)
        return reply_value(r, -SAMARA_ENOMEM);
    reply_value(r, move_vma(p, old, old_len, to, new_len, flags & MREMAP_DONTUNMAP));
}

/* Apply flag changes (set/clear) to the VMAs of [start, end), splitting at the edges. */
static int change_flags(struct proc *p, uint64_t start, uint64_t end, unsigned set, unsigned clear)
{
    int err = range_isolate(p, start, end);
    if (err)
        return err;
    for (uint64_t a = start; a < end;) {
        struct vma *v = vma_find(p, a);
        if (!v) {
            struct vma *n = vma_find_from(p, a);
            if (!n)
                break;
            a = n->start;
            continue;
        }
        v->flags = (v->flags & ~clear) | set;
        a = v->end;
        vma_merge(p, v);
    }
    return 0;
}

void do_madvise(struct proc *p, const struct ipc_msg *m, struct reply *r)
{
    uint64_t start = m->w[0], len = m->w[1];
    unsigned advice = (unsigned)m->w[2];
    switch (advice) {
    case MADV_NORMAL:
    case MADV_RANDOM:
    case MADV_SEQUENTIAL:
    case MADV_WILLNEED:
    case MADV_DONTNEED:
    case MADV_FREE:
    case MADV_REMOVE:
    case MADV_DONTFORK:
    case MADV_DOFORK:
    case MADV_HUGEPAGE:
    case MADV_NOHUGEPAGE:
    case MADV_DONTDUMP:
    case MADV_DODUMP:
    case MADV_WIPEONFORK:
    case MADV_KEEPONFORK:
    case MADV_COLD:
    case MADV_PAGEOUT:
    case MADV_POPULATE_READ:
    case MADV_POPULATE_WRITE:
    case MADV_DONTNEED_LOCKED:
        break;
    default:
        return reply_value(r, -SAMARA_EINVAL);
    }
    if (start & (PAGE_SIZE - 1))
        return reply_value(r, -SAMARA_EINVAL);
    uint64_t end = start + page_align(len);
    if (end < start || (len && end == start))
        return reply_value(r, -SAMARA_EINVAL);
    if (end == start)
        return reply_value(r, 0);
    if (end > task_size)
        return reply_value(r, -SAMARA_ENOMEM);
    bool holes = !range_covered(p, start, end);
    int err = 0;
    for (uint64_t a = start; a < end && !err;) {
        struct vma *v = vma_find_from(p, a);
        if (!v || v->start >= end)
            break;
        uint64_t s = v->start > a ? v->start : a, e = v->end < end ? v->end : end;
        /* Private anonymous: not a file (a program's segments are one, as on Linux), not
         * shared memory, not hugetlb (Linux's hugetlbfs files). */
        bool anon_private =
            v->ops == &vma_anon_ops && !v->shm && !(v->flags & (VM_SHARED | VM_HUGETLB));
        switch (advice) {
        case MADV_DONTNEED:
        case MADV_DONTNEED_LOCKED:
        case MADV_FREE:
            /* Linux 6.1: hugetlb memory drops whole huge pages, from an aligned start to the
             * end rounded up (DONTNEED only); otherwise locked memory only with
             * DONTNEED_LOCKED, and MADV_FREE only on private anonymous memory. */
            if (v->flags & VM_HUGETLB) {
                uint64_t he = (e + HUGE_SIZE - 1) & ~(HUGE_SIZE - 1);
                if (advice == MADV_FREE || s & (HUGE_SIZE - 1))
                    err = -SAMARA_EINVAL;
                else
                    space_unmap(p, s, he < v->end ? he : v->end);
            } else if ((v->flags & VM_LOCKED && advice != MADV_DONTNEED_LOCKED) ||
                       (advice == MADV_FREE && !anon_private)) {
                err = -SAMARA_EINVAL;
            } else {
                space_unmap(p, s, e);
            }
            break;
        case MADV_REMOVE:
            /* Free the backing store: shared memory's object pages; ext2 cannot punch holes
             * (Linux: vfs_fallocate is EOPNOTSUPP there). */
            if (v->flags & VM_LOCKED || (!v->file && !v->shm))
                err = -SAMARA_EINVAL;
            else if ((v->flags & VM_SHARED) == 0 || !(v->prot & VP_WRITE))
                err = -SAMARA_EACCES;
            else if (v->file)
                err = -SAMARA_EOPNOTSUPP;
            else
                shmem_remove(v, s, e);
            break;
        case MADV_WIPEONFORK:
            if (!anon_private)
                err = -SAMARA_EINVAL; /* only private anonymous memory can be wiped */
            break;
        case MADV_COLD:
        case MADV_PAGEOUT:
            if (v->flags & (VM_LOCKED | VM_HUGETLB))
                err = -SAMARA_EINVAL; /* nothing is reclaimed here anyway */
            break;
        case MADV_POPULATE_READ:
        case MADV_POPULATE_WRITE: {
            bool write = advice == MADV_POPULATE_WRITE;
            if (!(v->prot & (write ? VP_WRITE : VP_READ | VP_WRITE)))
                err = -SAMARA_EINVAL; /* as Linux 6.1: the protection does not allow it */
            else if (space_populate(p, v, s, e, write && !(v->flags & VM_SHARED)))
                err = -SAMARA_ENOMEM;
            break;
        }
        default:
            break;
        }
        a = e;
    }
    if (!err && (advice == MADV_NORMAL || advice == MADV_RANDOM || advice == MADV_SEQUENTIAL)) {
        unsigned set = advice == MADV_RANDOM       ? VM_RAND_READ
                       : advice == MADV_SEQUENTIAL ? VM_SEQ_READ
                                                   : 0;
        err = change_flags(p, start, end, set, (VM_RAND_READ | VM_SEQ_READ) & ~set);
    }
    /* The fork and dump flags: set or cleared over the range. */
    static const struct {
        unsigned advice, flag;
        bool set;
    } flag_advice[] = {
        {MADV_DONTFORK, VM_DONTCOPY, true},     {MADV_DOFORK, VM_DONTCOPY, false},
        {MADV_WIPEONFORK, VM_WIPEONFORK, true}, {MADV_KEEPONFORK, VM_WIPEONFORK, false},
        {MADV_DONTDUMP, VM_DONTDUMP, true},     {MADV_DODUMP, VM_DONTDUMP, false},
    };
    for (unsigned i = 0; !err && i < sizeof(flag_advice) / sizeof(flag_advice[0]); i++)
        if (flag_advice[i].advice == advice)
            err = change_flags(p, start, end, flag_advice[i].set ? flag_advice[i].flag : 0,
                               flag_advice[i].set ? 0 : flag_advice[i].flag);
    reply_value(r, err ? err : holes ? -SAMARA_ENOMEM : 0);
}

void do_brk(struct proc *p, const struct ipc_msg *m, struct reply *r)
{
    uint64_t req = m->w[0];
    r->send = true;
    r->tag = IPC_TAG(0, 1);
    r->w[0] = p->brk;
    if (req < p->start_brk || req > task_size)
        return;
    uint64_t newbrk = page_align(req), oldbrk = page_align(p->brk);
    if (newbrk == oldbrk) {
        p->brk = req;
        r->w[0] = req;
        return;
    }
    if (newbrk < oldbrk) {
        if (unmap_range(p, newbrk, oldbrk))
            return;
        p->brk = req;
        r->w[0] = req;
        return;
    }
    /* Growing: the new pages and a page after them must be free (Linux keeps that gap). */
    if (!range_free(p, oldbrk, newbrk + PAGE_SIZE) || p->map_count > max_map_count)
        return;
    struct vma *v = vma_alloc();
    if (!v)
        return;
    *v = (struct vma){.start = oldbrk,
                      .end = newbrk,
                      .prot = VP_READ | VP_WRITE,
                      .flags = VM_ACCOUNT | p->def_flags,
                      .ops = &vma_anon_ops};
    if (vma_insert(p, v)) {
        vma_free(v);
        return;
    }
    v = vma_merge(p, v);
    note_vm(p);
    if (v->flags & VM_LOCKED)
        space_populate(p, v, oldbrk, newbrk, true);
    p->brk = req;
    r->w[0] = req;
}

static int lock_range(struct proc *p, uint64_t start, uint64_t end, unsigned set)
{
    int err = change_flags(p, start, end, set, (VM_LOCKED | VM_LOCKONFAULT) & ~set);
    if (err || !(set & VM_LOCKED) || set & VM_LOCKONFAULT)
        return err;
    for (uint64_t a = start; a < end;) {
        struct vma *v = vma_find_from(p, a);
        if (!v || v->start >= end)
            break;
        uint64_t s = v->start > a ? v->start : a, e = v->end < end ? v->end : end;
        if (v->prot & 7)
            space_populate(p, v, s, e, (v->prot & VP_WRITE) && !(v->flags & VM_SHARED));
        a = e;
    }
    return 0;
}

void do_mlock(struct proc *p, const struct ipc_msg *m, struct reply *r)
{
    uint64_t start = m->w[0] & ~(PAGE_SIZE - 1);
    uint64_t len = page_align(m->w[1] + (m->w[0] & (PAGE_SIZE - 1)));
    unsigned flags = (unsigned)m->w[2];
    if (flags & ~MLOCK_ONFAULT)
        return reply_value(r, -SAMARA_EINVAL);
    if (!len)
        return reply_value(r, 0);
    uint64_t end = start + len;
    if (end < start || end > task_size || !range_covered(p, start, end))
        return reply_value(r, -SAMARA_ENOMEM);
    reply_value(r, lock_range(p, start, end, VM_LOCKED | (flags ? VM_LOCKONFAULT : 0)));
}

void do_munlock(struct proc *p, const struct ipc_msg *m, struct reply *r)
{
    uint64_t start = m->w[0] & ~(PAGE_SIZE - 1);
    uint64_t len = page_align(m->w[1] + (m->w[0] & (PAGE_SIZE - 1)));
    if (!len)
        return reply_value(r, 0);
    uint64_t end = start + len;
    if (end < start || end > task_size || !range_covered(p, start, end))
        return reply_value(r, -SAMARA_ENOMEM);
    reply_value(r, change_flags(p, start, end, 0, VM_LOCKED | VM_LOCKONFAULT));
}

void do_mlockall(struct proc *p, const struct ipc_msg *m, struct reply *r)
{
    unsigned flags = (unsigned)m->w[0];
    if (!flags || flags & ~(MCL_CURRENT | MCL_FUTURE | MCL_ONFAULT) || flags == MCL_ONFAULT)
        return reply_value(r, -SAMARA_EINVAL);
    unsigned set = VM_LOCKED | (flags & MCL_ONFAULT ? VM_LOCKONFAULT : 0);
    p->def_flags = flags & MCL_FUTURE ? set : 0;
    if (flags & MCL_CURRENT)
        lock_range(p, 0, task_size, set);
    reply_value(r, 0);
}

void do_munlockall(struct proc *p, const struct ipc_msg *m, struct reply *r)
{
    (void)m;
    p->def_flags = 0;
    change_flags(p, 0, task_size, 0, VM_LOCKED | VM_LOCKONFAULT);
    reply_value(r, 0);
}

void do_msync(struct proc *p, const struct ipc_msg *m, struct reply *r)
{
    uint64_t start = m->w[0], len = m->w[1];
    unsigned flags = (unsigned)m->w[2];
    if (flags & ~(MS_ASYNC | MS_INVALIDATE | MS_SYNC))
        return reply_value(r, -SAMARA_EINVAL);
    if (start & (PAGE_SIZE - 1))
        return reply_value(r, -SAMARA_EINVAL);
    if ((flags & MS_ASYNC) && (flags & MS_SYNC))
        return reply_value(r, -SAMARA_EINVAL);
    uint64_t end = start + page_align(len);
    if (end < start)
        return reply_value(r, -SAMARA_ENOMEM);
    if (end == start)
        return reply_value(r, 0);
    /*
     * As Linux: every VMA in the range is handled, a hole makes the answer ENOMEM, and
     * MS_INVALIDATE of locked memory is EBUSY. Shared file mappings are written back (the
     * whole file, as Linux's fsync of the range's file does); anonymous memory has nothing
     * to write, and file pages are the disk's, so there is nothing to invalidate either.
     */
    long err = range_covered(p, start, end) ? 0 : -SAMARA_ENOMEM;
    for (struct vma *v = vma_find_from(p, start); v && v->start < end;
         v = vma_find_from(p, v->end)) {
        if (flags & MS_INVALIDATE && v->flags & VM_LOCKED)
            return reply_value(r, -SAMARA_EBUSY);
        if (v->file && v->flags & VM_SHARED && flags & (MS_SYNC | MS_ASYNC))
            pfile_sync(v->file);
    }
    reply_value(r, err);
}
