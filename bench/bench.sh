#!/usr/bin/env bash
# bench/bench.sh - `make bench`: measure qbox against its peers, rootless.
#
# `make bench` has installed the packages (tests/deps.sh --bench) and
# built build/qbox, build/bench/tcp_rr and the guest before this runs.
# The measurements always run as an unprivileged user, as qbox is meant to
# be used:
#   - as root: as the dedicated user "qboxbench" (created if missing), from
#     a copy of the binaries and scripts in a directory that user can read.
#     A user of its own rather than nobody: figure 6 counts that user's
#     processes against RLIMIT_NPROC and reads their memory, and nothing
#     else of the machine's runs under it.
#   - as anyone else: as that user, from this tree.
# Either way with a private runtime directory, so `qbox ps` of the user's
# own sandboxes and the benchmark's never meet. Then bench/report.sh prints
# the table and writes bench/results.json and bench/results.png.
set -euo pipefail
BENCH=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
TOP=$(cd "$BENCH/.." && pwd)
BENCH_USER=qboxbench

WORK=$(mktemp -d /tmp/qbox-bench.XXXXXX)
chmod 0755 "$WORK"
trap 'rm -rf "$WORK"' EXIT
mkdir -m 0700 "$WORK/xdg"
mkdir "$WORK/out"

# what the measuring user runs, in one place it can read
mkdir -p "$WORK/tree/bench/figures" "$WORK/tree/guest" "$WORK/tree/tests"
cp "$BENCH"/*.sh "$WORK/tree/bench/"
cp "$TOP/tests/probe.sh" "$WORK/tree/tests/"	# bench/lib.sh sources it
cp "$BENCH"/figures/*.sh "$WORK/tree/bench/figures/"
cp "$TOP/build/qbox" "$TOP/build/bench/tcp_rr" "$TOP/tests/guest/mkinitrd-with.sh" \
	"$WORK/tree/"
if [ -r "$TOP/build/guest/vmlinuz" ]; then
	cp "$TOP/build/guest/vmlinuz" "$TOP/build/guest/initramfs.cpio.gz" "$WORK/tree/guest/"
fi

envs=(PATH=/usr/local/bin:/usr/bin:/bin LANG=C.UTF-8 HOME="$WORK"
      XDG_RUNTIME_DIR="$WORK/xdg" QBOX="$WORK/tree/qbox"
      TCP_RR="$WORK/tree/tcp_rr" GUEST="$WORK/tree/guest"
      MKINITRD="$WORK/tree/mkinitrd-with.sh")
for v in "${!BENCH_@}"; do
	envs+=("$v=${!v}")
done

if [ "$(id -u)" -eq 0 ]; then
	if ! id "$BENCH_USER" >/dev/null 2>&1; then
		echo "bench: creating the unprivileged user $BENCH_USER to measure as"
		useradd --system --no-create-home --home-dir /nonexistent \
			--shell /usr/sbin/nologin "$BENCH_USER"
	fi
	if [ "$(stat -c %a /dev/net/tun)" != 666 ]; then
		echo "bench: setting /dev/net/tun to mode 0666 (the usual distro default)"
		chmod 0666 /dev/net/tun
	fi
	chown -R "$BENCH_USER:" "$WORK/xdg" "$WORK/out"
	AS=(setpriv --reuid "$BENCH_USER" --regid "$BENCH_USER" --init-groups)
	who=$BENCH_USER
else
	AS=()
	who=$(id -un)
fi

echo "bench: measuring as $who (runs: ${BENCH_RUNS:-5}; see bench/README.md for the knobs)"
status=0
"${AS[@]}" env -i "${envs[@]}" bash "$WORK/tree/bench/measure.sh" "$WORK/out" \
	</dev/null || status=$?
# figure 9 makes two "hosts" (network namespaces): root drives it, qbox
# runs in them as the measuring user (bench/hosts.sh)
if [ -z "${BENCH_FIGURES:-}" ] || [[ " $BENCH_FIGURES " == *" 9 "* ]]; then
	env -i "${envs[@]}" bash "$WORK/tree/bench/hosts.sh" "$WORK/out" "$who" \
		</dev/null || status=$?
fi
if [ ! -s "$WORK/out/raw.tsv" ]; then
	echo "bench: the measurements produced nothing (status $status)" >&2
	exit 1
fi
cp "$WORK/out/raw.tsv" "$BENCH/raw.tsv"
echo
"$BENCH/report.sh" "$BENCH/raw.tsv" "$BENCH"
if [ "$status" -ne 0 ]; then
	echo "bench: measure.sh ended with status $status (see its messages above)" >&2
	exit "$status"
fi
