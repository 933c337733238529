/*
 * profile-blocks.c - count the guest instructions of a QEMU run, block by block (host tool of
 * tools/profile; built by it with the host's C compiler).
 *
 * Input: QEMU's log of `-d in_asm,exec,nochain`. Every translated block is logged once as
 * "IN:" with its privilege level and instructions (address, encoding, text), and every
 * execution of a block as a "Trace" line naming the block by its host address and guest pc.
 * With chaining off, every execution is logged, so a block's instructions times its
 * executions is exact (under -icount, the guest's instructions retired).
 *
 *   profile-blocks LOG [FROM FROM_ENCODING TO TO_ENCODING]
 *
 * FROM and TO (hex) are user-mode (U) addresses, each with the encoding of the instruction
 * there (as the log prints it): every program is linked at the same address, so the address
 * alone could be another program's code. Only what runs from a block holding FROM to the
 * next block holding TO is counted, summed over every such window (the blocks holding the
 * markers themselves are left out). Without them, the whole run counts.
 *
 * Output, one line per block that ran: "PRIV PC INSTRUCTIONS EXECUTIONS ENCODING" (PC and the
 * first instruction's ENCODING in hex, PRIV 0 user, 1 supervisor, 3 machine), then a last
 * line "windows N".
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct block {
    uint64_t host, pc; /* host code address (the log's key), guest pc */
    unsigned insns, priv;
    uint64_t runs;
    char enc[20];          /* the first instruction's encoding */
    bool has_from, has_to; /* holds a window marker */
};

static struct block *blocks;
static size_t nblocks, cap;

/* Open addressing from host address to the newest block translated there. */
#define HASH_BITS 22
static int64_t *slots;

static size_t slot_of(uint64_t host)
{
    size_t h = (size_t)((host * 0x9E3779B97F4A7C15ull) >> (64 - HASH_BITS));
    while (slots[h] >= 0 && blocks[slots[h]].host != host)
        h = (h + 1) & ((1u << HASH_BITS) - 1);
    return h;
}

static struct block *new_block(void)
{
    if (nblocks == cap) {
        cap = cap ? 2 * cap : 1 << 16;
        blocks = realloc(blocks, cap * sizeof(*blocks));
        if (!blocks) {
            fprintf(stderr, "profile-blocks: out of memory\n");
            exit(1);
        }
    }
    memset(&blocks[nblocks], 0, sizeof(*blocks));
    return &blocks[nblocks++];
}

int main(int argc, char **argv)
{
    if (argc != 2 && argc != 6) {
        fprintf(stderr, "usage: profile-blocks LOG [FROM FROM_ENCODING TO TO_ENCODING]\n");
        return 2;
    }
    FILE *f = fopen(argv[1], "r");
    if (!f) {
        perror(argv[1]);
        return 1;
    }
    bool windowed = argc == 6;
    uint64_t from = windowed ? strtoull(argv[2], NULL, 16) : 0;
    uint64_t to = windowed ? strtoull(argv[4], NULL, 16) : 0;
    const char *from_enc = windowed ? argv[3] : "", *to_enc = windowed ? argv[5] : "";
    slots = malloc(sizeof(*slots) << HASH_BITS);
    if (!slots)
        return 1;
    memset(slots, -1, sizeof(*slots) << HASH_BITS);

    /* The block being read from an "IN:" entry, until its first Trace line. */
    struct block pending = {0};
    bool have_pending = false, inside = !windowed;
    unsigned windows = 0;
    char line[1024];
    while (fgets(line, sizeof(line), f)) {
        if (!strncmp(line, "IN:", 3)) {
            memset(&pending, 0, sizeof(pending));
            have_pending = true;
        } else if (!strncmp(line, "Priv: ", 6)) {
            pending.priv = (unsigned)atoi(line + 6);
        } else if (line[0] == '0' && line[1] == 'x' && have_pending) {
            char *end, enc[20] = "";
            uint64_t a = strtoull(line, &end, 16);
            sscanf(end, ": %19s", enc);
            if (!pending.insns) {
                pending.pc = a;
                memcpy(pending.enc, enc, sizeof(enc));
            }
            if (pending.priv == 0 && a == from && !strcmp(enc, from_enc))
                pending.has_from = true;
            if (pending.priv == 0 && a == to && !strcmp(enc, to_enc))
                pending.has_to = true;
            pending.insns++;
        } else if (!strncmp(line, "Trace ", 6)) {
            char *h = strstr(line, ": 0x"), *b = strchr(line, '[');
            if (!h || !b || !(b = strchr(b, '/')))
                continue;
            uint64_t host = strtoull(h + 2, NULL, 16), pc = strtoull(b + 1, NULL, 16);
            size_t s = slot_of(host);
            if (have_pending && pending.pc == pc && pending.insns) {
                struct block *nb = new_block();
                *nb = pending;
                nb->host = host;
                slots[s] = (int64_t)(nb - blocks);
                s = slot_of(host);
                have_pending = false;
            }
            if (slots[s] < 0 || blocks[slots[s]].pc != pc)
                continue; /* translated before the log began: cannot be counted */
            struct block *bl = &blocks[slots[s]];
            if (bl->has_to && inside) {
                inside = false;
                windows++;
                continue;
            }
            if (bl->has_from) {
                inside = true;
                continue;
            }
            if (inside)
                bl->runs++;
        }
    }
    fclose(f);
    for (size_t i = 0; i < nblocks; i++)
        if (blocks[i].runs)
            printf("%u %llx %u %llu %s\n", blocks[i].priv, (unsigned long long)blocks[i].pc,
                   blocks[i].insns, (unsigned long long)blocks[i].runs, blocks[i].enc);
    printf("windows %u\n", windowed ? windows : 1);
    return 0;
}
