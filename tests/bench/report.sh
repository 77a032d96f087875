#!/usr/bin/env bash
# bench/report.sh on made-up samples: medians (odd and even counts), min
# and max, ratios to a target's reference, met/missed/no data, a failed
# tool's "failed: why", the run's CPU steal, and results.json's numbers.
. "$(dirname "$0")/../lib.sh"

raw=$TMP/raw.tsv
printf '%s\n' \
	$'info\tdate\ttoday' $'info\tmachine\ttest' $'info\tmemory\t1 GiB' \
	$'info\tload\t0' $'info\tqbox\tqbox test' $'info\tpeers\tnone' \
	$'info\tconfig\tnone' $'info\tsteal\t7% (egress 3%, startup 11%)' \
	$'title\t1\tthroughput' \
	$'target\t1\tqbox\t>=\t1.0\tpeer\tgoal' \
	$'target\t1\tqbox\t>=\t1.5\tpeer\taim' \
	$'target\t1\tslow\t>=\t1.0\tpeer\tgoal' \
	$'value\t1\tqbox\tGbit/s\t3' $'value\t1\tqbox\tGbit/s\t1' \
	$'value\t1\tqbox\tGbit/s\t2' \
	$'value\t1\tpeer\tGbit/s\t1' $'value\t1\tpeer\tGbit/s\t2' \
	$'value\t1\tpeer\tGbit/s\t9' $'value\t1\tpeer\tGbit/s\t3' \
	$'fail\t1\tslow\tGbit/s\tnot installed' \
	$'title\t4\tstart-up' $'target\t4\tqbox\t<=\t20\t-\taim' \
	$'value\t4\tqbox\tms\t25' >"$raw"
out=$("$TOP/bench/report.sh" "$raw" "$TMP" 2>&1)
rc=$?
check "report.sh exits 0" test "$rc" -eq 0
json=$TMP/results.json
check "odd count: median of 3 1 2 is 2" \
	test "$(jq '.results[] | select(.tool == "qbox" and .figure == "1") | .median' "$json")" = 2
check "even count: median of 1 2 9 3 is 2.5" \
	test "$(jq '.results[] | select(.tool == "peer") | .median' "$json")" = 2.5
check "min and max" \
	test "$(jq -c '.results[] | select(.tool == "peer") | [.min, .max]' "$json")" = "[1,9]"
check "ratio 2 / 2.5 = 0.8 misses the goal >= 1.0" \
	test "$(jq -c '[.targets[] | select(.tool == "qbox" and .figure == "1") | [.measure, .met]][0]' "$json")" = "[0.8,false]"
check "an absolute target: 25 ms misses <= 20" \
	test "$(jq -c '.targets[] | select(.figure == "4") | [.measure, .met]' "$json")" = "[25,false]"
check "a tool with no number: no data, not met" \
	test "$(jq -c '.targets[] | select(.tool == "slow") | .met' "$json")" = null
if grep -qE '^\| 1 +\| slow +\| failed: not installed' <<<"$out"; then
	pass "the table says why a tool failed"
else
	fail "no 'failed: not installed' row: $out"
fi
if grep -qE '^\| 1 +\| qbox +\| 2 +\| 1-3 +\| Gbit/s +\| 0\.8x +\| goal >= 1x peer +\| missed' <<<"$out"; then
	pass "qbox's row: median, min-max, unit, ratio, target, verdict"
else
	fail "qbox's row is not as expected: $out"
fi
check "a second target gets a line of its own" grep -qE '^\| +\| +\| +\| +\| +\| 0\.8x +\| aim >= 1\.5x peer +\| missed' <<<"$out"
check "the run's CPU steal" grep -qx 'CPU steal (time the hypervisor gave to other machines) during the run: 7% (egress 3%, startup 11%)' <<<"$out"
check "verdict lines" grep -q 'MISSED  4 start-up: qbox 25 (aim: <= 20)' <<<"$out"
