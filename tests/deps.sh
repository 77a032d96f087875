#!/usr/bin/env bash
# tests/deps.sh [--bench] - make sure the Debian packages qbox builds and
# tests with are installed: installs them with apt-get when run as root,
# otherwise names the missing ones and how to install them. --bench adds
# what `make bench` measures with (bench/README.md).
set -euo pipefail

# build: compiler, pkg-config and the nine libraries qbox links
# (libvdeplug-dev: libvdeplug4, whose plugins, vde:// udp:// vxlan://
# cmd:// and the rest, come with its libvdeplug2; libnetfilter-queue-dev:
# the kernel egress path's queue messages), and glib
# (libslirp's slirp.pc requires glib-2.0, which libslirp-dev does not pull
# in; the NAT engine also sets glib's log handler)
# run: dnsmasq-base, the DNS server of every named network (no service of
# the host's: qbox runs the binary itself, confined: network/dnsmasq.h)
# test: QEMU (TCG), busybox-static and cpio for the test guest, the
# tools the tests drive (curl, socat, iproute2, util-linux, procps, jq,
# iperf3 and python3 as normal programs under default.policy, qemu-utils
# for disk images, nftables to read a sandbox's anti-spoofing rules,
# openssh-client for qbox nc as a ProxyCommand, tcpdump to read captures,
# dhcpcd-base: a real DHCPv6 client the IPv6 VM test copies into the
# guest, whose busybox has none; vde-switch and vdeplug: Debian's
# vde_switch and vde_plug, the VDE peers of tests/integration/vde.sh,
# and ethtool, with which that test turns a kernel VXLAN device's
# checksum offload off)
# fuzz: clang 14 and its runtimes (libFuzzer, ASan and UBSan for clang are
# in libclang-rt-14-dev, which clang-14 only recommends)
PKGS=(gcc make pkg-config libslirp-dev libglib2.0-dev libmnl-dev libnftnl-dev
      libnetfilter-queue-dev libseccomp-dev libcap-dev libjansson-dev libpcap-dev libvdeplug-dev
      qemu-system-x86 busybox-static cpio curl socat iproute2
      dnsmasq-base
      util-linux procps jq iperf3 python3 qemu-utils nftables openssh-client
      tcpdump dhcpcd-base vde-switch vdeplug ethtool
      clang-14 libclang-rt-14-dev)
# bench: the peers (slirp4netns, pasta from passt), iperf3, and gnuplot-nox
# for the chart (its "png" terminal needs no X)
if [ "${1:-}" = --bench ]; then
	PKGS+=(slirp4netns passt gnuplot-nox)
fi

missing=()
for p in "${PKGS[@]}"; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
		missing+=("$p")
	fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
	echo "qbox needs these Debian packages, which are not installed:" >&2
	echo "    ${missing[*]}" >&2
	echo "Install them as root, then run make again:" >&2
	echo "    sudo apt-get install ${missing[*]}" >&2
	exit 1
fi
echo "Installing: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
# a fresh machine has no package lists yet
if ! apt-get install -y -q --no-install-recommends "${missing[@]}"; then
	apt-get update -q
	apt-get install -y -q --no-install-recommends "${missing[@]}"
fi
