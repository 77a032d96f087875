#!/bin/bash
# Build the qbox test guest: OUTDIR/vmlinuz and OUTDIR/initramfs.cpio.gz.
#
#   tests/guest/build.sh OUTDIR
#
# Runs unprivileged (no root, no dpkg -i).  The kernel is Debian's cloud
# kernel, fetched with `apt-get download` and unpacked with `dpkg-deb -x`;
# userland is busybox-static.  Downloads and the unpacked kernel are cached
# in OUTDIR/cache, so rebuilding after editing init/udhcpc.script is quick,
# and a run with nothing changed does nothing.
#
# Environment:
#   QBOX_KERNEL_PKG  versioned kernel package to use instead of resolving
#                    linux-image-cloud-amd64 (e.g. linux-image-6.1.0-56-cloud-amd64)
#   QBOX_FORCE=1     rebuild the initramfs even if it looks up to date
# mktmp assigns its variable by name, which shellcheck cannot follow:
# shellcheck disable=SC2154
set -euo pipefail
umask 022
export LC_ALL=C

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
PROG=$(basename "$0")

die() {
	echo "$PROG: error: $*" >&2
	exit 1
}
log() { echo "$PROG: $*" >&2; }

[ $# -eq 1 ] || die "usage: $PROG OUTDIR"
mkdir -p "$1" || die "cannot create output directory $1"
OUT=$(cd "$1" && pwd)
CACHE=$OUT/cache

META_PKG=linux-image-cloud-amd64
# Load order from the design notes; modules built into the kernel are not
# copied (checked against modules.builtin). button and evdev: the
# ACPI power button as an input device, for the tests of qbox stop's
# power-off (QMP system_powerdown).
MODULES=(virtio_ring virtio virtio_pci_legacy_dev virtio_pci_modern_dev
	virtio_pci failover net_failover virtio_net virtio_blk button evdev)

# --- which busybox ----------------------------------------------------------

# Prints the path of the static busybox from the installed busybox-static
# package, or nothing.
system_busybox() {
	local st
	st=$(dpkg-query -W -f='${Status}' busybox-static 2>/dev/null) || return 0
	[ "$st" = "install ok installed" ] || return 0
	local bb
	for bb in /bin/busybox /usr/bin/busybox; do
		# Must be the file shipped by busybox-static (the plain busybox
		# package ships a dynamically linked one at the same path).
		if [ -x "$bb" ] && dpkg-query -S "$bb" 2>/dev/null |
			grep -q '^busybox-static:'; then
			echo "$bb"
			return 0
		fi
	done
}

BUSYBOX=$(system_busybox)

# --- up to date? ---------------------------------------------------------------

inputs=("$HERE/build.sh" "$HERE/init" "$HERE/udhcpc.script")
[ -n "$BUSYBOX" ] && inputs+=("$BUSYBOX")

up_to_date() {
	[ "${QBOX_FORCE:-0}" = 1 ] && return 1
	local o i
	for o in "$OUT/vmlinuz" "$OUT/initramfs.cpio.gz"; do
		[ -s "$o" ] || return 1
		for i in "${inputs[@]}"; do
			[ "$o" -nt "$i" ] || return 1
		done
	done
}

if up_to_date; then
	log "up to date: $OUT/vmlinuz $OUT/initramfs.cpio.gz"
	exit 0
fi

# --- tools ----------------------------------------------------------------------

need() { # need TOOL PACKAGE
	command -v "$1" >/dev/null 2>&1 ||
		die "'$1' not found; install the Debian package '$2'"
}
need dpkg-deb dpkg
need dpkg-query dpkg
need apt-get apt
need apt-cache apt
need cpio cpio
need gzip gzip
need find findutils

# Serialise concurrent builds into the same OUTDIR, then look again.
if command -v flock >/dev/null 2>&1; then
	exec 9>"$OUT/.lock"
	flock 9
	if up_to_date; then
		log "up to date (built concurrently): $OUT"
		exit 0
	fi
	rm -rf "$OUT"/.tmp.* # leftovers of an interrupted run (we hold the lock)
fi

mkdir -p "$CACHE"
TMPS=()
cleanup() { [ ${#TMPS[@]} -eq 0 ] || rm -rf "${TMPS[@]}"; }
trap cleanup EXIT
mktmp() { # mktmp VAR: temp dir under OUTDIR, removed on exit
	local d
	d=$(mktemp -d "$OUT/.tmp.XXXXXX")
	TMPS+=("$d")
	printf -v "$1" '%s' "$d"
}

# Newest cached .deb of package $1 (exact name), or nothing.
cached_deb() {
	local f best=
	for f in "$CACHE/$1"_*.deb; do
		[ -f "$f" ] || continue
		if [ -z "$best" ] ||
			[ "$(printf '%s\n%s\n' "$best" "$f" | sort -V | tail -n1)" = "$f" ]; then
			best=$f
		fi
	done
	[ -z "$best" ] || echo "$best"
}

# fetch_deb PKG: set FETCHED to the path of PKG's .deb in the cache,
# downloading it with `apt-get download` if it is not cached yet.
# (Not meant for $(...): its temp dir must be seen by our EXIT trap.)
fetch_deb() {
	local pkg=$1 deb dl
	FETCHED=$(cached_deb "$pkg")
	[ -z "$FETCHED" ] || return 0
	log "downloading $pkg (apt-get download)"
	mktmp dl
	if ! (cd "$dl" && apt-get download -q "$pkg" >&2); then
		die "could not download Debian package '$pkg' with 'apt-get download $pkg'" \
			"(is it in the apt sources, and has 'apt-get update' been run?)"
	fi
	for deb in "$dl"/"$pkg"_*.deb; do
		[ -f "$deb" ] || die "apt-get download $pkg produced no .deb"
		dpkg-deb --info "$deb" >/dev/null 2>&1 ||
			die "downloaded $deb is not a valid .deb"
		mv "$deb" "$CACHE/"
	done
	FETCHED=$(cached_deb "$pkg")
}

# --- kernel -------------------------------------------------------------------------

resolve_kernel_pkg() {
	if [ -n "${QBOX_KERNEL_PKG:-}" ]; then
		echo "$QBOX_KERNEL_PKG"
		return 0
	fi
	local pkg
	pkg=$(apt-cache depends "$META_PKG" 2>/dev/null |
		sed -n 's/^ *|\{0,1\}Depends: \(linux-image-[0-9][^ ]*-cloud-amd64\)$/\1/p' |
		head -n1) || true
	if [ -z "$pkg" ]; then
		# Offline / no apt lists: fall back to a kernel already cached.
		local f
		for f in "$CACHE"/linux-image-[0-9]*-cloud-amd64_*.deb; do
			[ -f "$f" ] || continue
			pkg=$(dpkg-deb -f "$f" Package)
		done
	fi
	[ -n "$pkg" ] ||
		die "cannot resolve the kernel package from '$META_PKG'" \
			"(apt-cache depends $META_PKG found no linux-image-*-cloud-amd64;" \
			"is Debian's apt source configured and 'apt-get update' done?)"
	echo "$pkg"
}

KPKG=$(resolve_kernel_pkg)
fetch_deb "$KPKG"
KDEB=$FETCHED
KDEB_VER=$(dpkg-deb -f "$KDEB" Version)
# unpacked vmlinuz + the modules we need; a new MODULES list is a new cache
KCACHE=$CACHE/kernel-$KPKG-$KDEB_VER-$(echo "${MODULES[*]}" | cksum | cut -d' ' -f1)

if [ ! -f "$KCACHE/.done" ]; then
	log "unpacking $(basename "$KDEB")"
	mktmp kx
	dpkg-deb -x "$KDEB" "$kx"
	vmlinuz=
	for f in "$kx"/boot/vmlinuz-*; do
		[ -f "$f" ] && vmlinuz=$f
	done
	[ -n "$vmlinuz" ] || die "no /boot/vmlinuz-* in $KDEB"
	kver=${vmlinuz##*/vmlinuz-}
	moddir=
	for d in "$kx/lib/modules/$kver" "$kx/usr/lib/modules/$kver"; do
		[ -d "$d" ] && moddir=$d
	done
	[ -n "$moddir" ] || die "no lib/modules/$kver in $KDEB"
	[ -f "$moddir/modules.builtin" ] || die "no modules.builtin in $KDEB"

	# modules.dep is generated by depmod in the postinst, so it is not in
	# the .deb; index the .ko files by their module name instead.
	declare -A kofile=()
	while IFS= read -r -d '' f; do
		n=${f##*/}
		n=${n%%.ko*}
		kofile[${n//-/_}]=$f
	done < <(find "$moddir" \( -name '*.ko' -o -name '*.ko.xz' -o \
		-name '*.ko.zst' -o -name '*.ko.gz' \) -print0)

	mktmp kc
	mkdir -p "$kc/modules"
	cp "$vmlinuz" "$kc/vmlinuz"
	cp "$moddir/modules.builtin" "$kc/modules.builtin"
	echo "$kver" >"$kc/kernel-version"
	: >"$kc/modules.order"
	: >"$kc/modules.summary"
	for m in "${MODULES[@]}"; do
		# modules.builtin lists e.g. kernel/drivers/virtio/virtio.ko
		if sed 's|.*/||; s|\.ko$||; s|-|_|g' "$kc/modules.builtin" |
			grep -qx "$m"; then
			echo "$m builtin" >>"$kc/modules.summary"
			continue
		fi
		f=${kofile[$m]:-}
		[ -n "$f" ] ||
			die "module $m is neither built into $kver nor shipped in $KPKG"
		case $f in
		*.ko) cp "$f" "$kc/modules/$m.ko" ;;
		*.ko.xz)
			need xz xz-utils
			xz -dc "$f" >"$kc/modules/$m.ko"
			;;
		*.ko.zst)
			need zstd zstd
			zstd -qdc "$f" >"$kc/modules/$m.ko"
			;;
		*.ko.gz) gzip -dc "$f" >"$kc/modules/$m.ko" ;;
		esac
		# Its dependencies (from .modinfo "depends=") must be built in
		# or loaded before it.
		deps=$(tr '\0' '\n' <"$kc/modules/$m.ko" |
			sed -n 's/^depends=//p' | head -n1 | tr ',' ' ')
		for d in $deps; do
			d=${d//-/_}
			grep -qx "$d" "$kc/modules.order" ||
				grep -q "^$d builtin\$" "$kc/modules.summary" ||
				die "module $m needs $d, which is not loaded before it;" \
					"fix MODULES in $HERE/build.sh"
		done
		echo "$m" >>"$kc/modules.order"
		echo "$m ko ${f#"$moddir"/}" >>"$kc/modules.summary"
	done
	chmod 0755 "$kc"
	touch "$kc/.done"
	rm -rf "$KCACHE"
	mv "$kc" "$KCACHE"
	rm -rf "$kx" # large; do not keep it around until exit
	log "kernel $kver: $(tr '\n' ';' <"$KCACHE/modules.summary")"
fi

# --- busybox --------------------------------------------------------------------

if [ -z "$BUSYBOX" ]; then
	BUSYBOX=$CACHE/busybox
	if [ ! -x "$BUSYBOX" ]; then
		log "busybox-static is not installed; fetching it"
		fetch_deb busybox-static
		BBDEB=$FETCHED
		mktmp bx
		dpkg-deb -x "$BBDEB" "$bx"
		for f in "$bx/bin/busybox" "$bx/usr/bin/busybox"; do
			[ -f "$f" ] && cp "$f" "$BUSYBOX.tmp"
		done
		[ -f "$BUSYBOX.tmp" ] || die "no busybox binary in $BBDEB"
		chmod 0755 "$BUSYBOX.tmp"
		mv "$BUSYBOX.tmp" "$BUSYBOX"
	fi
fi

# --- initramfs ------------------------------------------------------------------

mktmp root
R=$root/root
mkdir -p "$R"/{bin,sbin,usr/bin,usr/sbin,usr/share/udhcpc,lib/modules} \
	"$R"/{proc,sys,dev,etc,run,root,tmp,www,var/log}
chmod 1777 "$R/tmp"

cp "$BUSYBOX" "$R/bin/busybox"
chmod 0755 "$R/bin/busybox"
# Applet symlinks at the paths busybox itself reports (bin/sh, sbin/ip, ...).
"$BUSYBOX" --list-full | while IFS= read -r applet; do
	[ -n "$applet" ] || continue
	[ -e "$R/$applet" ] || [ -L "$R/$applet" ] || {
		mkdir -p "$(dirname "$R/$applet")"
		ln -s /bin/busybox "$R/$applet"
	}
done
[ -L "$R/bin/sh" ] || die "busybox $BUSYBOX has no sh applet"

while read -r m; do
	install -m 0644 "$KCACHE/modules/$m.ko" "$R/lib/modules/$m.ko"
done <"$KCACHE/modules.order"
install -m 0644 "$KCACHE/modules.order" "$R/etc/qbox-modules"
install -m 0644 "$KCACHE/kernel-version" "$R/etc/qbox-kernel-version"

install -m 0755 "$HERE/init" "$R/init"
install -m 0755 "$HERE/udhcpc.script" "$R/usr/share/udhcpc/default.script"
# Debian builds busybox with -s defaulting to /etc/udhcpc/default.script
# (upstream: /usr/share/udhcpc/default.script); without the hook udhcpc never
# brings the link up and loops on "Network is down".  Serve both.
mkdir -p "$R/etc/udhcpc"
ln -s /usr/share/udhcpc/default.script "$R/etc/udhcpc/default.script"

printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n' >"$R/etc/passwd"
printf 'root:x:0:\nnogroup:x:65534:\n' >"$R/etc/group"
printf 'qbox-guest\n' >"$R/etc/hostname"
: >"$R/etc/resolv.conf"
printf 'QBOX-WWW-OK\n' >"$R/www/index.html"

(cd "$R" && find . -mindepth 1 -printf '%P\n' | sort |
	cpio -o -H newc -R 0:0 --quiet) | gzip -9n >"$root/initramfs.cpio.gz"

cp "$KCACHE/vmlinuz" "$root/vmlinuz"
cp "$KCACHE/kernel-version" "$OUT/kernel-version"
cp "$KCACHE/modules.summary" "$OUT/modules.summary"
mv "$root/vmlinuz" "$OUT/vmlinuz"
mv "$root/initramfs.cpio.gz" "$OUT/initramfs.cpio.gz"
touch "$OUT/vmlinuz" "$OUT/initramfs.cpio.gz"

log "built $OUT/vmlinuz ($(cat "$OUT/kernel-version")) and $OUT/initramfs.cpio.gz" \
	"($(stat -c %s "$OUT/initramfs.cpio.gz") bytes)"
