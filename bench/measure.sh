#!/usr/bin/env bash
# bench/measure.sh OUTDIR - run the benchmark's figures as the current user
# and write their samples to OUTDIR/raw.tsv (format: bench/lib.sh).
#
# bench/bench.sh runs this as an unprivileged user; it can also be run by
# hand. Environment: QBOX, TCP_RR, GUEST, MKINITRD name the binaries and the
# guest (default: this tree's build/), BENCH_FIGURES="1 4" picks figures,
# and the BENCH_* knobs of bench/lib.sh set run counts and durations.
#
# A figure is one file, bench/figures/figN_WHAT.sh, that appends its
# function to FIGURES; its tools' failures are recorded, never fatal.
set -u
BENCH=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
TOP=$(cd "$BENCH/.." && pwd)
OUT=${1:?usage: bench/measure.sh OUTDIR}
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
RAW=$OUT/raw.tsv
QBOX=${QBOX:-$TOP/build/qbox}
TCP_RR=${TCP_RR:-$TOP/build/bench/tcp_rr}
GUEST=${GUEST:-$TOP/build/guest}
MKINITRD=${MKINITRD:-$TOP/tests/guest/mkinitrd-with.sh}
RUNDIR=${XDG_RUNTIME_DIR:+$XDG_RUNTIME_DIR/qbox}
RUNDIR=${RUNDIR:-/tmp/qbox-$(id -u)}

# shellcheck source=bench/lib.sh
. "$BENCH/lib.sh"
# shellcheck source=bench/envs.sh
. "$BENCH/envs.sh"
FIGURES=()
for f in "$BENCH"/figures/fig*.sh; do
	n=${f##*/fig}
	n=${n%%_*}
	if [ -n "${BENCH_FIGURES:-}" ] && [[ " $BENCH_FIGURES " != *" $n "* ]]; then
		continue
	fi
	# shellcheck source=/dev/null
	. "$f"
done
trap spawn_cleanup EXIT
trap 'log interrupted; exit 130' INT TERM

for bin in "$QBOX" "$TCP_RR"; do
	[ -x "$bin" ] || { log "$bin is missing: run make bench"; exit 1; }
done
: >"$RAW"
# what the table came from
tsv info date "$(date -u '+%Y-%m-%d %H:%M UTC')"
tsv info machine "$(uname -srm), $(nproc) CPUs, $(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)"
tsv info memory "$(awk '/^MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)"
tsv info load "$(cut -d' ' -f1-3 /proc/loadavg)"
tsv info qbox "$("$QBOX" version 2>/dev/null)"
tsv info peers "$(for p in libslirp0 slirp4netns passt iperf3 qemu-system-x86; do
	printf '%s %s; ' "$p" "$(dpkg-query -W -f='${Version}' "$p" 2>/dev/null || echo none)"
done)"
tsv info config "BENCH_RUNS=$BENCH_RUNS BENCH_SECONDS=$BENCH_SECONDS BENCH_RR_SECONDS=$BENCH_RR_SECONDS BENCH_SHORT=$BENCH_SHORT BENCH_STARTS=$BENCH_STARTS BENCH_SCALE=\"$BENCH_SCALE\" BENCH_VM_RUNS=$BENCH_VM_RUNS"

# CPU steal: on a shared virtual machine, time the hypervisor gives to
# other machines is time none of the tools had; a run with much of it
# says more about the neighbours than about the tools
read -r st0 ss0 < <(cpu_sample)
steal_by=
for fn in "${FIGURES[@]}"; do
	read -r ft0 fs0 < <(cpu_sample)
	"$fn"
	read -r ft1 fs1 < <(cpu_sample)
	steal_by+="${steal_by:+, }${fn#fig_} $(steal_pct "$ft0" "$fs0" "$ft1" "$fs1")%"
done
read -r st1 ss1 < <(cpu_sample)
tsv info steal "$(steal_pct "$st0" "$ss0" "$st1" "$ss1")% ($steal_by)"
spawn_cleanup
shopt -s nullglob
left=("$RUNDIR/bench$$-"*)
if [ ${#left[@]} -gt 0 ]; then
	log "runtime files left behind: ${left[*]}"
	exit 1
fi
exit 0
