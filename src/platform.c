/*
 * platform.c - stopping the machine.
 *
 * QEMU virt's sifive,test1 device: writing 0x5555 powers off with exit code 0, and
 * 0x3333 | code << 16 powers off with exit code `code`. SBI SRST shutdown makes QEMU exit 0
 * whatever the reason, so it is the fallback only. sifive_u's OpenSBI does not support SRST
 * shutdown (and the legacy shutdown hangs): a cold reboot with QEMU's -no-reboot is the way.
 */
#include "platform.h"

#include <board.h>

#include "kernel.h"
#include "arch/riscv/sbi.h"

uint64_t platform_timebase_hz;
uint64_t platform_test_dev = BOARD_FALLBACK_TEST_DEV;

_Noreturn void platform_halt(int status)
{
    kprintf("samara: halt, status %d\n", status);
    if (platform_test_dev) {
        volatile uint32_t *dev = pa_to_kva(platform_test_dev);
        *dev = status == 0 ? 0x5555u : (0x3333u | ((uint32_t)status & 0xffff) << 16);
    }
    sbi_reset(SBI_SRST_SHUTDOWN, status ? SBI_SRST_REASON_FAILURE : SBI_SRST_REASON_NONE);
    sbi_reset(SBI_SRST_COLD_REBOOT, SBI_SRST_REASON_NONE);
    for (;;)
        __asm__ volatile("wfi");
}
