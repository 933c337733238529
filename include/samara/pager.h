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
 *
 * The memory calls, with Linux's semantics and errno values (docs/ABI.md):
 *   PAGER_MMAP      w0 = addr, w1 = length, w2 = prot | flags << 32,
 *                   w3 = (uint32_t)fd | (offset / 4096) << 32       -> w0 = address or -errno
 *                   (the library refuses an offset that is not page aligned with -EINVAL);
 *                   fd is the file server's descriptor (the library answers EBADF itself
 *                   for a bad one), or PAGER_FD_NODEV for a kind that cannot be mapped
 *   PAGER_MUNMAP    w0 = addr, w1 = length                          -> w0 = 0 or -errno
 *   PAGER_MPROTECT  w0 = addr, w1 = length, w2 = prot               -> w0 = 0 or -errno
 *   PAGER_MREMAP    w0 = old addr, w1 = old length, w2 = new length,
 *                   w3 = flags | new addr (new addr page aligned; flags below 4096; the library
 *                   refuses an unaligned new address with -EINVAL)  -> w0 = address or -errno
 *   PAGER_MADVISE   w0 = addr, w1 = length, w2 = advice             -> w0 = 0 or -errno
 *   PAGER_BRK       w0 = requested break (0: ask)                   -> w0 = the break now
 *                   (as Linux's brk system call: unchanged when the request fails)
 *   PAGER_MLOCK     w0 = addr, w1 = length, w2 = flags (MLOCK_ONFAULT) -> w0 = 0 or -errno
 *   PAGER_MUNLOCK   w0 = addr, w1 = length                          -> w0 = 0 or -errno
 *   PAGER_MLOCKALL  w0 = flags (MCL_*)                              -> w0 = 0 or -errno
 *   PAGER_MUNLOCKALL                                                -> w0 = 0
 *   PAGER_MSYNC     w0 = addr, w1 = length, w2 = flags              -> w0 = 0 or -errno
 *   PAGER_MINCORE   w0 = addr, w1 = length, w2 = the caller's vector -> w0 = pages answered
 *                   (1..MINCORE_CHUNK, all in the VMA holding addr) or -errno (EINVAL, ENOMEM,
 *                   EFAULT: mincore(2)'s, in its order); a byte per page in the caller's IPC
 *                   buffer from word 4 on, 1 when resident. The library loops.
 *   PAGER_PROCREAD  w0 = pid (0: the caller), w1 = PROC_FILE_*, w2 = offset
 *                   -> w0 = bytes copied (0 at the end) or -errno, w1 = total size; the bytes
 *                   are in the caller's IPC buffer from word 4 on (at most PROC_CHUNK). The
 *                   text is made when offset is 0 and kept for the following offsets.
 *
 * Processes (fork and exec keep the pid's badge; the C library wraps them as POSIX calls):
 *   PAGER_FORK      w0 = pc, w1 = sp, w2 = a0 of the child's thread   -> w0 = the child's pid
 *                   (the child is a copy-on-write copy of the caller, started at pc with sp and
 *                   a0: the library's trampoline restores its registers). EAGAIN past the
 *                   process limit (bootarg proc_max=), ENOMEM without memory for the copy.
 *   PAGER_EXEC      w0 = path, w1 = argv, w2 = envp (addresses in the caller's memory, NULL-
 *                   ended arrays), w3 = an inherited block (a uint64_t byte count, then bytes;
 *                   at most PAGER_EXEC_BLOCK_MAX) or 0 -> no reply on success: the caller's
 *                   memory is replaced by the program, started with argv, envp and an auxv
 *                   holding AT_PAGESZ, AT_RANDOM (16 random bytes), AT_SAMARA_BLOCK (the
 *                   block's copy on the new stack) and AT_NULL. Errors (the caller
 *                   continues): ENOENT, EACCES (not a regular file), ENOEXEC, E2BIG (more
 *                   than PAGER_EXEC_ARGS_MAX bytes of strings), EFAULT.
 *   PAGER_PROCLIST  w0 = cookie (0 first)  -> w0 = a live or zombie pid (0: no more), w1 = next
 *                   cookie (for readdir of /proc)
 *   PAGER_PERSONALITY w0 = the new personality, or PAGER_PERSONALITY_QUERY -> w0 = the old one
 *                   (personality(2); kept by fork and exec; PAGER_ADDR_NO_RANDOMIZE makes the
 *                   next exec's layout the fixed one)
 *   PAGER_SIGACTION w0 = signal (Linux's number), w1 = PAGER_SIG_* flags (0: the default
 *                   action), w2 = the library's handler trampoline (0: unchanged) -> w0 = 0,
 *                   -EINVAL (SIGKILL, SIGSTOP, out of range). A fault raising a handled signal
 *                   that is not blocked is answered with FAULT_REPLY_SIGNAL {trampoline,
 *                   signal, si_code, address} (samara/ipc.h) and the signal is blocked (unless
 *                   SA_NODEFER); a blocked one ends the process. Kept by fork, reset by exec.
 *   PAGER_SIGMASK   w0 = the blocked signals (bit s: signal s, Linux's numbers) -> w0 = the old
 *                   set (sigprocmask; only the signals faults raise are ever blocked here).
 *
 * Files (the pager maps them, so their size changes and syncs go through it):
 *   PAGER_FTRUNCATE w0 = the file server's descriptor, w1 = size     -> w0 = 0 or -errno
 *                   (ftruncate, truncate and O_TRUNC: pages past the new end are unmapped from
 *                   every mapping first, then the server truncates: fs.h FS_TRUNCATE)
 *   PAGER_FSYNC     w0 = the file server's descriptor                -> w0 = 0 or -errno
 *                   (the file's dirty shared pages are written back: fs.h FS_SYNC)
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
    PAGER_MMAP = 8,
    PAGER_MUNMAP = 9,
    PAGER_MPROTECT = 10,
    PAGER_MREMAP = 11,
    PAGER_MADVISE = 12,
    PAGER_BRK = 13,
    PAGER_MLOCK = 14,
    PAGER_MUNLOCK = 15,
    PAGER_MLOCKALL = 16,
    PAGER_MUNLOCKALL = 17,
    PAGER_MSYNC = 18,
    PAGER_PROCREAD = 19,
    PAGER_FTRUNCATE = 20,
    PAGER_FSYNC = 21,
    PAGER_FORK = 22,
    PAGER_EXEC = 23,
    PAGER_PROCLIST = 24,
    PAGER_PERSONALITY = 25,
    PAGER_MINCORE = 26,
    PAGER_SIGACTION = 27,
    PAGER_SIGMASK = 28,
};

#define PAGER_SIG_CAUGHT  1u /* PAGER_SIGACTION w1: the program handles the signal */
#define PAGER_SIG_NODEFER 2u /* ... with SA_NODEFER: not blocked while its handler runs */

#define MINCORE_CHUNK 480 /* pages per PAGER_MINCORE reply: IPC words 4..63, a byte each */

#define PAGER_PERSONALITY_QUERY 0xfffffffful /* personality(0xffffffff): only ask */
#define PAGER_ADDR_NO_RANDOMIZE 0x0040000u   /* Linux's ADDR_NO_RANDOMIZE */

#define PAGER_EXEC_BLOCK_MAX 2048   /* bytes of the block exec hands to the new program */
#define PAGER_EXEC_ARGS_MAX  16384  /* bytes of argument and environment strings */
#define AT_SAMARA_BLOCK      0x1000 /* auxv: address of the inherited block, or absent */

#define PAGER_FD_NODEV (-2) /* PAGER_MMAP of the console or a /proc file: ENODEV */

/* Files under /proc/<pid>/ that PAGER_PROCREAD serves. */
enum proc_file {
    PROC_FILE_MAPS = 1,
    PROC_FILE_SMAPS = 2,
    PROC_FILE_SMAPS_ROLLUP = 3,
    PROC_FILE_STATUS = 4,
    PROC_FILE_STAT = 5,
    PROC_FILE_MEMINFO = 6,   /* /proc/meminfo (the pid is ignored): MemTotal, MemFree, ... */
    PROC_FILE_CMDLINE = 7,   /* /proc/<pid>/cmdline: the arguments, each NUL-terminated */
    PROC_FILE_KCMDLINE = 8,  /* /proc/cmdline (the pid is ignored): the boot arguments */
    PROC_FILE_RANDOMIZE = 9, /* /proc/sys/kernel/randomize_va_space (the pid is ignored) */
};

#define PROC_CHUNK 480 /* bytes per PAGER_PROCREAD reply: IPC words 4..63 */

/*
 * A program's address space (docs/BOOT.md): the ELF where it is linked (0x10000 by
 * userland/lib/user.ld), the stack below PROC_STACK_TOP (growing down, PROC_STACK_MAX bytes),
 * and one page above it for the main thread's IPC buffer. TASK_SIZE depends on the paging
 * mode, so these are offsets from it.
 */
#define PROC_IPCBUF_OFFSET 0x2000ul      /* ipc buffer at TASK_SIZE - this */
#define PROC_STACK_OFFSET  0x3000ul      /* stack top at TASK_SIZE - this */
#define PROC_STACK_MAX     (8ul << 20)   /* RLIMIT_STACK */
#define PROC_STACK_INITIAL (132ul << 10) /* the stack VMA at start, as Linux's 128 KiB + */

/* Signals the pager reports in wait statuses (Linux numbers). */
#define PAGER_SIGKILL 9
#define PAGER_SIGBUS  7
#define PAGER_SIGSEGV 11
#define PAGER_SIGILL  4
#define PAGER_SIGTRAP 5
#define PAGER_SIGTERM 15

#endif
