/*
 * page.c - zeroing and copying whole 4 KiB pages, fast.
 *
 * picolibc's memset and memcpy for RV64IMAC are built for size and move a byte at a time
 * (about 4 instructions a byte); these move 8 bytes per store, so zeroing a page costs about
 * 600 instructions and copying one about 1,050. The pager zeroes or copies a page on most faults.
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
    /*
     * 64 words (512 bytes) a turn, in four groups of 16 loads then 16 stores: the loop's own
     * three instructions are spread over 128 memory ones, so a page costs about 1,050
     * instructions against 1,024 for the loads and stores alone (a copy-on-write fault's
     * biggest part). Sixteen values fit the free registers; more would spill.
     */
    uint64_t *d = dst, *end = d + 512;
    const uint64_t *s = src;
    for (; d < end; d += 64, s += 64) {
#pragma GCC unroll 4
        for (unsigned g = 0; g < 64; g += 16) {
            uint64_t w[16];
#pragma GCC unroll 16
            for (unsigned k = 0; k < 16; k++)
                w[k] = s[g + k];
#pragma GCC unroll 16
            for (unsigned k = 0; k < 16; k++)
                d[g + k] = w[k];
        }
    }
}
