/*
 * init.c - the first program (/sbin/init, pid 1): a banner, then the shell, and the reaper.
 *
 * What `tools/run` boots into without bootargs. It says what Samara is and what to try,
 * starts /bin/sh on the console, and waits: for the shell, and for every orphan the pager
 * hands to pid 1 (a process whose parent ended becomes init's child), so that none stays a
 * zombie. When the shell ends (`exit`, or ^D on an empty line), init ends with its status
 * and the machine powers off with it.
 */
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

static const char init_banner[] =
    "\n"
    "Samara: a RISC-V microkernel whose memory manager is a program, not part of the kernel.\n"
    "The pager (pid 0) gives programs Linux's memory calls; /sbin/fs (pid 2) serves the ext2\n"
    "RAM disk. Try:\n"
    "  ls /bin                      the programs        cat /etc/motd\n"
    "  ps                           the processes       free      the memory\n"
    "  pmap 1                       a process's maps    cat /proc/self/smaps\n"
    "  pagertest mm_mmap            the test suite, filtered by name\n"
    "  echo hi > /tmp/x; cat /tmp/x\n"
    "  exit                         power off\n"
    "Run your own program: tools/cc prog.c -o prog; tools/run --add prog:/bin/prog\n\n";

int main(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fputs(init_banner, stdout);
    fflush(stdout);
    pid_t sh = fork();
    if (sh == 0) {
        char *sh_argv[] = {"sh", NULL};
        execv("/bin/sh", sh_argv);
        perror("init: /bin/sh");
        _exit(127);
    }
    if (sh < 0) {
        perror("init: fork");
        return 1;
    }
    for (;;) {
        int status;
        pid_t pid = wait(&status);
        if (pid < 0)
            return 1; /* no child left: cannot happen while the shell lives */
        if (pid == sh)
            return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    }
}
