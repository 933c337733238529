/*
 * maple_tree.h - a B-tree of non-overlapping ranges of unsigned long, after Linux's maple tree.
 *
 * Samara's pager keeps each process's VMAs in one of these. The library is pure C11 with no OS
 * dependency: it is compiled into the pager for the target and natively for the host tests. The
 * names and the semantics follow Linux's include/linux/maple_tree.h so that code written against
 * Linux ports with a thin shim (docs/MAPLE.md); the gfp and lock arguments are dropped, because
 * nodes come from a pluggable allocator and the caller serialises writers.
 *
 * DOC: Maple tree
 *
 * The tree maps every index in 0..ULONG_MAX to an entry; a range mapped to NULL is a gap. Ranges
 * are kept in 256-byte nodes aligned on 256 bytes, so the low 8 bits of a node's address are free:
 * a reference to a node (an "encoded node", in an internal slot or in ma_root) carries the node
 * type in them, and a node's parent word carries its slot number in the parent and its own data
 * end.
 *
 *   leaf / range node (16 slots, 15 pivots)       allocation-range internal node (10 slots)
 *   +--------------------------------------+      +--------------------------------------+
 *   | parent | offset<<4 | end     8 bytes |      | parent | offset<<4 | end     8 bytes |
 *   | pivot[0..14]                120 bytes|      | pivot[0..8]                 72 bytes |
 *   | slot[0..15]                 128 bytes|      | slot[0..9]                  80 bytes |
 *   +--------------------------------------+      | gap[0..9]                   80 bytes |
 *                                                 | (spare)                     16 bytes |
 *                                                 +--------------------------------------+
 *
 *   slot:   |  0  |  1  |  2  | ... | end |        pivots are inclusive maxima:
 *   range:  min..p0 p0+1..p1  ...   p(end-1)+1..max    slot i covers pivot[i-1]+1 .. pivot[i]
 *
 * A node's min and max are not stored: they are implied by the parent (the pivots around the slot
 * that points at it), and the root covers 0..ULONG_MAX. In a tree created with
 * MT_FLAGS_ALLOC_RANGE the internal nodes are allocation-range nodes that also keep, per child,
 * the largest gap (count of NULL indices) below it, so that mas_empty_area() finds a free area in
 * O(log n). Every leaf is at the same depth; every node but the root holds at least about half its
 * slots; within a leaf two NULL ranges are never adjacent, and a leaf never ends with NULL unless
 * it is the last one, so a gap is never split between leaves.
 *
 * Concurrency: none inside the library. Readers and the (single) writer must be serialised by the
 * caller. Writes build replacement nodes off to the side and publish them with one pointer store,
 * which is the shape an RCU mode needs; see the design notes at the top of store.c.
 *
 * Allocation: nodes come from a struct maple_alloc (mt_set_default_alloc() or mt_set_alloc()). A
 * write that cannot get a node returns -ENOMEM and leaves the tree exactly as it was.
 */
#ifndef MAPLE_MAPLE_TREE_H
#define MAPLE_MAPLE_TREE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Errors are negative Linux errno values. Defined here so the library needs no <errno.h>; the
 * definitions are identical to Linux's, so a host that also includes <errno.h> sees no clash. */
#define MT_ENOMEM 12
#define MT_EBUSY  16
#define MT_EEXIST 17
#define MT_EINVAL 22
#ifndef ENOMEM
#define ENOMEM 12
#endif
#ifndef EBUSY
#define EBUSY 16
#endif
#ifndef EEXIST
#define EEXIST 17
#endif
#ifndef EINVAL
#define EINVAL 22
#endif

#ifndef ULONG_MAX
#define ULONG_MAX (~0UL)
#endif

/* Tree flags (ma_flags). */
#define MT_FLAGS_ALLOC_RANGE                                                                       \
    0x01u                      /* keep per-child gaps: mas_empty_area(), mtree_alloc_range()       \
                                */
#define MT_FLAGS_USE_RCU 0x02u /* reserved for the RCU mode; not implemented, ignored */

#define MAPLE_NODE_SIZE  256
#define MAPLE_HEIGHT_MAX 31

/*
 * struct maple_alloc - where a tree gets its 256-byte, 256-byte-aligned nodes.
 * @alloc_node: returns a node or NULL; the contents need not be cleared.
 * @free_node:  gives a node back.
 * @ctx:        passed to both.
 */
struct maple_alloc {
    void *(*alloc_node)(void *ctx);
    void (*free_node)(void *ctx, void *node);
    void *ctx;
};

struct maple_enode; /* an encoded node reference: address | type */

/*
 * The node layout. Not an interface: it is here only so that the common step of an iteration
 * (mas_find() to the next slot of the same leaf) can be inline; the helpers that read it are in
 * maple_private.h.
 */
#define MAPLE_RANGE64_SLOTS  16
#define MAPLE_ARANGE64_SLOTS 10

/*
 * The parent word: the parent's address (256-aligned) | slot offset in the parent << 4 | end,
 * where end is the index of the node's last used slot. Keeping end here rather than in the last
 * slot (where Linux keeps its metadata) means a full node needs no special case. The root's
 * parent address is 0.
 */
#define MAPLE_PARENT_END_MASK     ((uintptr_t)0x0f)
#define MAPLE_PARENT_OFFSET_SHIFT 4
#define MAPLE_PARENT_OFFSET_MASK  ((uintptr_t)0xf0)

struct maple_node {
    _Alignas(MAPLE_NODE_SIZE) uintptr_t parent;
    union {
        struct {
            unsigned long pivot[MAPLE_RANGE64_SLOTS - 1];
            void *slot[MAPLE_RANGE64_SLOTS];
        } mr64;
        struct {
            unsigned long pivot[MAPLE_ARANGE64_SLOTS - 1];
            void *slot[MAPLE_ARANGE64_SLOTS];
            unsigned long gap[MAPLE_ARANGE64_SLOTS];
            unsigned long spare[2]; /* room for RCU-mode metadata later */
        } ma64;
    };
};

#if UINTPTR_MAX == 0xffffffffffffffffu
_Static_assert(sizeof(struct maple_node) == MAPLE_NODE_SIZE, "a node is 256 bytes");
_Static_assert(sizeof(((struct maple_node *)0)->ma64) == MAPLE_NODE_SIZE - sizeof(uintptr_t),
               "an allocation-range node fills the 256 bytes exactly");
#endif

struct maple_tree {
    struct maple_enode *ma_root; /* NULL for an empty tree */
    unsigned int ma_flags;
    unsigned int ma_height; /* levels of nodes; 0 when empty */
    const struct maple_alloc *ma_alloc;
};

#define MTREE_INIT(name, flags)                                                                    \
    {                                                                                              \
        .ma_root = NULL, .ma_flags = (flags), .ma_height = 0, .ma_alloc = NULL                     \
    }
#define DEFINE_MTREE(name) struct maple_tree name = MTREE_INIT(name, 0)

/* Where a struct ma_state is; the names are Linux's. */
enum maple_status {
    ma_active,    /* positioned on a leaf slot */
    ma_start,     /* walk from the root on next use */
    ma_root,      /* unused here: Linux's single-entry root */
    ma_none,      /* the tree is empty, or nothing was found */
    ma_pause,     /* mas_pause(): resume after index/last on next use */
    ma_overflow,  /* iteration passed its max */
    ma_underflow, /* iteration passed its min */
    ma_error,     /* a write failed; see mas->error */
};

/*
 * struct ma_state - a cursor: a range of interest (index..last) and, when active, the leaf
 * position that holds it. Writes through a cursor leave it paused, so iteration continues
 * correctly after a store or an erase.
 */
struct ma_state {
    struct maple_tree *tree;
    unsigned long index;
    unsigned long last;
    struct maple_enode *node; /* the leaf, when active */
    unsigned long min, max;   /* range covered by node */
    void *alloc;              /* nodes set aside by mas_preallocate() */
    unsigned int offset;      /* slot in node (a full word: see mas_find()) */
    enum maple_status status;
    int error; /* when status is ma_error */
};

#define MA_STATE(name, mt, first, end)                                                             \
    struct ma_state name = {.tree = (mt),                                                          \
                            .index = (first),                                                      \
                            .last = (end),                                                         \
                            .node = NULL,                                                          \
                            .min = 0,                                                              \
                            .max = ULONG_MAX,                                                      \
                            .alloc = NULL,                                                         \
                            .offset = 0,                                                           \
                            .status = ma_start,                                                    \
                            .error = 0}

/* ---- allocator ---------------------------------------------------------------------------- */

/* Allocator for trees initialised from now on. Not thread-safe; call once at start-up. */
void mt_set_default_alloc(const struct maple_alloc *alloc);
/* Allocator of one tree; only while the tree is empty. Return: 0, or -EINVAL if not empty. */
int mt_set_alloc(struct maple_tree *mt, const struct maple_alloc *alloc);

/* ---- simple API ------------------------------------------------------------------------- */

/* mtree_init() - an empty tree with @flags (MT_FLAGS_ALLOC_RANGE or 0) and the default
 * allocator. MT_FLAGS_USE_RCU is ignored (there is no RCU mode yet). */
void mtree_init(struct maple_tree *mt, unsigned int flags);

/* mtree_destroy() - free every node; the tree is left empty and usable. Entries are not
 * touched. */
void mtree_destroy(struct maple_tree *mt);

static inline bool mtree_empty(const struct maple_tree *mt)
{
    return mt->ma_root == NULL;
}

static inline bool mt_is_alloc(const struct maple_tree *mt)
{
    return (mt->ma_flags & MT_FLAGS_ALLOC_RANGE) != 0;
}

/* mtree_load() - Return: the entry at @index, or NULL. */
void *mtree_load(struct maple_tree *mt, unsigned long index);

/*
 * mtree_store_range() - map @index..@last (inclusive) to @entry, replacing whatever was there;
 * storing NULL erases.
 * Return: 0; -EINVAL if @index > @last; -ENOMEM if a node could not be allocated (the tree is
 * unchanged).
 */
int mtree_store_range(struct maple_tree *mt, unsigned long index, unsigned long last, void *entry);
/* mtree_store() - mtree_store_range() of one index. */
int mtree_store(struct maple_tree *mt, unsigned long index, void *entry);

/*
 * mtree_insert_range() - map @first..@last to @entry only if all of it is empty.
 * Return: 0; -EEXIST if any index in the range holds an entry; -EINVAL if @first > @last;
 * -ENOMEM (tree unchanged).
 */
int mtree_insert_range(struct maple_tree *mt, unsigned long first, unsigned long last, void *entry);
/* mtree_insert() - mtree_insert_range() of one index. */
int mtree_insert(struct maple_tree *mt, unsigned long index, void *entry);

/*
 * mtree_erase() - erase the whole range that contains @index.
 * Return: the entry that was there, or NULL. An erase may need nodes to rebalance; if none can
 * be had it erases nothing and returns NULL (the tree is unchanged).
 */
void *mtree_erase(struct maple_tree *mt, unsigned long index);

/*
 * mtree_alloc_range() - find the lowest free area of @size indices within @min..@max
 * (inclusive) and store @entry there; *@startp gets its first index.
 * Return: 0; -EINVAL if the tree is not MT_FLAGS_ALLOC_RANGE, @size is 0, @min > @max or the
 * window is smaller than @size; -EBUSY if no free area fits; -ENOMEM (tree unchanged).
 */
int mtree_alloc_range(struct maple_tree *mt, unsigned long *startp, void *entry, unsigned long size,
                      unsigned long min, unsigned long max);
/* mtree_alloc_rrange() - as mtree_alloc_range(), but the highest free area. */
int mtree_alloc_rrange(struct maple_tree *mt, unsigned long *startp, void *entry,
                       unsigned long size, unsigned long min, unsigned long max);

/*
 * mt_find() - the first entry in *@index..@max. On success *@index is set past its range (to 0
 * if the range ends at ULONG_MAX, which mt_for_each() takes as the end).
 * Return: the entry, or NULL if there is none (*@index unchanged).
 */
void *mt_find(struct maple_tree *mt, unsigned long *index, unsigned long max);
/* mt_find_after() - mt_find() that stops once *@index wrapped to 0. */
void *mt_find_after(struct maple_tree *mt, unsigned long *index, unsigned long max);

#define mt_for_each(tree, entry, index, max)                                                       \
    for ((entry) = mt_find((tree), &(index), (max)); (entry);                                      \
         (entry) = mt_find_after((tree), &(index), (max)))

/*
 * mtree_dup() - copy @mt, node for node, into @new, which must be initialised and empty; @new
 * keeps its own allocator and takes @mt's flags.
 * Return: 0; -EINVAL if @new is not empty; -ENOMEM (@new is left empty).
 */
int mtree_dup(struct maple_tree *mt, struct maple_tree *new);

/* ---- cursor API -------------------------------------------------------------------------- */

static inline void mas_reset(struct ma_state *mas)
{
    mas->status = ma_start;
    mas->node = NULL;
}

/* mas_set_range() - aim the cursor at @start..@last; the next call walks from the root. */
static inline void mas_set_range(struct ma_state *mas, unsigned long start, unsigned long last)
{
    mas->index = start;
    mas->last = last;
    mas_reset(mas);
}

static inline void mas_set(struct ma_state *mas, unsigned long index)
{
    mas_set_range(mas, index, index);
}

static inline bool mas_is_err(const struct ma_state *mas)
{
    return mas->status == ma_error;
}

/*
 * mas_walk() - look up mas->index. Sets index..last to the range that holds it (an entry or a
 * gap), so a following mas_store() replaces exactly that range.
 * Return: the entry, or NULL (for a gap, or an empty tree: then 0..ULONG_MAX).
 */
void *mas_walk(struct ma_state *mas);

/* mas_find_slow() - mas_find() when the inline step does not apply (walk.c). */
void *mas_find_slow(struct ma_state *mas, unsigned long max);

/*
 * mas_find() - the entry at mas->index or the next one, up to @max. On the first call (or after
 * mas_set()/mas_pause()/a write) it looks at mas->index itself; afterwards it moves on.
 * Return: the entry with index..last set to its range, or NULL when there is none up to @max.
 *
 * The step to the next entry of the same leaf is inline, so that a mas_for_each() loop keeps the
 * cursor where the compiler can forward it from one step to the next. Two NULL ranges are never
 * adjacent in a leaf, so that entry is in the next slot or the one after; the choice is made
 * without a branch, because gaps come at random (about one range in four in a VMA tree) and a
 * mispredicted branch per gap cost more than the rest of the step once the tree is too large for
 * the branch predictor to learn its pattern. The cursor's offset is a full word, not a byte as in
 * Linux: each step stores it and the next loads it, and a byte store forwarded to a load made that
 * the critical path (about a quarter of the step at 1,000 ranges). The test against @max also
 * covers a cursor already at or past it. Everything else (the end of the leaf, @max, a cursor not
 * yet active) is mas_find_slow().
 */
static inline void *mas_find(struct ma_state *mas, unsigned long max)
{
    if (mas->status == ma_active) {
        const struct maple_node *leaf =
            (const struct maple_node *)((uintptr_t)mas->node & ~((uintptr_t)MAPLE_NODE_SIZE - 1));
        unsigned int end = (unsigned int)(leaf->parent & MAPLE_PARENT_END_MASK);
        unsigned int i = mas->offset + 1u;

        if (i <= end) {
            i += leaf->mr64.slot[i] == NULL;
            if (i <= end && leaf->mr64.pivot[i - 1] < max) {
                mas->index = leaf->mr64.pivot[i - 1] + 1;
                mas->last = i < end ? leaf->mr64.pivot[i] : mas->max;
                mas->offset = i;
                return leaf->mr64.slot[i];
            }
        }
    }
    return mas_find_slow(mas, max);
}

/* mas_find_rev() - as mas_find(), going down to @min. */
void *mas_find_rev(struct ma_state *mas, unsigned long min);

/*
 * mas_next() - the next entry after the current one (after the range holding mas->index if not
 * yet positioned) that starts at or below @max.
 * Return: the entry, or NULL.
 */
void *mas_next(struct ma_state *mas, unsigned long max);

/* mas_prev() - the previous entry before the current one that ends at or above @min. */
void *mas_prev(struct ma_state *mas, unsigned long min);

/*
 * mas_pause() - release the position (before the tree is changed by someone else, or before
 * dropping a lock); the next mas_find()/mas_next() resumes after mas->last, mas_prev() before
 * mas->index.
 */
void mas_pause(struct ma_state *mas);

#define mas_for_each(mas, entry, max) while (((entry) = mas_find((mas), (max))) != NULL)

/*
 * mas_store() - map mas->index..mas->last to @entry, using nodes set aside by
 * mas_preallocate() first. On allocation failure the tree is unchanged and the cursor is put in
 * ma_error with mas->error = -ENOMEM. The cursor is left paused on the stored range.
 * Return: the entry that was at mas->index before.
 */
void *mas_store(struct ma_state *mas, void *entry);

/*
 * mas_store_gfp() - as mas_store() but returning a status (Linux's gfp argument is dropped).
 * Return: 0; -EINVAL if index > last; -ENOMEM (tree unchanged).
 */
int mas_store_gfp(struct ma_state *mas, void *entry);

/*
 * mas_erase() - erase the whole range holding mas->index; index..last are set to that range.
 * Return: the entry that was there, or NULL (also on allocation failure, with ma_error set).
 */
void *mas_erase(struct ma_state *mas);

/*
 * mas_preallocate() - set aside enough nodes that the next mas_store_prealloc() on this cursor
 * cannot fail, whatever it stores. @entry is accepted for Linux compatibility and not used.
 * Return: 0; -ENOMEM (nothing set aside).
 */
int mas_preallocate(struct ma_state *mas, void *entry);

/* mas_store_prealloc() - mas_store() that must not fail; frees what it did not use. */
void mas_store_prealloc(struct ma_state *mas, void *entry);

/* mas_destroy() - free nodes set aside by mas_preallocate() and not used. */
void mas_destroy(struct ma_state *mas);

/*
 * mas_empty_area() - find the lowest free area of @size indices inside @min..@max (inclusive).
 * On success mas->index is its first index and mas->last = index + size - 1.
 * Return: 0; -EINVAL if @size is 0, @min > @max or max - min + 1 < size; -EBUSY if none fits.
 * Trees without MT_FLAGS_ALLOC_RANGE are searched too, but in linear time.
 */
int mas_empty_area(struct ma_state *mas, unsigned long min, unsigned long max, unsigned long size);

/* mas_empty_area_rev() - as mas_empty_area(), but the highest area: mas->last is as high as
 * the area and @max allow, mas->index = last - size + 1. Same errors. */
int mas_empty_area_rev(struct ma_state *mas, unsigned long min, unsigned long max,
                       unsigned long size);

/* ---- checking ---------------------------------------------------------------------------- */

/* What mt_validate_report() found wrong first. */
struct mt_violation {
    const char *what;       /* a short sentence naming the broken invariant */
    const void *node;       /* the node it was found in (NULL for the tree itself) */
    unsigned int depth;     /* depth of that node, root = 0 */
    unsigned long min, max; /* range the node should cover */
    unsigned int slot;      /* slot concerned, where it applies */
};

/*
 * mt_validate_report() - walk the whole tree and check every invariant: node types match depth
 * (all leaves at depth height - 1), parent links and slot offsets, data end within the node,
 * pivots strictly increasing inside the range implied by the parent, occupancy (at least half
 * the slots less one in every node but the root; an internal root has two children), no NULL
 * internal slot, leaf NULL ranges combined and not last unless at ULONG_MAX, the stored gap of
 * every child equal to its real largest gap, and no node left for an empty tree.
 * Return: 0 if the tree is valid; -EINVAL with *@out (if not NULL) describing the first
 * violation found in key order.
 */
int mt_validate_report(const struct maple_tree *mt, struct mt_violation *out);

/* mt_validate() - mt_validate_report() without the report. */
int mt_validate(const struct maple_tree *mt);

/* mt_node_count() - nodes in use (for memory accounting). */
unsigned long mt_node_count(const struct maple_tree *mt);

#endif /* MAPLE_MAPLE_TREE_H */
