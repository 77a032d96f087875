#!/usr/bin/env bash
# bench/hosts.sh OUTDIR USER - figure 9, across two "hosts": needs root
#
# Two network namespaces joined by a veth pair stand for two machines on
# one LAN (tests/probe.sh: hosts_link). On each, USER runs a command
# sandbox (qbox run, rootless) whose NIC is --net vde:vxlan://GROUP/vni=9
# at MTU 1450 (the 50 bytes of VXLAN's headers inside the LAN's 1500),
# and iperf3 measures from B's to A's. Against it, in the same run, the
# same pair over the kernel's own vxlan devices made here as root (MTU
# 1450 by the kernel's reckoning). Appends its samples to OUTDIR/raw.tsv
# (bench/lib.sh's format); bench/bench.sh runs it as root, after the
# rootless figures, when BENCH_FIGURES is unset or names 9.
set -u
BENCH=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
OUT=${1:?usage: bench/hosts.sh OUTDIR USER}
BUSER=${2:?usage: bench/hosts.sh OUTDIR USER}
RAW=$OUT/raw.tsv
QBOX=${QBOX:?QBOX names the qbox to run}
# shellcheck source=bench/lib.sh
. "$BENCH/lib.sh"

HA=qbench-a$$
HB=qbench-b$$
XDG=$OUT/hosts-xdg
PORT=5201

hosts_cleanup() {
	spawn_cleanup
	ip netns del "$HA" 2>/dev/null
	ip netns del "$HB" 2>/dev/null
	rm -rf "$XDG"
}
trap hosts_cleanup EXIT

# UA, UB: a command's prefix to run it on host A or B as the measuring user
UA=(ip netns exec "$HA" setpriv --reuid "$BUSER" --regid "$BUSER"
    --init-groups env HOME=/ XDG_RUNTIME_DIR="$XDG/$HA")
UB=(ip netns exec "$HB" setpriv --reuid "$BUSER" --regid "$BUSER"
    --init-groups env HOME=/ XDG_RUNTIME_DIR="$XDG/$HB")

# iperf_run FIG TOOL CMD... : one iperf3 client run (CMD is its prefix)
iperf_run() {
	local fig=$1 k=$2 out=$OUT/hosts-iperf.json bps
	shift 2
	timeout -k 3 $((BENCH_SECONDS + 20)) "$@" iperf3 -c "$SRV" -p "$PORT" \
		-t "$BENCH_SECONDS" -J >"$out" 2>&1
	bps=$(jq -r '.end.sum_received.bits_per_second // empty' "$out" 2>/dev/null)
	if is_number "$bps"; then
		record "$fig" "$k" Gbit/s "$(awk -v b="$bps" 'BEGIN { printf "%.3f", b / 1e9 }')"
	else
		record_fail "$fig" "$k" Gbit/s "iperf3: $(jq -r '.error // empty' "$out" 2>/dev/null)"
	fi
}

fig_title 9 "across two hosts over VXLAN, command to command (iperf3, ${BENCH_SECONDS} s)"
target 9 qbox-vxlan '>=' 0.25 kernel-vxlan aim
if [ "$(id -u)" -ne 0 ]; then
	for k in qbox-vxlan kernel-vxlan; do
		record_fail 9 "$k" Gbit/s "needs root (two hosts: network namespaces joined by a veth pair)"
	done
	exit 0
fi
ip netns add "$HA" && ip netns add "$HB" &&
	ip -n "$HA" link set lo up && ip -n "$HB" link set lo up &&
	hosts_link "$HA" "$HB" vxa vxb || { log "figure 9: no hosts"; exit 1; }
mkdir -m 0700 -p "$XDG/$HA" "$XDG/$HB" && chown -R "$BUSER:" "$XDG"

# the kernel's pair: VNI 8 on its own port, beside qbox's 4789
for h in "$HA:1:vxa" "$HB:2:vxb"; do
	IFS=: read -r ns n dev <<<"$h"
	ip -n "$ns" link add vxk type vxlan id 8 group 239.1.9.8 dev "$dev" dstport 4790
	ip -n "$ns" addr add "10.94.0.$n/24" dev vxk
	ip -n "$ns" link set vxk up
done
spawn ip netns exec "$HA" iperf3 -s -B 10.94.0.1 -p "$PORT" >/dev/null 2>&1
kernel_srv=$SPAWN_PID

# qbox's pair, as the measuring user on each host
loc=vxlan://239.1.9.9/vni=9
spawn "${UA[@]}" "$QBOX" run --name b9a \
	--net "vde:$loc/if=vxa,mtu=1450,ip=10.95.0.1/24" -- \
	iperf3 -s -p "$PORT" </dev/null >"$OUT/hosts-qbox.log" 2>&1
spawn "${UB[@]}" "$QBOX" run --name b9b \
	--net "vde:$loc/if=vxb,mtu=1450,ip=10.95.0.2/24" -- \
	sleep 100000 </dev/null >>"$OUT/hosts-qbox.log" 2>&1
qerr=
if ! timeout 40 "${UA[@]}" "$QBOX" wait b9a --timeout 30 >/dev/null 2>&1 ||
	! timeout 40 "${UB[@]}" "$QBOX" wait b9b --timeout 30 >/dev/null 2>&1; then
	qerr="qbox run --net vde:$loc: $(last_error "$OUT/hosts-qbox.log")"
fi
wait_for 10 ip netns exec "$HA" bash -c "exec 3<>/dev/tcp/10.94.0.1/$PORT" ||
	log "figure 9: the kernel pair's server does not answer"

for ((run = 1; run <= BENCH_RUNS; run++)); do
	log "figure 9, run $run/$BENCH_RUNS"
	SRV=10.94.0.1
	iperf_run 9 kernel-vxlan ip netns exec "$HB"
	SRV=10.95.0.1
	if [ -n "$qerr" ]; then
		[ "$run" -gt 1 ] || record_fail 9 qbox-vxlan Gbit/s "$qerr"
	else
		iperf_run 9 qbox-vxlan "${UB[@]}" "$QBOX" exec b9b --
	fi
done
"${UA[@]}" "$QBOX" stop b9a >/dev/null 2>&1
"${UB[@]}" "$QBOX" stop b9b >/dev/null 2>&1
spawn_stop "$kernel_srv"
exit 0
