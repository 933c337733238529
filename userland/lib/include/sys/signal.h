/*
 * sys/signal.h - picolibc's, with Linux's struct sigaction and siginfo_t in place of its own,
 * so that handlers written for Linux compile: sa_sigaction beside sa_handler, SA_SIGINFO and
 * the other SA_ flags with Linux's values, and si_addr in siginfo_t. picolibc's own
 * definitions are renamed out of the way while its header is read.
 */
#ifndef SAMARA_SYS_SIGNAL_H
#define SAMARA_SYS_SIGNAL_H

#define sigaction picolibc_sigaction
#define siginfo_t picolibc_siginfo_t
#include_next <sys/signal.h>
#undef sigaction
#undef siginfo_t

/* Linux's layout: the address of a fault sits after signo, errno and code. */
typedef struct {
    int si_signo;
    int si_errno;
    int si_code;
    int si_pad;
    void *si_addr; /* SIGSEGV, SIGBUS, SIGILL: the faulting address */
    union sigval si_value;
} siginfo_t;

struct sigaction {
    union {
        void (*sa_handler)(int);
        void (*sa_sigaction)(int, siginfo_t *, void *);
    };
    sigset_t sa_mask;
    int sa_flags;
    void (*sa_restorer)(void);
};

#undef SA_SIGINFO
#undef SA_ONSTACK
#define SA_SIGINFO   0x00000004 /* call sa_sigaction with a siginfo_t */
#define SA_ONSTACK   0x08000000 /* accepted; handlers run on the thread's stack */
#define SA_RESTART   0x10000000
#define SA_NODEFER   0x40000000 /* accepted; nothing is ever blocked here */
#define SA_RESETHAND 0x80000000 /* the handler is used once, then SIG_DFL again */

int sigaction(int sig, const struct sigaction *act, struct sigaction *old);

#endif
