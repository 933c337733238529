/*
 * fsrv.c - starting the RAM-disk file server (userland/fs, protocol samara/fs.h).
 *
 * The boot image's ramdisk.img is copied into fresh contiguous frames before init starts, and
 * an endpoint is created for the server: from then on every program gets a send capability
 * to it badged with its pid (proc.c). The server itself starts right after init, so that init
 * stays pid 1, as `/sbin/fs SIZE` with the image mapped read-write at FS_IMAGE_VA (a VMA of
 * its own, so that nothing else is placed there) and the endpoint's receive side in slot
 * CAP_FS_SERVER_EP. Both are in place before its thread runs. Without a ramdisk.img in the
 * boot image there is no server, and programs get no CAP_PROC_FS.
 */
#include <stdio.h>
#include <string.h>

#include <samara/fs.h>

#include "cpio/cpio.h"

#include "pager.h"

bool fsrv_ready, fsrv_running;
static uint64_t fsrv_pa, fsrv_pages, fsrv_size;
static int fsrv_pid;

void fsrv_init(void)
{
    struct cpio_entry file;
    const char *why = NULL;
    if (cpio_find(physmap(bootinfo->initrd_base), bootinfo->initrd_size, "ramdisk.img", &file,
                  &why) ||
        file.size == 0)
        return;
    fsrv_pages = (file.size + PAGE_SIZE - 1) / PAGE_SIZE;
    fsrv_pa = frame_alloc_contig(fsrv_pages);
    if (!fsrv_pa) {
        printf("pager: no %lu contiguous frames for the RAM disk\n", (unsigned long)fsrv_pages);
        return;
    }
    memcpy(physmap(fsrv_pa), file.data, file.size);
    memset((char *)physmap(fsrv_pa) + file.size, 0, fsrv_pages * PAGE_SIZE - file.size);
    fsrv_size = file.size;
    if (sys2(SYS_ENDPOINT_CREATE, CAP_ROOT_CONTROL, SLOT_FS_EP)) {
        printf("pager: cannot create the file server's endpoint\n");
        return;
    }
    fsrv_ready = true;
}

uint64_t fsrv_image_pa(void)
{
    return fsrv_pa;
}

uint64_t fsrv_image_pages(void)
{
    return fsrv_pages;
}

/* The server's extras, before its thread starts: the image and the receive endpoint. */
static long fsrv_setup(struct proc *p)
{
    struct vma *v = vma_alloc();
    if (!v)
        return -SAMARA_ENOMEM;
    *v = (struct vma){.start = FS_IMAGE_VA,
                      .end = FS_IMAGE_VA + fsrv_pages * PAGE_SIZE,
                      .prot = VP_READ | VP_WRITE,
                      .ops = &vma_anon_ops,
                      .name = "[ramdisk]"};
    long err = vma_insert(p, v);
    if (err) {
        vma_free(v);
        return err;
    }
    err = sys6(SYS_MAP, proc_task_slot(p), (long)FS_IMAGE_VA, frame_cap_slot(fsrv_pa),
               (long)fsrv_pa, (long)fsrv_pages, MAP_PERM_R | MAP_PERM_W);
    if (err)
        return err;
    /* The disk's frames: file pages in the server's rss (space.c drops them so at its exit). */
    space_note_rss(p, fsrv_pages);
    p->rss_file += fsrv_pages;
    for (uint64_t i = 0; i < fsrv_pages; i++) {
        frame_info(fsrv_pa + i * PAGE_SIZE)->flags |= FRAME_GRANTED | FRAME_DISK;
        frame_info(fsrv_pa + i * PAGE_SIZE)->refs = 0; /* programs' mappings (not the server's) */
        frame_list_add(&p->frames, fsrv_pa + i * PAGE_SIZE);
    }
    err = sys5(SYS_CAP_COPY, SLOT_FS_EP, proc_task_slot(p), CAP_FS_SERVER_EP, CAP_R_RECV, 0);
    if (err)
        return err;
    /*
     * The pager calls the server and waits for its answer, so the server must never need the
     * pager meanwhile: a fault of its own would never be served. Everything it has is mapped
     * now, and whatever it maps later is too (as mlockall(MCL_CURRENT | MCL_FUTURE)).
     */
    p->def_flags |= VM_LOCKED;
    unsigned long index = 0;
    struct vma *w;
    mt_for_each(&p->mm, w, index, ~0ul)
    {
        w->flags |= VM_LOCKED;
        if (w->start != FS_IMAGE_VA && w->prot &&
            space_populate(p, w, w->start, w->end, (w->prot & VP_WRITE) != 0))
            return -SAMARA_ENOMEM;
    }
    return 0;
}

void fsrv_start(void)
{
    if (!fsrv_ready)
        return;
    char size[24];
    snprintf(size, sizeof(size), "%lu", (unsigned long)fsrv_size);
    char *argv[] = {"/sbin/fs", size, NULL};
    long pid = proc_spawn_with(0, "/sbin/fs", argv, 2, fsrv_setup);
    if (pid < 0) {
        printf("pager: cannot start the file server: error %ld\n", pid);
        fsrv_ready = false;
        return;
    }
    fsrv_pid = (int)pid;
    fsrv_running = true;
}

void fsrv_proc_gone(struct proc *p)
{
    if (!fsrv_running)
        return;
    if (p->pid == fsrv_pid) {
        /* Nobody would answer a call on the endpoint now: the pager must never make one. */
        printf("pager: the file server has ended; files are gone\n");
        fsrv_running = fsrv_ready = false;
        return;
    }
    pfile_proc_exit(p);
}
