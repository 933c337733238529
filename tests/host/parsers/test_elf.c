/*
 * test_elf.c - host tests of lib/elf (ASan + UBSan): two tiny real riscv64 executables
 * (data/prog.S), synthetic images with one field wrong each, every truncation, every bit flip.
 *
 * Usage: test_elf prog.elf prog-ttext.elf   (prints TAP)
 */
#include "elf/elf.h"
#include "tap.h"

#include <errno.h>

#define PAGE     0x1000u
#define VA_LIMIT 0x4000000000ull /* 256 GiB: the user half of Sv39 */

static void put_le(uint8_t *p, uint64_t v, int bytes)
{
    int i;

    for (i = 0; i < bytes; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

/* Invariants of any accepted image: what the pager relies on. */
static bool image_sane(const struct elf_image *im, size_t len, uint64_t limit, uint64_t page)
{
    bool entry_ok = false;
    unsigned i;

    if (im->nseg == 0 || im->nseg > ELF_MAX_SEGMENTS || im->lo % page || im->hi % page)
        return false;
    if (im->lo > im->seg[0].vaddr || im->hi < im->seg[im->nseg - 1].vaddr)
        return false;
    for (i = 0; i < im->nseg; i++) {
        const struct elf_segment *s = &im->seg[i];

        if (s->memsz == 0 || s->filesz > s->memsz || s->offset > len ||
            s->filesz > len - s->offset || s->vaddr > limit || s->memsz > limit - s->vaddr ||
            s->vaddr % page != s->offset % page || (s->flags & ~7u) != 0 ||
            s->vaddr + s->memsz > im->hi)
            return false;
        if (i > 0) {
            const struct elf_segment *p = &im->seg[i - 1];
            if ((p->vaddr + p->memsz + page - 1) / page > s->vaddr / page)
                return false;
        }
        if ((s->flags & ELF_PF_X) && im->entry >= s->vaddr && im->entry - s->vaddr < s->memsz)
            entry_ok = true;
    }
    return entry_ok;
}

static void test_real(const uint8_t *prog, size_t plen, const uint8_t *tt, size_t tlen)
{
    struct elf_image im;
    const char *why = NULL;
    int r;

    r = elf_parse(prog, plen, VA_LIMIT, PAGE, &im, &why);
    ok(r == 0 && im.type == ELF_ET_EXEC && im.entry == 0x100e8 && im.nseg == 2,
       "prog.elf: EXEC, entry 0x100e8, two segments (%d %s)", r, r ? why : "");
    ok(im.seg[0].vaddr == 0x10000 && im.seg[0].offset == 0 && im.seg[0].filesz == 0xf8 &&
           im.seg[0].memsz == 0xf8 && im.seg[0].flags == (ELF_PF_R | ELF_PF_X) &&
           im.seg[0].align == 0x1000,
       "prog.elf: text R-X at 0x10000");
    ok(im.seg[1].vaddr == 0x110f8 && im.seg[1].offset == 0xf8 && im.seg[1].filesz == 8 &&
           im.seg[1].memsz == 0x2008 && im.seg[1].flags == (ELF_PF_R | ELF_PF_W),
       "prog.elf: data+bss RW- at 0x110f8");
    ok(im.lo == 0x10000 && im.hi == 0x14000, "prog.elf: span [0x10000, 0x14000)");
    ok(image_sane(&im, plen, VA_LIMIT, PAGE), "prog.elf: invariants hold");

    r = elf_parse(tt, tlen, VA_LIMIT, PAGE, &im, &why);
    ok(r == 0 && im.entry == 0x10000 && im.nseg == 2 && im.seg[0].vaddr == 0xf000 &&
           im.seg[0].filesz == 0x1010 && im.seg[1].vaddr == 0x11010 && im.lo == 0xf000 &&
           im.hi == 0x14000,
       "prog-ttext.elf: text from 0xf000 (headers), data at 0x11010");

    ok(elf_parse(prog, plen, 0x13100, PAGE, &im, &why) == 0, "va_limit: exactly the end");
    why = NULL;
    ok(elf_parse(prog, plen, 0x130ff, PAGE, &im, &why) == -ERANGE && why &&
           strstr(why, "above the user address limit"),
       "va_limit: one byte short -> %s", why ? why : "(null)");
    why = NULL;
    ok(elf_parse(prog, plen, VA_LIMIT, 0x10000, &im, &why) == -EINVAL && why &&
           strstr(why, "modulo the page size"),
       "64 KiB pages: data segment not congruent -> %s", why ? why : "(null)");
    why = NULL;
    ok(elf_parse(prog, plen, VA_LIMIT, 3, &im, &why) == -EINVAL && why &&
           elf_parse(prog, plen, VA_LIMIT, 0, &im, &why) == -EINVAL,
       "page size 3 and 0 refused");
}

/* ---- Synthetic images ---- */

struct ph {
    uint32_t type, flags;
    uint64_t offset, vaddr, filesz, memsz, align;
};

#define MAX_PH 20

struct synth {
    uint16_t type;
    uint64_t entry;
    unsigned nph;
    struct ph ph[MAX_PH];
    size_t filelen;
};

/* A valid base: text R-X, data RW with bss, a PT_NOTE with nonsense fields, an empty load. */
static struct synth base_synth(void)
{
    struct synth s = {
        .type = ELF_ET_EXEC,
        .entry = 0x10010,
        .nph = 4,
        .ph =
            {
                {ELF_PT_LOAD, ELF_PF_R | ELF_PF_X, 0, 0x10000, 0x1000, 0x1000, 0x1000},
                {4 /* PT_NOTE */, 0, ~0ull, ~0ull, ~0ull, 1, 3},
                {ELF_PT_LOAD, ELF_PF_R | ELF_PF_W, 0x1000, 0x11000, 0x100, 0x3000, 0x1000},
                {ELF_PT_LOAD, ELF_PF_R, 0, 0x90000, 0, 0, 0x1000},
            },
        .filelen = 0x1100,
    };
    return s;
}

static uint8_t *build(const struct synth *s, size_t *len)
{
    size_t n = s->filelen, i;
    uint8_t *b;

    if (n < 64 + 56 * (size_t)s->nph)
        n = 64 + 56 * (size_t)s->nph;
    b = calloc(1, n);
    memcpy(b,
           "\x7f"
           "ELF",
           4);
    b[ELF_EI_CLASS] = ELF_CLASS64;
    b[ELF_EI_DATA] = ELF_DATA2LSB;
    b[ELF_EI_VERSION] = ELF_EV_CURRENT;
    put_le(b + 16, s->type, 2);
    put_le(b + 18, ELF_EM_RISCV, 2);
    put_le(b + 20, ELF_EV_CURRENT, 4);
    put_le(b + 24, s->entry, 8);
    put_le(b + 32, 64, 8);
    put_le(b + 52, 64, 2);
    put_le(b + 54, 56, 2);
    put_le(b + 56, s->nph, 2);
    for (i = 0; i < s->nph; i++) {
        uint8_t *p = b + 64 + 56 * i;
        put_le(p + 0, s->ph[i].type, 4);
        put_le(p + 4, s->ph[i].flags, 4);
        put_le(p + 8, s->ph[i].offset, 8);
        put_le(p + 16, s->ph[i].vaddr, 8);
        put_le(p + 24, s->ph[i].vaddr, 8);
        put_le(p + 32, s->ph[i].filesz, 8);
        put_le(p + 40, s->ph[i].memsz, 8);
        put_le(p + 48, s->ph[i].align, 8);
    }
    *len = n;
    return b;
}

struct hdr_case {
    const char *what;
    size_t off;
    int bytes;
    uint64_t value;
    int err;
    const char *why;
};

static void test_header_cases(void)
{
    const struct hdr_case cases[] = {
        {"bad magic", 1, 1, 'e', -ENOEXEC, "bad magic"},
        {"32-bit class", ELF_EI_CLASS, 1, 1, -ENOEXEC, "64-bit"},
        {"big-endian", ELF_EI_DATA, 1, 2, -ENOEXEC, "little-endian"},
        {"EI_VERSION 0", ELF_EI_VERSION, 1, 0, -ENOEXEC, "EV_CURRENT"},
        {"e_version 2", 20, 4, 2, -ENOEXEC, "EV_CURRENT"},
        {"x86-64 machine", 18, 2, 62, -ENOEXEC, "RISC-V"},
        {"ET_REL", 16, 2, 1, -ENOEXEC, "neither ET_EXEC nor ET_DYN"},
        {"ET_CORE", 16, 2, 4, -ENOEXEC, "neither ET_EXEC nor ET_DYN"},
        {"e_ehsize 52", 52, 2, 52, -EINVAL, "e_ehsize"},
        {"e_phentsize 32", 54, 2, 32, -EINVAL, "e_phentsize"},
        {"no program headers", 56, 2, 0, -EINVAL, "no program headers"},
        {"PN_XNUM", 56, 2, 0xffff, -EINVAL, "extended program header numbering"},
        {"200 program headers", 56, 2, 200, -EINVAL, "program header table runs past"},
        {"phoff near the end", 32, 8, 0x1100 - 10, -EINVAL, "program header table runs past"},
        {"phoff past the end", 32, 8, 0x2000, -EINVAL, "program header table runs past"},
        {"phoff huge (wraps)", 32, 8, 0xfffffffffffffff0ull, -EINVAL,
         "program header table runs past"},
        {"entry past text", 24, 8, 0x11000, -EINVAL, "entry point outside"},
        {"entry in data", 24, 8, 0x11010, -EINVAL, "entry point outside"},
        {"entry nowhere", 24, 8, 0x500000, -EINVAL, "entry point outside"},
    };
    struct synth s = base_synth();
    struct elf_image im;
    size_t i, len;
    uint8_t *b = build(&s, &len);
    const char *why = NULL;

    ok(elf_parse(b, len, VA_LIMIT, PAGE, &im, &why) == 0 && im.nseg == 2 && im.lo == 0x10000 &&
           im.hi == 0x14000 && image_sane(&im, len, VA_LIMIT, PAGE),
       "synthetic: base image accepted (PT_NOTE ignored, empty load skipped)");
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        const struct hdr_case *c = &cases[i];
        uint8_t *m = dup_exact(b, len);
        int r;

        put_le(m + c->off, c->value, c->bytes);
        why = NULL;
        r = elf_parse(m, len, VA_LIMIT, PAGE, &im, &why);
        ok(r == c->err && why && strstr(why, c->why), "header: %s -> %d %s", c->what, r,
           why ? why : "(no why)");
        free(m);
    }
    free(b);
}

/* Segment edits: each case changes the base description, then expects @err/@why. */
static void seg_case(const char *what, const struct synth *s, uint64_t limit, int err,
                     const char *want)
{
    struct elf_image im;
    size_t len;
    uint8_t *b = build(s, &len);
    const char *why = NULL;
    int r = elf_parse(b, len, limit, PAGE, &im, &why);

    if (err == 0)
        ok(r == 0 && image_sane(&im, len, limit, PAGE), "segment: %s accepted (%d %s)", what, r,
           r ? why : "");
    else
        ok(r == err && why && strstr(why, want), "segment: %s -> %d %s", what, r,
           why ? why : "(no why)");
    free(b);
}

static void test_segment_cases(void)
{
    struct synth s;
    unsigned i;

    s = base_synth();
    s.ph[2].filesz = 0x3001;
    seg_case("filesz > memsz", &s, VA_LIMIT, -EINVAL, "filesz larger than memsz");
    s = base_synth();
    s.ph[3].filesz = 8;
    seg_case("memsz 0 with filesz 8", &s, VA_LIMIT, -EINVAL, "filesz larger than memsz");
    s = base_synth();
    s.ph[2].filesz = 0x101;
    seg_case("file data one byte past the end", &s, VA_LIMIT, -EINVAL, "runs past the end");
    s = base_synth();
    s.ph[2].offset = 0xffffffffffffff80ull; /* + 0x100 wraps to 0x80 */
    s.ph[2].vaddr = 0x11f80;
    seg_case("offset huge (offset + filesz wraps)", &s, VA_LIMIT, -EINVAL, "runs past the end");
    s = base_synth();
    s.ph[2].vaddr = 0xfffffffffffff000ull;
    seg_case("vaddr + memsz wraps", &s, UINT64_MAX, -ERANGE, "wraps");
    s = base_synth();
    seg_case("above va_limit", &s, 0x13fff, -ERANGE, "above the user address limit");
    s = base_synth();
    s.ph[2].vaddr = 0x11800;
    seg_case("vaddr not congruent to offset", &s, VA_LIMIT, -EINVAL, "modulo the page size");
    s = base_synth();
    s.ph[2].align = 0x1800;
    seg_case("p_align not a power of two", &s, VA_LIMIT, -EINVAL, "not a power of two");
    s = base_synth();
    s.ph[2].vaddr = 0x12000;
    s.ph[2].align = 0x2000;
    seg_case("vaddr not congruent modulo p_align", &s, VA_LIMIT, -EINVAL, "modulo p_align");
    s = base_synth();
    s.ph[0].vaddr = 0x20000;
    s.entry = 0x20010;
    seg_case("descending vaddr", &s, VA_LIMIT, -EINVAL, "out of vaddr order");
    s = base_synth();
    s.ph[2].vaddr = 0x10000;
    seg_case("overlapping segments", &s, VA_LIMIT, -EINVAL, "overlapping");
    s = base_synth();
    s.ph[0].filesz = s.ph[0].memsz = 0x800;
    s.ph[2].offset = 0xc00;
    s.ph[2].vaddr = 0x10c00;
    seg_case("segments sharing a page", &s, VA_LIMIT, -EINVAL, "sharing a page");
    s = base_synth();
    s.ph[0].type = s.ph[2].type = 6;
    seg_case("no PT_LOAD", &s, VA_LIMIT, -EINVAL, "no loadable");
    s = base_synth();
    s.ph[0].memsz = s.ph[0].filesz = s.ph[2].memsz = s.ph[2].filesz = 0;
    seg_case("only empty PT_LOADs", &s, VA_LIMIT, -EINVAL, "no loadable");
    s = base_synth();
    s.ph[0].flags = ELF_PF_R;
    seg_case("entry in a non-executable segment", &s, VA_LIMIT, -EINVAL, "entry point outside");

    s = base_synth();
    s.ph[2].vaddr = 0xffffffffffffe000ull;
    s.ph[2].memsz = 0x1800;
    seg_case("segment ending in the top page", &s, UINT64_MAX, -ERANGE, "top page");
    s = base_synth();
    s.ph[2].vaddr = 0xffffffffffffe000ull;
    s.ph[2].memsz = 0x2000;
    seg_case("segment ending at 2^64 exactly", &s, UINT64_MAX, -ERANGE, "wraps");

    s = base_synth();
    s.type = ELF_ET_DYN;
    seg_case("ET_DYN", &s, VA_LIMIT, 0, NULL);
    s = base_synth();
    s.ph[0].flags |= 0x0ff00000; /* OS-specific bits are dropped */
    seg_case("OS-specific p_flags bits", &s, VA_LIMIT, 0, NULL);
    s = base_synth();
    s.ph[2].align = 0;
    seg_case("p_align 0", &s, VA_LIMIT, 0, NULL);

    /* 16 loadable segments fit; 17 do not. */
    s = base_synth();
    for (i = 0; i < 17; i++)
        s.ph[i] = (struct ph){ELF_PT_LOAD, ELF_PF_R | ELF_PF_X, 0, 0x10000 + 0x1000 * i, 0, 0x1000,
                              0x1000};
    s.nph = 16;
    seg_case("16 segments", &s, VA_LIMIT, 0, NULL);
    s.nph = 17;
    seg_case("17 segments", &s, VA_LIMIT, -E2BIG, "more than 16");
}

/* Bytes the image needs: program headers and every loadable segment's file data. */
static size_t needed(const uint8_t *b, const struct elf_image *im)
{
    size_t need = 64 + 56 * (size_t)(b[56] | b[57] << 8), end;
    unsigned i;

    for (i = 0; i < im->nseg; i++) {
        end = im->seg[i].offset + im->seg[i].filesz;
        if (end > need)
            need = end;
    }
    return need;
}

static void test_truncations(const char *tag, const uint8_t *b, size_t len)
{
    struct elf_image full, im;
    unsigned bad = 0;
    size_t n, need;

    if (elf_parse(b, len, VA_LIMIT, PAGE, &full, NULL) != 0) {
        ok(false, "truncate: %s does not parse whole", tag);
        return;
    }
    need = needed(b, &full);
    for (n = 0; n < len; n++) {
        uint8_t *cut = dup_exact(b, n);
        const char *why = NULL;
        int r = elf_parse(cut, n, VA_LIMIT, PAGE, &im, &why);
        bool good =
            n < need ? (r < 0 && why) : (r == 0 && im.nseg == full.nseg && im.hi == full.hi);

        if (!good && bad++ < 3)
            diag("%s cut to %zu (needs %zu): r=%d", tag, n, need, r);
        free(cut);
    }
    ok(bad == 0, "truncate: %s, %zu cuts: shorter than %zu refused, longer accepted", tag, len,
       need);
}

static void test_flips(const char *tag, const uint8_t *b, size_t len)
{
    static const uint8_t masks[] = {0x01, 0x02, 0x04, 0x08, 0x10, 0x20, 0x40, 0x80, 0xff};
    uint8_t *m = dup_exact(b, len);
    unsigned bad = 0, accepted = 0;
    struct elf_image im;
    size_t i, k;

    for (i = 0; i < len; i++) {
        for (k = 0; k < sizeof(masks); k++) {
            const char *why = NULL;
            int r;

            m[i] ^= masks[k];
            r = elf_parse(m, len, VA_LIMIT, PAGE, &im, &why);
            if (r == 0 && image_sane(&im, len, VA_LIMIT, PAGE))
                accepted++;
            else if (r == 0 || !why || strncmp(why, "elf: ", 5) != 0)
                if (bad++ < 3)
                    diag("%s byte %zu ^ %#x: r=%d", tag, i, masks[k], r);
            m[i] ^= masks[k];
        }
    }
    free(m);
    ok(bad == 0, "flip: %s, %zu mutations: %u accepted sane, the rest refused with why", tag,
       len * sizeof(masks), accepted);
}

int main(int argc, char **argv)
{
    uint8_t *prog, *tt, *syn;
    size_t plen, tlen, slen;
    struct synth s;

    if (argc != 3) {
        fprintf(stderr, "usage: %s prog.elf prog-ttext.elf\n", argv[0]);
        return 2;
    }
    prog = load_file(argv[1], &plen);
    tt = load_file(argv[2], &tlen);
    test_real(prog, plen, tt, tlen);
    test_header_cases();
    test_segment_cases();
    test_truncations("prog.elf", prog, plen);
    test_truncations("prog-ttext.elf", tt, tlen);
    s = base_synth();
    syn = build(&s, &slen);
    test_truncations("synthetic", syn, slen);
    test_flips("prog.elf", prog, plen);
    test_flips("synthetic", syn, slen);
    free(syn);
    free(prog);
    free(tt);
    return tap_done();
}
