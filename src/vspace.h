/*
 * vspace.h - user address spaces as the system calls see them: checked map, unmap, protect
 * and translate, and the kernel's own access to user memory.
 *
 * The kernel reads and writes user memory only by walking the task's page table in software
 * and going through the direct map, never by touching user addresses: a bad pointer is an
 * -EFAULT, never a kernel fault.
 */
#ifndef VSPACE_H
#define VSPACE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <samara/syscall.h>

struct task;

/* A checked mapping request: everything vspace_map_perform needs. */
struct vspace_map_req {
    uint64_t va, pa, npages;
    unsigned level;
    unsigned flags; /* MAP_FLAG_* */
    uint64_t pte_perms;
};

/*
 * Check that `caller` may map npages pages of size class (flags >> 4) starting at physical pa,
 * covered by its memory capability in mem_slot, at va in target, with perms (flags & 7).
 * Returns 0 and fills *out; -EBADF (no memory capability), -EPERM (the capability lacks a
 * permission), -EINVAL (misaligned, zero or overflowing size, outside user space, bad flags,
 * W without R, outside the capability's range).
 */
int vspace_map_decode(struct task *caller, struct task *target, uint64_t va, uint64_t mem_slot,
                      uint64_t pa, uint64_t npages, uint64_t flags, struct vspace_map_req *out);
/* Install a checked request; -ENOMEM (kernel pool) or -EEXIST (a larger/smaller mapping is in
 * the way) may leave the first pages mapped. */
int vspace_map_perform(struct task *target, const struct vspace_map_req *r);

/* A removed leaf as SYS_UNMAP reports it: its address and its page word. */
struct vspace_leaf {
    uint64_t va;
    uint64_t word;
};

/*
 * Remove the mappings (and retained frames) in [va, va+len). With out, report each removed
 * leaf there and stop after max of them (*count says how many; the caller goes on from after
 * the last). -EINVAL if misaligned, outside user space, or if it would cut a superpage (then
 * nothing is removed). Holes are fine.
 */
int vspace_unmap(struct task *target, uint64_t va, uint64_t len, struct vspace_leaf *out,
                 unsigned max, unsigned *count);
/* vspace_unmap in two steps, for a caller that goes on in chunks: the checks of the whole
 * range once (the errors above), then each chunk without them (the range is as checked). */
int vspace_unmap_check(struct task *target, uint64_t va, uint64_t len);
int vspace_unmap_more(struct task *target, uint64_t va, uint64_t len, struct vspace_leaf *out,
                      unsigned max, unsigned *count);
/*
 * vspace_share_check, then vspace_share_more: give dst the leaves (mapped or retained) of src
 * in [va, va+len), at the same addresses: the
 * page tables of a fork. With SHARE_COW, a writable leaf loses its write right in both
 * spaces. Addresses where dst already has something are skipped. Each leaf given is reported
 * in out (at most max; *count says how many; the caller goes on after the last). -EINVAL as
 * vspace_unmap (or src == dst, unknown flags), -ESRCH for a dead task, -ENOMEM for page
 * tables of dst when nothing was given yet.
 */
int vspace_share_check(struct task *src, struct task *dst, uint64_t va, uint64_t len,
                       unsigned flags);
/* After vspace_share_check of a range containing [va, va+len): share up to max leaves. */
int vspace_share_more(struct task *src, struct task *dst, uint64_t va, uint64_t len, unsigned flags,
                      struct vspace_leaf *out, unsigned max, unsigned *count);
/*
 * Restrict the mappings in [va, va+len) to perms: each keeps the rights it has that perms has
 * too (a right is never added: that needs the memory capability, i.e. mapping the frame
 * again); one left with none keeps its frame with no access (retained). Same errors.
 */
int vspace_protect(struct task *target, uint64_t va, uint64_t len, unsigned perms);
/* The page word of each of npages (<= 512) pages from va. -EINVAL on a bad range. */
int vspace_query(struct task *target, uint64_t va, uint64_t npages, uint64_t *out);
/* Move the mappings of [from, from+len) to [to, to+len), which must be empty (-EEXIST) and
 * not overlap it (-EINVAL); superpages must stay aligned (-EINVAL). -ENOMEM part-way. */
int vspace_remap(struct task *target, uint64_t from, uint64_t to, uint64_t len);
/* A store faulted at va on a writable page whose D bit is clear (a core that does not set D
 * itself): set D and A and return true, so the store retries; false for any other fault. */
bool vspace_mark_dirty(struct task *t, uint64_t va);
/* The page word of the page at va (0: nothing there). */
uint64_t vspace_page_word(struct task *t, uint64_t va);
/* The same, and *slot = its level-0 page-table entry when the tables above it exist (the
 * fault fast path maps the page there without walking again), else NULL. */
uint64_t vspace_page_word_slot(struct task *t, uint64_t va, uint64_t **slot);
/* The fault message's neighbour bits (samara/ipc.h) for page va, given its page word and its
 * level-0 slot from vspace_page_word_slot. */
uint64_t vspace_fault_neighbours(uint64_t va, uint64_t word, const uint64_t *slot);
/* pa | perms of the mapping at va, or -EFAULT. */
int64_t vspace_translate(struct task *target, uint64_t va);

/* Kernel address of user byte va when mapped user-accessible (and writable if write). */
void *vspace_user_page(struct task *t, uint64_t va, bool write);
int copy_from_user(struct task *t, void *dst, uint64_t uva, size_t len);
int copy_to_user(struct task *t, uint64_t uva, const void *src, size_t len);

#endif
