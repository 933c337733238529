/*
 * start.c - from the entry stack to main(): thread-local storage, argc/argv/envp, the
 * auxiliary vector (getauxval), exit.
 *
 * picolibc keeps errno (and a few other things) in thread-local storage reached through tp,
 * so tp must point at an initialised TLS block before any libc call. The main thread's block
 * lives in .bss here, sized by the linker script's TLS symbols.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <unistd.h>

#include <samara/pager.h>
#include <samara/user.h>

/* picolibc's TLS interface (picotls.h hides it behind its own configuration macro). */
extern char __tls_size[];
void _init_tls(void *tls);
void _set_tls(void *tls);

int main(int argc, char **argv, char **envp);
extern char **environ;
void fd_import(const void *buf, size_t len); /* process.c, fd.c */

#define MAIN_TLS_SIZE 1024
static _Alignas(64) char main_tls[MAIN_TLS_SIZE];

void __samara_init_tls(void)
{
    if ((uintptr_t)__tls_size > sizeof(main_tls)) {
        static const char msg[] = "samara: TLS block too large\n";
        sys_debug_write(msg, sizeof(msg) - 1);
        _exit(127);
    }
    _init_tls(main_tls);
    _set_tls(main_tls);
}

static const uint64_t *auxv; /* the auxiliary vector the pager put on the initial stack */

unsigned long getauxval(unsigned long type)
{
    for (const uint64_t *a = auxv; a && a[0]; a += 2)
        if (a[0] == type)
            return a[1];
    errno = ENOENT;
    return 0;
}

_Noreturn void __samara_start(uint64_t *sp)
{
    __samara_init_tls();
    int argc = (int)sp[0];
    char **argv = (char **)&sp[1];
    char **envp = argv + argc + 1;
    environ = envp;
    /* The auxiliary vector after envp: the block an exec handed on, if any (process.c). */
    char **e = envp;
    while (*e)
        e++;
    auxv = (const uint64_t *)(e + 1);
    for (uint64_t *aux = (uint64_t *)(e + 1); aux[0]; aux += 2)
        if (aux[0] == AT_SAMARA_BLOCK && aux[1])
            fd_import((const uint64_t *)aux[1] + 1, *(const uint64_t *)aux[1]);
    exit(main(argc, argv, envp));
}
