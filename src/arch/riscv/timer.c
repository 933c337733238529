/*
 * timer.c - supervisor timer on RISC-V.
 *
 * With Sstc (listed in the DTB's riscv,isa), the kernel writes the deadline to stimecmp (CSR
 * 0x14d) itself, and STIP clears when stimecmp > time. Without it, the SBI TIME extension's
 * set_timer does the same through the firmware (sifive_u: no Sstc, and every rdtime there
 * traps to OpenSBI).
 */
#include "timer.h"

#include "csr.h"
#include "sbi.h"
#include "sched.h"

static uint64_t timer_slice;
static bool timer_sstc;

static void timer_arm(void)
{
    uint64_t when = rdtime() + timer_slice;
    if (timer_sstc)
        __asm__ volatile("csrw 0x14d, %0" ::"r"(when));
    else
        sbi_set_timer(when);
}

void timer_init(uint64_t timebase_hz, bool sstc)
{
    timer_slice = timebase_hz / TIMER_HZ;
    timer_sstc = sstc;
    timer_arm();
    csr_set(sie, SIE_STIE);
}

bool timer_pending(void)
{
    return (csr_read(sip) & SIE_STIE) != 0;
}

void timer_handle(void)
{
    timer_arm();
    sched_tick();
}
