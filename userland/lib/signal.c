/*
 * signal.c - signal handlers for the signals faults raise: sigaction, signal, raise,
 * sigprocmask (picolibc has only an in-process signal and raise).
 *
 * A handler for SIGSEGV, SIGBUS, SIGILL, SIGFPE or SIGTRAP is registered with the pager
 * (PAGER_SIGACTION) together with this library's trampoline. When a fault raises the signal,
 * the pager answers it with FAULT_REPLY_SIGNAL: the kernel keeps the thread's registers and
 * starts it in signal_trampoline with the signal (Linux's number), si_code and the faulting
 * address. The trampoline calls the handler (sa_sigaction with a siginfo_t under SA_SIGINFO,
 * as Linux's: sys/signal.h here has Linux's struct sigaction and siginfo_t); if the handler
 * returns, SYS_SIGRETURN puts the registers back and the faulting instruction runs again (so
 * a handler that fixes the protection lets it succeed), as on Linux. A handler may also
 * leave by longjmp/siglongjmp. samara_siginfo() also tells what si_code and si_addr were.
 *
 * Other signals only exist inside the process (raise calls the handler), or end it (kill);
 * the signal mask blocks fault signals (the pager keeps it: PAGER_SIGMASK) and nothing else.
 */
#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <unistd.h>

#include <samara/ipc.h>
#include <samara/pager.h>
#include <samara/syscall.h>
#include <samara/user.h>

#define SIGNAL_MAX 64

int process_signal_to_linux(int sig); /* process.c */
int process_signal_from_linux(int sig);

static struct sigaction signal_actions[SIGNAL_MAX + 1];
static sigset_t signal_mask;
static struct samara_siginfo signal_last;

/* Whether a fault can raise sig (picolibc's number): those the pager must be told about. */
static int signal_from_fault(int sig)
{
    return sig == SIGSEGV || sig == SIGBUS || sig == SIGILL || sig == SIGFPE || sig == SIGTRAP;
}

static _Noreturn void signal_trampoline(uint64_t linux_sig, uint64_t code, uint64_t addr);

/* The pager's blocked set for mask (picolibc's numbering): only fault signals matter there. */
static uint64_t signal_pager_mask(sigset_t mask)
{
    static const int fault_signals[] = {SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGTRAP};
    uint64_t bits = 0;
    for (unsigned i = 0; i < sizeof(fault_signals) / sizeof(fault_signals[0]); i++)
        if (mask & (1ul << fault_signals[i]))
            bits |= 1ul << process_signal_to_linux(fault_signals[i]);
    return bits;
}

/* Make mask the blocked set, here and in the pager. */
static void signal_set_mask(sigset_t mask)
{
    signal_mask = mask;
    ipc_call(CAP_PROC_PAGER, IPC_TAG(PAGER_SIGMASK, 1), signal_pager_mask(mask), 0, 0, 0);
}

/* Tell the pager how sig (picolibc's number) is handled here (act NULL: the default). */
static long signal_tell_pager(int sig, const struct sigaction *act)
{
    uint64_t flags = 0;
    if (act && act->sa_handler != SIG_DFL && act->sa_handler != SIG_IGN)
        flags = PAGER_SIG_CAUGHT | (act->sa_flags & SA_NODEFER ? PAGER_SIG_NODEFER : 0);
    struct ipc_msg m = ipc_call(CAP_PROC_PAGER, IPC_TAG(PAGER_SIGACTION, 3),
                                (uint64_t)process_signal_to_linux(sig), flags,
                                (uint64_t)(uintptr_t)signal_trampoline, 0);
    return m.err ? m.err : (long)m.w[0];
}

/* Call sig's handler as its flags say; SA_RESETHAND makes it the last time. */
static void signal_call(int sig, int code, void *addr)
{
    struct sigaction a = signal_actions[sig];
    if (a.sa_handler == SIG_DFL || a.sa_handler == SIG_IGN)
        return;
    if (a.sa_flags & SA_RESETHAND) {
        signal_actions[sig].sa_handler = SIG_DFL;
        signal_actions[sig].sa_flags = 0;
        if (signal_from_fault(sig))
            signal_tell_pager(sig, NULL);
    }
    if (a.sa_flags & SA_SIGINFO) {
        siginfo_t info = {.si_signo = sig, .si_code = code, .si_addr = addr};
        static uint64_t no_context[64]; /* no ucontext is made: a zeroed one to read */
        a.sa_sigaction(sig, &info, no_context);
    } else {
        a.sa_handler(sig);
    }
}

/*
 * Where a fault's handler starts (FAULT_REPLY_SIGNAL): take the interrupted registers into a
 * frame on this stack (SYS_SIGCONTEXT; writing it first makes its pages writable through the
 * ordinary fault path), run the handler with the signal blocked (the pager blocked it already,
 * unless SA_NODEFER) plus its sa_mask, then put the mask and the registers back. Leaving the
 * handler by longjmp simply drops the frame; a child forked in the handler has its copy.
 */
static _Noreturn void signal_trampoline(uint64_t linux_sig, uint64_t code, uint64_t addr)
{
    volatile uint64_t frame[32];
    for (unsigned i = 0; i < 32; i++)
        frame[i] = 0;
    int sig = process_signal_from_linux((int)linux_sig);
    if (sys1(SYS_SIGCONTEXT, (long)frame)) {
        pager_kill(getpid(), (int)linux_sig); /* cannot go on: the signal's default action */
        _exit(128 + sig);
    }
    sigset_t before = signal_mask; /* the mask the fault interrupted */
    signal_last = (struct samara_siginfo){sig, (int)code, (void *)addr};
    if (sig > 0 && sig <= SIGNAL_MAX && signal_actions[sig].sa_handler != SIG_DFL &&
        signal_actions[sig].sa_handler != SIG_IGN) {
        sigset_t during = before | signal_actions[sig].sa_mask;
        if (!(signal_actions[sig].sa_flags & SA_NODEFER))
            during |= 1ul << sig;
        signal_mask = during; /* the pager blocked the signal itself */
        if (during != (before | 1ul << sig))
            signal_set_mask(during);
        signal_call(sig, (int)code, (void *)addr);
        signal_set_mask(before);
    } else {
        /* the handler went meanwhile: the fault, run again, takes the default action */
        signal_tell_pager(sig, NULL);
        signal_set_mask(before);
    }
    sys1(SYS_SIGRETURN, (long)frame);
    pager_kill(getpid(), (int)linux_sig); /* a frame that cannot be read back */
    _exit(128 + sig);
}

const struct samara_siginfo *samara_siginfo(void)
{
    return &signal_last;
}

int sigaction(int sig, const struct sigaction *act, struct sigaction *old)
{
    if (sig < 1 || sig > SIGNAL_MAX || (act && (sig == SIGKILL || sig == SIGSTOP))) {
        errno = EINVAL;
        return -1;
    }
    if (old)
        *old = signal_actions[sig];
    if (!act)
        return 0;
    if (signal_from_fault(sig)) {
        long r = signal_tell_pager(sig, act); /* an ignored fault still ends it */
        if (r < 0) {
            errno = (int)-r;
            return -1;
        }
    }
    signal_actions[sig] = *act;
    return 0;
}

_sig_func_ptr signal(int sig, _sig_func_ptr handler)
{
    struct sigaction act = {0}, old;
    act.sa_handler = handler;
    if (sigaction(sig, &act, &old))
        return SIG_ERR;
    return old.sa_handler;
}

int raise(int sig)
{
    if (sig < 1 || sig > SIGNAL_MAX) {
        errno = EINVAL;
        return -1;
    }
    _sig_func_ptr h = signal_actions[sig].sa_handler;
    if (h == SIG_IGN)
        return 0;
    if (h != SIG_DFL) {
        signal_last = (struct samara_siginfo){sig, SI_USER, NULL};
        signal_call(sig, SI_USER, NULL);
        return 0;
    }
    return kill(getpid(), sig);
}

int sigprocmask(int how, const sigset_t *set, sigset_t *old)
{
    if (old)
        *old = signal_mask;
    if (!set)
        return 0;
    if (how == SIG_BLOCK)
        signal_set_mask(signal_mask | *set);
    else if (how == SIG_UNBLOCK)
        signal_set_mask(signal_mask & ~*set);
    else if (how == SIG_SETMASK)
        signal_set_mask(*set);
    else {
        errno = EINVAL;
        return -1;
    }
    return 0;
}
