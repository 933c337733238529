/*
 * kernel_tests.c - guest tests of the kernel's mechanisms and the first pager: IPC and
 * badges, capability rights, fault delivery and map-and-resume, kills, preemption, argument
 * checking, exit statuses, frame accounting.
 *
 * Tests whose name starts with "_" are helpers run as child processes by other tests; the
 * harness does not run them on their own.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ktest.h"

/* Addresses no program region uses: faults there go to the test's own handler. */
#define FAULT_VA    0x40000000ul
#define SCRATCH_VA  0x40200000ul
#define SCRATCH2_VA 0x40400000ul

/* Slots this file uses. */
#define S_EP     10
#define S_THREAD 11
#define S_EP_A   12
#define S_EP_B   13
#define S_SPARE  14
#define S_MEM    20
#define S_MEM2   21
#define S_TASK2  22
#define S_REPLY  30

static volatile uint64_t worker_result, worker_done;

static void wait_done(void)
{
    uint64_t deadline = kt_now() + 5 * kt_hz();
    while (!worker_done && kt_now() < deadline)
        sys_yield();
}

/* ---- IPC ---- */

static void echo_server(uint64_t ep)
{
    struct ipc_msg m = ipc_recv(ep, S_REPLY);
    for (;;)
        m = ipc_reply_recv(ep, IPC_TAG(7, 2), m.w[0] + 1, m.badge, 0, 0, S_REPLY);
}

static int t_ipc_call_reply(void)
{
    CHECK_EQ(sys2(SYS_ENDPOINT_CREATE, CAP_PROC_CONTROL, S_EP), 0);
    CHECK_EQ(kt_thread(echo_server, S_EP, S_THREAD, 0), 0);
    struct ipc_msg r = ipc_call(S_EP, IPC_TAG(5, 1), 41, 0, 0, 0);
    CHECK_EQ(r.err, 0);
    CHECK_EQ(r.w[0], 42);
    CHECK_EQ(IPC_TAG_LABEL(r.tag), 7);
    CHECK_EQ(IPC_TAG_LEN(r.tag), 2);
    CHECK_EQ(r.w[1], 0); /* unbadged capability: badge 0 */
    /* Two badged copies: the server tells the callers apart. */
    CHECK_EQ(sys5(SYS_CAP_COPY, S_EP, 0, S_EP_A, CAP_R_SEND, 0x77), 0);
    CHECK_EQ(sys5(SYS_CAP_COPY, S_EP, 0, S_EP_B, CAP_R_SEND, 0x99), 0);
    for (int i = 0; i < 100; i++) {
        r = ipc_call(i % 2 ? S_EP_B : S_EP_A, IPC_TAG(5, 1), (uint64_t)i, 0, 0, 0);
        CHECK_EQ(r.err, 0);
        CHECK_EQ(r.w[0], i + 1);
        CHECK_EQ(r.w[1], i % 2 ? 0x99 : 0x77);
    }
    /* Fault messages come only from the kernel: a thread cannot send one. */
    CHECK_EQ(ipc_call(S_EP, IPC_TAG(IPC_LABEL_FAULT, 4), 0x1000, 1, 0, 0).err, -SAMARA_EINVAL);
    CHECK_EQ(ipc_send(S_EP, IPC_TAG(0xffff, 0), 0, 0, 0, 0), -SAMARA_EINVAL);
    CHECK_EQ(ipc_call(CAP_PROC_PAGER, IPC_TAG(IPC_LABEL_FAULT, 4), 0x10000, 1, 0, 1ul << 9).err,
             -SAMARA_EINVAL);
    /* A badge is set once: re-badging a badged capability is refused. */
    CHECK_EQ(sys5(SYS_CAP_COPY, S_EP_A, 0, S_SPARE, CAP_R_SEND, 0x55), -SAMARA_EINVAL);
    return 0;
}

static void long_server(uint64_t ep)
{
    struct ipc_buffer *b = (struct ipc_buffer *)SCRATCH2_VA;
    struct ipc_msg m = ipc_recv(ep, S_REPLY);
    for (;;) {
        unsigned len = IPC_TAG_LEN(m.tag);
        uint64_t sum = m.w[0] + m.w[1] + m.w[2] + m.w[3];
        for (unsigned i = 4; i < len; i++)
            sum += b->words[i];
        for (unsigned i = 4; i < len; i++)
            b->words[i] = b->words[i] * 2;
        m = ipc_reply_recv(ep, IPC_TAG(1, len), sum, len, 0, 0, S_REPLY);
    }
}

static int t_ipc_long_message(void)
{
    CHECK_EQ(sys2(SYS_ENDPOINT_CREATE, CAP_PROC_CONTROL, S_EP), 0);
    CHECK(kt_map_fresh(SCRATCH2_VA, 1, MAP_PERM_R | MAP_PERM_W, S_MEM) != 0);
    CHECK_EQ(sys3(SYS_THREAD_CREATE, CAP_PROC_CONTROL, CAP_PROC_TASK, S_THREAD), 0);
    CHECK_EQ(sys2(SYS_THREAD_SET_IPCBUF, S_THREAD, SCRATCH2_VA), 0);
    CHECK_EQ(sys2(SYS_THREAD_SET_FAULT, S_THREAD, CAP_PROC_PAGER), 0);
    static _Alignas(16) char stack[8192];
    CHECK_EQ(
        sys4(SYS_THREAD_START, S_THREAD, (long)long_server, (long)(stack + sizeof(stack)), S_EP),
        0);
    struct ipc_buffer *mine = ipc_buffer();
    uint64_t expect = 1 + 2 + 3 + 4;
    for (unsigned i = 4; i < 40; i++) {
        mine->words[i] = i * 1000;
        expect += i * 1000;
    }
    struct ipc_msg r = ipc_call(S_EP, IPC_TAG(1, 40), 1, 2, 3, 4);
    CHECK_EQ(r.err, 0);
    CHECK_EQ(r.w[0], expect);
    CHECK_EQ(r.w[1], 40);
    CHECK_EQ(IPC_TAG_LEN(r.tag), 40);
    for (unsigned i = 4; i < 40; i++)
        CHECK_EQ(mine->words[i], i * 2000);
    return 0;
}

static void one_caller(uint64_t ep)
{
    struct ipc_msg r = ipc_call(ep, IPC_TAG(1, 0), 0, 0, 0, 0);
    worker_result = r.w[0];
    worker_done = 1;
    for (;;)
        sys_yield();
}

static int t_reply_one_shot(void)
{
    CHECK_EQ(sys2(SYS_ENDPOINT_CREATE, CAP_PROC_CONTROL, S_EP), 0);
    CHECK_EQ(kt_thread(one_caller, S_EP, S_THREAD, 0), 0);
    struct ipc_msg m = ipc_recv(S_EP, S_REPLY);
    CHECK_EQ(m.err, 0);
    CHECK_EQ(sys1(SYS_CAP_INFO, S_REPLY) & 0xff, CAP_REPLY);
    CHECK_EQ(ipc_reply(S_REPLY, IPC_TAG(0, 1), 1234, 0, 0, 0), 0);
    /* Used once: the slot is empty now. */
    CHECK_EQ(ipc_reply(S_REPLY, IPC_TAG(0, 1), 5678, 0, 0, 0), -SAMARA_EBADF);
    wait_done();
    CHECK_EQ(worker_result, 1234);
    /* Reply capabilities cannot be copied. */
    return 0;
}

/* ---- capabilities ---- */

static int t_cap_rights(void)
{
    CHECK_EQ(sys2(SYS_ENDPOINT_CREATE, CAP_PROC_CONTROL, S_EP), 0);
    CHECK_EQ(sys5(SYS_CAP_COPY, S_EP, 0, S_EP_A, CAP_R_RECV, 0), 0);
    CHECK_EQ(ipc_call(S_EP_A, IPC_TAG(1, 0), 0, 0, 0, 0).err, -SAMARA_EPERM);
    CHECK_EQ(ipc_send(S_EP_A, IPC_TAG(1, 0), 0, 0, 0, 0), -SAMARA_EPERM);
    CHECK_EQ(sys5(SYS_CAP_COPY, S_EP, 0, S_EP_B, CAP_R_SEND, 0), 0);
    CHECK_EQ(ipc_recv(S_EP_B, S_REPLY).err, -SAMARA_EPERM);
    /* Empty slot, wrong type, out of range. */
    CHECK_EQ(ipc_call(500, IPC_TAG(1, 0), 0, 0, 0, 0).err, -SAMARA_EBADF);
    CHECK_EQ(ipc_call(CAP_PROC_TASK, IPC_TAG(1, 0), 0, 0, 0, 0).err, -SAMARA_EBADF);
    CHECK_EQ(ipc_call(1u << 20, IPC_TAG(1, 0), 0, 0, 0, 0).err, -SAMARA_EBADF);
    /* A read-only memory capability cannot map writable pages. */
    uint64_t pa = 0;
    CHECK_EQ(pager_memgrant(1, S_MEM, &pa), 0);
    CHECK_EQ(sys6(SYS_MEM_DERIVE, S_MEM, 0, S_MEM2, (long)pa, 1, CAP_R_READ), 0);
    CHECK_EQ(sys6(SYS_MAP, CAP_PROC_TASK, SCRATCH_VA, S_MEM2, (long)pa, 1, MAP_PERM_R | MAP_PERM_W),
             -SAMARA_EPERM);
    CHECK_EQ(sys6(SYS_MAP, CAP_PROC_TASK, SCRATCH_VA, S_MEM2, (long)pa, 1, MAP_PERM_R), 0);
    /* A derived capability cannot exceed its source. */
    CHECK_EQ(sys6(SYS_MEM_DERIVE, S_MEM, 0, S_SPARE, (long)pa, 2, CAP_R_READ), -SAMARA_EINVAL);
    /* Programs may create objects but not power the machine off. */
    CHECK_EQ(sys2(SYS_SHUTDOWN, CAP_PROC_CONTROL, 0), -SAMARA_EPERM);
    /* A task capability without the manage right cannot map. */
    CHECK_EQ(sys5(SYS_CAP_COPY, CAP_PROC_TASK, 0, S_TASK2, 0, 0), 0);
    CHECK_EQ(sys6(SYS_MAP, S_TASK2, SCRATCH2_VA, S_MEM, (long)pa, 1, MAP_PERM_R), -SAMARA_EPERM);
    /* Deleting a capability empties the slot. */
    CHECK_EQ(sys1(SYS_CAP_DELETE, S_EP_B), 0);
    CHECK_EQ(ipc_send(S_EP_B, IPC_TAG(1, 0), 0, 0, 0, 0), -SAMARA_EBADF);
    CHECK_EQ(sys1(SYS_CAP_DELETE, S_EP_B), -SAMARA_EBADF);
    return 0;
}

/* ---- faults ---- */

static void toucher(uint64_t mode)
{
    volatile uint64_t *p = (volatile uint64_t *)FAULT_VA;
    if (mode == FAULT_READ) {
        worker_result = *p;
    } else if (mode == FAULT_WRITE) {
        *p = 0x1234;
        worker_result = 1;
    } else {
        long (*f)(void) = (long (*)(void))FAULT_VA;
        worker_result = (uint64_t)f();
    }
    worker_done = 1;
    for (;;)
        sys_yield();
}

/* The worker's access of `mode` faults; check the message, map a page, check it went on. */
static int fault_case(unsigned mode)
{
    CHECK_EQ(sys2(SYS_ENDPOINT_CREATE, CAP_PROC_CONTROL, S_EP), 0);
    CHECK_EQ(sys5(SYS_CAP_COPY, S_EP, 0, S_EP_A, CAP_R_SEND, 0xfa), 0);
    CHECK_EQ(kt_thread(toucher, mode, S_THREAD, S_EP_A), 0);
    struct ipc_msg m = ipc_recv(S_EP, S_REPLY);
    CHECK_EQ(m.err, 0);
    CHECK_EQ(IPC_TAG_LABEL(m.tag), IPC_LABEL_FAULT);
    CHECK_EQ(m.badge, 0xfa);
    CHECK_EQ(m.w[0], FAULT_VA);
    CHECK_EQ(FAULT_ACCESS(m.w[1]), mode);
    if (mode == FAULT_EXEC)
        CHECK_EQ(m.w[2], FAULT_VA);
    else
        CHECK(m.w[2] >= 0x10000 && m.w[2] < 0x100000);
    CHECK_EQ(m.w[3], mode == FAULT_READ ? 13 : mode == FAULT_WRITE ? 15 : 12);
    CHECK_EQ(worker_done, 0);

    uint64_t pa = kt_map_fresh(SCRATCH_VA, 1, MAP_PERM_R | MAP_PERM_W, S_MEM);
    CHECK(pa != 0);
    volatile uint32_t *scratch = (volatile uint32_t *)SCRATCH_VA;
    unsigned perms = MAP_PERM_R;
    if (mode == FAULT_READ) {
        *(volatile uint64_t *)scratch = 0xfeedface;
    } else if (mode == FAULT_WRITE) {
        perms |= MAP_PERM_W;
    } else {
        scratch[0] = 0x07700513;                           /* addi a0, zero, 0x77 */
        scratch[1] = 0x00008067;                           /* ret */
        __asm__ volatile(".word 0x0000100f" ::: "memory"); /* fence.i */
        perms |= MAP_PERM_X;
    }
    /* A bad mapping in the reply is refused, and the reply capability survives it. */
    CHECK_EQ(ipc_reply(S_REPLY, IPC_TAG(FAULT_REPLY_MAP, 4), FAULT_VA | perms, S_MEM, pa + 4096, 1),
             -SAMARA_EINVAL);
    CHECK_EQ(ipc_reply(S_REPLY, IPC_TAG(FAULT_REPLY_MAP, 4), FAULT_VA | perms, S_MEM, pa, 1), 0);
    wait_done();
    CHECK_EQ(worker_done, 1);
    if (mode == FAULT_READ)
        CHECK_EQ(worker_result, 0xfeedface);
    else if (mode == FAULT_WRITE)
        CHECK_EQ(*(volatile uint64_t *)scratch, 0x1234);
    else
        CHECK_EQ(worker_result, 0x77);
    return 0;
}

static int t_fault_read(void)
{
    return fault_case(FAULT_READ);
}

static int t_fault_write(void)
{
    return fault_case(FAULT_WRITE);
}

static int t_fault_exec(void)
{
    return fault_case(FAULT_EXEC);
}

static void ro_writer(uint64_t unused)
{
    (void)unused;
    worker_result = *(volatile uint64_t *)SCRATCH_VA; /* reading is fine */
    *(volatile uint64_t *)SCRATCH_VA = 5;             /* writing faults */
    worker_done = 1;
    for (;;)
        sys_yield();
}

static int t_write_readonly_faults(void)
{
    CHECK_EQ(sys2(SYS_ENDPOINT_CREATE, CAP_PROC_CONTROL, S_EP), 0);
    CHECK(kt_map_fresh(SCRATCH_VA, 1, MAP_PERM_R, S_MEM) != 0);
    CHECK_EQ(kt_thread(ro_writer, 0, S_THREAD, S_EP), 0);
    struct ipc_msg m = ipc_recv(S_EP, S_REPLY);
    CHECK_EQ(IPC_TAG_LABEL(m.tag), IPC_LABEL_FAULT);
    CHECK_EQ(m.w[0], SCRATCH_VA);
    CHECK_EQ(FAULT_ACCESS(m.w[1]), FAULT_WRITE);
    /* Kill the writer: it never runs again. */
    CHECK_EQ(ipc_reply(S_REPLY, IPC_TAG(FAULT_REPLY_KILL, 0), 0, 0, 0, 0), 0);
    for (int i = 0; i < 10; i++)
        sys_yield();
    CHECK_EQ(worker_done, 0);
    CHECK_EQ(sys2(SYS_THREAD_SET_PRIO, S_THREAD, 1), -SAMARA_ESRCH);
    /* And through the pager: writing to one's own text is SIGSEGV. */
    long st = kt_run_child("_write_text");
    CHECK(st >= 0);
    CHECK(WIFSIGNALED(st));
    CHECK_EQ(WTERMSIG(st), 11);
    return 0;
}

static int c_write_text(void)
{
    *(volatile uint32_t *)(uintptr_t)&c_write_text = 0;
    return 0;
}

static int c_segv(void)
{
    volatile uintptr_t addr = 0x123; /* through a variable: the compiler must emit the store */
    *(volatile int *)addr = 1;
    return 0;
}

static int c_fp(void)
{
    __asm__ volatile(".word 0xf2000053"); /* fmv.d.x f0, zero */
    return 0;
}

static int t_fp_is_sigill(void)
{
    /* User space is soft-float; the kernel keeps FP off, so an FP instruction is SIGILL. */
    long st = kt_run_child("_fp");
    CHECK(st >= 0);
    CHECK(WIFSIGNALED(st));
    CHECK_EQ(WTERMSIG(st), 4);
    return 0;
}

static int t_unhandled_fault_kills_task(void)
{
    long before = pager_free_frames();
    long st = kt_run_child("_segv");
    CHECK(st >= 0);
    CHECK(WIFSIGNALED(st));
    CHECK_EQ(WTERMSIG(st), 11);
    /* This process is unharmed and the child's frames are all back. */
    CHECK_EQ(pager_free_frames(), before);
    CHECK(getpid() > 1);
    return 0;
}

static int t_fault_in_other_task(void)
{
    /* A second task, built by hand: one page of code that loads from an unmapped address. */
    CHECK_EQ(sys2(SYS_ENDPOINT_CREATE, CAP_PROC_CONTROL, S_EP), 0);
    CHECK_EQ(sys5(SYS_CAP_COPY, S_EP, 0, S_EP_A, CAP_R_SEND, 0x42), 0);
    CHECK_EQ(sys2(SYS_TASK_CREATE, CAP_PROC_CONTROL, S_TASK2), 0);
    uint64_t pa = kt_map_fresh(SCRATCH_VA, 1, MAP_PERM_R | MAP_PERM_W, S_MEM);
    CHECK(pa != 0);
    volatile uint32_t *code = (volatile uint32_t *)SCRATCH_VA;
    code[0] = 0x000802b7;                              /* lui t0, 0x80       (t0 = 0x80000) */
    code[1] = 0x0002b303;                              /* ld t1, 0(t0)       faults */
    code[2] = 0x0000006f;                              /* j . */
    __asm__ volatile(".word 0x0000100f" ::: "memory"); /* fence.i */
    CHECK_EQ(sys6(SYS_MAP, S_TASK2, 0x10000, S_MEM, (long)pa, 1, MAP_PERM_R | MAP_PERM_X), 0);
    CHECK_EQ(sys3(SYS_THREAD_CREATE, CAP_PROC_CONTROL, S_TASK2, S_THREAD), 0);
    CHECK_EQ(sys2(SYS_THREAD_SET_FAULT, S_THREAD, S_EP_A), 0);
    CHECK_EQ(sys4(SYS_THREAD_START, S_THREAD, 0x10000, 0, 0), 0);
    struct ipc_msg m = ipc_recv(S_EP, S_REPLY);
    CHECK_EQ(IPC_TAG_LABEL(m.tag), IPC_LABEL_FAULT);
    CHECK_EQ(m.badge, 0x42);
    CHECK_EQ(m.w[0], 0x80000);
    CHECK_EQ(FAULT_ACCESS(m.w[1]), FAULT_READ);
    CHECK_EQ(m.w[2], 0x10004);
    /* The kernel reports the mapping it made. */
    CHECK_EQ(sys2(SYS_TRANSLATE, S_TASK2, 0x10000), (long)(pa | MAP_PERM_R | MAP_PERM_X));
    CHECK_EQ(sys2(SYS_TRANSLATE, S_TASK2, 0x80000), -SAMARA_EFAULT);
    CHECK_EQ(sys1(SYS_TASK_DESTROY, S_TASK2), 0);
    /* The thread died with its task; its reply capability answers nothing now. */
    CHECK_EQ(ipc_reply(S_REPLY, IPC_TAG(FAULT_REPLY_RESUME, 0), 0, 0, 0, 0), -SAMARA_ESRCH);
    CHECK_EQ(sys6(SYS_MAP, S_TASK2, 0x20000, S_MEM, (long)pa, 1, MAP_PERM_R), -SAMARA_ESRCH);
    return 0;
}

/* ---- scheduling ---- */

static volatile uint64_t spin_count;

static void spinner(uint64_t unused)
{
    (void)unused;
    for (;;)
        spin_count++;
}

static int t_timer_preempts(void)
{
    long ticks0 = sys_sysinfo(SYSINFO_TICKS);
    CHECK_EQ(kt_thread(spinner, 0, S_THREAD, 0), 0);
    /* Spin without yielding: only a timer interrupt lets the spinner run. */
    uint64_t deadline = kt_now() + 5 * kt_hz();
    while (spin_count == 0 && kt_now() < deadline)
        ;
    CHECK(spin_count > 0);
    /* And back: this thread is preempted out of the spinner's loop too. */
    uint64_t seen = spin_count;
    while (spin_count == seen && kt_now() < deadline)
        ;
    CHECK(spin_count != seen);
    CHECK(sys_sysinfo(SYSINFO_TICKS) > ticks0);
    CHECK_EQ(sys1(SYS_THREAD_SUSPEND, S_THREAD), 0);
    return 0;
}

/* ---- bad arguments ---- */

static int t_bad_syscalls(void)
{
    CHECK_EQ(sys0(999), -SAMARA_ENOSYS);
    CHECK_EQ(sys0(63), -SAMARA_ENOSYS);
    CHECK_EQ(sys0(-1), -SAMARA_ENOSYS);
    CHECK_EQ(sys2(SYS_DEBUG_WRITE, 0x10, 5), -SAMARA_EFAULT);
    CHECK_EQ(sys2(SYS_DEBUG_WRITE, -4096, 5), -SAMARA_EFAULT);
    CHECK_EQ(sys2(SYS_DEBUG_WRITE, (long)"x", 1l << 21), -SAMARA_EINVAL);
    char buf[16];
    CHECK_EQ(sys2(SYS_GETRANDOM, (long)buf, 1000), -SAMARA_EINVAL);
    CHECK_EQ(sys2(SYS_GETRANDOM, 0x10, 8), -SAMARA_EFAULT);
    CHECK_EQ(sys1(SYS_SYSINFO, 99), -SAMARA_EINVAL);

    uint64_t pa = 0;
    long ts = sys_sysinfo(SYSINFO_TASK_SIZE);
    CHECK_EQ(pager_memgrant(1, S_MEM, &pa), 0);
    const long rw = MAP_PERM_R | MAP_PERM_W;
    CHECK_EQ(sys6(SYS_MAP, CAP_PROC_TASK, SCRATCH_VA + 1, S_MEM, (long)pa, 1, rw), -SAMARA_EINVAL);
    CHECK_EQ(sys6(SYS_MAP, CAP_PROC_TASK, ts, S_MEM, (long)pa, 1, rw), -SAMARA_EINVAL);
    CHECK_EQ(sys6(SYS_MAP, CAP_PROC_TASK, ts - 4096, S_MEM, (long)pa, 2, rw), -SAMARA_EINVAL);
    CHECK_EQ(sys6(SYS_MAP, CAP_PROC_TASK, -4096l, S_MEM, (long)pa, 1, rw), -SAMARA_EINVAL);
    CHECK_EQ(sys6(SYS_MAP, CAP_PROC_TASK, SCRATCH_VA, S_MEM, (long)pa, 0, rw), -SAMARA_EINVAL);
    CHECK_EQ(sys6(SYS_MAP, CAP_PROC_TASK, SCRATCH_VA, S_MEM, (long)pa, 1, 0x100), -SAMARA_EINVAL);
    CHECK_EQ(sys6(SYS_MAP, CAP_PROC_TASK, SCRATCH_VA, S_MEM, (long)pa, 1, 0), -SAMARA_EINVAL);
    CHECK_EQ(sys6(SYS_MAP, CAP_PROC_TASK, SCRATCH_VA, S_MEM, (long)pa, 1, MAP_PERM_W),
             -SAMARA_EINVAL);
    CHECK_EQ(sys6(SYS_MAP, CAP_PROC_TASK, SCRATCH_VA, S_MEM, (long)pa + 4096, 1, rw),
             -SAMARA_EINVAL);
    CHECK_EQ(sys6(SYS_MAP, CAP_PROC_TASK, SCRATCH_VA, S_MEM, (long)pa, 1,
                  rw | MAP_SIZE_2M << MAP_SIZE_SHIFT),
             -SAMARA_EINVAL);
    CHECK_EQ(sys6(SYS_MAP, CAP_PROC_TASK, SCRATCH_VA, S_MEM, (long)pa, 1l << 40, rw),
             -SAMARA_EINVAL);
    CHECK_EQ(sys6(SYS_MAP, CAP_PROC_TASK, SCRATCH_VA, CAP_PROC_PAGER, (long)pa, 1, rw),
             -SAMARA_EBADF);
    /* Nothing was mapped by any of those. */
    CHECK_EQ(sys2(SYS_TRANSLATE, CAP_PROC_TASK, SCRATCH_VA), -SAMARA_EFAULT);
    CHECK_EQ(sys3(SYS_UNMAP, CAP_PROC_TASK, SCRATCH_VA + 8, 4096), -SAMARA_EINVAL);
    CHECK_EQ(sys3(SYS_UNMAP, CAP_PROC_TASK, SCRATCH_VA, 0), -SAMARA_EINVAL);
    CHECK_EQ(sys4(SYS_PROTECT, CAP_PROC_TASK, SCRATCH_VA, 4096, 16), -SAMARA_EINVAL);
    /* protect can take rights away but never adds one: that needs the memory capability. */
    CHECK_EQ(sys6(SYS_MAP, CAP_PROC_TASK, SCRATCH_VA, S_MEM, (long)pa, 1, MAP_PERM_R), 0);
    CHECK_EQ(sys4(SYS_PROTECT, CAP_PROC_TASK, SCRATCH_VA, 4096, rw), 0);
    CHECK_EQ(sys2(SYS_TRANSLATE, CAP_PROC_TASK, SCRATCH_VA) & 7, MAP_PERM_R);
    CHECK_EQ(sys4(SYS_PROTECT, CAP_PROC_TASK, SCRATCH_VA, 4096, MAP_PERM_R | MAP_PERM_X), 0);
    CHECK_EQ(sys2(SYS_TRANSLATE, CAP_PROC_TASK, SCRATCH_VA) & 7, MAP_PERM_R);
    /* MAP_FLAG_CLEAN: writable but not dirty until a store; MAP_PERM_CLEAN cleans again. */
    uint64_t w = 0;
    volatile char *scratch = (volatile char *)SCRATCH_VA;
    CHECK_EQ(sys6(SYS_MAP, CAP_PROC_TASK, SCRATCH_VA, S_MEM, (long)pa, 1, rw | MAP_FLAG_CLEAN), 0);
    CHECK_EQ(sys4(SYS_QUERY, CAP_PROC_TASK, SCRATCH_VA, 1, (long)&w), 0);
    CHECK(w & PAGE_W_PRESENT && !(w & PAGE_W_DIRTY) && PAGE_W_PERMS(w) == rw);
    (void)scratch[0];
    CHECK_EQ(sys4(SYS_QUERY, CAP_PROC_TASK, SCRATCH_VA, 1, (long)&w), 0);
    CHECK(!(w & PAGE_W_DIRTY)); /* a load leaves it clean */
    scratch[0] = 1;
    CHECK_EQ(sys4(SYS_QUERY, CAP_PROC_TASK, SCRATCH_VA, 1, (long)&w), 0);
    CHECK(w & PAGE_W_DIRTY);
    CHECK_EQ(sys4(SYS_PROTECT, CAP_PROC_TASK, SCRATCH_VA, 4096, rw | MAP_PERM_CLEAN), 0);
    CHECK_EQ(sys4(SYS_QUERY, CAP_PROC_TASK, SCRATCH_VA, 1, (long)&w), 0);
    CHECK(!(w & PAGE_W_DIRTY) && PAGE_W_PERMS(w) == rw);
    scratch[0] = 2;
    CHECK_EQ(sys4(SYS_QUERY, CAP_PROC_TASK, SCRATCH_VA, 1, (long)&w), 0);
    CHECK(w & PAGE_W_DIRTY && scratch[0] == 2);
    /* Taking the write right away keeps the page dirty (it was written). */
    CHECK_EQ(sys4(SYS_PROTECT, CAP_PROC_TASK, SCRATCH_VA, 4096, MAP_PERM_R), 0);
    CHECK_EQ(sys4(SYS_QUERY, CAP_PROC_TASK, SCRATCH_VA, 1, (long)&w), 0);
    CHECK(w & PAGE_W_DIRTY && PAGE_W_PERMS(w) == MAP_PERM_R);
    CHECK_EQ(sys2(SYS_ENDPOINT_CREATE, CAP_PROC_CONTROL, S_EP), 0);
    CHECK_EQ(ipc_recv(S_EP, 0).err, -SAMARA_EBADF);
    CHECK_EQ(sys1(SYS_CAP_INFO, 900), -SAMARA_EBADF);

    CHECK_EQ(sys5(SYS_CAP_COPY, CAP_PROC_PAGER, 0, 0, CAP_R_ALL, 0), -SAMARA_EBADF);
    CHECK_EQ(sys5(SYS_CAP_COPY, CAP_PROC_PAGER, 0, CAP_SLOTS, CAP_R_ALL, 0), -SAMARA_EBADF);
    CHECK_EQ(sys5(SYS_CAP_COPY, CAP_PROC_PAGER, 0, CAP_PROC_TASK, CAP_R_ALL, 0), -SAMARA_EEXIST);
    CHECK_EQ(sys5(SYS_CAP_COPY, 777, 0, S_SPARE, CAP_R_ALL, 0), -SAMARA_EBADF);
    CHECK_EQ(sys2(SYS_THREAD_SET_PRIO, CAP_PROC_THREAD, SAMARA_PRIO_MAX), -SAMARA_EPERM);
    CHECK_EQ(sys2(SYS_THREAD_SET_PRIO, CAP_PROC_THREAD, 1000), -SAMARA_EINVAL);
    CHECK_EQ(sys4(SYS_THREAD_START, CAP_PROC_THREAD, 0x10000, 0, 0), -SAMARA_EBUSY);
    CHECK_EQ(sys2(SYS_THREAD_SET_IPCBUF, CAP_PROC_THREAD, 0x1001), -SAMARA_EINVAL);
    CHECK_EQ(sys2(SYS_ENDPOINT_CREATE, CAP_PROC_TASK, S_EP), -SAMARA_EBADF);
    CHECK_EQ(ipc_recv(CAP_PROC_PAGER, CAP_PROC_TASK).err, -SAMARA_EPERM);
    /* And the system still works. */
    CHECK(getpid() > 0);
    return 0;
}

/* ---- processes and the pager ---- */

static int c_exit42(void)
{
    exit(42);
}

static int t_exit_status(void)
{
    long st = kt_run_child("_exit42");
    CHECK(st >= 0);
    CHECK(WIFEXITED(st));
    CHECK_EQ(WEXITSTATUS(st), 42);
    st = kt_run_child("_touch");
    CHECK(WIFEXITED(st));
    CHECK_EQ(WEXITSTATUS(st), 0);
    return 0;
}

static int c_spin(void)
{
    for (volatile int i = 0;; i++)
        ;
    return 0;
}

static int t_kill(void)
{
    const char *argv[] = {"/bin/ktest", "case", "_spin", NULL};
    long pid = pager_spawn("/bin/ktest", argv);
    CHECK(pid > 0);
    int st = 0;
    CHECK_EQ(pager_wait(pid, &st, WNOHANG), 0);
    CHECK_EQ(pager_kill(pid, 9), 0);
    CHECK_EQ(pager_wait(pid, &st, 0), pid);
    CHECK(WIFSIGNALED(st));
    CHECK_EQ(WTERMSIG(st), 9);
    CHECK_EQ(pager_kill(pid, 9), -SAMARA_ESRCH);
    CHECK_EQ(pager_wait(-1, &st, 0), -SAMARA_ECHILD);
    return 0;
}

/* Touch 1 MiB of heap and 256 KiB of stack, check the contents, exit 0. */
static int c_touch(void)
{
    char *heap = malloc(1 << 20);
    if (!heap)
        return 3;
    for (int i = 0; i < (1 << 20); i += 4096)
        heap[i] = (char)(i >> 12);
    volatile char stack[256 * 1024];
    for (unsigned i = 0; i < sizeof(stack); i += 4096)
        stack[i] = 1;
    for (int i = 0; i < (1 << 20); i += 4096)
        if (heap[i] != (char)(i >> 12))
            return 4;
    return stack[4096] == 1 ? 0 : 5;
}

static int t_frames_returned(void)
{
    long before = pager_free_frames();
    CHECK(before > 0);
    for (int i = 0; i < 3; i++) {
        long st = kt_run_child("_touch");
        CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
        CHECK_EQ(pager_free_frames(), before);
    }
    return 0;
}

static int t_spawn_errors(void)
{
    const char *argv[] = {"x", NULL};
    CHECK_EQ(pager_spawn("/bin/no-such-program", argv), -SAMARA_ENOENT);
    long before = pager_free_frames();
    CHECK_EQ(pager_spawn("/bin/badelf", argv), -SAMARA_ENOEXEC);
    CHECK_EQ(pager_free_frames(), before);
    return 0;
}

static int t_getrandom(void)
{
    uint64_t a[4] = {0}, b[4] = {0};
    CHECK_EQ(sys2(SYS_GETRANDOM, (long)a, sizeof(a)), sizeof(a));
    CHECK_EQ(sys2(SYS_GETRANDOM, (long)b, sizeof(b)), sizeof(b));
    CHECK(memcmp(a, b, sizeof(a)) != 0);
    CHECK(a[0] | a[1] | a[2] | a[3]);
    return 0;
}

static int t_task_size(void)
{
    long levels = sys_sysinfo(SYSINFO_PAGING);
    long ts = sys_sysinfo(SYSINFO_TASK_SIZE);
    CHECK(levels == 3 || levels == 4);
    CHECK_EQ(ts, levels == 4 ? 1l << 47 : 1l << 38);
    int local;
    uintptr_t sp = (uintptr_t)&local;
    /* The stack is near the top: within its randomisation (1 GiB, layout.c) and a little. */
    CHECK(sp < (uintptr_t)ts && sp > (uintptr_t)ts - (1ul << 30) - (16ul << 20));
    printf("# paging: Sv%ld, TASK_SIZE 0x%lx\n", levels == 4 ? 48l : 39l, ts);
    /* The top page of user space can be mapped; the first kernel address cannot. */
    uint64_t pa = 0;
    CHECK_EQ(pager_memgrant(1, S_MEM, &pa), 0);
    CHECK_EQ(sys6(SYS_MAP, CAP_PROC_TASK, ts - 0x10000, S_MEM, (long)pa, 1, MAP_PERM_R), 0);
    CHECK_EQ(*(volatile uint64_t *)(ts - 0x10000), 0);
    CHECK_EQ(sys6(SYS_MAP, CAP_PROC_TASK, ts, S_MEM, (long)pa, 1, MAP_PERM_R), -SAMARA_EINVAL);
    return 0;
}

static int t_superpage_map(void)
{
    /* Map 2 MiB of granted memory as one superpage: needs 512 contiguous, aligned frames. */
    uint64_t pa = 0;
    long err = pager_memgrant(512, S_MEM, &pa);
    CHECK_EQ(err, 0);
    uint64_t off = (0x200000 - (pa & 0x1fffff)) & 0x1fffff;
    if (off) {
        /* Not 2 MiB aligned: the kernel must refuse the superpage. */
        CHECK_EQ(sys6(SYS_MAP, CAP_PROC_TASK, 0x80000000, S_MEM, (long)pa, 1,
                      MAP_PERM_R | MAP_PERM_W | MAP_SIZE_2M << MAP_SIZE_SHIFT),
                 -SAMARA_EINVAL);
        CHECK_EQ(
            sys6(SYS_MAP, CAP_PROC_TASK, 0x80000000, S_MEM, (long)pa, 512, MAP_PERM_R | MAP_PERM_W),
            0);
    } else {
        CHECK_EQ(sys6(SYS_MAP, CAP_PROC_TASK, 0x80000000, S_MEM, (long)pa, 1,
                      MAP_PERM_R | MAP_PERM_W | MAP_SIZE_2M << MAP_SIZE_SHIFT),
                 0);
        /* A 4 KiB unmap inside it would cut the superpage: refused. */
        CHECK_EQ(sys3(SYS_UNMAP, CAP_PROC_TASK, 0x80001000, 4096), -SAMARA_EINVAL);
    }
    volatile uint64_t *p = (volatile uint64_t *)0x80000000;
    for (int i = 0; i < 512; i++)
        p[i * 512] = (uint64_t)i;
    for (int i = 0; i < 512; i++)
        CHECK_EQ(p[i * 512], i);
    CHECK_EQ(sys2(SYS_TRANSLATE, CAP_PROC_TASK, 0x80000000 + 0x1ff000) & ~0xfffl,
             (long)(pa + 0x1ff000));
    CHECK_EQ(sys4(SYS_PROTECT, CAP_PROC_TASK, 0x80000000, 0x200000, MAP_PERM_R), 0);
    CHECK_EQ(sys2(SYS_TRANSLATE, CAP_PROC_TASK, 0x80000000) & 7, MAP_PERM_R);
    CHECK_EQ(sys3(SYS_UNMAP, CAP_PROC_TASK, 0x80000000, 0x200000), 0);
    CHECK_EQ(sys2(SYS_TRANSLATE, CAP_PROC_TASK, 0x80000000), -SAMARA_EFAULT);
    return 0;
}

/* ---- the address-space calls a pager builds on ---- */

static void none_reader(uint64_t unused)
{
    (void)unused;
    worker_result = *(volatile uint64_t *)SCRATCH_VA;
    worker_done = 1;
    for (;;)
        sys_yield();
}

static int t_space_calls(void)
{
    uint64_t pa = 0, words[8], rep[16];
    const long rw = MAP_PERM_R | MAP_PERM_W;
    CHECK_EQ(pager_memgrant(4, S_MEM, &pa), 0);
    /* Batched map: two groups. */
    static uint64_t groups[8];
    groups[0] = SCRATCH_VA | rw;
    groups[1] = S_MEM;
    groups[2] = pa;
    groups[3] = 2;
    groups[4] = (SCRATCH_VA + 0x3000) | MAP_PERM_R;
    groups[5] = S_MEM;
    groups[6] = pa + 0x3000;
    groups[7] = 1;
    CHECK_EQ(sys3(SYS_MAP_BATCH, CAP_PROC_TASK, (long)groups, 2), 0);
    *(volatile uint64_t *)SCRATCH_VA = 77;
    /* Query: a page word per page. */
    CHECK_EQ(sys4(SYS_QUERY, CAP_PROC_TASK, SCRATCH_VA, 5, (long)words), 0);
    CHECK_EQ(PAGE_W_PA(words[0]), pa);
    CHECK_EQ(PAGE_W_PERMS(words[0]), rw);
    CHECK(words[0] & PAGE_W_PRESENT);
    CHECK_EQ(PAGE_W_PA(words[1]), pa + 0x1000);
    CHECK_EQ(words[2], 0);
    CHECK_EQ(PAGE_W_PERMS(words[3]), MAP_PERM_R);
    CHECK_EQ(words[4], 0);
    CHECK_EQ(sys4(SYS_QUERY, CAP_PROC_TASK, SCRATCH_VA, 513, (long)words), -SAMARA_EINVAL);
    /* Protect to none keeps the frame; a read then faults and reports it. */
    CHECK_EQ(sys4(SYS_PROTECT, CAP_PROC_TASK, SCRATCH_VA, 4096, 0), 0);
    CHECK_EQ(sys4(SYS_QUERY, CAP_PROC_TASK, SCRATCH_VA, 1, (long)words), 0);
    CHECK(words[0] & PAGE_W_RETAINED);
    CHECK_EQ(PAGE_W_PA(words[0]), pa);
    CHECK_EQ(sys4(SYS_PROTECT, CAP_PROC_TASK, SCRATCH_VA, 4096, MAP_PERM_R), 0);
    CHECK_EQ(sys2(SYS_TRANSLATE, CAP_PROC_TASK, SCRATCH_VA), -SAMARA_EFAULT);
    CHECK_EQ(sys2(SYS_ENDPOINT_CREATE, CAP_PROC_CONTROL, S_EP), 0);
    CHECK_EQ(kt_thread(none_reader, 0, S_THREAD, S_EP), 0);
    struct ipc_msg m = ipc_recv(S_EP, S_REPLY);
    CHECK_EQ(m.w[0], SCRATCH_VA);
    CHECK_EQ(m.w[3] & 15, 13);
    CHECK(m.w[3] & PAGE_W_RETAINED);
    CHECK_EQ(PAGE_W_PA(m.w[3]), pa);
    /* Give access back by mapping the frame again, and let the reader go on. */
    CHECK_EQ(ipc_reply(S_REPLY, IPC_TAG(FAULT_REPLY_MAP, 4), SCRATCH_VA | MAP_PERM_R, S_MEM, pa, 1),
             0);
    wait_done();
    CHECK_EQ(worker_result, 77);
    /* Remap moves the mappings; the destination must be empty. */
    CHECK_EQ(sys4(SYS_REMAP, CAP_PROC_TASK, SCRATCH_VA, SCRATCH_VA + 0x3000, 0x1000),
             -SAMARA_EEXIST);
    CHECK_EQ(sys4(SYS_REMAP, CAP_PROC_TASK, SCRATCH_VA, SCRATCH2_VA, 0x4000), 0);
    CHECK_EQ(*(volatile uint64_t *)SCRATCH2_VA, 77);
    CHECK_EQ(sys2(SYS_TRANSLATE, CAP_PROC_TASK, SCRATCH_VA), -SAMARA_EFAULT);
    /* Unmap reports what it removed, up to the buffer's size. */
    long n = sys5(SYS_UNMAP, CAP_PROC_TASK, SCRATCH2_VA, 0x4000, (long)rep, 2);
    CHECK_EQ(n, 2);
    CHECK_EQ(rep[0], SCRATCH2_VA);
    CHECK_EQ(PAGE_W_PA(rep[1]), pa);
    CHECK_EQ(rep[2], SCRATCH2_VA + 0x1000);
    n = sys5(SYS_UNMAP, CAP_PROC_TASK, SCRATCH2_VA, 0x4000, (long)rep, 8);
    CHECK_EQ(n, 1);
    CHECK_EQ(PAGE_W_PA(rep[1]), pa + 0x3000);
    CHECK_EQ(sys5(SYS_UNMAP, CAP_PROC_TASK, SCRATCH2_VA, 0x4000, 0x10, 8), -SAMARA_EFAULT);
    return 0;
}

/* ---- the pager takes any message without harm ---- */

static int t_pager_garbage(void)
{
    uint64_t x = 0x243f6a8885a308d3ull;
    long frames = pager_free_frames();
    for (int i = 0; i < 3000; i++) {
        uint64_t w[5];
        for (int k = 0; k < 5; k++) {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            w[k] = x;
        }
        unsigned label = (unsigned)(w[0] % 40); /* every request there is, and unknown ones */
        if (label == PAGER_EXIT || label == PAGER_KILL || label == PAGER_WAIT ||
            label == PAGER_SPAWN)
            continue; /* these end or block this test by design */
        /* Small and odd values as well as wild ones. */
        for (int k = 1; k < 5; k++)
            if (w[k] & 1)
                w[k] = (w[k] >> 1) % 0x100000;
        struct ipc_msg m =
            ipc_call(CAP_PROC_PAGER, IPC_TAG(label, w[0] >> 60), w[1], w[2], w[3], w[4]);
        CHECK_EQ(m.err, 0);
    }
    /* The pager still answers, and its books still balance for this process. */
    CHECK(getpid() > 1);
    CHECK(pager_free_frames() > 0);
    (void)frames;
    return 0;
}

const struct ktest kernel_tests[] = {
    {"pager_garbage", t_pager_garbage, "3000 random requests leave the pager unharmed"},
    {"space_calls", t_space_calls, "map batch, query, protect none, remap, unmap report"},
    {"ipc_call_reply", t_ipc_call_reply, "IPC call/reply round trips and badges"},
    {"ipc_long_message", t_ipc_long_message, "40-word messages through IPC buffers"},
    {"reply_one_shot", t_reply_one_shot, "a reply capability answers exactly once"},
    {"cap_rights", t_cap_rights, "capabilities without the right are refused"},
    {"fault_read", t_fault_read, "load fault reaches the handler; map-and-resume"},
    {"fault_write", t_fault_write, "store fault reaches the handler; map-and-resume"},
    {"fault_exec", t_fault_exec, "fetch fault reaches the handler; map-and-resume"},
    {"write_readonly_faults", t_write_readonly_faults, "a write to a read-only page faults"},
    {"unhandled_fault_kills_task", t_unhandled_fault_kills_task, "SIGSEGV kills only that task"},
    {"fp_is_sigill", t_fp_is_sigill, "an FP instruction is SIGILL (no FP state)"},
    {"fault_in_other_task", t_fault_in_other_task, "a hand-built task's fault, badge, destroy"},
    {"timer_preempts", t_timer_preempts, "the timer preempts a spinning thread"},
    {"bad_syscalls", t_bad_syscalls, "bad numbers and arguments return errors"},
    {"exit_status", t_exit_status, "the pager reports a program's exit status"},
    {"kill", t_kill, "kill and wait with WNOHANG"},
    {"frames_returned", t_frames_returned, "exit returns every frame"},
    {"spawn_errors", t_spawn_errors, "missing and malformed programs are refused"},
    {"getrandom", t_getrandom, "getrandom returns fresh bytes"},
    {"task_size", t_task_size, "TASK_SIZE follows the paging mode"},
    {"superpage_map", t_superpage_map, "2 MiB mappings: map, protect, unmap"},
    {"_write_text", c_write_text, "(child) write to own text"},
    {"_segv", c_segv, "(child) store to an unmapped address"},
    {"_fp", c_fp, "(child) execute an FP instruction"},
    {"_exit42", c_exit42, "(child) exit(42)"},
    {"_spin", c_spin, "(child) spin forever"},
    {"_touch", c_touch, "(child) touch heap and stack"},
};

const unsigned kernel_tests_count = sizeof(kernel_tests) / sizeof(kernel_tests[0]);
