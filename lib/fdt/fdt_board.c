/*
 * fdt_board.c - the facts the kernel takes from the device tree, as one plain struct.
 *
 * Boot stops on any error here, so every failure names what is wrong in a static string.
 * The trees this is written against are QEMU 7.2's virt and sifive_u, after OpenSBI 1.1 has
 * added /reserved-memory (see shared PLATFORM-NOTES): devices sit under /soc, whose
 * "ranges" is empty, so a device's reg is its physical address; anything needing real
 * address translation is refused as unsupported (-ERANGE) rather than misread.
 */
#include "fdt/fdt.h"
#include "base/lib_errno.h"
#include "fdt/fdt_util.h"

/* What to say when reading the reg of one kind of node fails; see reg_fail(). */
struct reg_why {
    const char *noreg;     /* -ENOENT: no reg property */
    const char *truncated; /* -EINVAL: length not a whole number of entries */
    const char *cells;     /* -ERANGE: unusable cells, or not reachable through ranges */
    const char *wraps;     /* base + size past 2^64 */
};

static int reg_fail(int err, const struct reg_why *w, const char **why)
{
    if (err == -ENOENT)
        return fdt_fail(why, -EINVAL, w->noreg);
    if (err == -ERANGE)
        return fdt_fail(why, -ERANGE, w->cells);
    return fdt_fail(why, -EINVAL, w->truncated);
}

static const struct reg_why mem_why = {
    "fdt: memory node has no reg property",
    "fdt: memory node reg property truncated",
    "fdt: memory node #address-cells/#size-cells unusable (need 1-2 / 0-2 cells)",
    "fdt: memory node reg range wraps past the top of the address space",
};

static const struct reg_why resv_why = {
    "fdt: /reserved-memory child has no reg property",
    "fdt: /reserved-memory child reg property truncated",
    "fdt: /reserved-memory #address-cells/#size-cells unusable (need 1-2 / 0-2 cells)",
    "fdt: reserved range wraps past the top of the address space",
};

static const struct reg_why cpu_why = {
    "fdt: cpu node has no reg property (hart id)",
    "fdt: cpu node reg property truncated",
    "fdt: /cpus #address-cells/#size-cells unusable for a hart id",
    "",
};

static const struct reg_why uart_why = {
    "fdt: console UART has no reg property",
    "fdt: console UART reg property truncated",
    "fdt: console UART address unsupported (over 2 cells, or a bus without identity ranges)",
    "",
};

static const struct reg_why test_why = {
    "fdt: sifive,test device has no reg property",
    "fdt: sifive,test device reg property truncated",
    "fdt: sifive,test address unsupported (over 2 cells, or a bus without identity ranges)",
    "",
};

static const struct reg_why plic_why = {
    "fdt: PLIC has no reg property",
    "fdt: PLIC reg property truncated",
    "fdt: PLIC address unsupported (over 2 cells, or a bus without identity ranges)",
    "",
};

static const struct reg_why clint_why = {
    "fdt: CLINT has no reg property",
    "fdt: CLINT reg property truncated",
    "fdt: CLINT address unsupported (over 2 cells, or a bus without identity ranges)",
    "",
};

/* Append every reg entry of @node with a non-zero size to @arr (capacity @max). */
static int add_reg_ranges(const struct fdt *fdt, int node, struct fdt_range *arr, unsigned *n,
                          unsigned max, const struct reg_why *w, const char *full, const char **why)
{
    uint64_t base, size;
    int count, i;

    count = fdt_reg_count(fdt, node);
    if (count < 0)
        return reg_fail(count, w, why);
    for (i = 0; i < count; i++) {
        int err = fdt_reg_get(fdt, node, (unsigned)i, &base, &size);
        if (err)
            return reg_fail(err, w, why);
        if (size == 0)
            continue;
        if (base + size < base)
            return fdt_fail(why, -EINVAL, w->wraps);
        if (*n == max)
            return fdt_fail(why, -E2BIG, full);
        arr[*n].base = base;
        arr[*n].size = size;
        (*n)++;
    }
    return 0;
}

/* Every reg entry of every enabled node with device_type "memory". */
static int board_memory(const struct fdt *fdt, struct fdt_board *out, const char **why)
{
    const char *type;
    bool seen = false;
    int node, err;

    for (node = fdt_root(fdt); node >= 0; node = fdt_node_next(fdt, node, NULL)) {
        if (fdt_prop_string(fdt, node, "device_type", &type) || !fdt_str_eq(type, "memory"))
            continue;
        if (!fdt_node_enabled(fdt, node))
            continue;
        seen = true;
        err = add_reg_ranges(fdt, node, out->mem, &out->nmem, FDT_BOARD_MAX_MEM, &mem_why,
                             "fdt: more than 8 memory ranges", why);
        if (err)
            return err;
    }
    if (!seen)
        return fdt_fail(why, -EINVAL, "fdt: no memory node (device_type \"memory\")");
    if (out->nmem == 0)
        return fdt_fail(why, -EINVAL, "fdt: memory nodes describe no memory (all sizes 0)");
    return 0;
}

/* The memory-reservation block, then the reg of each enabled child of /reserved-memory. */
static int board_reserved(const struct fdt *fdt, struct fdt_board *out, const char **why)
{
    static const char full[] = "fdt: more than 16 reserved ranges";
    uint64_t base, size;
    unsigned i;
    int node, child, err;

    for (i = 0; fdt_rsv_get(fdt, i, &base, &size) == 0; i++) {
        if (size == 0)
            continue;
        if (base + size < base)
            return fdt_fail(why, -EINVAL, "fdt: memory reservation block entry wraps past 2^64");
        if (out->nresv == FDT_BOARD_MAX_RESV)
            return fdt_fail(why, -E2BIG, full);
        out->resv[out->nresv].base = base;
        out->resv[out->nresv].size = size;
        out->nresv++;
    }

    node = fdt_path_lookup(fdt, "/reserved-memory", 16);
    if (node < 0)
        return 0;
    for (child = fdt_first_child(fdt, node); child >= 0; child = fdt_next_sibling(fdt, child)) {
        if (!fdt_node_enabled(fdt, child))
            continue;
        /* A child with "size" but no "reg" asks the OS to allocate it: nothing fixed. */
        if (fdt_reg_count(fdt, child) == -ENOENT)
            continue;
        err = add_reg_ranges(fdt, child, out->resv, &out->nresv, FDT_BOARD_MAX_RESV, &resv_why,
                             full, why);
        if (err)
            return err;
    }
    return 0;
}

/* bootargs, initrd and rng-seed from /chosen; all optional. */
static int board_chosen(const struct fdt *fdt, struct fdt_board *out, const char **why)
{
    struct fdt_prop p;
    uint64_t start, end;
    int chosen, es, ee;
    uint32_t i;

    chosen = fdt_path_lookup(fdt, "/chosen", 7);
    if (chosen < 0)
        return 0;

    if (fdt_prop_get(fdt, chosen, "bootargs", &p) == 0) {
        const char *s = p.data;

        if (p.len == 0 || s[p.len - 1] != '\0')
            return fdt_fail(why, -EINVAL, "fdt: /chosen bootargs not NUL-terminated");
        for (i = 0; s[i] != '\0'; i++) {
            if (i == FDT_BOARD_BOOTARGS - 1)
                return fdt_fail(why, -E2BIG, "fdt: /chosen bootargs longer than 511 bytes");
            out->bootargs[i] = s[i];
        }
        out->bootargs[i] = '\0';
    }

    es = fdt_prop_uint(fdt, chosen, "linux,initrd-start", &start);
    ee = fdt_prop_uint(fdt, chosen, "linux,initrd-end", &end);
    if (es == -EINVAL)
        return fdt_fail(why, -EINVAL, "fdt: /chosen linux,initrd-start is neither 32 nor 64 bits");
    if (ee == -EINVAL)
        return fdt_fail(why, -EINVAL, "fdt: /chosen linux,initrd-end is neither 32 nor 64 bits");
    if (es != ee)
        return fdt_fail(why, -EINVAL,
                        "fdt: /chosen has only one of linux,initrd-start and linux,initrd-end");
    if (es == 0) {
        if (end < start)
            return fdt_fail(why, -EINVAL, "fdt: /chosen linux,initrd-end is below initrd-start");
        out->initrd_start = start;
        out->initrd_end = end;
    }

    if (fdt_prop_get(fdt, chosen, "rng-seed", &p) == 0) {
        const uint8_t *seed = p.data;

        out->rng_seed_len = p.len < FDT_BOARD_RNG_SEED ? p.len : FDT_BOARD_RNG_SEED;
        for (i = 0; i < out->rng_seed_len; i++)
            out->rng_seed[i] = seed[i];
    }
    return 0;
}

static uint8_t mmu_levels(const char *type)
{
    if (fdt_str_eq(type, "riscv,sv39"))
        return 3;
    if (fdt_str_eq(type, "riscv,sv48"))
        return 4;
    if (fdt_str_eq(type, "riscv,sv57"))
        return 5;
    return 0; /* "riscv,none", or a mode Samara cannot use */
}

/* One cpu node: hart id, status, MMU and ISA. */
static int board_hart(const struct fdt *fdt, int node, struct fdt_hart *h, const char **why)
{
    uint64_t size;
    const char *s;
    int err;
    size_t i;

    err = fdt_reg_get(fdt, node, 0, &h->hartid, &size);
    if (err)
        return reg_fail(err, &cpu_why, why);
    h->enabled = fdt_node_enabled(fdt, node);

    err = fdt_prop_string(fdt, node, "mmu-type", &s);
    if (err == -EINVAL)
        return fdt_fail(why, -EINVAL, "fdt: cpu node mmu-type is not a string");
    h->mmu_levels = err ? 0 : mmu_levels(s);

    err = fdt_prop_string(fdt, node, "riscv,isa", &s);
    if (err == -EINVAL)
        return fdt_fail(why, -EINVAL, "fdt: cpu node riscv,isa is not a string");
    i = 0;
    if (err == 0)
        for (; i < FDT_BOARD_ISA - 1 && s[i] != '\0'; i++)
            h->isa[i] = s[i];
    h->isa[i] = '\0';
    return 0;
}

/* The timebase and every child of /cpus with device_type "cpu". */
static int board_cpus(const struct fdt *fdt, struct fdt_board *out, const char **why)
{
    static const char badtb[] = "fdt: timebase-frequency is neither 32 nor 64 bits";
    const char *type;
    int cpus, node, err;

    cpus = fdt_path_lookup(fdt, "/cpus", 5);
    if (cpus < 0)
        return fdt_fail(why, -EINVAL, "fdt: no /cpus node");

    err = fdt_prop_uint(fdt, cpus, "timebase-frequency", &out->timebase_hz);
    if (err == -EINVAL)
        return fdt_fail(why, -EINVAL, badtb);
    for (node = fdt_first_child(fdt, cpus); err && node >= 0; node = fdt_next_sibling(fdt, node)) {
        err = fdt_prop_uint(fdt, node, "timebase-frequency", &out->timebase_hz);
        if (err == -EINVAL)
            return fdt_fail(why, -EINVAL, badtb);
    }
    if (err)
        return fdt_fail(why, -EINVAL, "fdt: no timebase-frequency in /cpus or a cpu node");
    if (out->timebase_hz == 0)
        return fdt_fail(why, -EINVAL, "fdt: timebase-frequency is 0");

    for (node = fdt_first_child(fdt, cpus); node >= 0; node = fdt_next_sibling(fdt, node)) {
        if (fdt_prop_string(fdt, node, "device_type", &type) || !fdt_str_eq(type, "cpu"))
            continue; /* cpu-map and the like */
        if (out->nharts == FDT_BOARD_MAX_HARTS)
            return fdt_fail(why, -E2BIG, "fdt: more than 16 cpu nodes under /cpus");
        err = board_hart(fdt, node, &out->harts[out->nharts], why);
        if (err)
            return err;
        out->nharts++;
    }
    if (out->nharts == 0)
        return fdt_fail(why, -EINVAL, "fdt: no cpu node (device_type \"cpu\") under /cpus");
    return 0;
}

static enum fdt_uart_kind uart_kind(const struct fdt *fdt, int node)
{
    if (!fdt_node_enabled(fdt, node))
        return FDT_UART_NONE;
    if (fdt_node_compatible(fdt, node, "ns16550a"))
        return FDT_UART_NS16550A;
    if (fdt_node_compatible(fdt, node, "sifive,uart0"))
        return FDT_UART_SIFIVE;
    return FDT_UART_NONE;
}

/*
 * The first cell of an optional property of the UART: @dflt if absent; -EINVAL if shorter
 * than a cell, or (@one) longer.
 */
static int uart_cell(const struct fdt *fdt, int node, const char *name, bool one, uint32_t dflt,
                     uint32_t *out)
{
    struct fdt_prop p;
    uint64_t v;

    if (fdt_prop_get(fdt, node, name, &p)) {
        *out = dflt;
        return 0;
    }
    if (p.len < 4 || (one && p.len != 4) || fdt_prop_cells(&p, 0, 1, &v))
        return -EINVAL;
    *out = (uint32_t)v;
    return 0;
}

/* The console: stdout-path's node if usable, else the first enabled supported UART. */
static int board_uart(const struct fdt *fdt, struct fdt_uart *u, const char **why)
{
    uint64_t clock;
    int node, err;

    node = fdt_stdout_lookup(fdt);
    if (node < 0 || uart_kind(fdt, node) == FDT_UART_NONE) {
        for (node = fdt_root(fdt); node >= 0; node = fdt_node_next(fdt, node, NULL))
            if (uart_kind(fdt, node) != FDT_UART_NONE)
                break;
    }
    if (node < 0)
        return fdt_fail(why, -EINVAL, "fdt: no usable UART (enabled ns16550a or sifive,uart0)");
    u->kind = uart_kind(fdt, node);

    err = fdt_reg_mmio(fdt, node, &u->base, &u->size);
    if (err)
        return reg_fail(err, &uart_why, why);
    /* "interrupts" may hold several specifiers; the first cell is the source number. */
    if (uart_cell(fdt, node, "interrupts", false, 0, &u->irq))
        return fdt_fail(why, -EINVAL, "fdt: console UART interrupts property shorter than a cell");
    if (uart_cell(fdt, node, "reg-shift", true, 0, &u->reg_shift) || u->reg_shift > 3)
        return fdt_fail(why, -EINVAL, "fdt: console UART reg-shift is not one cell of 0..3");
    if (uart_cell(fdt, node, "reg-io-width", true, 1, &u->reg_io_width) ||
        (u->reg_io_width != 1 && u->reg_io_width != 2 && u->reg_io_width != 4))
        return fdt_fail(why, -EINVAL, "fdt: console UART reg-io-width is not 1, 2 or 4");
    err = fdt_prop_uint(fdt, node, "clock-frequency", &clock);
    if (err == -EINVAL)
        return fdt_fail(why, -EINVAL, "fdt: console UART clock-frequency is not 32 or 64 bits");
    if (err == 0 && clock > UINT32_MAX)
        return fdt_fail(why, -ERANGE, "fdt: console UART clock-frequency above 4 GHz");
    u->clock_hz = err ? 0 : (uint32_t)clock;
    return 0;
}

/* The reg base of the first enabled node compatible with @a or @b; 0 if there is none. */
static int device_base(const struct fdt *fdt, const char *a, const char *b, uint64_t *base,
                       const struct reg_why *w, const char **why)
{
    uint64_t size;
    int node, err;

    *base = 0;
    for (node = fdt_root(fdt); node >= 0; node = fdt_node_next(fdt, node, NULL)) {
        if (!fdt_node_enabled(fdt, node))
            continue;
        if (!fdt_node_compatible(fdt, node, a) && !fdt_node_compatible(fdt, node, b))
            continue;
        err = fdt_reg_mmio(fdt, node, base, &size);
        return err ? reg_fail(err, w, why) : 0;
    }
    return 0;
}

int fdt_board_parse(const void *blob, size_t maxlen, struct fdt_board *out, const char **why)
{
    struct fdt fdt;
    int err;

    if (!out)
        return fdt_fail(why, -EINVAL, "fdt: no output structure");
    __builtin_memset(out, 0, sizeof(*out));
    err = fdt_init(&fdt, blob, maxlen, why);
    if (!err)
        err = board_memory(&fdt, out, why);
    if (!err)
        err = board_reserved(&fdt, out, why);
    if (!err)
        err = board_chosen(&fdt, out, why);
    if (!err)
        err = board_cpus(&fdt, out, why);
    if (!err)
        err = board_uart(&fdt, &out->uart, why);
    if (!err)
        err =
            device_base(&fdt, "sifive,test1", "sifive,test0", &out->test_dev_base, &test_why, why);
    if (!err)
        err =
            device_base(&fdt, "sifive,plic-1.0.0", "riscv,plic0", &out->plic_base, &plic_why, why);
    if (!err)
        err = device_base(&fdt, "sifive,clint0", "riscv,clint0", &out->clint_base, &clint_why, why);
    return err;
}
