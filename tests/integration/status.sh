#!/usr/bin/env bash
# qbox exits with its payload's status, 128+N when the payload was killed
# by signal N, and passes SIGTERM, SIGINT and SIGHUP on to the payload.
. "$(dirname "$0")/../lib.sh"

for s in 0 1 7 255; do
	"$QBOX" run -- sh -c "exit $s"
	rc=$?
	if [ "$rc" -eq "$s" ]; then pass "exit $s passes through"; else fail "exit $s gave $rc"; fi
done
"$QBOX" run -- sh -c 'kill -KILL $$'
rc=$?
if [ $rc -eq 137 ]; then pass "killed by SIGKILL gives 137"; else fail "SIGKILL gave $rc"; fi
"$QBOX" run -- sh -c 'kill -SEGV $$'
rc=$?
if [ $rc -eq 139 ]; then pass "killed by SIGSEGV gives 139"; else fail "SIGSEGV gave $rc"; fi

expect_output "stdin and stdout pass through" 0 '^through$' \
	sh -c "echo through | '$QBOX' run -- cat"

# forward SIG to qbox; the payload's trap exits with CODE
forwarded() {
	local sig=$1 code=$2 out=$TMP/out.$1 pid rc
	# env --default-signal: background jobs of a script start with SIGINT
	# ignored, and the payload would inherit that
	env --default-signal="$sig" "$QBOX" run -- sh -c \
		"trap 'exit $code' $sig; echo ready; while :; do sleep 0.05; done" >"$out" &
	pid=$!
	if ! wait_for 10 grep -q ready "$out"; then
		fail "SIG$sig: payload never started"
		kill -KILL $pid
		return
	fi
	kill -"$sig" $pid
	wait $pid
	rc=$?
	if [ $rc -eq "$code" ]; then pass "SIG$sig forwarded to the payload"; else fail "SIG$sig: exit $rc, want $code"; fi
}
forwarded TERM 42
forwarded INT 43
forwarded HUP 44

# a payload that does not handle SIGTERM dies of it: 128+15
"$QBOX" run -- sleep 1000 &
pid=$!
sleep 0.3
kill -TERM $pid
wait $pid
rc=$?
if [ $rc -eq 143 ]; then pass "SIGTERM to qbox ends a plain payload: 143"; else fail "plain SIGTERM gave $rc"; fi

no_leftovers "nothing left behind" "sleep 1000"
