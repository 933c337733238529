/*
 * page.c - zeroing and copying whole 4 KiB pages, fast.
 *
 * picolibc's memset and memcpy for RV64IMAC are built for size and move a byte at a time
 * (about 4 instructions a byte); these move 8 bytes per store, 8 stores per loop turn, so a
 * page costs about 600 instructions. The pager zeroes or copies a page on most faults.
 */
#include <stdint.h>

#include <samara/user.h>

void page_zero(void *page)
{
    uint64_t *p = page, *end = p + 512;
    for (; p < end; p += 8) {
        p[0] = 0;
        p[1] = 0;
        p[2] = 0;
        p[3] = 0;
        p[4] = 0;
        p[5] = 0;
        p[6] = 0;
        p[7] = 0;
    }
}

void page_copy(void *dst, const void *src)
{
    uint64_t *d = dst, *end = d + 512;
    const uint64_t *s = src;
    for (; d < end; d += 8, s += 8) {
        uint64_t a = s[0], b = s[1], c = s[2], e = s[3];
        uint64_t f = s[4], g = s[5], h = s[6], i = s[7];
        d[0] = a;
        d[1] = b;
        d[2] = c;
        d[3] = e;
        d[4] = f;
        d[5] = g;
        d[6] = h;
        d[7] = i;
    }
}
