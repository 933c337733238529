/*
 * fdt.c - read-only walker for flattened device trees.
 *
 * Split the seL4 way: fdt_init() decodes and checks everything once (header, reservation
 * block, every structure token) and may fail; the accessors after it assume a checked blob
 * but never trust an offset anyway. All reading goes through step(), which decodes one
 * structure token with every bound checked, so even a node handle or cursor made up by the
 * caller cannot make the walker read outside the blob. Offsets are uint32_t: fdt_init()
 * refuses a totalsize above INT32_MAX, so an offset also fits the int used for node handles,
 * and offset + small constant never wraps.
 *
 * Format facts used here (Devicetree Specification v0.4, chapter 5): all numbers are
 * big-endian; the header is ten 32-bit words (nine before version 17, which added
 * size_dt_struct); tokens are 32-bit and 4-aligned; a node name and a property value are
 * padded with zeros to the next 4-byte boundary; properties of a node come before its
 * children; the root node's name is empty.
 */
#include "fdt/fdt.h"
#include "base/lib_errno.h"
#include "fdt/fdt_util.h"

/* Structure block tokens. */
#define FDT_BEGIN_NODE 0x1u
#define FDT_END_NODE   0x2u
#define FDT_PROP       0x3u /* followed by u32 len, u32 nameoff, len bytes of value */
#define FDT_NOP        0x4u
#define FDT_END        0x9u

/* Header: byte offsets of its 32-bit fields, and its size per version. */
#define HDR_MAGIC          0
#define HDR_TOTALSIZE      4
#define HDR_OFF_DT_STRUCT  8
#define HDR_OFF_DT_STRINGS 12
#define HDR_OFF_MEM_RSVMAP 16
#define HDR_VERSION        20
#define HDR_LAST_COMP      24
#define HDR_SIZE_STRINGS   32
#define HDR_SIZE_STRUCT    36
#define HDR_SIZE_V16       36u
#define HDR_SIZE_V17       40u

#define RSV_ENTRY_SIZE 16u /* {u64 address, u64 size} */

static uint32_t be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static uint64_t be64(const uint8_t *p)
{
    return (uint64_t)be32(p) << 32 | be32(p + 4);
}

static size_t str_len(const char *s)
{
    size_t n = 0;

    while (s[n])
        n++;
    return n;
}

/*
 * Decode the structure token at @off: its kind in *@tok and the offset of the token after it
 * in *@next. Every byte it or its caller will touch (the name of a node, the header, value
 * and name of a property) is checked to lie in its block.
 * Return: NULL, or a static string naming what is wrong.
 */
static const char *step(const struct fdt *fdt, uint32_t off, uint32_t *tok, uint32_t *next)
{
    const uint8_t *b = fdt->blob;
    uint32_t end = fdt->struct_end;
    uint32_t p, q;

    if (off % 4 != 0 || off < fdt->struct_off || off >= end || end - off < 4)
        return "fdt: structure block truncated (no END token)";
    *tok = be32(b + off);
    p = off + 4;
    switch (*tok) {
    case FDT_BEGIN_NODE:
        for (q = p; q < end && b[q] != '\0'; q++)
            ;
        if (q == end)
            return "fdt: node name not terminated inside the structure block";
        *next = (q + 1 + 3) & ~3u;
        return NULL;
    case FDT_PROP: {
        uint32_t len, nameoff, s;

        if (end - p < 8)
            return "fdt: property header truncated";
        len = be32(b + p);
        nameoff = be32(b + p + 4);
        if (len > end - (p + 8))
            return "fdt: property value runs past the structure block";
        if (nameoff >= fdt->strings_size)
            return "fdt: property name offset outside the strings block";
        for (s = fdt->strings_off + nameoff; s < fdt->strings_off + fdt->strings_size; s++)
            if (b[s] == '\0')
                break;
        if (s == fdt->strings_off + fdt->strings_size)
            return "fdt: property name not terminated inside the strings block";
        *next = (p + 8 + len + 3) & ~3u;
        return NULL;
    }
    case FDT_END_NODE:
    case FDT_NOP:
    case FDT_END:
        *next = p;
        return NULL;
    default:
        return "fdt: unknown token in the structure block";
    }
}

/*
 * Walk the whole structure block once: one root node with an empty name, nodes closed in
 * order and nested at most FDT_MAX_DEPTH deep, properties only at the start of a node, and
 * an END token after the root closes.
 */
static const char *check_struct(struct fdt *fdt)
{
    uint32_t off = fdt->struct_off, tok, next, prev = FDT_END;
    unsigned depth = 0;
    bool seen_root = false;

    for (;;) {
        const char *err = step(fdt, off, &tok, &next);

        if (err)
            return err;
        switch (tok) {
        case FDT_BEGIN_NODE:
            if (depth == 0) {
                if (seen_root)
                    return "fdt: more than one root node";
                if (fdt->blob[off + 4] != '\0')
                    return "fdt: root node has a name";
                seen_root = true;
                fdt->root = off;
            }
            if (++depth > FDT_MAX_DEPTH)
                return "fdt: nodes nested more than 32 deep";
            break;
        case FDT_END_NODE:
            if (depth == 0)
                return "fdt: END_NODE without a matching BEGIN_NODE";
            depth--;
            break;
        case FDT_PROP:
            if (prev != FDT_BEGIN_NODE && prev != FDT_PROP)
                return "fdt: property outside a node or after a child node";
            break;
        case FDT_NOP:
            off = next;
            continue;
        case FDT_END:
            if (depth != 0)
                return "fdt: structure block ends inside a node";
            if (!seen_root)
                return "fdt: structure block has no root node";
            return NULL;
        }
        prev = tok;
        off = next;
    }
}

int fdt_init(struct fdt *fdt, const void *blob, size_t maxlen, const char **why)
{
    const uint8_t *b = blob;
    uint32_t total, version, hdr, rsv, so, ssize, stro, strsize, o;
    const char *err;

    if (!fdt || !blob)
        return fdt_fail(why, -EINVAL, "fdt: no blob");
    if (maxlen < HDR_SIZE_V17)
        return fdt_fail(why, -EINVAL, "fdt: blob shorter than the 40-byte header");
    if (be32(b + HDR_MAGIC) != FDT_MAGIC)
        return fdt_fail(why, -EINVAL, "fdt: bad magic (not 0xd00dfeed)");
    total = be32(b + HDR_TOTALSIZE);
    if (total > maxlen)
        return fdt_fail(why, -EINVAL, "fdt: totalsize larger than the buffer holding the blob");
    if (total > INT32_MAX)
        return fdt_fail(why, -EINVAL, "fdt: totalsize above 2 GiB");
    version = be32(b + HDR_VERSION);
    if (version < 16)
        return fdt_fail(why, -EINVAL, "fdt: version older than 16");
    if (be32(b + HDR_LAST_COMP) > 17)
        return fdt_fail(why, -EINVAL, "fdt: last_comp_version newer than 17");
    hdr = version >= 17 ? HDR_SIZE_V17 : HDR_SIZE_V16;
    if (total < hdr)
        return fdt_fail(why, -EINVAL, "fdt: totalsize smaller than the header");

    rsv = be32(b + HDR_OFF_MEM_RSVMAP);
    if (rsv % 8 != 0)
        return fdt_fail(why, -EINVAL, "fdt: memory reservation block not 8-byte aligned");
    if (rsv < hdr || rsv > total)
        return fdt_fail(why, -EINVAL, "fdt: memory reservation block outside the blob");
    for (o = rsv;; o += RSV_ENTRY_SIZE) {
        if (total - o < RSV_ENTRY_SIZE)
            return fdt_fail(why, -EINVAL, "fdt: memory reservation block not terminated");
        if (be64(b + o) == 0 && be64(b + o + 8) == 0)
            break;
    }

    so = be32(b + HDR_OFF_DT_STRUCT);
    if (so % 4 != 0)
        return fdt_fail(why, -EINVAL, "fdt: structure block not 4-byte aligned");
    if (so < hdr || so > total)
        return fdt_fail(why, -EINVAL, "fdt: structure block outside the blob");
    ssize = version >= 17 ? be32(b + HDR_SIZE_STRUCT) : total - so;
    if (ssize > total - so)
        return fdt_fail(why, -EINVAL, "fdt: structure block runs past totalsize");

    stro = be32(b + HDR_OFF_DT_STRINGS);
    strsize = be32(b + HDR_SIZE_STRINGS);
    if (stro < hdr || stro > total)
        return fdt_fail(why, -EINVAL, "fdt: strings block outside the blob");
    if (strsize > total - stro)
        return fdt_fail(why, -EINVAL, "fdt: strings block runs past totalsize");

    fdt->blob = b;
    fdt->totalsize = total;
    fdt->version = version;
    fdt->rsvmap_off = rsv;
    fdt->struct_off = so;
    fdt->struct_end = so + ssize;
    fdt->strings_off = stro;
    fdt->strings_size = strsize;
    fdt->root = 0;
    err = check_struct(fdt);
    if (err)
        return fdt_fail(why, -EINVAL, err);
    return 0;
}

int fdt_root(const struct fdt *fdt)
{
    return (int)fdt->root;
}

/* Offset just past @node's name, or 0 if @node is not a BEGIN_NODE token. */
static uint32_t node_body(const struct fdt *fdt, int node)
{
    uint32_t tok, next;

    if (node < 0 || step(fdt, (uint32_t)node, &tok, &next) || tok != FDT_BEGIN_NODE)
        return 0;
    return next;
}

int fdt_node_next(const struct fdt *fdt, int node, int *depth)
{
    uint32_t off = node_body(fdt, node), tok, next;
    int d = 1;

    if (!off)
        return -EINVAL;
    for (;; off = next) {
        if (step(fdt, off, &tok, &next))
            return -EINVAL;
        if (tok == FDT_BEGIN_NODE) {
            if (depth)
                *depth += d;
            return (int)off;
        }
        if (tok == FDT_END_NODE)
            d--;
        else if (tok == FDT_END)
            return -ENOENT;
    }
}

int fdt_first_child(const struct fdt *fdt, int node)
{
    uint32_t off = node_body(fdt, node), tok, next;

    if (!off)
        return -EINVAL;
    for (;; off = next) {
        if (step(fdt, off, &tok, &next))
            return -EINVAL;
        if (tok == FDT_BEGIN_NODE)
            return (int)off;
        if (tok != FDT_PROP && tok != FDT_NOP)
            return -ENOENT;
    }
}

int fdt_next_sibling(const struct fdt *fdt, int node)
{
    uint32_t off = node_body(fdt, node), tok, next;
    unsigned d = 1;

    if (!off)
        return -EINVAL;
    /* Skip the rest of @node, children included, up to its END_NODE. */
    for (; d > 0; off = next) {
        if (step(fdt, off, &tok, &next))
            return -EINVAL;
        if (tok == FDT_BEGIN_NODE)
            d++;
        else if (tok == FDT_END_NODE)
            d--;
        else if (tok == FDT_END)
            return -EINVAL;
    }
    for (;; off = next) {
        if (step(fdt, off, &tok, &next))
            return -EINVAL;
        if (tok == FDT_BEGIN_NODE)
            return (int)off;
        if (tok != FDT_NOP)
            return -ENOENT;
    }
}

int fdt_parent(const struct fdt *fdt, int node)
{
    uint32_t stack[FDT_MAX_DEPTH];
    uint32_t off = fdt->root, tok, next;
    unsigned depth = 0;

    if (!node_body(fdt, node))
        return -EINVAL;
    for (;; off = next) {
        if (step(fdt, off, &tok, &next))
            return -EINVAL;
        if (tok == FDT_BEGIN_NODE) {
            if (off == (uint32_t)node)
                return depth > 0 ? (int)stack[depth - 1] : -ENOENT;
            if (depth == FDT_MAX_DEPTH)
                return -EINVAL;
            stack[depth++] = off;
        } else if (tok == FDT_END_NODE) {
            if (depth == 0)
                return -ENOENT;
            depth--;
        } else if (tok == FDT_END) {
            return -ENOENT;
        }
    }
}

const char *fdt_node_name(const struct fdt *fdt, int node)
{
    if (!node_body(fdt, node))
        return NULL;
    return (const char *)fdt->blob + node + 4;
}

/* Whether node name @name matches path component @comp/@len (see fdt_path_lookup()). */
static bool name_matches(const char *name, const char *comp, size_t len)
{
    bool comp_has_unit = false;
    size_t i;

    for (i = 0; i < len; i++) {
        if (name[i] != comp[i])
            return false;
        if (comp[i] == '@')
            comp_has_unit = true;
    }
    return name[len] == '\0' || (name[len] == '@' && !comp_has_unit);
}

int fdt_path_lookup(const struct fdt *fdt, const char *path, size_t len)
{
    int node = fdt_root(fdt);
    size_t pos = 1;

    if (len == 0 || path[0] != '/')
        return -EINVAL;
    for (;;) {
        while (pos < len && path[pos] == '/')
            pos++;
        if (pos == len || path[pos] == '\0')
            return node;
        size_t start = pos;

        while (pos < len && path[pos] != '/' && path[pos] != '\0')
            pos++;
        for (node = fdt_first_child(fdt, node); node >= 0; node = fdt_next_sibling(fdt, node))
            if (name_matches(fdt_node_name(fdt, node), path + start, pos - start))
                break;
        if (node < 0)
            return node;
    }
}

int fdt_prop_next(const struct fdt *fdt, int node, int *cursor, struct fdt_prop *out)
{
    uint32_t off, tok, next;

    if (*cursor == 0)
        off = node_body(fdt, node);
    else
        off = *cursor > 0 ? (uint32_t)*cursor : 0;
    if (!off)
        return -EINVAL;
    for (;; off = next) {
        if (step(fdt, off, &tok, &next))
            return -EINVAL;
        if (tok == FDT_PROP)
            break;
        if (tok != FDT_NOP)
            return -ENOENT;
    }
    /* step() checked the value and the name lie inside their blocks. */
    out->len = be32(fdt->blob + off + 4);
    out->name = (const char *)fdt->blob + fdt->strings_off + be32(fdt->blob + off + 8);
    out->data = fdt->blob + off + 12;
    *cursor = (int)next;
    return 0;
}

int fdt_prop_get(const struct fdt *fdt, int node, const char *name, struct fdt_prop *out)
{
    int cursor = 0, err;

    while ((err = fdt_prop_next(fdt, node, &cursor, out)) == 0)
        if (fdt_str_eq(out->name, name))
            return 0;
    return err;
}

int fdt_prop_string(const struct fdt *fdt, int node, const char *name, const char **out)
{
    struct fdt_prop p;
    int err = fdt_prop_get(fdt, node, name, &p);

    if (err)
        return err;
    if (p.len == 0 || ((const char *)p.data)[p.len - 1] != '\0')
        return -EINVAL;
    *out = p.data;
    return 0;
}

int fdt_prop_uint(const struct fdt *fdt, int node, const char *name, uint64_t *out)
{
    struct fdt_prop p;
    int err = fdt_prop_get(fdt, node, name, &p);

    if (err)
        return err;
    if (p.len == 4)
        *out = be32(p.data);
    else if (p.len == 8)
        *out = be64(p.data);
    else
        return -EINVAL;
    return 0;
}

int fdt_prop_cells(const struct fdt_prop *prop, size_t index, uint32_t ncells, uint64_t *out)
{
    const uint8_t *p = prop->data;
    size_t have = prop->len / 4;
    uint64_t v = 0;
    uint32_t i;

    if (ncells > 2)
        return -ERANGE;
    if (index > have || ncells > have - index)
        return -EINVAL;
    for (i = 0; i < ncells; i++)
        v = v << 32 | be32(p + 4 * (index + i));
    *out = v;
    return 0;
}

bool fdt_stringlist_contains(const void *data, size_t len, const char *str)
{
    const char *s = data;
    size_t want = str_len(str), pos = 0, n;

    while (pos < len) {
        for (n = 0; pos + n < len && s[pos + n] != '\0'; n++)
            ;
        if (pos + n == len)
            return false; /* last string not terminated: malformed, matches nothing */
        if (n == want && __builtin_memcmp(s + pos, str, n) == 0)
            return true;
        pos += n + 1;
    }
    return false;
}

bool fdt_node_compatible(const struct fdt *fdt, int node, const char *compat)
{
    struct fdt_prop p;

    return fdt_prop_get(fdt, node, "compatible", &p) == 0 &&
           fdt_stringlist_contains(p.data, p.len, compat);
}

bool fdt_node_enabled(const struct fdt *fdt, int node)
{
    const char *status;
    int err = fdt_prop_string(fdt, node, "status", &status);

    if (err == -ENOENT)
        return true;
    return err == 0 && (fdt_str_eq(status, "okay") || fdt_str_eq(status, "ok"));
}

/* A one-cell property of @node, or @dflt where absent. */
static int prop_cell(const struct fdt *fdt, int node, const char *name, uint32_t dflt,
                     uint32_t *out)
{
    struct fdt_prop p;
    int err = fdt_prop_get(fdt, node, name, &p);

    if (err == -ENOENT) {
        *out = dflt;
        return 0;
    }
    if (err)
        return err;
    if (p.len != 4)
        return -EINVAL;
    *out = be32(p.data);
    return 0;
}

int fdt_node_cells(const struct fdt *fdt, int node, uint32_t *addr_cells, uint32_t *size_cells)
{
    int err = prop_cell(fdt, node, "#address-cells", 2, addr_cells);

    return err ? err : prop_cell(fdt, node, "#size-cells", 1, size_cells);
}

/* Find @node's "reg" and the cells it is read with; return its entry count or an error. */
static int reg_layout(const struct fdt *fdt, int node, struct fdt_prop *reg, uint32_t *ac,
                      uint32_t *sc)
{
    int parent = fdt_parent(fdt, node), err;

    if (parent < 0)
        return parent == -ENOENT ? -ERANGE : parent; /* the root has no reg cells */
    if (fdt_node_cells(fdt, parent, ac, sc) || *ac == 0 || *ac > 2 || *sc > 2)
        return -ERANGE;
    err = fdt_prop_get(fdt, node, "reg", reg);
    if (err)
        return err;
    if (reg->len % (4 * (*ac + *sc)) != 0)
        return -EINVAL;
    return (int)(reg->len / (4 * (*ac + *sc)));
}

int fdt_reg_count(const struct fdt *fdt, int node)
{
    struct fdt_prop reg;
    uint32_t ac, sc;

    return reg_layout(fdt, node, &reg, &ac, &sc);
}

int fdt_reg_get(const struct fdt *fdt, int node, unsigned index, uint64_t *base, uint64_t *size)
{
    struct fdt_prop reg;
    uint32_t ac, sc;
    int n = reg_layout(fdt, node, &reg, &ac, &sc), err;

    if (n < 0)
        return n;
    if (index >= (unsigned)n)
        return -ENOENT;
    err = fdt_prop_cells(&reg, (size_t)index * (ac + sc), ac, base);
    if (!err)
        err = fdt_prop_cells(&reg, (size_t)index * (ac + sc) + ac, sc, size);
    return err;
}

/*
 * Check that @bus passes @addr through unchanged: "ranges" empty, or every entry (child
 * address, parent address, length) an identity one, and one of them covering @addr.
 */
static int ranges_identity(const struct fdt *fdt, int bus, uint64_t addr)
{
    struct fdt_prop r;
    uint32_t cac, csc, pac, psc, n;
    uint64_t child = 0, parent = 0, len = 0;
    bool covered = false;
    size_t i;
    int up = fdt_parent(fdt, bus);

    if (up < 0)
        return up;
    if (fdt_prop_get(fdt, bus, "ranges", &r))
        return -ERANGE; /* no ranges: the bus is not mapped into the CPU's space */
    if (r.len == 0)
        return 0;
    if (fdt_node_cells(fdt, bus, &cac, &csc) || fdt_node_cells(fdt, up, &pac, &psc))
        return -ERANGE;
    if (cac > 2 || pac > 2 || csc > 2)
        return -ERANGE;
    n = cac + pac + csc;
    if (n == 0 || r.len % (4 * n) != 0)
        return -EINVAL;
    for (i = 0; i < r.len / 4; i += n) {
        fdt_prop_cells(&r, i, cac, &child);
        fdt_prop_cells(&r, i + cac, pac, &parent);
        fdt_prop_cells(&r, i + cac + pac, csc, &len);
        if (child != parent)
            return -ERANGE;
        if (addr >= child && addr - child < len)
            covered = true;
    }
    return covered ? 0 : -ERANGE;
}

int fdt_reg_mmio(const struct fdt *fdt, int node, uint64_t *base, uint64_t *size)
{
    int bus, err, hops;

    err = fdt_reg_get(fdt, node, 0, base, size);
    if (err)
        return err;
    bus = fdt_parent(fdt, node);
    for (hops = 0; bus >= 0 && bus != fdt_root(fdt); hops++) {
        if (hops > FDT_MAX_DEPTH)
            return -EINVAL;
        err = ranges_identity(fdt, bus, *base);
        if (err)
            return err;
        bus = fdt_parent(fdt, bus);
    }
    return bus < 0 ? bus : 0;
}

int fdt_phandle_lookup(const struct fdt *fdt, uint32_t phandle)
{
    struct fdt_prop p;
    int node;

    if (phandle == 0 || phandle == 0xffffffffu)
        return -EINVAL;
    for (node = fdt_root(fdt); node >= 0; node = fdt_node_next(fdt, node, NULL)) {
        if ((fdt_prop_get(fdt, node, "phandle", &p) == 0 ||
             fdt_prop_get(fdt, node, "linux,phandle", &p) == 0) &&
            p.len == 4 && be32(p.data) == phandle)
            return node;
    }
    return node;
}

int fdt_stdout_lookup(const struct fdt *fdt)
{
    const char *path, *target;
    struct fdt_prop p;
    int chosen, aliases, cursor = 0, err;
    size_t n;

    chosen = fdt_path_lookup(fdt, "/chosen", 7);
    if (chosen < 0)
        return chosen;
    err = fdt_prop_string(fdt, chosen, "stdout-path", &path);
    if (err == -ENOENT)
        err = fdt_prop_string(fdt, chosen, "linux,stdout-path", &path);
    if (err)
        return err;
    for (n = 0; path[n] != '\0' && path[n] != ':'; n++)
        ;
    if (path[0] == '/')
        return fdt_path_lookup(fdt, path, n);

    /* An alias: a property of /aliases whose value is the path. */
    aliases = fdt_path_lookup(fdt, "/aliases", 8);
    if (aliases < 0)
        return aliases;
    while ((err = fdt_prop_next(fdt, aliases, &cursor, &p)) == 0) {
        if (!name_matches(p.name, path, n) || p.name[n] != '\0')
            continue;
        if (p.len == 0 || ((const char *)p.data)[p.len - 1] != '\0')
            return -EINVAL;
        target = p.data;
        if (target[0] != '/')
            return -EINVAL;
        return fdt_path_lookup(fdt, target, str_len(target));
    }
    return err;
}

int fdt_rsv_get(const struct fdt *fdt, unsigned index, uint64_t *base, uint64_t *size)
{
    uint32_t o = fdt->rsvmap_off;
    unsigned i;

    for (i = 0;; i++, o += RSV_ENTRY_SIZE) {
        if (fdt->totalsize - o < RSV_ENTRY_SIZE)
            return -ENOENT;
        *base = be64(fdt->blob + o);
        *size = be64(fdt->blob + o + 8);
        if (*base == 0 && *size == 0)
            return -ENOENT;
        if (i == index)
            return 0;
    }
}
