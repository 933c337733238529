/*
 * fdt.h - a read-only walker for flattened device trees (DTB), and the board facts Samara
 * takes from one.
 *
 * The blob is what OpenSBI hands the kernel in a1: big-endian, format version 17 (16 is read
 * too). It is untrusted input: fdt_init() checks the header and walks the whole structure
 * block once (every token, name, property length and string offset inside its block, nodes
 * properly nested), and every accessor still checks each offset against the block, so no
 * input makes the walker read outside [blob, blob + maxlen). Nothing is written, allocated or
 * kept between calls; the caller owns struct fdt.
 *
 * A node is named by its offset in the blob (an int >= 0, the offset of its BEGIN_NODE
 * token); functions that return a node return a negative errno value instead when there is
 * none. Errors are negative Linux errno values:
 *   -EINVAL (22)  the blob (or a property) is malformed;
 *   -ENOENT (2)   no such node or property;
 *   -ERANGE (34)  a value does not fit (more than 2 address or size cells, non-identity ranges);
 *   -E2BIG (7)    more entries than a fixed-size array of struct fdt_board holds.
 *
 * Structure of the blob (Devicetree Specification v0.4, chapter 5):
 *
 *   +------------------+ 0
 *   | header (40 B)    |  magic 0xd00dfeed, totalsize, offsets and sizes of the blocks below
 *   +------------------+ off_mem_rsvmap (8-aligned)
 *   | reservations     |  {u64 address, u64 size} ... terminated by {0, 0}
 *   +------------------+ off_dt_struct (4-aligned)
 *   | structure block  |  tokens: BEGIN_NODE name\0 (pad to 4) | PROP len nameoff data (pad)
 *   |                  |          | NOP | END_NODE, and END after the root node closes
 *   +------------------+ off_dt_strings
 *   | strings block    |  property names, NUL-terminated, found by nameoff
 *   +------------------+ totalsize
 */
#ifndef FDT_FDT_H
#define FDT_FDT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define FDT_MAGIC     0xd00dfeedu
#define FDT_MAX_DEPTH 32 /* deeper nesting is refused by fdt_init() */

/* A checked blob: filled by fdt_init(), read by everything else. */
struct fdt {
    const uint8_t *blob;
    uint32_t totalsize;
    uint32_t version;
    uint32_t rsvmap_off; /* memory-reservation block */
    uint32_t struct_off; /* structure block: [struct_off, struct_end) */
    uint32_t struct_end;
    uint32_t strings_off; /* strings block: [strings_off, strings_off + strings_size) */
    uint32_t strings_size;
    uint32_t root; /* offset of the root node's BEGIN_NODE token */
};

/* One property: its name (NUL-terminated, in the strings block) and raw big-endian value. */
struct fdt_prop {
    const char *name;
    const void *data;
    uint32_t len;
};

/*
 * fdt_init - check a blob and fill @fdt for the accessors below.
 * @blob: the DTB; @maxlen: bytes readable at @blob (totalsize must not exceed it).
 * @why: set to a static string naming the problem when the result is not 0 (may be NULL).
 * Return: 0, or -EINVAL for a malformed blob (bad magic, unsupported version, a block or a
 * token outside its bounds, bad nesting, ...).
 */
int fdt_init(struct fdt *fdt, const void *blob, size_t maxlen, const char **why);

/* The root node (always valid after fdt_init() succeeded). */
int fdt_root(const struct fdt *fdt);

/*
 * fdt_node_next - the node after @node in document (depth-first) order.
 * @depth: if not NULL, adjusted by the change in depth (+1 for a first child, 0 for a
 * sibling, -k when climbing k levels first).
 * Return: the node, -ENOENT after the last node, -EINVAL if @node is not a node.
 */
int fdt_node_next(const struct fdt *fdt, int node, int *depth);

/* First child / next sibling / parent of @node. Return: the node, -ENOENT or -EINVAL. */
int fdt_first_child(const struct fdt *fdt, int node);
int fdt_next_sibling(const struct fdt *fdt, int node);
int fdt_parent(const struct fdt *fdt, int node);

/* The node's full name ("serial@10000000"; "" for the root), or NULL if @node is bad. */
const char *fdt_node_name(const struct fdt *fdt, int node);

/*
 * fdt_path_lookup - find a node by absolute path ("/soc/serial@10000000").
 * Only the first @len bytes of @path are used (so "/soc/uart@0:115200" can be cut at ':').
 * A component without a unit address matches a node whose name has one ("/memory" finds
 * "memory@80000000"); the first such node wins.
 * Return: the node, -ENOENT, or -EINVAL for a path that does not start with '/'.
 */
int fdt_path_lookup(const struct fdt *fdt, const char *path, size_t len);

/*
 * fdt_prop_next - iterate over the properties of @node.
 * @cursor: set to 0 before the first call; advanced by each call.
 * Return: 0 with *@out filled, -ENOENT after the last property, -EINVAL if @node is bad.
 */
int fdt_prop_next(const struct fdt *fdt, int node, int *cursor, struct fdt_prop *out);

/* fdt_prop_get - the property @name of @node. Return: 0, -ENOENT or -EINVAL. */
int fdt_prop_get(const struct fdt *fdt, int node, const char *name, struct fdt_prop *out);

/*
 * fdt_prop_string - property @name of @node as one NUL-terminated string.
 * Return: 0, -ENOENT, or -EINVAL when the value is empty or not NUL-terminated.
 */
int fdt_prop_string(const struct fdt *fdt, int node, const char *name, const char **out);

/*
 * fdt_prop_uint - property @name of @node as one 32- or 64-bit big-endian number.
 * Return: 0, -ENOENT, or -EINVAL when the length is neither 4 nor 8.
 */
int fdt_prop_uint(const struct fdt *fdt, int node, const char *name, uint64_t *out);

/*
 * fdt_prop_cells - read @ncells (0..2) cells starting at cell @index of @prop.
 * Return: 0, -ERANGE if @ncells > 2, -EINVAL if the cells run past the value.
 */
int fdt_prop_cells(const struct fdt_prop *prop, size_t index, uint32_t ncells, uint64_t *out);

/* Whether the string list @data/@len (e.g. a compatible value) contains @str exactly. */
bool fdt_stringlist_contains(const void *data, size_t len, const char *str);

/* Whether @node's "compatible" list contains @compat. */
bool fdt_node_compatible(const struct fdt *fdt, int node, const char *compat);

/* Whether @node is enabled: "status" absent, "okay" or "ok". */
bool fdt_node_enabled(const struct fdt *fdt, int node);

/*
 * fdt_node_cells - the #address-cells and #size-cells @node declares for its children
 * (2 and 1 where absent, as the specification says).
 * Return: 0, or -EINVAL for a property that is not one cell.
 */
int fdt_node_cells(const struct fdt *fdt, int node, uint32_t *addr_cells, uint32_t *size_cells);

/*
 * fdt_reg_count - the number of (address, size) entries in @node's "reg", read with the
 * cells of its parent.
 * Return: the count (>= 0), -ENOENT without "reg", -ERANGE when the parent's cells are
 * unusable (#address-cells 0 or above 2, #size-cells above 2, either not one cell, or @node
 * is the root), -EINVAL for a length that is not a whole number of entries.
 */
int fdt_reg_count(const struct fdt *fdt, int node);

/*
 * fdt_reg_get - entry @index of @node's "reg" (size 0 when #size-cells is 0).
 * Return: 0, or as fdt_reg_count() and -ENOENT for @index past the last entry.
 */
int fdt_reg_get(const struct fdt *fdt, int node, unsigned index, uint64_t *base, uint64_t *size);

/*
 * fdt_reg_mmio - entry 0 of @node's "reg" as a CPU physical address. Samara translates
 * nothing: every bus above @node must have an empty "ranges" or one that maps each child
 * address to the same parent address.
 * Return: 0, as fdt_reg_get(), or -ERANGE when a bus above @node has no "ranges" or a
 * non-identity one (also -EINVAL for a malformed "ranges").
 */
int fdt_reg_mmio(const struct fdt *fdt, int node, uint64_t *base, uint64_t *size);

/*
 * fdt_phandle_lookup - the node whose "phandle" (or "linux,phandle") is @phandle.
 * Return: the node, -ENOENT, or -EINVAL for the reserved values 0 and 0xffffffff.
 */
int fdt_phandle_lookup(const struct fdt *fdt, uint32_t phandle);

/*
 * fdt_stdout_lookup - the node /chosen/stdout-path names: an absolute path, or an alias
 * defined in /aliases; an options suffix (":115200n8") is ignored.
 * Return: the node, -ENOENT when there is no stdout-path or it names nothing, -EINVAL for a
 * malformed property.
 */
int fdt_stdout_lookup(const struct fdt *fdt);

/*
 * fdt_rsv_get - entry @index of the memory-reservation block.
 * Return: 0, or -ENOENT at the {0, 0} terminator and past it.
 */
int fdt_rsv_get(const struct fdt *fdt, unsigned index, uint64_t *base, uint64_t *size);

/* ---- Board facts (fdt_board.c) ---- */

#define FDT_BOARD_MAX_MEM   8   /* memory ranges (all reg entries of all memory nodes) */
#define FDT_BOARD_MAX_RESV  16  /* reservations: reservation block + /reserved-memory */
#define FDT_BOARD_MAX_HARTS 16  /* cpu nodes under /cpus */
#define FDT_BOARD_BOOTARGS  512 /* bytes of bootargs, including the NUL */
#define FDT_BOARD_RNG_SEED  64  /* bytes of rng-seed kept; the rest is dropped */
#define FDT_BOARD_ISA       96  /* bytes of riscv,isa kept, including the NUL */

enum fdt_uart_kind {
    FDT_UART_NONE = 0,
    FDT_UART_NS16550A, /* compatible "ns16550a" */
    FDT_UART_SIFIVE,   /* compatible "sifive,uart0" */
};

struct fdt_range {
    uint64_t base;
    uint64_t size;
};

struct fdt_uart {
    enum fdt_uart_kind kind;
    uint64_t base;         /* physical address of the registers */
    uint64_t size;         /* size of the register window */
    uint32_t reg_shift;    /* register stride is 1 << reg_shift bytes (default 0) */
    uint32_t reg_io_width; /* access width in bytes (default 1) */
    uint32_t clock_hz;     /* "clock-frequency", 0 if absent */
    uint32_t irq;          /* first cell of "interrupts", 0 if absent */
};

struct fdt_hart {
    uint64_t hartid;         /* "reg" of the cpu node */
    bool enabled;            /* status absent, "okay" or "ok" */
    uint8_t mmu_levels;      /* 3 sv39, 4 sv48, 5 sv57; 0 absent, "riscv,none" or unknown */
    char isa[FDT_BOARD_ISA]; /* "riscv,isa", cut to fit, always NUL-terminated */
};

/* What the kernel needs from the tree. About 3 KiB: do not put it on a small stack. */
struct fdt_board {
    struct fdt_range mem[FDT_BOARD_MAX_MEM]; /* device_type "memory" reg entries, size > 0 */
    unsigned nmem;
    struct fdt_range resv[FDT_BOARD_MAX_RESV]; /* reservation block, then /reserved-memory */
    unsigned nresv;
    char bootargs[FDT_BOARD_BOOTARGS];    /* /chosen bootargs, "" if absent */
    uint64_t initrd_start;                /* /chosen linux,initrd-start, 0 if absent */
    uint64_t initrd_end;                  /* exclusive; 0 if absent */
    uint8_t rng_seed[FDT_BOARD_RNG_SEED]; /* /chosen rng-seed */
    unsigned rng_seed_len;
    struct fdt_uart uart; /* the console */
    uint64_t timebase_hz; /* /cpus (or a cpu node) timebase-frequency */
    struct fdt_hart harts[FDT_BOARD_MAX_HARTS];
    unsigned nharts;
    uint64_t test_dev_base; /* "sifive,test1"/"sifive,test0" device, 0 if absent */
    uint64_t plic_base;     /* "sifive,plic-1.0.0"/"riscv,plic0", 0 if absent */
    uint64_t clint_base;    /* "sifive,clint0"/"riscv,clint0", 0 if absent */
};

/*
 * fdt_board_parse - check the blob and extract the board facts into *@out.
 *
 * The console UART is the node stdout-path names if that is an enabled ns16550a or
 * sifive,uart0; otherwise the first enabled node compatible with either.
 *
 * @why: set to a static string naming what is wrong when the result is not 0 (may be NULL).
 * Return: 0, or
 *   -EINVAL  a malformed blob or property, no memory node, no /cpus or no cpu node in it,
 *            no or zero timebase-frequency, no usable UART, initrd end before start or only
 *            one of the two initrd properties;
 *   -E2BIG   more memory ranges, reservations or harts than the arrays hold, or bootargs
 *            longer than FDT_BOARD_BOOTARGS - 1 bytes;
 *   -ERANGE  a device's address cannot be used as is (more than 2 cells, non-identity ranges).
 * *@out is unspecified when the result is not 0.
 */
int fdt_board_parse(const void *blob, size_t maxlen, struct fdt_board *out, const char **why);

#endif
