#!/bin/bash
# mkinitrd-with.sh BASE_INITRD SCRIPT OUT [PROGRAM...]
#
# Writes OUT = BASE_INITRD followed by a small gzip'd newc cpio holding
# SCRIPT as /test.sh (mode 0755, owner root).  The kernel unpacks
# concatenated initramfs archives in order, so the guest's /init finds
# /test.sh and runs it.  Unprivileged, takes a few milliseconds.
#
# Each PROGRAM (a path on this machine, e.g. /usr/sbin/dhcpcd) goes in at
# the same path, with the shared libraries ldd(1) lists for it and their
# loader: a real client the busybox guest lacks (busybox-static has no
# DHCPv6 client), run by the tests that need it and nobody else.
set -euo pipefail
export LC_ALL=C

PROG=$(basename "$0")
die() {
	echo "$PROG: error: $*" >&2
	exit 1
}

[ $# -ge 3 ] || die "usage: $PROG BASE_INITRD SCRIPT OUT [PROGRAM...]"
base=$1 script=$2 out=$3
shift 3
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
for prog in "$@"; do
	[ -x "$prog" ] || die "program '$prog' not found"
	# the program, then each "/path" ldd names (libraries, the loader)
	for f in "$prog" $(ldd "$prog" 2>/dev/null | grep -o '/[^ ]*'); do
		mkdir -p "$tmp/root$(dirname -- "$f")"
		cp -L -- "$f" "$tmp/root$f"
	done
done
(cd "$tmp/root" && find . -mindepth 1 | sed 's|^\./||' |
	cpio -o -H newc -R 0:0 --quiet) | gzip -1n >"$tmp/test.cpio.gz"

# Build next to OUT and rename, so OUT is never seen half-written.
part=$(mktemp "$outdir/.$(basename -- "$out").XXXXXX")
cat -- "$base" "$tmp/test.cpio.gz" >"$part"
chmod 0644 "$part"
mv -f -- "$part" "$out"
part=
