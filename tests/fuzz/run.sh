#!/usr/bin/env bash
# tests/fuzz/run.sh build/fuzz/TARGET - run one fuzz target for a bounded time
#
# libFuzzer runs TARGET for $FUZZ_SECONDS (15 by default) on its seed
# corpus tests/fuzz/corpus/TARGET/ (read only) and on build/fuzz/corpus/
# TARGET/, where the inputs that found new coverage are kept from one run
# to the next, with tests/fuzz/TARGET.dict when there is one. Prints one
# "PASS:" line, or a "FAIL:" line naming the input that crashed (kept in
# build/fuzz/crashes/TARGET/), the command that replays it, and the end of
# libFuzzer's report; the whole log is build/fuzz/logs/TARGET.log.
set -u
cd "$(dirname "$0")/../.."
bin=$1
name=$(basename "$bin")
seconds=${FUZZ_SECONDS:-15}
seeds=tests/fuzz/corpus/$name
corpus=build/fuzz/corpus/$name
crashes=build/fuzz/crashes/$name
log=build/fuzz/logs/$name.log
mkdir -p "$corpus" "$crashes" "$(dirname "$log")"

# Per-input limits: a slow input (a hang) fails like a crash. The longest
# input is each target's own: a policy statement may be 16 KiB, a request
# line 512 bytes, an Ethernet frame sequence or a lease file a few KiB.
case $name in
policy) max_len=20000 ;;
qemuargs) max_len=4096 ;;
frames | leases) max_len=8192 ;;
*) max_len=1024 ;;
esac
args=(-max_total_time="$seconds" -timeout=25 -rss_limit_mb=2048
      -max_len="$max_len" -print_final_stats=1
      -artifact_prefix="$crashes/")
[ -f "tests/fuzz/$name.dict" ] && args+=(-dict="tests/fuzz/$name.dict")
dirs=("$corpus")
[ -d "$seeds" ] && dirs+=("$seeds")

# The policy target writes its input files into a scratch directory
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT

# The seed corpus first, as a machine without llvm-symbolizer runs it
# (symbolize=0): a LeakSanitizer suppression by function name matches only
# where the stack can be symbolized, so one that held here but not on a
# newcomer's machine would fail there on an old input (issue 23). Every
# target's suppressions name modules instead, which need no symbolizer.
if [ -d "$seeds" ]; then
	FUZZ_SCRATCH=$scratch ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}symbolize=0 \
		"$bin" -runs=0 -timeout=25 -rss_limit_mb=2048 -max_len="$max_len" \
		"$seeds" >"$log" 2>&1
	rc=$?
	if [ "$rc" -ne 0 ]; then
		echo "FAIL: fuzz $name: its seed corpus, replayed without a symbolizer, exited $rc"
		echo "      replay: ASAN_OPTIONS=symbolize=0 $bin -runs=0 $seeds"
		tail -40 "$log" | sed 's/^/      /'
		exit 1
	fi
fi
FUZZ_SCRATCH=$scratch "$bin" "${args[@]}" "${dirs[@]}" >"$log" 2>&1
rc=$?
runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
kept=$(find "$corpus" -type f | wc -l)
if [ "$rc" -eq 0 ]; then
	echo "PASS: fuzz $name: ${runs:-?} inputs in ${seconds} s, no crash" \
	     "(corpus: $kept kept)"
	exit 0
fi
input=$(sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$log" | tail -1)
echo "FAIL: fuzz $name: libFuzzer exited $rc; input: ${input:-none kept}"
echo "      replay: $bin ${input:-}"
echo "      log: $log; its end:"
tail -40 "$log" | sed 's/^/      /'
exit 1
