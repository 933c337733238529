/*
 * signal_tests.c - handlers for the signals faults raise (SIGSEGV, SIGBUS), as on Linux: the
 * handler runs with si_code and the faulting address; returning runs the instruction again;
 * leaving by siglongjmp works any number of times; fork keeps handlers, exec resets them.
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <samara/syscall.h>

#include "ktest.h"
#include "mm_util.h"
#include "proc_util.h"

#define RW (PROT_READ | PROT_WRITE)

static sigjmp_buf jump;
static volatile int caught;
static struct samara_siginfo seen;
static char *fix_page; /* the page the fixing handler makes writable */
static volatile char *volatile nowhere = (volatile char *)8; /* never mapped */

static void jump_handler(int sig)
{
    caught++;
    seen = *samara_siginfo();
    seen.si_signo = sig;
    siglongjmp(jump, 1);
}

static void fixing_handler(int sig)
{
    (void)sig;
    caught++;
    seen = *samara_siginfo();
    mprotect(fix_page, PG, RW); /* returning runs the faulting store again: it works now */
}

/* A read of PROT_NONE memory and a touch of nothing: SEGV_ACCERR and SEGV_MAPERR. */
static int t_signal_segv_codes(void)
{
    char *p = mmap(NULL, 2 * PG, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    CHECK(p != MAP_FAILED);
    CHECK_EQ(munmap(p + PG, PG), 0);
    CHECK(signal(SIGSEGV, jump_handler) != SIG_ERR);
    caught = 0;
    if (!sigsetjmp(jump, 1)) {
        (void)*(volatile char *)(p + 10);
        CHECK(0); /* not reached */
    }
    CHECK_EQ(caught, 1);
    CHECK_EQ(seen.si_signo, SIGSEGV);
    CHECK_EQ(seen.si_code, SEGV_ACCERR);
    CHECK(seen.si_addr == p + 10);
    if (!sigsetjmp(jump, 1)) {
        *(volatile char *)(p + PG + 7) = 1;
        CHECK(0);
    }
    CHECK_EQ(caught, 2);
    CHECK_EQ(seen.si_code, SEGV_MAPERR);
    CHECK(seen.si_addr == p + PG + 7);
    CHECK(signal(SIGSEGV, SIG_DFL) == jump_handler);
    CHECK_EQ(munmap(p, PG), 0);
    return 0;
}

/* A handler that returns: the faulting store runs again, and succeeds once it is allowed. */
static int t_signal_handler_returns(void)
{
    fix_page = mmap(NULL, PG, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    CHECK(fix_page != MAP_FAILED);
    struct sigaction act = {0}, old;
    act.sa_handler = fixing_handler;
    CHECK_EQ(sigaction(SIGSEGV, &act, &old), 0);
    caught = 0;
    volatile int before = 41;
    fix_page[100] = 'f'; /* faults once; the handler makes the page writable */
    CHECK_EQ(caught, 1);
    CHECK_EQ(fix_page[100], 'f');
    CHECK_EQ(before, 41); /* registers and stack as they were */
    CHECK(seen.si_addr == fix_page + 100);
    CHECK_EQ(seen.si_code, SEGV_ACCERR);
    CHECK_EQ(sigaction(SIGSEGV, &old, NULL), 0);
    CHECK_EQ(munmap(fix_page, PG), 0);
    return 0;
}

/* Leaving the handler by siglongjmp, a thousand times over. */
static int t_signal_many(void)
{
    char *p = mmap(NULL, PG, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    CHECK(p != MAP_FAILED);
    CHECK(signal(SIGSEGV, jump_handler) != SIG_ERR);
    caught = 0;
    for (volatile int i = 0; i < 1000; i++)
        if (!sigsetjmp(jump, 1))
            (void)*(volatile char *)(p + i);
    CHECK_EQ(caught, 1000);
    CHECK(seen.si_addr == p + 999);
    signal(SIGSEGV, SIG_DFL);
    CHECK_EQ(munmap(p, PG), 0);
    return 0;
}

/* SIGBUS past the end of a mapped file: BUS_ADRERR. */
static int t_signal_sigbus(void)
{
    const char *path = "/tmp/sigbus.file";
    int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
    CHECK(fd >= 0);
    CHECK_EQ(ftruncate(fd, PG), 0);
    char *f = mmap(NULL, 2 * PG, PROT_READ, MAP_SHARED, fd, 0);
    CHECK(f != MAP_FAILED);
    CHECK(signal(SIGBUS, jump_handler) != SIG_ERR);
    caught = 0;
    if (!sigsetjmp(jump, 1)) {
        (void)*(volatile char *)(f + PG + 3);
        CHECK(0);
    }
    CHECK_EQ(caught, 1);
    CHECK_EQ(seen.si_signo, SIGBUS);
    CHECK_EQ(seen.si_code, BUS_ADRERR);
    CHECK(seen.si_addr == f + PG + 3);
    signal(SIGBUS, SIG_DFL);
    CHECK_EQ(munmap(f, 2 * PG), 0);
    CHECK_EQ(close(fd), 0);
    CHECK_EQ(unlink(path), 0);
    return 0;
}

/* fork keeps the handler; SIG_DFL again means death; exec resets handlers to the default. */
static int t_signal_fork_exec(void)
{
    CHECK(signal(SIGSEGV, jump_handler) != SIG_ERR);
    pid_t pid = pfork();
    CHECK(pid >= 0);
    if (pid == 0) {
        caught = 0;
        if (!sigsetjmp(jump, 1))
            (void)*nowhere;
        CCHECK(caught == 1 && seen.si_addr == (void *)nowhere);
        signal(SIGSEGV, SIG_DFL);
        (void)*nowhere; /* the default action now */
        _exit(0);
    }
    CHECK_SIGNALED(pid, SIGSEGV);
    pid = exec_child("_signal_segv", NULL, NULL);
    CHECK(pid > 0);
    CHECK_SIGNALED(pid, SIGSEGV); /* the exec'd program has no handler */
    signal(SIGSEGV, SIG_DFL);
    return 0;
}

static int h_signal_segv(void)
{
    (void)*nowhere;
    return 0;
}

static siginfo_t info_seen;
static volatile int info_sig;

static void info_handler(int sig, siginfo_t *info, void *context)
{
    caught++;
    info_seen = *info;
    (void)context;
    info_sig = sig;
    siglongjmp(jump, 1);
}

/* SA_SIGINFO handlers get Linux's siginfo_t: si_signo, si_code, si_addr. SA_RESETHAND: once. */
static int t_signal_siginfo(void)
{
    char *p = mmap(NULL, PG, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    CHECK(p != MAP_FAILED);
    struct sigaction act = {0};
    act.sa_sigaction = info_handler;
    act.sa_flags = SA_SIGINFO | SA_RESETHAND;
    CHECK_EQ(sigaction(SIGSEGV, &act, NULL), 0);
    caught = 0;
    if (!sigsetjmp(jump, 1)) {
        p[5] = 1;
        CHECK(0);
    }
    CHECK_EQ(caught, 1);
    CHECK_EQ(info_sig, SIGSEGV);
    CHECK_EQ(info_seen.si_signo, SIGSEGV);
    CHECK_EQ(info_seen.si_code, SEGV_ACCERR);
    CHECK(info_seen.si_addr == p + 5);
    struct sigaction now;
    CHECK_EQ(sigaction(SIGSEGV, NULL, &now), 0);
    CHECK(now.sa_handler == SIG_DFL); /* SA_RESETHAND: used once */
    pid_t pid = pfork();
    CHECK(pid >= 0);
    if (pid == 0) {
        p[5] = 1; /* the default action now */
        _exit(0);
    }
    CHECK_SIGNALED(pid, SIGSEGV);
    CHECK_EQ(munmap(p, PG), 0);
    return 0;
}

static void faulting_handler(int sig)
{
    (void)sig;
    (void)*nowhere; /* SIGSEGV is blocked in its own handler: this ends the process */
}

static volatile int recurse_forever = 1;

static int recurse(int depth)
{
    volatile char pad[512];
    pad[0] = (char)depth;
    return recurse_forever ? recurse(depth + 1) + pad[0] : 0;
}

/* A fault in a SIGSEGV handler, and a stack overflow with a SIGSEGV handler, end the process
 * with SIGSEGV (Linux: the signal is blocked in its handler, and a frame that cannot be
 * written is SIGSEGV), not a loop. */
static int t_signal_handler_faults(void)
{
    pid_t pid = pfork();
    CHECK(pid >= 0);
    if (pid == 0) {
        signal(SIGSEGV, faulting_handler);
        (void)*nowhere;
        _exit(0);
    }
    CHECK_SIGNALED(pid, SIGSEGV);
    pid = pfork();
    CHECK(pid >= 0);
    if (pid == 0) {
        signal(SIGSEGV, jump_handler);
        _exit(recurse(0));
    }
    CHECK_SIGNALED(pid, SIGSEGV);
    return 0;
}

/* longjmp (not siglongjmp with the mask) out of a handler leaves SIGSEGV blocked: the next
 * fault ends the process, as on Linux. */
static jmp_buf plain_jump;

static void plain_jump_handler(int sig)
{
    (void)sig;
    caught++;
    longjmp(plain_jump, 1);
}

static int t_signal_longjmp_keeps_blocked(void)
{
    pid_t pid = pfork();
    CHECK(pid >= 0);
    if (pid == 0) {
        signal(SIGSEGV, plain_jump_handler);
        caught = 0;
        if (!setjmp(plain_jump))
            (void)*nowhere;
        CCHECK(caught == 1);
        (void)*nowhere; /* blocked now: the default action */
        _exit(0);
    }
    CHECK_SIGNALED(pid, SIGSEGV);
    return 0;
}

/* Handler A fixes nothing yet, faults (SA_NODEFER), handler B siglongjmps back into A, A makes
 * the page writable and returns: the first store then runs again and succeeds. */
static char *nested_page;
static sigjmp_buf nested_jump;
static volatile int nested_depth;

static void nested_handler(int sig)
{
    (void)sig;
    if (++nested_depth == 1) {
        if (!sigsetjmp(nested_jump, 1))
            nested_page[1] = 'n'; /* faults again: handler B */
        mprotect(nested_page, PG, RW);
        return;
    }
    siglongjmp(nested_jump, 1);
}

static int t_signal_nested(void)
{
    nested_page = mmap(NULL, PG, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    CHECK(nested_page != MAP_FAILED);
    struct sigaction act = {0}, old;
    act.sa_handler = nested_handler;
    act.sa_flags = SA_NODEFER;
    CHECK_EQ(sigaction(SIGSEGV, &act, &old), 0);
    nested_depth = 0;
    nested_page[0] = 'o';
    CHECK_EQ(nested_page[0], 'o');
    CHECK_EQ(nested_depth, 2);
    CHECK_EQ(sigaction(SIGSEGV, &old, NULL), 0);
    CHECK_EQ(munmap(nested_page, PG), 0);
    return 0;
}

/* A child forked inside a handler returns from it like its parent. */
static char *fork_page;

static void forking_handler(int sig)
{
    (void)sig;
    mprotect(fork_page, PG, RW);
    pid_t pid = pfork();
    if (pid == 0)
        return; /* the child returns from the handler too */
    int st = proc_wait(pid);
    caught = st != -1 && WIFEXITED(st) && WEXITSTATUS(st) == 7;
}

static int t_signal_fork_in_handler(void)
{
    fork_page = mmap(NULL, PG, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    CHECK(fork_page != MAP_FAILED);
    CHECK(signal(SIGSEGV, forking_handler) != SIG_ERR);
    caught = 0;
    fork_page[0] = 'x'; /* the handler forks; both return here */
    if (getpid() != getpid() || fork_page[0] != 'x')
        _exit(1);
    if (caught == 0 && fork_page[0] == 'x') {
        /* the child (caught is still 0 here): it finished the store */
        _exit(7);
    }
    CHECK_EQ(caught, 1);
    signal(SIGSEGV, SIG_DFL);
    CHECK_EQ(munmap(fork_page, PG), 0);
    return 0;
}

/* An all-zero halfword: an illegal instruction (c.unimp), at a known address. */
static void illegal_instruction(void)
{
    __asm__ volatile(".globl signal_ill_insn\nsignal_ill_insn: .2byte 0\n");
}

/* SIGILL: si_addr is the instruction's address (as Linux on riscv); ebreak is SIGTRAP. */
static int t_signal_sigill_sigtrap(void)
{
    extern char signal_ill_insn[];
    CHECK(signal(SIGILL, jump_handler) != SIG_ERR);
    caught = 0;
    if (!sigsetjmp(jump, 1)) {
        illegal_instruction();
        CHECK(0);
    }
    CHECK_EQ(caught, 1);
    CHECK_EQ(seen.si_signo, SIGILL);
    CHECK_EQ(seen.si_code, ILL_ILLOPC);
    CHECK(seen.si_addr == (void *)signal_ill_insn);
    signal(SIGILL, SIG_DFL);
    pid_t pid = pfork();
    CHECK(pid >= 0);
    if (pid == 0) {
        __asm__ volatile("ebreak");
        _exit(0);
    }
    CHECK_SIGNALED(pid, SIGTRAP);
    return 0;
}

/* The kernel calls refuse what they must: no kept registers, an unreadable frame, a frame
 * whose pc is not a user address (a program cannot return into the kernel). */
static int t_signal_kernel_calls(void)
{
    uint64_t frame[32] = {0};
    CHECK_EQ(sys1(SYS_SIGCONTEXT, (long)frame), -SAMARA_EINVAL); /* no handler runs */
    CHECK_EQ(sys1(SYS_SIGRETURN, 0), -SAMARA_EFAULT);
    CHECK_EQ(sys1(SYS_SIGRETURN, (long)nowhere), -SAMARA_EFAULT);
    frame[0] = (uint64_t)sys_sysinfo(SYSINFO_TASK_SIZE); /* pc: the first kernel-half address */
    CHECK_EQ(sys1(SYS_SIGRETURN, (long)frame), -SAMARA_EINVAL);
    frame[0] = ~0ul;
    CHECK_EQ(sys1(SYS_SIGRETURN, (long)frame), -SAMARA_EINVAL);
    return 0;
}

static volatile int usr1;

static void usr1_handler(int sig)
{
    usr1 = sig;
}

/* sigaction's errors; raise calls the handler; SIG_IGN ignores. */
static int t_signal_api(void)
{
    struct sigaction act = {0}, old;
    act.sa_handler = usr1_handler;
    CHECK_EQ(sigaction(SIGKILL, &act, NULL), -1);
    CHECK_EQ(errno, EINVAL);
    CHECK_EQ(sigaction(SIGSTOP, &act, NULL), -1);
    CHECK_EQ(sigaction(0, &act, NULL), -1);
    CHECK_EQ(sigaction(SIGKILL, NULL, &old), 0); /* asking is fine */
    CHECK(old.sa_handler == SIG_DFL);
    CHECK_EQ(sigaction(SIGUSR1, &act, NULL), 0);
    CHECK_EQ(raise(SIGUSR1), 0);
    CHECK_EQ(usr1, SIGUSR1);
    CHECK(signal(SIGUSR1, SIG_IGN) == usr1_handler);
    usr1 = 0;
    CHECK_EQ(raise(SIGUSR1), 0);
    CHECK_EQ(usr1, 0);
    sigset_t set, was;
    sigemptyset(&set);
    sigaddset(&set, SIGUSR1);
    CHECK_EQ(sigprocmask(SIG_BLOCK, &set, &was), 0);
    CHECK_EQ(sigprocmask(SIG_SETMASK, &was, &set), 0);
    CHECK(sigismember(&set, SIGUSR1));
    CHECK_EQ(sigprocmask(99, &set, NULL), -1);
    return 0;
}

const struct ktest signal_tests[] = {
    {"signal_segv_codes", t_signal_segv_codes,
     "SIGSEGV handler: SEGV_ACCERR, SEGV_MAPERR, si_addr"},
    {"signal_handler_returns", t_signal_handler_returns,
     "a handler that returns: the instruction runs again"},
    {"signal_many", t_signal_many, "1,000 faults left by siglongjmp"},
    {"signal_sigbus", t_signal_sigbus, "SIGBUS handler past the end of a file: BUS_ADRERR"},
    {"signal_fork_exec", t_signal_fork_exec, "fork keeps handlers, exec resets them"},
    {"signal_api", t_signal_api, "sigaction errors, raise, SIG_IGN, sigprocmask"},
    {"signal_siginfo", t_signal_siginfo, "SA_SIGINFO: si_signo, si_code, si_addr; SA_RESETHAND"},
    {"signal_handler_faults", t_signal_handler_faults,
     "a fault in the handler, a stack overflow: SIGSEGV, not a loop"},
    {"signal_longjmp_keeps_blocked", t_signal_longjmp_keeps_blocked,
     "longjmp out of a handler leaves the signal blocked"},
    {"signal_nested", t_signal_nested, "SA_NODEFER: a nested handler siglongjmps into the first"},
    {"signal_fork_in_handler", t_signal_fork_in_handler, "a child forked in a handler returns"},
    {"signal_sigill_sigtrap", t_signal_sigill_sigtrap, "SIGILL at the pc; ebreak is SIGTRAP"},
    {"signal_kernel_calls", t_signal_kernel_calls, "SYS_SIGCONTEXT/SIGRETURN refuse bad frames"},
    {"_signal_segv", h_signal_segv, "helper: touch address 8"},
};
const unsigned signal_tests_count = sizeof(signal_tests) / sizeof(signal_tests[0]);
