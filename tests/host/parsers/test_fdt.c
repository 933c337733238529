/*
 * test_fdt.c - host tests of lib/fdt (ASan + UBSan): real QEMU trees, hand-built trees with
 * one thing wrong each, byte patches of a real tree, every truncation and every bit flip.
 *
 * Usage: test_fdt virt.dtb virt-chosen.dtb sifive_u.dtb   (prints TAP)
 */
#include "fdt/fdt.h"
#include "tap.h"

#include <errno.h>

/* ---- A small tree builder, for trees QEMU does not make ---- */

struct fb {
    uint8_t st[32768];
    size_t sl;
    char strs[4096];
    size_t strl;
    uint64_t rsv[40][2];
    unsigned nrsv;
};

static void fb_room(struct fb *b, size_t n)
{
    if (b->sl + n > sizeof(b->st)) {
        fprintf(stderr, "tree builder overflow\n");
        exit(2);
    }
}

static void fb_u32(struct fb *b, uint32_t v)
{
    fb_room(b, 4);
    put_be32(b->st + b->sl, v);
    b->sl += 4;
}

static void fb_bytes(struct fb *b, const void *p, size_t n)
{
    fb_room(b, n + 3);
    memcpy(b->st + b->sl, p, n);
    b->sl += n;
    while (b->sl % 4)
        b->st[b->sl++] = 0;
}

static void fb_begin(struct fb *b, const char *name)
{
    fb_u32(b, 1);
    fb_bytes(b, name, strlen(name) + 1);
}

static void fb_end(struct fb *b)
{
    fb_u32(b, 2);
}

static uint32_t fb_stroff(struct fb *b, const char *name)
{
    size_t off = 0, n = strlen(name) + 1;

    while (off < b->strl) {
        if (strcmp(b->strs + off, name) == 0)
            return (uint32_t)off;
        off += strlen(b->strs + off) + 1;
    }
    if (b->strl + n > sizeof(b->strs))
        exit(2);
    memcpy(b->strs + b->strl, name, n);
    b->strl += n;
    return (uint32_t)off;
}

static void fb_prop(struct fb *b, const char *name, const void *data, size_t len)
{
    fb_u32(b, 3);
    fb_u32(b, (uint32_t)len);
    fb_u32(b, fb_stroff(b, name));
    fb_bytes(b, data, len);
}

static void fb_str(struct fb *b, const char *name, const char *s)
{
    fb_prop(b, name, s, strlen(s) + 1);
}

/* A property of @n 32-bit cells. */
static void fb_cells(struct fb *b, const char *name, int n, ...)
{
    uint8_t buf[64];
    va_list ap;
    int i;

    va_start(ap, n);
    for (i = 0; i < n; i++)
        put_be32(buf + 4 * i, va_arg(ap, uint32_t));
    va_end(ap);
    fb_prop(b, name, buf, 4 * (size_t)n);
}

/* The blob: header, reservation block, structure block, strings; a heap block of its size. */
static uint8_t *fb_finish(struct fb *b, size_t *len)
{
    size_t rsv = 40, so = rsv + 16 * (b->nrsv + 1), stro = so + b->sl + 4, total;
    uint8_t *blob;
    unsigned i;

    fb_u32(b, 9);
    total = stro + b->strl;
    blob = calloc(1, total);
    put_be32(blob + 0, FDT_MAGIC);
    put_be32(blob + 4, (uint32_t)total);
    put_be32(blob + 8, (uint32_t)so);
    put_be32(blob + 12, (uint32_t)stro);
    put_be32(blob + 16, (uint32_t)rsv);
    put_be32(blob + 20, 17);
    put_be32(blob + 24, 16);
    put_be32(blob + 32, (uint32_t)b->strl);
    put_be32(blob + 36, (uint32_t)b->sl);
    for (i = 0; i < b->nrsv; i++) {
        put_be32(blob + rsv + 16 * i, (uint32_t)(b->rsv[i][0] >> 32));
        put_be32(blob + rsv + 16 * i + 4, (uint32_t)b->rsv[i][0]);
        put_be32(blob + rsv + 16 * i + 8, (uint32_t)(b->rsv[i][1] >> 32));
        put_be32(blob + rsv + 16 * i + 12, (uint32_t)b->rsv[i][1]);
    }
    memcpy(blob + so, b->st, b->sl);
    memcpy(blob + stro, b->strs, b->strl);
    *len = total;
    return blob;
}

/* ---- A board tree with knobs: all zero gives a valid virt-like board ---- */

struct knobs {
    bool no_memory, mem_truncated, mem_wraps;
    int mem_ranges; /* reg entries in the memory node (default 1) */
    bool no_cpus, cpu_noreg;
    int ncpus;       /* default 2; -1 for none */
    int timebase;    /* 0 32-bit in /cpus, 1 64-bit, 2 in cpu@0, 3 absent, 4 zero, 5 3 bytes */
    const char *mmu; /* default "riscv,sv48"; "" for none */
    const char *uart_compat; /* default "ns16550a" */
    bool uart_disabled, no_uart2, uart_truncated;
    int uart_reg_shift, uart_io_width; /* 0 absent, else value + 0 (shift is stored + 1) */
    int soc_ranges;                    /* 0 empty, 1 absent, 2 identity, 3 non-identity */
    int soc_ac;                        /* 0 for 2 */
    const char *stdout_path;
    const char *bootargs;
    bool bootargs_unterminated;
    int initrd; /* 0 none, 1 32-bit, 2 64-bit, 3 start only, 4 end < start, 5 3 bytes */
    int nrsvmap, nresv_children;
    int rng_len;
    int nmem_nodes; /* extra memory nodes, each one range */
};

static uint8_t *board_tree(const struct knobs *k, size_t *len)
{
    static struct fb b;
    int i, ncpus = k->ncpus ? (k->ncpus < 0 ? 0 : k->ncpus) : 2;
    char name[64];

    memset(&b, 0, sizeof(b));
    for (i = 0; i < k->nrsvmap; i++) {
        b.rsv[i][0] = 0x90000000ull + 0x10000ull * (unsigned)i;
        b.rsv[i][1] = 0x1000;
    }
    b.nrsv = (unsigned)k->nrsvmap;

    fb_begin(&b, "");
    fb_cells(&b, "#address-cells", 1, 2);
    fb_cells(&b, "#size-cells", 1, 2);
    fb_str(&b, "compatible", "test,board");

    fb_begin(&b, "chosen");
    if (k->stdout_path)
        fb_str(&b, "stdout-path", k->stdout_path);
    if (k->bootargs)
        fb_prop(&b, "bootargs", k->bootargs, strlen(k->bootargs) + !k->bootargs_unterminated);
    switch (k->initrd) {
    case 1:
        fb_cells(&b, "linux,initrd-start", 1, 0x88200000);
        fb_cells(&b, "linux,initrd-end", 1, 0x88300000);
        break;
    case 2:
        fb_cells(&b, "linux,initrd-start", 2, 0x1, 0x00200000);
        fb_cells(&b, "linux,initrd-end", 2, 0x1, 0x00300000);
        break;
    case 3:
        fb_cells(&b, "linux,initrd-start", 1, 0x88200000);
        break;
    case 4:
        fb_cells(&b, "linux,initrd-start", 1, 0x88300000);
        fb_cells(&b, "linux,initrd-end", 1, 0x88200000);
        break;
    case 5:
        fb_prop(&b, "linux,initrd-start", "\x88\x20\x00", 3);
        fb_cells(&b, "linux,initrd-end", 1, 0x88300000);
        break;
    }
    if (k->rng_len) {
        uint8_t seed[100];
        for (i = 0; i < k->rng_len; i++)
            seed[i] = (uint8_t)i;
        fb_prop(&b, "rng-seed", seed, (size_t)k->rng_len);
    }
    fb_end(&b);

    fb_begin(&b, "aliases");
    fb_str(&b, "serial0", "/soc/uart@10000000");
    fb_str(&b, "serial1", "/soc/uart@10001000");
    fb_end(&b);

    if (!k->no_memory) {
        uint8_t reg[16 * 10];
        int n = k->mem_ranges ? k->mem_ranges : 1;

        fb_begin(&b, "memory@80000000");
        fb_str(&b, "device_type", "memory");
        for (i = 0; i < n; i++) {
            put_be32(reg + 16 * i, k->mem_wraps ? 0xffffffff : 0);
            put_be32(reg + 16 * i + 4,
                     (k->mem_wraps ? 0xfc000000u : 0x80000000u) + 0x10000000u * (unsigned)i);
            put_be32(reg + 16 * i + 8, 0);
            put_be32(reg + 16 * i + 12, 0x08000000);
        }
        fb_prop(&b, "reg", reg, 16 * (size_t)n - (k->mem_truncated ? 4 : 0));
        fb_end(&b);
    }
    for (i = 0; i < k->nmem_nodes; i++) {
        snprintf(name, sizeof(name), "memory@%x", 0x100000 * (i + 1));
        fb_begin(&b, name);
        fb_str(&b, "device_type", "memory");
        fb_cells(&b, "reg", 4, 0, 0x100000 * (i + 1), 0, 0x1000);
        fb_end(&b);
    }

    fb_begin(&b, "reserved-memory");
    fb_cells(&b, "#address-cells", 1, 2);
    fb_cells(&b, "#size-cells", 1, 2);
    fb_prop(&b, "ranges", "", 0);
    fb_begin(&b, "mmode_resv0@80000000");
    fb_cells(&b, "reg", 4, 0, 0x80000000, 0, 0x80000);
    fb_end(&b);
    fb_begin(&b, "dynamic");
    fb_cells(&b, "size", 2, 0, 0x100000);
    fb_end(&b);
    for (i = 0; i < k->nresv_children; i++) {
        snprintf(name, sizeof(name), "extra@%x", 0xa0000000u + 0x1000u * (unsigned)i);
        fb_begin(&b, name);
        fb_cells(&b, "reg", 4, 0, 0xa0000000u + 0x1000u * (unsigned)i, 0, 0x1000);
        fb_end(&b);
    }
    fb_end(&b);

    if (!k->no_cpus) {
        fb_begin(&b, "cpus");
        fb_cells(&b, "#address-cells", 1, 1);
        fb_cells(&b, "#size-cells", 1, 0);
        if (k->timebase == 0)
            fb_cells(&b, "timebase-frequency", 1, 10000000);
        else if (k->timebase == 1)
            fb_cells(&b, "timebase-frequency", 2, 0x1, 0x2);
        else if (k->timebase == 4)
            fb_cells(&b, "timebase-frequency", 1, 0);
        else if (k->timebase == 5)
            fb_prop(&b, "timebase-frequency", "\x00\x98\x96", 3);
        for (i = 0; i < ncpus; i++) {
            snprintf(name, sizeof(name), "cpu@%d", i);
            fb_begin(&b, name);
            fb_str(&b, "device_type", "cpu");
            if (!k->cpu_noreg)
                fb_cells(&b, "reg", 1, (uint32_t)i);
            fb_str(&b, "status", i == 0 ? "okay" : i == 1 ? "ok" : "disabled");
            fb_str(&b, "riscv,isa",
                   "rv64imafdc_zicsr_zifencei_an_isa_string_long_enough_to_need_"
                   "truncation_because_it_goes_on_and_on_and_on_and_on");
            if (!k->mmu)
                fb_str(&b, "mmu-type", "riscv,sv48");
            else if (k->mmu[0])
                fb_str(&b, "mmu-type", k->mmu);
            if (i == 0 && k->timebase == 2)
                fb_cells(&b, "timebase-frequency", 1, 1000000);
            fb_end(&b);
        }
        fb_begin(&b, "cpu-map");
        fb_end(&b);
        fb_end(&b);
    }

    fb_begin(&b, "soc");
    if (k->soc_ac)
        fb_cells(&b, "#address-cells", 1, (uint32_t)k->soc_ac);
    else
        fb_cells(&b, "#address-cells", 1, 2);
    fb_cells(&b, "#size-cells", 1, 2);
    fb_prop(&b, "compatible", "simple-bus", 11);
    if (k->soc_ranges == 0)
        fb_prop(&b, "ranges", "", 0);
    else if (k->soc_ranges == 2)
        fb_cells(&b, "ranges", 6, 0, 0, 0, 0, 0x1, 0);
    else if (k->soc_ranges == 3)
        fb_cells(&b, "ranges", 6, 0, 0, 0x1, 0, 0x1, 0);

    fb_begin(&b, "uart@10000000");
    if (k->uart_compat)
        fb_str(&b, "compatible", k->uart_compat);
    else
        fb_str(&b, "compatible", "ns16550a");
    if (k->uart_disabled)
        fb_str(&b, "status", "disabled");
    if (k->uart_truncated)
        fb_cells(&b, "reg", 3, 0, 0x10000000, 0);
    else if (k->soc_ac == 3)
        fb_cells(&b, "reg", 5, 0, 0, 0x10000000, 0, 0x100);
    else
        fb_cells(&b, "reg", 4, 0, 0x10000000, 0, 0x100);
    fb_cells(&b, "interrupts", 1, 10);
    fb_cells(&b, "clock-frequency", 1, 3686400);
    if (k->uart_reg_shift)
        fb_cells(&b, "reg-shift", 1, (uint32_t)k->uart_reg_shift - 1);
    if (k->uart_io_width)
        fb_cells(&b, "reg-io-width", 1, (uint32_t)k->uart_io_width);
    fb_end(&b);

    if (!k->no_uart2) {
        fb_begin(&b, "uart@10001000");
        fb_str(&b, "compatible", "sifive,uart0");
        fb_cells(&b, "reg", 4, 0, 0x10001000, 0, 0x1000);
        fb_cells(&b, "interrupts", 2, 11, 12);
        fb_end(&b);
    }
    if (k->soc_ac != 3) {
        fb_begin(&b, "test@100000");
        fb_prop(&b, "compatible", "sifive,test1\0sifive,test0\0syscon", 33);
        fb_cells(&b, "reg", 4, 0, 0x100000, 0, 0x1000);
        fb_end(&b);
        fb_begin(&b, "plic@c000000");
        fb_prop(&b, "compatible", "sifive,plic-1.0.0\0riscv,plic0", 30);
        fb_cells(&b, "#address-cells", 1, 0);
        fb_cells(&b, "reg", 4, 0, 0xc000000, 0, 0x600000);
        fb_end(&b);
        fb_begin(&b, "clint@2000000");
        fb_str(&b, "compatible", "riscv,clint0");
        fb_cells(&b, "reg", 4, 0, 0x2000000, 0, 0x10000);
        fb_end(&b);
    }
    fb_end(&b); /* soc */
    fb_end(&b); /* root */
    return fb_finish(&b, len);
}

/* ---- Invariants of any accepted parse ---- */

static bool board_sane(const struct fdt_board *b)
{
    unsigned i;

    if (b->nmem == 0 || b->nmem > FDT_BOARD_MAX_MEM || b->nresv > FDT_BOARD_MAX_RESV)
        return false;
    if (b->nharts == 0 || b->nharts > FDT_BOARD_MAX_HARTS || b->timebase_hz == 0)
        return false;
    if (memchr(b->bootargs, 0, sizeof(b->bootargs)) == NULL)
        return false;
    if (b->initrd_end < b->initrd_start || b->rng_seed_len > FDT_BOARD_RNG_SEED)
        return false;
    if (b->uart.kind != FDT_UART_NS16550A && b->uart.kind != FDT_UART_SIFIVE)
        return false;
    for (i = 0; i < b->nmem; i++)
        if (b->mem[i].size == 0 || b->mem[i].base + b->mem[i].size < b->mem[i].base)
            return false;
    for (i = 0; i < b->nharts; i++)
        if (memchr(b->harts[i].isa, 0, sizeof(b->harts[i].isa)) == NULL ||
            b->harts[i].mmu_levels > 5)
            return false;
    return true;
}

/* Call every accessor on every node of a blob fdt_init() accepted; must not crash. */
static unsigned exercise_walker(const struct fdt *f)
{
    struct fdt_prop p;
    uint64_t base, size;
    uint32_t ac, sc;
    unsigned work = 0, i;
    int node, depth = 0, cursor;

    for (node = fdt_root(f); node >= 0; node = fdt_node_next(f, node, &depth)) {
        const char *name = fdt_node_name(f, node);

        work += name ? (unsigned)strlen(name) : 0;
        work += (unsigned)fdt_parent(f, node) + (unsigned)fdt_first_child(f, node);
        work += (unsigned)fdt_next_sibling(f, node) + (unsigned)fdt_reg_count(f, node);
        work += fdt_node_compatible(f, node, "ns16550a") + fdt_node_enabled(f, node);
        if (fdt_node_cells(f, node, &ac, &sc) == 0)
            work += ac + sc;
        for (i = 0; i < 3; i++)
            if (fdt_reg_get(f, node, i, &base, &size) == 0)
                work += (unsigned)(base + size);
        if (fdt_reg_mmio(f, node, &base, &size) == 0)
            work += (unsigned)base;
        cursor = 0;
        while (fdt_prop_next(f, node, &cursor, &p) == 0) {
            work += (unsigned)strlen(p.name) + p.len;
            if (p.len >= 4 && fdt_prop_cells(&p, 0, 1, &base) == 0)
                work += (unsigned)base;
        }
    }
    for (i = 0; fdt_rsv_get(f, i, &base, &size) == 0; i++)
        work++;
    work += (unsigned)fdt_stdout_lookup(f) + (unsigned)fdt_phandle_lookup(f, 5);
    work += (unsigned)fdt_path_lookup(f, "/soc/serial@10000000", 20);
    return work;
}

/* ---- Real trees ---- */

static void test_virt(const uint8_t *blob, size_t len, bool chosen)
{
    struct fdt_board b;
    const char *why = NULL;
    int r = fdt_board_parse(blob, len, &b, &why);
    const char *tag = chosen ? "virt (-append/-initrd)" : "virt";

    if (!ok(r == 0, "%s: parses", tag)) {
        diag("r=%d why=%s", r, why ? why : "(null)");
        return;
    }
    ok(b.nmem == 1 && b.mem[0].base == 0x80000000 && b.mem[0].size == 0x20000000,
       "%s: memory 512 MiB at 0x80000000", tag);
    ok(b.uart.kind == FDT_UART_NS16550A && b.uart.base == 0x10000000 && b.uart.size == 0x100,
       "%s: ns16550a at 0x10000000", tag);
    ok(b.uart.irq == 10 && b.uart.clock_hz == 3686400 && b.uart.reg_shift == 0 &&
           b.uart.reg_io_width == 1,
       "%s: UART irq 10, 3.6864 MHz, default reg-shift and io width", tag);
    ok(b.timebase_hz == 10000000, "%s: timebase 10 MHz", tag);
    ok(b.nharts == 2 && b.harts[0].hartid == 0 && b.harts[1].hartid == 1 && b.harts[0].enabled &&
           b.harts[1].enabled,
       "%s: two enabled harts 0 and 1", tag);
    ok(b.harts[0].mmu_levels == 4 && b.harts[1].mmu_levels == 4, "%s: sv48 (4 levels)", tag);
    ok(strncmp(b.harts[0].isa, "rv64imafdch_zicsr", 17) == 0, "%s: isa %s", tag, b.harts[0].isa);
    ok(b.test_dev_base == 0x100000, "%s: sifive,test at 0x100000", tag);
    ok(b.plic_base == 0xc000000 && b.clint_base == 0x2000000, "%s: PLIC and CLINT", tag);
    ok(b.nresv == 0, "%s: no reservations before OpenSBI adds one", tag);
    ok(b.rng_seed_len == 32, "%s: 32-byte rng-seed", tag);
    if (chosen) {
        ok(strcmp(b.bootargs, "init=/bin/x mmu=sv39") == 0, "%s: bootargs '%s'", tag, b.bootargs);
        ok(b.initrd_start == 0x88200000 && b.initrd_end - b.initrd_start == 1000,
           "%s: initrd 1000 bytes at 0x88200000", tag);
    } else {
        ok(b.bootargs[0] == '\0' && b.initrd_start == 0 && b.initrd_end == 0,
           "%s: no bootargs, no initrd", tag);
    }
}

static void test_sifive_u(const uint8_t *blob, size_t len)
{
    struct fdt_board b;
    const char *why = NULL;
    int r = fdt_board_parse(blob, len, &b, &why);

    if (!ok(r == 0, "sifive_u: parses")) {
        diag("r=%d why=%s", r, why ? why : "(null)");
        return;
    }
    ok(b.nmem == 1 && b.mem[0].base == 0x80000000 && b.mem[0].size == 0x8000000,
       "sifive_u: memory 128 MiB at 0x80000000");
    ok(b.uart.kind == FDT_UART_SIFIVE && b.uart.base == 0x10010000 && b.uart.irq == 4 &&
           b.uart.clock_hz == 0,
       "sifive_u: sifive,uart0 at 0x10010000, irq 4, no clock-frequency");
    ok(b.timebase_hz == 1000000, "sifive_u: timebase 1 MHz");
    ok(b.nharts == 2 && b.harts[0].mmu_levels == 0 && b.harts[1].mmu_levels == 4,
       "sifive_u: hart 0 (E51) without MMU, hart 1 sv48");
    ok(strcmp(b.harts[0].isa, "rv64imac_zicsr_zifencei") == 0, "sifive_u: E51 isa");
    ok(b.test_dev_base == 0, "sifive_u: no test device");
    ok(b.plic_base == 0xc000000 && b.clint_base == 0x2000000, "sifive_u: PLIC and CLINT");
    ok(b.rng_seed_len == 0 && b.bootargs[0] == '\0' && b.initrd_end == 0,
       "sifive_u: no rng-seed, bootargs or initrd");
}

static void test_walker(const uint8_t *virt, size_t vlen, const uint8_t *sifive, size_t slen)
{
    struct fdt f, s;
    struct fdt_prop p;
    const char *str, *why = NULL;
    uint32_t ac, sc;
    uint64_t base, size;
    int soc, uart, node, n, depth = 0, cursor = 0;

    ok(fdt_init(&f, virt, vlen, &why) == 0 && fdt_init(&s, sifive, slen, &why) == 0,
       "walker: fdt_init accepts both trees");
    soc = fdt_path_lookup(&f, "/soc", 4);
    uart = fdt_path_lookup(&f, "/soc/serial@10000000", 20);
    ok(soc >= 0 && uart >= 0 && fdt_parent(&f, uart) == soc, "walker: parent of the UART is /soc");
    ok(fdt_parent(&f, fdt_root(&f)) == -ENOENT, "walker: the root has no parent");
    ok(fdt_path_lookup(&f, "/soc/serial", 11) == uart, "walker: path without unit address");
    ok(fdt_path_lookup(&f, "//soc//serial@10000000/", 23) == uart, "walker: repeated slashes");
    ok(fdt_path_lookup(&f, "/soc/serial@1", 13) == -ENOENT, "walker: wrong unit address");
    ok(fdt_path_lookup(&f, "soc", 3) == -EINVAL, "walker: relative path refused");
    ok(strcmp(fdt_node_name(&f, uart), "serial@10000000") == 0, "walker: node name");
    ok(fdt_node_name(&f, uart + 1) == NULL && fdt_first_child(&f, -5) == -EINVAL &&
           fdt_node_next(&f, 3, NULL) == -EINVAL,
       "walker: made-up node handles refused");
    ok(fdt_stdout_lookup(&f) == uart, "walker: virt stdout-path");
    node = fdt_stdout_lookup(&s);
    ok(node >= 0 && strcmp(fdt_node_name(&s, node), "serial@10010000") == 0,
       "walker: sifive_u stdout-path");
    node = fdt_phandle_lookup(&f, 5);
    ok(node >= 0 && strcmp(fdt_node_name(&f, node), "plic@c000000") == 0,
       "walker: phandle 5 is the PLIC");
    ok(fdt_phandle_lookup(&f, 0x999) == -ENOENT && fdt_phandle_lookup(&f, 0) == -EINVAL,
       "walker: unknown and reserved phandles");
    node = fdt_path_lookup(&f, "/cpus", 5);
    ok(fdt_node_cells(&f, node, &ac, &sc) == 0 && ac == 1 && sc == 0, "walker: /cpus cells 1/0");
    ok(fdt_node_cells(&f, uart, &ac, &sc) == 0 && ac == 2 && sc == 1, "walker: default cells 2/1");
    node = fdt_path_lookup(&f, "/flash", 6);
    ok(fdt_reg_count(&f, node) == 2 && fdt_reg_get(&f, node, 1, &base, &size) == 0 &&
           base == 0x22000000 && size == 0x2000000,
       "walker: flash has two reg entries");
    ok(fdt_reg_get(&f, node, 2, &base, &size) == -ENOENT, "walker: reg index past the end");
    ok(fdt_reg_count(&f, fdt_path_lookup(&f, "/chosen", 7)) == -ENOENT, "walker: no reg");
    node = fdt_path_lookup(&f, "/soc/pci", 8);
    ok(node >= 0 && fdt_first_child(&f, node) == -ENOENT, "walker: pci has no children");
    ok(fdt_node_compatible(&f, node, "pci-host-ecam-generic") &&
           !fdt_node_compatible(&f, node, "pci-host") &&
           !fdt_node_compatible(&f, node, "pci-host-ecam-generic-x"),
       "walker: compatible matches whole strings only");
    node = fdt_path_lookup(&f, "/soc/test", 9);
    ok(fdt_node_compatible(&f, node, "sifive,test0") && fdt_node_compatible(&f, node, "syscon"),
       "walker: second and last compatible strings");
    ok(fdt_prop_string(&f, uart, "compatible", &str) == 0 && strcmp(str, "ns16550a") == 0,
       "walker: string property");
    ok(fdt_prop_uint(&f, uart, "compatible", &base) == -EINVAL, "walker: 9 bytes is no uint");
    ok(fdt_prop_get(&f, uart, "nonexistent", &p) == -ENOENT, "walker: missing property");
    n = 0;
    while (fdt_prop_next(&f, fdt_path_lookup(&f, "/chosen", 7), &cursor, &p) == 0)
        n++;
    ok(n == 2, "walker: /chosen of virt.dtb has 2 properties (%d)", n);
    n = 0;
    for (node = fdt_root(&f); node >= 0; node = fdt_node_next(&f, node, &depth))
        n++;
    ok(n > 30, "walker: %d nodes in document order", n);
    ok(fdt_reg_mmio(&f, uart, &base, &size) == 0 && base == 0x10000000,
       "walker: MMIO through /soc's empty ranges");
}

/* ---- Board-level cases on built trees ---- */

static bool chk_alias(const struct fdt_board *b)
{
    return b->uart.kind == FDT_UART_SIFIVE && b->uart.base == 0x10001000 && b->uart.irq == 11;
}
static bool chk_first_uart(const struct fdt_board *b)
{
    return b->uart.kind == FDT_UART_NS16550A && b->uart.base == 0x10000000;
}
static bool chk_tb64(const struct fdt_board *b)
{
    return b->timebase_hz == 0x100000002ull;
}
static bool chk_tb_cpu(const struct fdt_board *b)
{
    return b->timebase_hz == 1000000;
}
static bool chk_initrd32(const struct fdt_board *b)
{
    return b->initrd_start == 0x88200000 && b->initrd_end == 0x88300000;
}
static bool chk_initrd64(const struct fdt_board *b)
{
    return b->initrd_start == 0x100200000ull && b->initrd_end == 0x100300000ull;
}
static bool chk_default(const struct fdt_board *b)
{
    return b->nmem == 1 && b->mem[0].size == 0x08000000 && b->nresv == 1 &&
           b->resv[0].base == 0x80000000 && b->resv[0].size == 0x80000 && b->nharts == 2 &&
           b->harts[1].enabled && b->harts[0].mmu_levels == 4 &&
           strlen(b->harts[0].isa) == FDT_BOARD_ISA - 1 && b->test_dev_base == 0x100000 &&
           b->plic_base == 0xc000000 && b->clint_base == 0x2000000 && b->uart.irq == 10;
}
static bool chk_disabled_hart(const struct fdt_board *b)
{
    return b->nharts == 3 && !b->harts[2].enabled && b->harts[2].hartid == 2;
}
static bool chk_resv(const struct fdt_board *b)
{
    return b->nresv == 3 && b->resv[0].base == 0x90000000 && b->resv[1].base == 0x90010000 &&
           b->resv[2].base == 0x80000000;
}
static bool chk_sv39(const struct fdt_board *b)
{
    return b->harts[0].mmu_levels == 3;
}
static bool chk_sv57(const struct fdt_board *b)
{
    return b->harts[0].mmu_levels == 5;
}
static bool chk_nommu(const struct fdt_board *b)
{
    return b->harts[0].mmu_levels == 0;
}
static bool chk_mem8(const struct fdt_board *b)
{
    return b->nmem == 8 && b->mem[7].base == 0x700000;
}
static bool chk_bootargs511(const struct fdt_board *b)
{
    return strlen(b->bootargs) == 511;
}
static bool chk_rng(const struct fdt_board *b)
{
    return b->rng_seed_len == 64 && b->rng_seed[63] == 63;
}
static bool chk_shift(const struct fdt_board *b)
{
    return b->uart.reg_shift == 2 && b->uart.reg_io_width == 4;
}

static char long_args[600];
static char args511[512];

struct board_case {
    const char *what;
    struct knobs k;
    int err;                                 /* expected result */
    const char *why;                         /* substring of the expected why (errors) */
    bool (*check)(const struct fdt_board *); /* extra check (successes) */
};

static void test_board_cases(void)
{
    const struct board_case cases[] = {
        {"default built board", {0}, 0, NULL, chk_default},
        {"stdout-path alias with options", {.stdout_path = "serial1:115200n8"}, 0, NULL, chk_alias},
        {"stdout-path path with options",
         {.stdout_path = "/soc/uart@10001000:115200"},
         0,
         NULL,
         chk_alias},
        {"dangling stdout-path falls back",
         {.stdout_path = "/soc/nothing"},
         0,
         NULL,
         chk_first_uart},
        {"unknown alias falls back", {.stdout_path = "serial7"}, 0, NULL, chk_first_uart},
        {"disabled UART skipped", {.uart_disabled = true}, 0, NULL, chk_alias},
        {"64-bit timebase", {.timebase = 1}, 0, NULL, chk_tb64},
        {"timebase in a cpu node", {.timebase = 2}, 0, NULL, chk_tb_cpu},
        {"32-bit initrd cells", {.initrd = 1}, 0, NULL, chk_initrd32},
        {"64-bit initrd cells", {.initrd = 2}, 0, NULL, chk_initrd64},
        {"disabled hart listed", {.ncpus = 3}, 0, NULL, chk_disabled_hart},
        {"reservation block and /reserved-memory", {.nrsvmap = 2}, 0, NULL, chk_resv},
        {"riscv,sv39", {.mmu = "riscv,sv39"}, 0, NULL, chk_sv39},
        {"riscv,sv57", {.mmu = "riscv,sv57"}, 0, NULL, chk_sv57},
        {"riscv,none", {.mmu = "riscv,none"}, 0, NULL, chk_nommu},
        {"no mmu-type", {.mmu = ""}, 0, NULL, chk_nommu},
        {"8 memory ranges (the maximum)", {.mem_ranges = 1, .nmem_nodes = 7}, 0, NULL, chk_mem8},
        {"511-byte bootargs", {.bootargs = args511}, 0, NULL, chk_bootargs511},
        {"100-byte rng-seed kept to 64", {.rng_len = 100}, 0, NULL, chk_rng},
        {"identity ranges", {.soc_ranges = 2}, 0, NULL, chk_first_uart},
        {"reg-shift 2, reg-io-width 4",
         {.uart_reg_shift = 3, .uart_io_width = 4},
         0,
         NULL,
         chk_shift},

        {"no memory node", {.no_memory = true}, -EINVAL, "no memory node", NULL},
        {"memory reg truncated",
         {.mem_truncated = true},
         -EINVAL,
         "memory node reg property truncated",
         NULL},
        {"memory range wraps", {.mem_wraps = true}, -EINVAL, "wraps", NULL},
        {"9 memory ranges", {.mem_ranges = 2, .nmem_nodes = 7}, -E2BIG, "more than 8 memory", NULL},
        {"no /cpus", {.no_cpus = true}, -EINVAL, "no /cpus node", NULL},
        {"no cpu node", {.ncpus = -1}, -EINVAL, "no cpu node", NULL},
        {"17 cpu nodes", {.ncpus = 17}, -E2BIG, "more than 16 cpu nodes", NULL},
        {"cpu without reg", {.cpu_noreg = true}, -EINVAL, "cpu node has no reg", NULL},
        {"no timebase", {.timebase = 3}, -EINVAL, "no timebase-frequency", NULL},
        {"zero timebase", {.timebase = 4}, -EINVAL, "timebase-frequency is 0", NULL},
        {"3-byte timebase", {.timebase = 5}, -EINVAL, "neither 32 nor 64 bits", NULL},
        {"no supported UART",
         {.uart_compat = "acme,uart", .no_uart2 = true},
         -EINVAL,
         "no usable UART",
         NULL},
        {"UART reg truncated",
         {.uart_truncated = true},
         -EINVAL,
         "console UART reg property truncated",
         NULL},
        {"/soc without ranges",
         {.soc_ranges = 1},
         -ERANGE,
         "console UART address unsupported",
         NULL},
        {"/soc non-identity ranges",
         {.soc_ranges = 3},
         -ERANGE,
         "console UART address unsupported",
         NULL},
        {"/soc with 3 address cells",
         {.soc_ac = 3},
         -ERANGE,
         "console UART address unsupported",
         NULL},
        {"reg-shift 7", {.uart_reg_shift = 8}, -EINVAL, "reg-shift", NULL},
        {"reg-io-width 3", {.uart_io_width = 3}, -EINVAL, "reg-io-width", NULL},
        {"bootargs of 599 bytes",
         {.bootargs = long_args},
         -E2BIG,
         "bootargs longer than 511",
         NULL},
        {"bootargs unterminated",
         {.bootargs = "console=x", .bootargs_unterminated = true},
         -EINVAL,
         "bootargs not NUL-terminated",
         NULL},
        {"initrd-start without end", {.initrd = 3}, -EINVAL, "only one of", NULL},
        {"initrd end before start", {.initrd = 4}, -EINVAL, "below initrd-start", NULL},
        {"3-byte initrd-start", {.initrd = 5}, -EINVAL, "initrd-start is neither", NULL},
        {"17 reservations",
         {.nrsvmap = 10, .nresv_children = 6},
         -E2BIG,
         "more than 16 reserved",
         NULL},
    };
    struct fdt_board b;
    size_t i, len;

    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        const struct board_case *c = &cases[i];
        const char *why = NULL;
        uint8_t *blob = board_tree(&c->k, &len);
        int r = fdt_board_parse(blob, len, &b, &why);
        bool pass = r == c->err;

        if (c->err == 0)
            pass = pass && board_sane(&b) && c->check(&b);
        else
            pass = pass && why && strstr(why, c->why);
        ok(pass, "board: %s -> %d (%s)", c->what, r, r ? (why ? why : "NULL why") : "ok");
        free(blob);
    }
}

/* ---- Structural errors on built trees ---- */

static void expect_init_fail(uint8_t *blob, size_t len, const char *what, const char *want)
{
    struct fdt f;
    const char *why = NULL;
    int r = fdt_init(&f, blob, len, &why);

    ok(r == -EINVAL && why && strstr(why, want), "structure: %s -> %s", what,
       why ? why : "(no why)");
    free(blob);
}

static void test_structure_cases(void)
{
    static struct fb b;
    uint8_t *blob;
    size_t len;
    struct fdt f;
    int i;

    memset(&b, 0, sizeof(b));
    fb_begin(&b, "");
    for (i = 0; i < FDT_MAX_DEPTH - 1; i++)
        fb_begin(&b, "n");
    for (i = 0; i < FDT_MAX_DEPTH; i++)
        fb_end(&b);
    blob = fb_finish(&b, &len);
    ok(fdt_init(&f, blob, len, NULL) == 0, "structure: nesting 32 deep accepted");
    free(blob);

    memset(&b, 0, sizeof(b));
    fb_begin(&b, "");
    for (i = 0; i < FDT_MAX_DEPTH; i++)
        fb_begin(&b, "n");
    for (i = 0; i <= FDT_MAX_DEPTH; i++)
        fb_end(&b);
    blob = fb_finish(&b, &len);
    expect_init_fail(blob, len, "nesting 33 deep", "nested more than 32");

    memset(&b, 0, sizeof(b));
    fb_begin(&b, "");
    fb_begin(&b, "child");
    fb_end(&b);
    fb_cells(&b, "late", 1, 1);
    fb_end(&b);
    blob = fb_finish(&b, &len);
    expect_init_fail(blob, len, "property after a child", "after a child node");

    memset(&b, 0, sizeof(b));
    fb_begin(&b, "");
    fb_end(&b);
    fb_begin(&b, "");
    fb_end(&b);
    blob = fb_finish(&b, &len);
    expect_init_fail(blob, len, "two root nodes", "more than one root");

    memset(&b, 0, sizeof(b));
    fb_begin(&b, "root");
    fb_end(&b);
    blob = fb_finish(&b, &len);
    expect_init_fail(blob, len, "named root", "root node has a name");

    memset(&b, 0, sizeof(b));
    fb_cells(&b, "orphan", 1, 1);
    fb_begin(&b, "");
    fb_end(&b);
    blob = fb_finish(&b, &len);
    expect_init_fail(blob, len, "property before the root", "outside a node");

    memset(&b, 0, sizeof(b));
    blob = fb_finish(&b, &len);
    expect_init_fail(blob, len, "empty structure block", "no root node");
}

/* ---- Byte patches of virt.dtb ---- */

struct patch {
    const char *what;
    uint32_t off;   /* header offset, or one of the P_* markers below */
    uint32_t value; /* written big-endian */
    const char *why;
};

#define P_STRUCT   0x10000 /* + n: structure block offset n */
#define P_LASTTOK  0x20000 /* the END token */
#define P_ROOT_END 0x30000 /* the root's END_NODE */

static void test_patches(const uint8_t *virt, size_t len)
{
    uint32_t so = get_be32(virt + 8), ssize = get_be32(virt + 36), total = (uint32_t)len;
    const struct patch patches[] = {
        {"bad magic", 0, 0xd00dfeee, "bad magic"},
        {"totalsize one past the buffer", 4, total + 1, "totalsize larger than the buffer"},
        {"totalsize 0xffffffff", 4, 0xffffffff, "totalsize larger than the buffer"},
        {"totalsize 20", 4, 20, "totalsize smaller than the header"},
        {"version 15", 20, 15, "version older than 16"},
        {"last_comp_version 18", 24, 18, "last_comp_version newer than 17"},
        {"reservation block misaligned", 16, 44, "not 8-byte aligned"},
        {"reservation block at totalsize", 16, total & ~7u, "not terminated"},
        {"reservation block far out", 16, 0xfffffff8, "reservation block outside"},
        {"reservation block inside the header", 16, 8, "reservation block outside"},
        {"structure block misaligned", 8, so + 2, "not 4-byte aligned"},
        {"structure block far out", 8, 0xfffffffc, "structure block outside"},
        {"structure block inside the header", 8, 4, "structure block outside"},
        {"size_dt_struct 0xffffffff", 36, 0xffffffff, "runs past totalsize"},
        {"size_dt_struct 4 bytes too big", 36, total - so + 4, "runs past totalsize"},
        {"size_dt_struct 4", 36, 4, "not terminated"},
        {"size_dt_struct 0", 36, 0, "structure block truncated"},
        {"strings block far out", 12, 0xffffff00, "strings block outside"},
        {"size_dt_strings 0xffffffff", 32, 0xffffffff, "strings block runs past"},
        {"size_dt_strings 0", 32, 0, "name offset outside the strings block"},
        {"unknown first token", P_STRUCT + 0, 0x77, "unknown token"},
        {"END_NODE first", P_STRUCT + 0, 2, "without a matching BEGIN_NODE"},
        {"PROP first", P_STRUCT + 0, 3, "outside a node"},
        {"first property length huge", P_STRUCT + 12, 0xfffffff0, "value runs past"},
        {"first property length one past", P_STRUCT + 12, ssize, "value runs past"},
        {"first property name offset huge", P_STRUCT + 16, 0x7fffffff, "name offset outside"},
        {"END replaced by NOP", P_LASTTOK, 4, "no END token"},
        {"END replaced by END_NODE", P_LASTTOK, 2, "without a matching BEGIN_NODE"},
        {"root END_NODE replaced by END", P_ROOT_END, 9, "ends inside a node"},
        {"root END_NODE replaced by NOP", P_ROOT_END, 4, "ends inside a node"},
        {"root name set", P_STRUCT + 4, 0x78000000, "root node has a name"},
    };
    size_t i;

    for (i = 0; i < sizeof(patches) / sizeof(patches[0]); i++) {
        const struct patch *p = &patches[i];
        uint8_t *blob = dup_exact(virt, len);
        struct fdt_board b;
        const char *why = NULL;
        uint32_t off = p->off;
        int r;

        if (off >= P_ROOT_END)
            off = so + ssize - 8;
        else if (off >= P_LASTTOK)
            off = so + ssize - 4;
        else if (off >= P_STRUCT)
            off = so + (off - P_STRUCT);
        put_be32(blob + off, p->value);
        r = fdt_board_parse(blob, len, &b, &why);
        ok(r == -EINVAL && why && strstr(why, p->why), "patch: %s -> %s", p->what,
           why ? why : "(no why)");
        free(blob);
    }

    /* Cut the structure block in the middle of the name of /pmu, and the strings block
     * before the NUL of its last string. */
    {
        struct fdt f;
        uint8_t *blob = dup_exact(virt, len);
        const char *why = NULL;
        int pmu;

        fdt_init(&f, virt, len, NULL);
        pmu = fdt_path_lookup(&f, "/pmu", 4);
        put_be32(blob + 36, (uint32_t)pmu + 6 - so);
        ok(fdt_init(&f, blob, len, &why) == -EINVAL && why && strstr(why, "name not terminated"),
           "patch: structure block ends inside a node name -> %s", why ? why : "(no why)");
        memcpy(blob, virt, len);
        put_be32(blob + 32, get_be32(virt + 32) - 1);
        why = NULL;
        ok(fdt_init(&f, blob, len, &why) == -EINVAL && why &&
               strstr(why, "property name not terminated"),
           "patch: strings block cut before a NUL -> %s", why ? why : "(no why)");
        memcpy(blob, virt, len);
        put_be32(blob + 20, 16);
        ok(fdt_init(&f, blob, len, &why) == 0, "patch: version 16 header accepted");
        free(blob);
    }
}

/* ---- Every truncation, every bit flip ---- */

static void test_truncations(const char *tag, const uint8_t *blob, size_t len)
{
    uint32_t so = get_be32(blob + 8), ssize = get_be32(blob + 36);
    uint32_t stro = get_be32(blob + 12), strsize = get_be32(blob + 32);
    unsigned bad_plain = 0, bad_fixed = 0;
    struct fdt_board b;
    size_t n;

    for (n = 0; n < len; n++) {
        uint8_t *cut = dup_exact(blob, n);
        const char *why = NULL;
        int r = fdt_board_parse(cut, n, &b, &why);

        if (r != -EINVAL || !why) {
            if (bad_plain++ < 3)
                diag("%s cut to %zu: r=%d", tag, n, r);
        }
        /* The same prefix with its header claiming exactly what is left. */
        if (n >= 40) {
            put_be32(cut + 4, (uint32_t)n);
            if (so <= n && ssize > n - so)
                put_be32(cut + 36, (uint32_t)(n - so));
            if (stro <= n && strsize > n - stro)
                put_be32(cut + 32, (uint32_t)(n - stro));
            why = NULL;
            r = fdt_board_parse(cut, n, &b, &why);
            if (r >= 0 || !why) {
                if (bad_fixed++ < 3)
                    diag("%s cut to %zu with the header fixed: r=%d", tag, n, r);
            }
        }
        free(cut);
    }
    ok(bad_plain == 0, "truncate: %s cut at each of %zu lengths rejected with why", tag, len);
    ok(bad_fixed == 0, "truncate: %s cut with sizes patched to fit rejected with why", tag);
}

static void test_flips(const char *tag, const uint8_t *blob, size_t len)
{
    static const uint8_t masks[] = {0x01, 0x02, 0x04, 0x08, 0x10, 0x20, 0x40, 0x80, 0xff};
    unsigned accepted = 0, bad = 0, walked = 0;
    struct fdt_board b;
    uint8_t *m = dup_exact(blob, len);
    size_t i, k;

    for (i = 0; i < len; i++) {
        for (k = 0; k < sizeof(masks); k++) {
            const char *why = NULL;
            struct fdt f;
            int r;

            m[i] ^= masks[k];
            r = fdt_board_parse(m, len, &b, &why);
            if (r == 0 && board_sane(&b)) {
                accepted++;
            } else if (r == 0 || !why || strncmp(why, "fdt: ", 5) != 0) {
                if (bad++ < 3)
                    diag("%s byte %zu ^ %#x: r=%d why=%s", tag, i, masks[k], r,
                         why ? why : "(null)");
            }
            /* The generic accessors on every fourth mutation that still passes fdt_init. */
            if (k % 4 == 0 && fdt_init(&f, m, len, NULL) == 0) {
                exercise_walker(&f);
                walked++;
            }
            m[i] ^= masks[k];
        }
    }
    free(m);
    ok(bad == 0,
       "flip: %s, %zu single-byte mutations: %u accepted sane, the rest refused "
       "with why (%u walked)",
       tag, len * sizeof(masks), accepted, walked);
}

int main(int argc, char **argv)
{
    uint8_t *virt, *chosen, *sifive;
    size_t vlen, clen, slen;

    if (argc != 4) {
        fprintf(stderr, "usage: %s virt.dtb virt-chosen.dtb sifive_u.dtb\n", argv[0]);
        return 2;
    }
    virt = load_file(argv[1], &vlen);
    chosen = load_file(argv[2], &clen);
    sifive = load_file(argv[3], &slen);
    memset(long_args, 'a', sizeof(long_args) - 1);
    memset(args511, 'b', sizeof(args511) - 1);

    test_virt(virt, vlen, false);
    test_virt(chosen, clen, true);
    test_sifive_u(sifive, slen);
    test_walker(virt, vlen, sifive, slen);
    test_board_cases();
    test_structure_cases();
    test_patches(virt, vlen);
    test_truncations("virt", virt, vlen);
    test_truncations("virt-chosen", chosen, clen);
    test_truncations("sifive_u", sifive, slen);
    test_flips("virt-chosen", chosen, clen);
    test_flips("sifive_u", sifive, slen);
    free(virt);
    free(chosen);
    free(sifive);
    return tap_done();
}
