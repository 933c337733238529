/*
 * vma.h - virtual memory areas: what each range of a process's address space is.
 *
 * A VMA is a page-aligned range [start, end) with one protection, one set of flags and one
 * backing. The VMAs of a process live in its maple tree, keyed by range, so that finding the
 * VMA of a fault address, walking a range and finding a free gap are all tree operations.
 * What differs between backings (anonymous memory, the bytes of an ELF file in the boot
 * image; files and shared memory later) is in a table of operations, not in switches.
 */
#ifndef PAGER_VMA_H
#define PAGER_VMA_H

#include <stdbool.h>
#include <stdint.h>

struct proc;
struct vma;

/* VMA flags (VM_*), after Linux's: they decide merging and /proc's VmFlags. */
#define VM_SHARED      0x0001u
#define VM_GROWSDOWN   0x0002u
#define VM_LOCKED      0x0004u
#define VM_LOCKONFAULT 0x0008u
#define VM_HUGETLB     0x0010u
#define VM_NORESERVE   0x0020u
#define VM_STACK       0x0040u /* the main stack: "[stack]" */
#define VM_SPECIAL     0x0080u /* the IPC buffer page: "[ipcbuf]" */
#define VM_RAND_READ   0x0100u
#define VM_SEQ_READ    0x0200u
#define VM_ACCOUNT     0x0400u
#define VM_NOMAYWRITE                                                                              \
    0x0800u                   /* mprotect may not add PROT_WRITE: a shared mapping of a file       \
                                 opened read-only (Linux clears VM_MAYWRITE) */
#define VM_DONTCOPY   0x1000u /* MADV_DONTFORK: a forked child does not get this VMA */
#define VM_WIPEONFORK 0x2000u /* MADV_WIPEONFORK: a forked child gets it empty (zeroes) */
#define VM_DONTDUMP   0x4000u /* MADV_DONTDUMP: left out of core dumps (only shown here) */

/* Protections, Linux's values. */
#define VP_READ  1u
#define VP_WRITE 2u
#define VP_EXEC  4u

struct vma_ops {
    const char *kind;
    /* Fill the fresh frame at pa for page va of v (zeroes, or file bytes). */
    void (*fill)(const struct vma *v, uint64_t va, uint64_t pa);
    /* May b, right after a, join it? (flags and protection are checked by the caller) */
    bool (*mergeable)(const struct vma *a, const struct vma *b);
};

extern const struct vma_ops vma_anon_ops;
extern const struct vma_ops vma_elf_ops;
extern const struct vma_ops vma_file_ops;

struct vma {
    uint64_t start, end; /* [start, end), page aligned */
    unsigned prot;       /* VP_* */
    unsigned flags;      /* VM_* */
    const struct vma_ops *ops;
    uint64_t pgoff;   /* offset in the file, in pages, of start */
    uint64_t file_va; /* ELF: bytes [file_va, file_va + file_len) come from file_pa */
    uint64_t file_len;
    uint64_t file_pa;
    const char *name;   /* the path of a file mapping, or NULL */
    uint64_t ino;       /* the file's inode number (in the boot image), for /proc maps */
    struct pfile *file; /* a file mapping's file (vma_file_ops), holding one pfile_vma_get */
    struct shmem *shm;  /* shared anonymous memory's object (shmem.c), holding a reference */
};

/* Set aside the VMA pool's first frames (start-up). */
void vma_init(void);
/* A free VMA from the pool (zeroed), or NULL. vma_free drops its file reference. */
struct vma *vma_alloc(void);
void vma_free(struct vma *v);
/* A VMA was copied into copy (a split, a move): it takes its own reference on the file. */
void vma_copied(struct vma *copy);

/* Bumped at every change of any VMA tree (vma_find's per-process cache checks it). */
extern uint64_t vma_gen;
/* The VMA containing addr, or NULL: vma_find (pager.h) asks the tree only when the VMA found
 * last is not it; this asks it always. */
struct vma *vma_find_tree(struct proc *p, uint64_t addr);
/* The first VMA ending after addr (the one containing it, or the next one), or NULL. */
struct vma *vma_find_from(struct proc *p, uint64_t addr);
/* The last VMA starting before addr, or NULL. */
struct vma *vma_prev(struct proc *p, uint64_t addr);
/* Put v (not overlapping anything) in p's tree: 0 or -ENOMEM. */
int vma_insert(struct proc *p, struct vma *v);
/* Take v out of p's tree and free it. */
void vma_remove(struct proc *p, struct vma *v);
/* Cut v at addr (inside it, page aligned); v keeps [start, addr). -ENOMEM at the map count
 * limit or out of memory. The new upper part is returned in *upper. */
int vma_split(struct proc *p, struct vma *v, uint64_t addr, struct vma **upper);
/* Join v with its neighbours where they are compatible; returns the VMA now holding v's
 * range. */
struct vma *vma_merge(struct proc *p, struct vma *v);
/* The page-table permissions (MAP_PERM_*) for a protection: write implies read. VP_* and
 * MAP_PERM_* share their bits (R 1, W 2, X 4), so this is arithmetic. */
_Static_assert(VP_READ == MAP_PERM_R && VP_WRITE == MAP_PERM_W && VP_EXEC == MAP_PERM_X,
               "VP_* bits are MAP_PERM_* bits");
static inline unsigned vma_map_perms(unsigned prot)
{
    return (prot & (VP_READ | VP_WRITE | VP_EXEC)) | (prot & VP_WRITE) / (VP_WRITE / VP_READ);
}
/* Pages of all VMAs. */
uint64_t vma_total_pages(struct proc *p);
/* Check p's VMAs: tree valid, VMAs sorted, disjoint, page aligned, map_count right. */
int vma_validate(struct proc *p);

#endif
