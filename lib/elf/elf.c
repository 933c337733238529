/*
 * elf.c - checks a RISC-V ELF64 executable before anything is mapped from it.
 *
 * Decode, don't trust: fields are read byte by byte (little-endian) at the offsets of the
 * structures in elf.h, and each size or offset is compared with what is left of the file
 * (x <= len - off) so no sum can wrap. Only the ELF header and program headers are read;
 * sections are of no interest to a loader.
 */
#include "elf/elf.h"
#include "base/lib_errno.h"

#include <stdbool.h>

#define EHDR(field) offsetof(struct elf64_ehdr, field)
#define PHDR(field) offsetof(struct elf64_phdr, field)

static uint16_t le16(const uint8_t *p)
{
    return (uint16_t)(p[0] | p[1] << 8);
}

static uint32_t le32(const uint8_t *p)
{
    return (uint32_t)le16(p) | (uint32_t)le16(p + 2) << 16;
}

static uint64_t le64(const uint8_t *p)
{
    return (uint64_t)le32(p) | (uint64_t)le32(p + 4) << 32;
}

static int fail(const char **why, int err, const char *msg)
{
    if (why)
        *why = msg;
    return err;
}

static bool is_pow2(uint64_t x)
{
    return x != 0 && (x & (x - 1)) == 0;
}

/* The file header: identity, type, machine and program header table placement. */
static int check_ehdr(const uint8_t *b, size_t len, const char **why)
{
    uint64_t phoff, phnum;

    if (len < sizeof(struct elf64_ehdr))
        return fail(why, -ENOEXEC, "elf: file shorter than the 64-byte ELF header");
    if (b[0] != 0x7f || b[1] != 'E' || b[2] != 'L' || b[3] != 'F')
        return fail(why, -ENOEXEC, "elf: bad magic (not \\x7fELF)");
    if (b[ELF_EI_CLASS] != ELF_CLASS64)
        return fail(why, -ENOEXEC, "elf: not a 64-bit (ELFCLASS64) file");
    if (b[ELF_EI_DATA] != ELF_DATA2LSB)
        return fail(why, -ENOEXEC, "elf: not little-endian (ELFDATA2LSB)");
    if (b[ELF_EI_VERSION] != ELF_EV_CURRENT || le32(b + EHDR(e_version)) != ELF_EV_CURRENT)
        return fail(why, -ENOEXEC, "elf: version is not EV_CURRENT");
    if (le16(b + EHDR(e_machine)) != ELF_EM_RISCV)
        return fail(why, -ENOEXEC, "elf: machine is not RISC-V (EM_RISCV 243)");
    if (le16(b + EHDR(e_type)) != ELF_ET_EXEC && le16(b + EHDR(e_type)) != ELF_ET_DYN)
        return fail(why, -ENOEXEC, "elf: type is neither ET_EXEC nor ET_DYN");
    if (le16(b + EHDR(e_ehsize)) != sizeof(struct elf64_ehdr))
        return fail(why, -EINVAL, "elf: e_ehsize is not 64");
    if (le16(b + EHDR(e_phentsize)) != sizeof(struct elf64_phdr))
        return fail(why, -EINVAL, "elf: e_phentsize is not 56 (sizeof Elf64_Phdr)");

    phoff = le64(b + EHDR(e_phoff));
    phnum = le16(b + EHDR(e_phnum));
    if (phnum == 0)
        return fail(why, -EINVAL, "elf: no program headers");
    if (phnum == ELF_PN_XNUM)
        return fail(why, -EINVAL, "elf: extended program header numbering not supported");
    if (phoff > len || phnum * sizeof(struct elf64_phdr) > len - phoff)
        return fail(why, -EINVAL, "elf: program header table runs past the end of the file");
    return 0;
}

/* One PT_LOAD with memsz > 0, read from @ph, against the file and the address limit. */
static int check_load(const uint8_t *ph, size_t len, uint64_t va_limit, uint64_t page,
                      struct elf_segment *s, const char **why)
{
    s->offset = le64(ph + PHDR(p_offset));
    s->vaddr = le64(ph + PHDR(p_vaddr));
    s->filesz = le64(ph + PHDR(p_filesz));
    s->memsz = le64(ph + PHDR(p_memsz));
    s->align = le64(ph + PHDR(p_align));
    s->flags = le32(ph + PHDR(p_flags)) & (ELF_PF_R | ELF_PF_W | ELF_PF_X);

    if (s->filesz > s->memsz)
        return fail(why, -EINVAL, "elf: segment filesz larger than memsz");
    if (s->offset > len || s->filesz > len - s->offset)
        return fail(why, -EINVAL, "elf: segment file data runs past the end of the file");
    if (s->vaddr > UINT64_MAX - s->memsz)
        return fail(why, -ERANGE, "elf: segment wraps past the top of the address space");
    if (s->vaddr + s->memsz > va_limit)
        return fail(why, -ERANGE, "elf: segment ends above the user address limit");
    /* The page holding vaddr is mapped from the page holding offset. */
    if (s->vaddr % page != s->offset % page)
        return fail(why, -EINVAL, "elf: segment vaddr and offset differ modulo the page size");
    if (s->align > 1) {
        if (!is_pow2(s->align))
            return fail(why, -EINVAL, "elf: segment p_align is not a power of two");
        if (s->vaddr % s->align != s->offset % s->align)
            return fail(why, -EINVAL, "elf: segment vaddr and offset differ modulo p_align");
    }
    return 0;
}

int elf_parse(const void *img, size_t len, uint64_t va_limit, uint64_t page_size,
              struct elf_image *out, const char **why)
{
    const uint8_t *b = img;
    uint64_t phoff, prev_end_page = 0, end, i;
    uint16_t phnum;
    bool entry_ok = false;
    struct elf_segment *s;
    int err;

    if (!img || !out)
        return fail(why, -EINVAL, "elf: no image");
    if (!is_pow2(page_size))
        return fail(why, -EINVAL, "elf: page size is not a power of two");
    err = check_ehdr(b, len, why);
    if (err)
        return err;

    out->type = le16(b + EHDR(e_type));
    out->entry = le64(b + EHDR(e_entry));
    out->nseg = 0;
    phoff = le64(b + EHDR(e_phoff));
    phnum = le16(b + EHDR(e_phnum));

    for (i = 0; i < phnum; i++) {
        const uint8_t *ph = b + phoff + i * sizeof(struct elf64_phdr);

        if (le32(ph + PHDR(p_type)) != ELF_PT_LOAD)
            continue;
        if (le64(ph + PHDR(p_memsz)) == 0) {
            if (le64(ph + PHDR(p_filesz)) != 0)
                return fail(why, -EINVAL, "elf: segment filesz larger than memsz");
            continue;
        }
        if (out->nseg == ELF_MAX_SEGMENTS)
            return fail(why, -E2BIG, "elf: more than 16 loadable segments");
        s = &out->seg[out->nseg];
        err = check_load(ph, len, va_limit, page_size, s, why);
        if (err)
            return err;

        /* Ascending, and the first page of this one after the last page of the previous. */
        end = s->vaddr + s->memsz; /* checked not to wrap */
        if (out->nseg > 0 && s->vaddr / page_size < prev_end_page)
            return fail(why, -EINVAL,
                        "elf: segments out of vaddr order, overlapping or sharing a page");
        prev_end_page = end / page_size + (end % page_size != 0);
        if (out->nseg == 0)
            out->lo = s->vaddr - s->vaddr % page_size;
        out->hi = end;
        if ((s->flags & ELF_PF_X) && out->entry >= s->vaddr && out->entry - s->vaddr < s->memsz)
            entry_ok = true;
        out->nseg++;
    }

    if (out->nseg == 0)
        return fail(why, -EINVAL, "elf: no loadable (PT_LOAD) segment");
    if (!entry_ok)
        return fail(why, -EINVAL, "elf: entry point outside every executable segment");
    /* Page-round hi; it can only overflow when the segment ends in the top page. */
    if (out->hi % page_size != 0) {
        if (out->hi > UINT64_MAX - (page_size - out->hi % page_size))
            return fail(why, -ERANGE, "elf: last segment ends in the top page of the space");
        out->hi += page_size - out->hi % page_size;
    }
    return 0;
}
