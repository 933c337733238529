# tools/lib.sh - shared by the tools/ scripts: where the build directories are and how to
# bring one up to date. Source it; do not run it.
#
# One build directory per board, build/<platform>, configured with meson for cross
# compilation (cross-riscv.txt). Only build/qemu-virt builds the host tests.

SAMARA_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

# samara_platform MACHINE -> the platform folder for a QEMU machine name
samara_platform() {
    case "$1" in
    virt) echo qemu-virt ;;
    sifive_u) echo sifive-u ;;
    *) echo "unknown machine '$1' (virt or sifive_u)" >&2; return 1 ;;
    esac
}

# samara_build PLATFORM: configure (once) and build build/PLATFORM; prints its path.
samara_build() {
    local plat=$1 dir="$SAMARA_ROOT/build/$1" host=false
    [ "$plat" = qemu-virt ] && host=true
    if [ ! -f "$dir/build.ninja" ]; then
        meson setup "$dir" "$SAMARA_ROOT" --cross-file "$SAMARA_ROOT/cross-riscv.txt" \
            -Dplatform="$plat" -Dhost_tests=$host >&2
        # clangd finds compile_commands.json at the top of the tree.
        [ "$plat" = qemu-virt ] && ln -sf "build/$plat/compile_commands.json" \
            "$SAMARA_ROOT/compile_commands.json"
    fi
    ninja -C "$dir" >&2
    echo "$dir"
}
