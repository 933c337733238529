#!/usr/bin/env bash
# run.sh [ext4|ext2|tmpfs] [NAME...] - build ../file_tests.c for this Linux host and run it on a
# fresh 16 MiB file system of that type (default ext4) mounted at a temporary directory.
# Needs root (mount). The cases run on a pseudo-terminal (script), so that fd 1 is a console
# open for reading and writing, as the guest's is (file_enodev).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
fs=${1:-ext4}
[ $# -gt 0 ] && shift
work=$(mktemp -d)
mnt=$work/mnt
mkdir "$mnt"
cleanup() { umount "$mnt" 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT
if [ "$fs" = tmpfs ]; then
    mount -t tmpfs -o size=16m tmpfs "$mnt"
else
    truncate -s 16M "$work/img"
    mkfs."$fs" -q -b 4096 -m 0 "$work/img"
    mount -o loop "$work/img" "$mnt"
fi
gcc -O1 -g -Wall -Wextra -Werror -D_GNU_SOURCE -DKT_HOST -DFT_DIR="\"$mnt\"" \
    -I"$here" -o "$work/ktest-file" "$here/main.c" "$here/../file_tests.c" "$here/../mm_util.c"
script -qec "$(printf '%q ' "$work/ktest-file" "$@")" /dev/null | tr -d '\r'
