/*
 * mmfile.c - the file-mapping workloads of the benchmark table (shared/bench/README.md), run
 * as init under `tools/bench` (QEMU -icount: one guest instruction per nanosecond), with a
 * RAM disk large enough for two 16 MiB files.
 *
 * Each workload runs once to warm up on its own file, then counted, and prints
 *     BENCH <name> <units> <total_ns> <ns_per_unit>
 *   file_read_fault    MAP_PRIVATE PROT_READ mapping of a fresh 16 MiB file (written with
 *                      write()), one byte read per page                        (per page)
 *   file_shared_write  MAP_SHARED mapping of that file, one byte written per page, then
 *                      msync(MS_SYNC)                                          (per page)
 * and two figures of our own, one byte read every 16 pages so that every access faults:
 *   file_major_fault   on a file the pager has not mapped yet: each fault asks the file
 *                      server where the pages are                              (per fault)
 *   file_minor_fault   the same pages mapped again: the pager's page index knows them
 *                                                                              (per fault)
 */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include <samara/user.h>

#include "bench.h"

#define PAGE      4096ul
#define FILE_SIZE (16ul << 20)
#define AROUND    16

static char wbuf[64 * 1024];

static void die(const char *what)
{
    printf("mmfile: %s failed\n", what);
    exit(1);
}

static void make_file(const char *path)
{
    int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
    if (fd < 0)
        die("open for create");
    for (size_t i = 0; i < sizeof(wbuf); i++)
        wbuf[i] = (char)(i * 7 + 1);
    for (size_t done = 0; done < FILE_SIZE; done += sizeof(wbuf))
        if (write(fd, wbuf, sizeof(wbuf)) != (ssize_t)sizeof(wbuf))
            die("write");
    close(fd);
}

static char *map_file(const char *path, int flags, int prot, int *fdp)
{
    int fd = open(path, prot & PROT_WRITE ? O_RDWR : O_RDONLY);
    if (fd < 0)
        die("open");
    char *p = mmap(NULL, FILE_SIZE, prot, flags, fd, 0);
    if (p == MAP_FAILED)
        die("mmap");
    *fdp = fd;
    return p;
}

static void file_read(int counted, const char *path)
{
    int fd;
    make_file(path);
    volatile char *p = map_file(path, MAP_PRIVATE, PROT_READ, &fd);
    unsigned long sum = 0;
    uint64_t t0 = now_ns();
    for (uint64_t off = 0; off < FILE_SIZE; off += PAGE)
        sum += (unsigned char)p[off];
    bench_report("file_read_fault", counted, FILE_SIZE / PAGE, now_ns() - t0);
    if (sum != FILE_SIZE / PAGE) /* byte 0 of each page: (i * 7 + 1) with i a multiple of 4096 */
        die("file contents");
    munmap((void *)p, FILE_SIZE);
    close(fd);
}

static void file_shared_write(int counted, const char *path)
{
    int fd;
    volatile char *p = map_file(path, MAP_SHARED, PROT_READ | PROT_WRITE, &fd);
    uint64_t t0 = now_ns();
    for (uint64_t off = 0; off < FILE_SIZE; off += PAGE)
        p[off] = 3;
    if (msync((void *)p, FILE_SIZE, MS_SYNC))
        die("msync");
    bench_report("file_shared_write", counted, FILE_SIZE / PAGE, now_ns() - t0);
    munmap((void *)p, FILE_SIZE);
    char c = 0;
    if (pread(fd, &c, 1, PAGE) != 1 || c != 3)
        die("shared write not visible through read()");
    close(fd);
}

/* One access per fault-around block: each is a fault of its own. */
static void file_faults(int counted, const char *path)
{
    int fd;
    make_file(path);
    for (int pass = 0; pass < 2; pass++) {
        volatile char *p = map_file(path, MAP_PRIVATE, PROT_READ, &fd);
        unsigned long sum = 0;
        uint64_t t0 = now_ns();
        for (uint64_t off = 0; off < FILE_SIZE; off += AROUND * PAGE)
            sum += (unsigned char)p[off];
        bench_report(pass ? "file_minor_fault" : "file_major_fault", counted,
                     FILE_SIZE / PAGE / AROUND, now_ns() - t0);
        munmap((void *)p, FILE_SIZE);
        close(fd);
        if (!sum)
            die("file contents");
    }
}

int main(void)
{
    const char *warm = "/tmp/mmfile.warm", *main_file = "/tmp/mmfile.main";
    for (int counted = 0; counted < 2; counted++) {
        const char *path = counted ? main_file : warm;
        file_read(counted, path);
        file_shared_write(counted, path);
        file_faults(counted, path);
        unlink(path);
    }
    return 0;
}
