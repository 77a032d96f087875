#!/bin/bash
# mkinitrd-with.sh BASE_INITRD SCRIPT OUT
#
# Writes OUT = BASE_INITRD followed by a small gzip'd newc cpio holding
# SCRIPT as /test.sh (mode 0755, owner root).  The kernel unpacks
# concatenated initramfs archives in order, so the guest's /init finds
# /test.sh and runs it.  Unprivileged, takes a few milliseconds.
set -euo pipefail
export LC_ALL=C

PROG=$(basename "$0")
die() {
	echo "$PROG: error: $*" >&2
	exit 1
}

[ $# -eq 3 ] || die "usage: $PROG BASE_INITRD SCRIPT OUT"
base=$1 script=$2 out=$3
[ -f "$base" ] || die "base initrd '$base' not found (run tests/guest/build.sh OUTDIR)"
[ -f "$script" ] || die "script '$script' not found"
command -v cpio >/dev/null 2>&1 || die "'cpio' not found; install the Debian package 'cpio'"
command -v gzip >/dev/null 2>&1 || die "'gzip' not found; install the Debian package 'gzip'"

outdir=$(dirname -- "$out")
tmp=$(mktemp -d "${TMPDIR:-/tmp}/qbox-initrd.XXXXXX")
part=
trap 'rm -rf "$tmp"; [ -z "$part" ] || rm -f "$part"' EXIT

mkdir "$tmp/root"
cp -- "$script" "$tmp/root/test.sh"
chmod 0755 "$tmp/root/test.sh"
(cd "$tmp/root" && echo test.sh | cpio -o -H newc -R 0:0 --quiet) |
	gzip -1n >"$tmp/test.cpio.gz"

# Build next to OUT and rename, so OUT is never seen half-written.
part=$(mktemp "$outdir/.$(basename -- "$out").XXXXXX")
cat -- "$base" "$tmp/test.cpio.gz" >"$part"
chmod 0644 "$part"
mv -f -- "$part" "$out"
part=
