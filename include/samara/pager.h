/*
 * samara/pager.h - the pager's request protocol, and the address-space layout of programs.
 *
 * Programs call the pager on the endpoint in slot CAP_PROC_PAGER, whose badge is their pid.
 * Request: label = PAGER_*, words as listed; reply: label 0, w0 = result (>= 0 or a negative
 * errno), other words as listed. Strings travel in the IPC buffer (words 4..), NUL-separated.
 *
 *   PAGER_EXIT      w0 = status                     no reply: the process is gone
 *   PAGER_SPAWN     w0 = bytes of "path\0arg0\0arg1\0..." in words 4..   -> w0 = pid
 *   PAGER_WAIT      w0 = pid or -1, w1 = options (WNOHANG = 1) -> w0 = pid (0: none yet), w1 =
 *                   wait status (Linux encoding: exit code << 8, or the signal number)
 *   PAGER_KILL      w0 = pid, w1 = signal           -> w0 = 0
 *   PAGER_GETPID    -> w0 = pid, w1 = parent pid
 *   PAGER_FRAMES    -> w0 = free frames, w1 = total frames
 *   PAGER_MEMGRANT  w0 = npages, w1 = slot          -> w0 = 0, w1 = physical base: a memory
 *                   capability (read/write/exec) for npages zeroed contiguous frames, freed at exit
 */
#ifndef SAMARA_PAGER_H
#define SAMARA_PAGER_H

enum pager_label {
    PAGER_EXIT = 1,
    PAGER_SPAWN = 2,
    PAGER_WAIT = 3,
    PAGER_KILL = 4,
    PAGER_GETPID = 5,
    PAGER_FRAMES = 6,
    PAGER_MEMGRANT = 7,
};

/*
 * A program's address space (docs/BOOT.md): the ELF where it is linked (0x10000 by
 * userland/lib/user.ld), the stack below PROC_STACK_TOP (growing down, PROC_STACK_MAX bytes),
 * and one page above it for the main thread's IPC buffer. TASK_SIZE depends on the paging
 * mode, so these are offsets from it.
 */
#define PROC_IPCBUF_OFFSET 0x2000ul /* ipc buffer at TASK_SIZE - this */
#define PROC_STACK_OFFSET  0x3000ul /* stack top at TASK_SIZE - this */
#define PROC_STACK_MAX     (8ul << 20)

/* Signals the pager reports in wait statuses (Linux numbers). */
#define PAGER_SIGKILL 9
#define PAGER_SIGBUS  7
#define PAGER_SIGSEGV 11
#define PAGER_SIGILL  4
#define PAGER_SIGTERM 15

#endif
