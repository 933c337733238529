/*
 * elf.h - checker for RISC-V ELF64 executables, for the loader and the pager.
 *
 * elf_parse() reads the file header and program headers of an untrusted image and returns
 * the PT_LOAD segments, each checked so that the pager can map them without further tests:
 * inside the file, below a virtual-address limit, congruent offset and address modulo the
 * page size, ascending and never sharing a page (one permission set per page).
 *
 * The structures below are the ELF-64 Object File Format (version 1.5) layouts, little-endian
 * here; the parser decodes them byte by byte at these offsets, so it needs neither an
 * aligned image nor a little-endian host.
 */
#ifndef ELF_ELF_H
#define ELF_ELF_H

#include <stddef.h>
#include <stdint.h>

/* e_ident */
#define ELF_NIDENT     16
#define ELF_EI_CLASS   4
#define ELF_EI_DATA    5
#define ELF_EI_VERSION 6
#define ELF_CLASS64    2
#define ELF_DATA2LSB   1
/* e_type, e_machine, e_version */
#define ELF_ET_EXEC    2
#define ELF_ET_DYN     3
#define ELF_EM_RISCV   243
#define ELF_EV_CURRENT 1
#define ELF_PN_XNUM    0xffff /* real count in section 0: not supported */
/* p_type, p_flags */
#define ELF_PT_LOAD 1
#define ELF_PF_X    0x1u
#define ELF_PF_W    0x2u
#define ELF_PF_R    0x4u

#define ELF_MAX_SEGMENTS 16

struct elf64_ehdr {
    uint8_t e_ident[ELF_NIDENT]; /* "\x7f" "ELF", class, data, version, OS ABI, padding */
    uint16_t e_type;
    uint16_t e_machine;
    uint32_t e_version;
    uint64_t e_entry;
    uint64_t e_phoff; /* file offset of the program header table */
    uint64_t e_shoff;
    uint32_t e_flags;
    uint16_t e_ehsize;
    uint16_t e_phentsize;
    uint16_t e_phnum;
    uint16_t e_shentsize;
    uint16_t e_shnum;
    uint16_t e_shstrndx;
};

struct elf64_phdr {
    uint32_t p_type;
    uint32_t p_flags;
    uint64_t p_offset;
    uint64_t p_vaddr;
    uint64_t p_paddr;
    uint64_t p_filesz;
    uint64_t p_memsz;
    uint64_t p_align;
};

_Static_assert(sizeof(struct elf64_ehdr) == 64, "ELF64 file header is 64 bytes");
_Static_assert(sizeof(struct elf64_phdr) == 56, "ELF64 program header is 56 bytes");

struct elf_segment {
    uint64_t vaddr, memsz, offset, filesz, align;
    uint32_t flags; /* ELF_PF_R/W/X; other bits dropped */
};

struct elf_image {
    uint64_t entry;
    uint16_t type; /* ELF_ET_EXEC or ELF_ET_DYN (addresses left as linked) */
    unsigned nseg;
    struct elf_segment seg[ELF_MAX_SEGMENTS]; /* PT_LOAD with memsz > 0, ascending vaddr */
    uint64_t lo, hi;                          /* [lo, hi): all segments, rounded out to pages */
};

/*
 * elf_parse - check an executable and list its loadable segments.
 * @img, @len: the file. @va_limit: every segment must end at or below it (exclusive top
 * of the user address space). @page_size: a power of two.
 * @why: set to a static string naming what is wrong on failure (may be NULL).
 *
 * Accepted: ELF64, little-endian, EV_CURRENT, EM_RISCV, ET_EXEC or ET_DYN, e_ehsize 64,
 * e_phentsize 56, program headers inside the file. Each PT_LOAD with memsz > 0 needs
 * filesz <= memsz, [offset, offset + filesz) inside the file, vaddr + memsz <= va_limit
 * without wrapping, vaddr == offset modulo the page size (and modulo p_align when that is
 * above 1), a vaddr above the previous segment's end with no page in common with it. At
 * least one such segment; the entry point inside one with ELF_PF_X. Other program header
 * types are ignored.
 *
 * Return: 0 with *@out filled, or
 *   -ENOEXEC  not an ELF64 little-endian RISC-V executable of a supported type/version;
 *   -EINVAL   a malformed header or segment (as above), or a bad @page_size;
 *   -ERANGE   a segment past @va_limit or wrapping the address space;
 *   -E2BIG    more than ELF_MAX_SEGMENTS loadable segments.
 * *@out is unspecified on failure.
 */
int elf_parse(const void *img, size_t len, uint64_t va_limit, uint64_t page_size,
              struct elf_image *out, const char **why);

#endif
