/*
 * kbench.c - kernel micro-benchmarks, run as init under `tools/bench` (QEMU -icount).
 *
 * With -icount shift=0 one guest instruction is one nanosecond of guest time, so the times
 * below are guest instructions for the whole system (kernel, pager, this program). Each
 * workload runs once to warm up, then counted. Output lines follow shared/bench/mmbench.c:
 *
 *     BENCH <name> <units> <total_ns> <ns_per_unit>
 *
 *   null_syscall            SYS_SYSINFO, the cheapest system call
 *   ipc_roundtrip           call + reply_recv between two threads
 *   fault_roundtrip_nozero  page fault -> handler thread -> map-and-resume reply -> retry,
 *                           frames prepared in advance
 *   fault_roundtrip         the same, the handler zeroing each page first
 *   pager_fault             a first write to a fresh heap page, resolved by the pager
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <samara/user.h>

#include "bench.h"

#define S_EP        10
#define S_FAULT_EP  15
#define S_THREAD    11
#define S_MEM       20
#define S_REPLY     30
#define REGION      0x40000000ul /* where the faults happen */
#define SCRATCH     0x80000000ul /* the same frames, mapped for the handler to zero */
#define FAULT_PAGES 512

static uint64_t bench_null(uint64_t n)
{
    uint64_t t0 = now_ns();
    for (uint64_t i = 0; i < n; i++)
        sys1(SYS_SYSINFO, SYSINFO_PAGING);
    return now_ns() - t0;
}

static _Alignas(16) char server_stack[16384];

static void echo_server(uint64_t unused)
{
    (void)unused;
    struct ipc_msg m = ipc_recv(S_EP, S_REPLY);
    for (;;)
        m = ipc_reply_recv(S_EP, IPC_TAG(0, 1), m.w[0] + 1, 0, 0, 0, S_REPLY);
}

static uint64_t bench_ipc(uint64_t n)
{
    uint64_t t0 = now_ns();
    for (uint64_t i = 0; i < n; i++)
        ipc_call(S_EP, IPC_TAG(1, 1), i, 0, 0, 0);
    return now_ns() - t0;
}

/* The faulting side: touch each page once, then report back. */
static volatile uint64_t touch_base, touch_done;
static _Alignas(16) char toucher_stack[16384];

static void toucher(uint64_t unused)
{
    (void)unused;
    for (;;) {
        while (!touch_base)
            sys_yield();
        for (uint64_t i = 0; i < FAULT_PAGES; i++)
            *(volatile char *)(touch_base + i * 4096) = 1;
        touch_base = 0;
        touch_done = 1;
    }
}

/* Handle FAULT_PAGES faults at base, mapping frame i of the grant at page i. */
static uint64_t bench_faults(uint64_t base, uint64_t pa, int zero)
{
    char *scratch = (char *)SCRATCH;
    touch_done = 0;
    uint64_t t0 = now_ns();
    touch_base = base;
    struct ipc_msg m = ipc_recv(S_FAULT_EP, S_REPLY);
    for (uint64_t i = 0;; i++) {
        uint64_t page = (m.w[0] - base) / 4096;
        if (zero)
            page_zero(scratch + page * 4096);
        uint64_t va = base + page * 4096;
        if (i + 1 == FAULT_PAGES) {
            ipc_reply(S_REPLY, IPC_TAG(FAULT_REPLY_MAP, 4), va | MAP_PERM_R | MAP_PERM_W, S_MEM,
                      pa + page * 4096, 1);
            break;
        }
        m = ipc_reply_recv(S_FAULT_EP, IPC_TAG(FAULT_REPLY_MAP, 4), va | MAP_PERM_R | MAP_PERM_W,
                           S_MEM, pa + page * 4096, 1, S_REPLY);
    }
    while (!touch_done)
        sys_yield();
    return now_ns() - t0;
}

static uint64_t bench_pager_fault(unsigned pages)
{
    /* sbrk, not malloc: picolibc's malloc writes to (and so faults in) what it hands out. */
    char *p = sbrk((intptr_t)(pages * 4096ul + 4096));
    if (p == (char *)-1)
        return 0;
    volatile char *q = (volatile char *)(((uintptr_t)p + 4095) & ~4095ul);
    uint64_t t0 = now_ns();
    for (unsigned i = 0; i < pages; i++)
        q[i * 4096ul] = 1;
    return now_ns() - t0;
}

int main(int argc, char **argv)
{
    if (argc == 2 && !strcmp(argv[1], "pager_fault")) {
        /* In a fresh process, so that nothing else has touched its heap. */
        bench_pager_fault(256);
        bench_line("pager_fault", 4096, bench_pager_fault(4096));
        return 0;
    }
    /* Fault in this program's image first, so that only the measured faults happen. */
    extern char __heap_start[];
    for (uintptr_t a = 0x10000; a < (uintptr_t)__heap_start; a += 4096)
        (void)*(volatile char *)a;
    for (unsigned i = 0; i < sizeof(server_stack); i += 4096)
        server_stack[i] = toucher_stack[i] = 0;

    bench_null(1000);
    bench_line("null_syscall", 100000, bench_null(100000));

    if (sys2(SYS_ENDPOINT_CREATE, CAP_PROC_CONTROL, S_EP) ||
        sys3(SYS_THREAD_CREATE, CAP_PROC_CONTROL, CAP_PROC_TASK, S_THREAD) ||
        sys2(SYS_THREAD_SET_FAULT, S_THREAD, CAP_PROC_PAGER) ||
        sys4(SYS_THREAD_START, S_THREAD, (long)echo_server,
             (long)(server_stack + sizeof(server_stack)), 0)) {
        printf("kbench: cannot set up the IPC server\n");
        return 1;
    }
    bench_ipc(1000);
    bench_line("ipc_roundtrip", 100000, bench_ipc(100000));

    /* Faults: a thread whose faults come to this one. */
    uint64_t pa = 0;
    if (sys2(SYS_ENDPOINT_CREATE, CAP_PROC_CONTROL, S_FAULT_EP) ||
        pager_memgrant(FAULT_PAGES, S_MEM, &pa) ||
        sys6(SYS_MAP, CAP_PROC_TASK, (long)SCRATCH, S_MEM, (long)pa, FAULT_PAGES,
             MAP_PERM_R | MAP_PERM_W) ||
        sys3(SYS_THREAD_CREATE, CAP_PROC_CONTROL, CAP_PROC_TASK, S_THREAD + 1) ||
        sys2(SYS_THREAD_SET_FAULT, S_THREAD + 1, S_FAULT_EP) ||
        sys4(SYS_THREAD_START, S_THREAD + 1, (long)toucher,
             (long)(toucher_stack + sizeof(toucher_stack)), 0)) {
        printf("kbench: cannot set up the fault benchmark\n");
        return 1;
    }
    uint64_t base = REGION;
    bench_faults(base, pa, 0);
    base += FAULT_PAGES * 4096ul;
    uint64_t ns = 0;
    for (int r = 0; r < 4; r++, base += FAULT_PAGES * 4096ul)
        ns += bench_faults(base, pa, 0);
    bench_line("fault_roundtrip_nozero", 4 * FAULT_PAGES, ns);
    ns = 0;
    for (int r = 0; r < 4; r++, base += FAULT_PAGES * 4096ul)
        ns += bench_faults(base, pa, 1);
    bench_line("fault_roundtrip", 4 * FAULT_PAGES, ns);

    const char *args[] = {"/bin/kbench", "pager_fault", NULL};
    int status = 0;
    long pid = pager_spawn("/bin/kbench", args);
    if (pid < 0 || pager_wait(pid, &status, 0) != pid || status != 0)
        printf("kbench: pager_fault child failed\n");
    return 0;
}
