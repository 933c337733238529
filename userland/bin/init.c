/*
 * init.c - the default first program (/sbin/init) until the shell arrives: says what Samara
 * is and how to run something, and exits 0 (the machine then powers off).
 */
#include <stdio.h>
#include <unistd.h>

int main(void)
{
    printf("\nSamara: a RISC-V microkernel whose memory manager is a user-level pager.\n"
           "This is /sbin/init (pid %d). Try:\n"
           "  tools/run -- init=/bin/ktest            the kernel and pager test suite\n"
           "  tools/run --add prog:/bin/prog -- init=/bin/prog   your own program (tools/cc)\n",
           (int)getpid());
    return 0;
}
