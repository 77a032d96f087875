#!/usr/bin/env bash
# tests/run.sh SUITE TEST... - run tests, print one closing "N passed, N failed"
#
# Every test (a unit-test binary or a shell script) prints one line per
# check: "PASS: what" or "FAIL: what: why". A test that exits non-zero
# without printing FAIL counts as one failure, so a crash is never a pass.
# Integration scripts run twice: with build/qbox and with the ASan/UBSan
# build (QBOX=build/asan/qbox), whose sanitizer reports fail the run.
# Fuzz targets (build/fuzz/*) run for $FUZZ_SECONDS each (tests/fuzz/run.sh).
set -u
cd "$(dirname "$0")/.."
suite=$1
shift
passed=0
failed=0
log=$(mktemp)
trap 'rm -f "$log"' EXIT

run_one() {	# label, command...
	local label=$1 rc p f t0=$SECONDS
	shift
	"$@" >"$log" 2>&1
	rc=$?
	label="$label ($((SECONDS - t0)) s)"	# where CI's time goes
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

for t in "$@"; do
	case $t in
	*/integration/*)
		run_one "$t" env QBOX=build/qbox bash "$t"
		run_one "$t [asan]" env QBOX=build/asan/qbox \
			ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 bash "$t"
		;;
	build/fuzz/*) run_one "$t" tests/fuzz/run.sh "$t" ;;
	*.sh) run_one "$t" bash "$t" ;;
	*) run_one "$t" "$t" ;;
	esac
done
echo "$suite: $passed passed, $failed failed"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
