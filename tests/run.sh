#!/usr/bin/env bash
# tests/run.sh SUITE TEST... - run tests, print one closing "N passed, N failed"
#
# Every test (a unit-test binary or a shell script) prints one line per
# check: "PASS: what" or "FAIL: what: why". A test that exits non-zero
# without printing FAIL counts as one failure, so a crash is never a pass.
# Integration scripts run twice: with build/qbox and with the ASan/UBSan
# build (QBOX=build/asan/qbox), whose sanitizer reports fail the run.
# Fuzz targets (build/fuzz/*) run for $FUZZ_SECONDS each (tests/fuzz/run.sh),
# after everything else, one per CPU at a time.
set -u
cd "$(dirname "$0")/.."
suite=$1
shift
passed=0
failed=0
log=$(mktemp)
trap 'rm -f "$log" "$log".*' EXIT

# account LABEL RC SECONDS LOG : count LOG's PASS and FAIL lines (a
# non-zero RC without a FAIL line, or a sanitizer report, is a failure);
# print LOG when anything failed
account() {
	local label="$1 ($3 s)" rc=$2 log=$4 p f	# the time: where CI's goes
	p=$(grep -c '^PASS: ' "$log")
	f=$(grep -c '^FAIL: ' "$log")
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		echo "FAIL: $label: exited $rc" >>"$log"
		f=1
	fi
	if grep -q 'ERROR: AddressSanitizer\|runtime error:\|ERROR: LeakSanitizer\|Sanitizer: CHECK failed' "$log"; then
		echo "FAIL: $label: sanitizer report" >>"$log"
		f=$((f + 1))
	fi
	passed=$((passed + p))
	failed=$((failed + f))
	if [ "$f" -gt 0 ]; then
		echo "== $label: $p passed, $f failed"
		sed 's/^/   /' "$log"
	else
		echo "== $label: $p passed"
	fi
}

run_one() {	# label, command...
	local label=$1 t0=$SECONDS
	shift
	"$@" >"$log" 2>&1
	account "$label" $? $((SECONDS - t0)) "$log"
}

# run_fuzz TARGET... : the fuzz targets, as many at once as there are CPUs:
# each is one CPU-bound process for $FUZZ_SECONDS with its own corpus,
# crash and log directories, and nothing else runs meanwhile, so running
# them side by side halves their wall time on two CPUs and fuzzes as much
run_fuzz() {
	local jobs i rc t0 batch pids
	jobs=$(nproc 2>/dev/null || echo 1)
	while [ $# -gt 0 ]; do
		t0=$SECONDS
		batch=()
		pids=()
		for ((i = 0; i < jobs && $# > 0; i++)); do
			batch+=("$1")
			shift
			tests/fuzz/run.sh "${batch[i]}" >"$log.$i" 2>&1 &
			pids+=($!)
		done
		for i in "${!pids[@]}"; do
			wait "${pids[i]}"
			rc=$?
			account "${batch[i]}" "$rc" $((SECONDS - t0)) "$log.$i"
		done
	done
}

fuzz=()
for t in "$@"; do
	case $t in
	*/integration/*)
		run_one "$t" env QBOX=build/qbox bash "$t"
		run_one "$t [asan]" env QBOX=build/asan/qbox \
			ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 bash "$t"
		;;
	build/fuzz/*) fuzz+=("$t") ;;	# last, side by side
	*.sh) run_one "$t" bash "$t" ;;
	*) run_one "$t" "$t" ;;
	esac
done
[ ${#fuzz[@]} -eq 0 ] || run_fuzz "${fuzz[@]}"
echo "$suite: $passed passed, $failed failed"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
