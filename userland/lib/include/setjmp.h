/*
 * setjmp.h - picolibc's, plus POSIX sigsetjmp/siglongjmp, which picolibc offers only on
 * Cygwin and RTEMS. A sigjmp_buf is a jmp_buf followed by whether the mask was saved and the
 * mask (sigprocmask, signal.c); siglongjmp restores the mask when it was, then longjmps. The
 * usual way out of a handler for SIGSEGV (signal.c).
 */
#ifndef SAMARA_SETJMP_H
#define SAMARA_SETJMP_H

#include_next <setjmp.h>

#include <signal.h>

typedef struct {
    jmp_buf env;
    int saved;
    sigset_t mask;
} sigjmp_buf[1];

#define sigsetjmp(buf, savemask)                                                                   \
    ((buf)->saved = (savemask), (buf)->saved ? sigprocmask(SIG_SETMASK, 0, &(buf)->mask) : 0,      \
     setjmp((buf)->env))

#define siglongjmp(buf, val)                                                                       \
    ((buf)->saved ? sigprocmask(SIG_SETMASK, &(buf)->mask, 0) : 0, longjmp((buf)->env, (val)))

#endif
