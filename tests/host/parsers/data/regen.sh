#!/bin/sh
# Regenerates the committed test inputs of tests/host/parsers. Run from this folder.
# Needs qemu-system-misc (QEMU 7.2), device-tree-compiler, gcc-riscv64-unknown-elf and cpio.
# The DTBs are re-packed with dtc because QEMU dumps a 1 MiB padded blob.
set -eu
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

dump() { # dump <out.dtb> <qemu args...>
    out=$1; shift
    qemu-system-riscv64 -nographic "$@" 2>/dev/null || true
    dtc -q -I dtb -O dtb -o "$out" "$tmp/raw.dtb"
}
dump virt.dtb -machine virt,dumpdtb="$tmp/raw.dtb" -m 512M -smp 2
dump sifive_u.dtb -machine sifive_u,dumpdtb="$tmp/raw.dtb" -smp 2
# -append needs -kernel; the initrd is 1000 bytes so that initrd-end - initrd-start = 1000.
head -c 4096 /dev/zero > "$tmp/kernel.bin"
head -c 1000 /dev/zero > "$tmp/initrd.bin"
dump virt-chosen.dtb -machine virt,dumpdtb="$tmp/raw.dtb" -m 512M -smp 2 \
    -kernel "$tmp/kernel.bin" -append "init=/bin/x mmu=sv39" -initrd "$tmp/initrd.bin"

# prog.elf: linked at the default 0x10000 base (text right after the headers, 752 bytes);
# prog-ttext.elf: text forced to 0x10000, so its first segment starts a page lower.
cc="riscv64-unknown-elf-gcc -march=rv64imac_zicsr -mabi=lp64 -nostdlib -static -s"
$cc -o prog.elf prog.S
$cc -Wl,-Ttext=0x10000 -o prog-ttext.elf prog.S

# small.cpio: names without prefix, in a fixed order; dotslash.cpio: the names `find .`
# gives (GNU cpio stores them without the "./").
mkdir -p "$tmp/root/bin" "$tmp/root/etc"
(
    cd "$tmp/root"
    printf 'x' > init
    printf 'hello' > bin/hello
    : > etc/empty
    printf 'abcdefghij' > etc/motd
    printf 'init\nbin\nbin/hello\netc\netc/empty\netc/motd\n' |
        cpio -o -H newc --owner=0:0 --quiet
) > small.cpio
(cd "$tmp/root" && printf '.\n./init\n./bin\n./bin/hello\n' |
    cpio -o -H newc --owner=0:0 --quiet) > dotslash.cpio
