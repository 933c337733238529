/*
 * main.c - boot: from the DTB to the first user thread.
 *
 * kmain runs once, on the hart OpenSBI chose, with the early Sv39 table of entry.S:
 *  1. read the board from the DTB (stop with a message naming the problem if it is bad);
 *  2. work out free RAM: RAM minus OpenSBI's reservation, the kernel, the DTB and the initrd;
 *  3. carve the kernel pool, build the real page tables (Sv48 if the hart and the DTB allow and
 *     no `mmu=sv39` bootarg, else Sv39) and switch to them;
 *  4. console on the DTB's UART, ASIDs, random seed, timer;
 *  5. load the root task (the pager) from the initrd and run it.
 */
#include "fdt/fdt.h"

#include "kernel.h"
#include "physmem.h"
#include "platform.h"
#include "pool.h"
#include "random.h"
#include "root.h"
#include "sched.h"
#include "timer.h"
#include "uart.h"
#include "arch/riscv/csr.h"
#include "arch/riscv/mmu.h"

uint64_t dmap_offset;
uint64_t kimage_offset;

static struct fdt_board board;

/* Pages for the boot page tables, taken from the start of the future pool. */
static uint64_t boot_pt_next, boot_pt_end;

static pte_t *boot_table_alloc(void)
{
    if (boot_pt_next >= boot_pt_end)
        return NULL;
    pte_t *t = pa_to_kva(boot_pt_next);
    boot_pt_next += PAGE_SIZE;
    memset(t, 0, PAGE_SIZE);
    return t;
}

static _Noreturn void boot_fail(const char *what, const char *why)
{
    kprintf("samara: boot failed: %s: %s\n", what, why ? why : "unknown error");
    platform_halt(3);
}

/* The word after "key=" in the bootargs, copied into out; false if absent. */
static bool bootarg(const char *args, const char *key, char *out, size_t outlen)
{
    size_t kl = strlen(key);
    for (const char *p = args; *p;) {
        while (*p == ' ')
            p++;
        if (!strncmp(p, key, kl) && p[kl] == '=') {
            p += kl + 1;
            size_t n = 0;
            while (p[n] && p[n] != ' ' && n + 1 < outlen) {
                out[n] = p[n];
                n++;
            }
            out[n] = 0;
            return true;
        }
        while (*p && *p != ' ')
            p++;
    }
    return false;
}

static const struct fdt_hart *boot_hart(uint64_t hartid)
{
    for (unsigned i = 0; i < board.nharts; i++)
        if (board.harts[i].hartid == hartid)
            return &board.harts[i];
    return NULL;
}

/* Free RAM as the DTB describes it, minus everything that is not the pager's. */
static void find_free_memory(uint64_t kernel_pa, uint64_t dtb_pa, uint32_t dtb_size)
{
    for (unsigned i = 0; i < board.nmem; i++)
        if (physmem_add(board.mem[i].base, board.mem[i].size))
            boot_fail("memory map", "too many memory ranges");
    int err = 0;
    for (unsigned i = 0; i < board.nresv; i++)
        err |= physmem_reserve(board.resv[i].base, board.resv[i].size);
    err |= physmem_reserve(kernel_pa, kernel_image_size());
    err |= physmem_reserve(dtb_pa, dtb_size);
    if (board.initrd_end > board.initrd_start)
        err |= physmem_reserve(board.initrd_start, board.initrd_end - board.initrd_start);
    if (err)
        boot_fail("memory map", "too many reserved ranges");
}

/* Build and enable the kernel's page tables for `levels` levels. */
static bool paging_try(unsigned levels, uint64_t kernel_pa)
{
    struct mmu_range ram[FDT_BOARD_MAX_MEM], mmio[3];
    unsigned nmmio = 0;
    for (unsigned i = 0; i < board.nmem; i++)
        ram[i] = (struct mmu_range){board.mem[i].base, board.mem[i].size};
    mmio[nmmio++] = (struct mmu_range){ALIGN_DOWN(board.uart.base, PAGE_SIZE), PAGE_SIZE};
    if (board.test_dev_base)
        mmio[nmmio++] = (struct mmu_range){ALIGN_DOWN(board.test_dev_base, PAGE_SIZE), PAGE_SIZE};
    uint64_t root = mmu_build_kernel(levels, ram, board.nmem, mmio, nmmio, kernel_pa,
                                     kernel_image_size(), boot_table_alloc);
    if (!root)
        boot_fail("page tables", "boot table pages exhausted");
    uint64_t saved = csr_read(satp);
    if (!mmu_enable(root, levels)) {
        csr_write(satp, saved);
        return false;
    }
    dmap_offset = mmu_dmap_base(levels);
    mmu_kernel_root = pa_to_kva(root);
    return true;
}

static bool isa_has(const char *isa, const char *ext)
{
    /* Multi-letter extensions follow an underscore: "rv64imafdc_zicsr_sstc". */
    size_t n = strlen(ext);
    for (const char *p = strstr(isa, ext); p; p = strstr(p + 1, ext))
        if (p[-1] == '_' && (p[n] == '_' || p[n] == 0))
            return true;
    return false;
}

void kmain(uint64_t hartid, uint64_t dtb_pa, uint64_t kernel_pa)
{
    dmap_offset = mmu_dmap_base(3); /* entry.S's early table */
    kimage_offset = (uint64_t)_kernel_start - kernel_pa;
    kputs("\nsamara: kernel starting\n");

    /* 1. The board. */
    const uint8_t *dtb = pa_to_kva(dtb_pa);
    uint32_t dtb_size = (uint32_t)dtb[4] << 24 | (uint32_t)dtb[5] << 16 | dtb[6] << 8 | dtb[7];
    const char *why = NULL;
    if (dtb_pa == 0 || dtb_size > (4u << 20) || fdt_board_parse(dtb, dtb_size, &board, &why))
        boot_fail("device tree", why ? why : "no DTB or size over 4 MiB");
    platform_test_dev = board.test_dev_base; /* the DTB is good: trust it, device or none */
    platform_timebase_hz = board.timebase_hz;
    uart_init(board.uart.kind == FDT_UART_NS16550A ? UART_NS16550A : UART_SIFIVE,
              pa_to_kva(board.uart.base), board.uart.reg_shift,
              board.uart.reg_io_width ? board.uart.reg_io_width : 1);

    const struct fdt_hart *hart = boot_hart(hartid);
    if (!hart)
        boot_fail("device tree", "no cpu node for the boot hart");
    /* Kernel bootargs are those before init=: the rest is the first program's. */
    char kargs[FDT_BOARD_BOOTARGS], arg[16];
    size_t klen = 0;
    for (const char *p = board.bootargs; *p && strncmp(p, "init=", 5);
         klen = (size_t)(p - board.bootargs)) {
        while (*p && *p != ' ')
            p++;
        while (*p == ' ')
            p++;
    }
    memcpy(kargs, board.bootargs, klen);
    kargs[klen] = 0;
    unsigned levels = 4;
    if (hart->mmu_levels == 3 || (bootarg(kargs, "mmu", arg, sizeof(arg)) && !strcmp(arg, "sv39")))
        levels = 3;

    /* 2. Free memory. */
    find_free_memory(kernel_pa, dtb_pa, dtb_size);
    uint64_t total = physmem_total_free() / PAGE_SIZE;
    uint64_t pool_pages = total / 16;
    if (pool_pages < 512)
        pool_pages = 512;
    if (pool_pages > 16384)
        pool_pages = 16384;
    uint64_t pool_pa = physmem_take(pool_pages);
    if (!pool_pa)
        boot_fail("memory", "no room for the kernel pool");

    /* 3. Paging: the boot tables come from the head of the pool. */
    boot_pt_next = pool_pa;
    boot_pt_end = pool_pa + 64 * PAGE_SIZE;
    if (!(levels == 4 && paging_try(4, kernel_pa)) && !paging_try(3, kernel_pa))
        boot_fail("paging", "the hart refused Sv39");
    uint64_t used = (boot_pt_next - pool_pa) / PAGE_SIZE;
    pool_init(boot_pt_next, pool_pages - used);

    /* 4. Devices and services, now through the final direct map. */
    uart_init(board.uart.kind == FDT_UART_NS16550A ? UART_NS16550A : UART_SIFIVE,
              pa_to_kva(board.uart.base), board.uart.reg_shift,
              board.uart.reg_io_width ? board.uart.reg_io_width : 1);
    mmu_probe_asid();
    random_mix(board.rng_seed, board.rng_seed_len);
    random_mix_jitter(16);
    bool sstc = isa_has(hart->isa, "sstc");
    kprintf("samara: hart %lu, %s paging, TASK_SIZE %lx, %u-bit ASIDs, %s timer, %lu MiB free, "
            "pool %lu KiB\n",
            hartid, mmu_levels == 4 ? "Sv48" : "Sv39", mmu_task_size, mmu_asid_bits,
            sstc ? "Sstc" : "SBI", physmem_total_free() >> 20, pool_free_pages() * 4);
    timer_init(board.timebase_hz, sstc);

    /* 5. The root task. */
    if (!board.initrd_end)
        boot_fail("initrd", "none given (QEMU -initrd)");
    root_start(board.initrd_start, board.initrd_end - board.initrd_start, board.bootargs,
               board.timebase_hz, board.nharts);
    /* Every sret from now on goes to user mode with interrupts enabled there (trap.S). User
     * code is soft-float and the kernel keeps no FP state: FS = Off makes any FP instruction
     * an illegal-instruction fault (SIGILL) instead of silently sharing registers. */
    csr_clear(sstatus, SSTATUS_FS);
    csr_clear(sstatus, SSTATUS_SPP);
    csr_set(sstatus, SSTATUS_SPIE);
    sched_return();
}
