/*
 * pagercall.c - requests to the pager (samara/pager.h).
 */
#include <string.h>

#include <samara/user.h>

struct ipc_buffer *ipc_buffer(void)
{
    return (struct ipc_buffer *)(sys_sysinfo(SYSINFO_TASK_SIZE) - PROC_IPCBUF_OFFSET);
}

long pager_spawn(const char *path, const char *const argv[])
{
    struct ipc_buffer *b = ipc_buffer();
    char *p = (char *)&b->words[IPC_REG_WORDS];
    size_t room = (IPC_MAX_WORDS - IPC_REG_WORDS) * sizeof(uint64_t), used = 0;
    for (int i = -1; i < 0 || argv[i]; i++) {
        const char *s = i < 0 ? path : argv[i];
        size_t n = strlen(s) + 1;
        if (used + n > room)
            return -SAMARA_E2BIG;
        memcpy(p + used, s, n);
        used += n;
    }
    unsigned words = (unsigned)((used + 7) / 8);
    struct ipc_msg m =
        ipc_call(CAP_PROC_PAGER, IPC_TAG(PAGER_SPAWN, IPC_REG_WORDS + words), used, 0, 0, 0);
    return m.err ? m.err : (long)m.w[0];
}

long pager_wait(long pid, int *status, int options)
{
    struct ipc_msg m =
        ipc_call(CAP_PROC_PAGER, IPC_TAG(PAGER_WAIT, 2), (uint64_t)pid, (uint64_t)options, 0, 0);
    if (m.err)
        return m.err;
    if ((long)m.w[0] > 0 && status)
        *status = (int)m.w[1];
    return (long)m.w[0];
}

long pager_kill(long pid, int sig)
{
    struct ipc_msg m =
        ipc_call(CAP_PROC_PAGER, IPC_TAG(PAGER_KILL, 2), (uint64_t)pid, (uint64_t)sig, 0, 0);
    return m.err ? m.err : (long)m.w[0];
}

long pager_personality(unsigned long persona)
{
    struct ipc_msg m = ipc_call(CAP_PROC_PAGER, IPC_TAG(PAGER_PERSONALITY, 1),
                                (uint64_t)(persona & 0xffffffffu), 0, 0, 0);
    return m.err ? m.err : (long)m.w[0];
}

long pager_free_frames(void)
{
    struct ipc_msg m = ipc_call(CAP_PROC_PAGER, IPC_TAG(PAGER_FRAMES, 0), 0, 0, 0, 0);
    return m.err ? m.err : (long)m.w[0];
}

long pager_memgrant(unsigned long npages, unsigned long slot, uint64_t *pa)
{
    struct ipc_msg m = ipc_call(CAP_PROC_PAGER, IPC_TAG(PAGER_MEMGRANT, 2), npages, slot, 0, 0);
    if (m.err)
        return m.err;
    if ((long)m.w[0] == 0 && pa)
        *pa = m.w[1];
    return (long)m.w[0];
}
