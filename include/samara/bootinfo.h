/*
 * samara/bootinfo.h - what the kernel tells the root task at boot.
 *
 * The kernel maps one read-only page holding this structure into the root task (the pager) at
 * BOOTINFO_VA and starts its first thread with a0 = BOOTINFO_VA. Addresses are physical.
 */
#ifndef SAMARA_BOOTINFO_H
#define SAMARA_BOOTINFO_H

#include <stdint.h>

/*
 * The root task's fixed layout (all below 2^38, so it holds under Sv39 and Sv48):
 *   ROOT_STACK_TOP - ROOT_STACK_PAGES pages .. ROOT_STACK_TOP   stack, zero-filled
 *   BOOTINFO_VA = ROOT_STACK_TOP                               this page, read-only
 *   ROOT_IPCBUF_VA = ROOT_STACK_TOP + 4 KiB                     the first thread's IPC buffer
 * The pager's image sits where its ELF says (userland/lib/user.ld: 0x10000).
 */
#define ROOT_STACK_TOP    0x3000000000ul
#define ROOT_STACK_PAGES  64
#define BOOTINFO_VA       ROOT_STACK_TOP
#define ROOT_IPCBUF_VA    (ROOT_STACK_TOP + 0x1000ul)
#define BOOTINFO_MAX_MEM  32
#define BOOTINFO_ARGS_LEN 512

struct bootinfo_mem {
    uint64_t base; /* physical address, page aligned */
    uint64_t npages;
    uint32_t slot; /* memory capability covering it, in the root task's table */
    uint32_t pad;
};

struct bootinfo {
    uint64_t magic;         /* BOOTINFO_MAGIC */
    uint64_t task_size;     /* user addresses are below this */
    uint32_t paging_levels; /* 3 = Sv39, 4 = Sv48 */
    uint32_t nmem;
    struct bootinfo_mem mem[BOOTINFO_MAX_MEM]; /* free RAM, all of it the pager's */
    uint64_t initrd_base; /* the boot cpio archive, capability CAP_ROOT_INITRD */
    uint64_t initrd_size;
    uint64_t timebase_hz;
    uint32_t nharts;
    uint32_t pad;
    uint8_t seed[32]; /* from the kernel CSPRNG: seed the pager's own */
    char bootargs[BOOTINFO_ARGS_LEN];
};

#define BOOTINFO_MAGIC 0x534d5241424f4f54ull /* "SMRABOOT" */

_Static_assert(sizeof(struct bootinfo) <= 4096, "boot info fits one page");

#endif
