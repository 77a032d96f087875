#!/usr/bin/env bash
# Forward workers out of fds: their fd limit is lowered (prlimit) so that
# together they hold fewer relays than there are clients. The clients
# above capacity wait in the listener's backlog, are not dropped, and are
# served as the first ones close; meanwhile the full workers do not spin.
# A worker with no fd left for a pipe still relays (by copying). Then a
# worker's death ends the run with a message naming it.
. "$(dirname "$0")/../lib.sh"

p=$(free_port)
name=cap-$$
start_bg "$QBOX" run --name "$name" --fwd "$p:7000" -- "$HELPERS/echo-server" 7000 2>"$TMP/err"
qpid=$BG_PID
"$QBOX" wait "$name" --timeout 10
if ! wait_for 10 "$HELPERS/conn-echo" -t 2 127.0.0.1 "$p" 1 >/dev/null; then
	fail "the forward never echoed"
	exit 1
fi
workers=$(qbox_workers "$qpid")
k=$(echo $workers | wc -w)
sleep 0.5
base=$(qbox_fds "$qpid")

# A relay costs its worker two fds, so K workers limited to L fds hold
# fewer than K*L/2 relays: K*L clients are more than twice the capacity.
L=48
n=$((k * L))
for w in $workers; do prlimit --pid "$w" --nofile=$L:$L; done
cpu0=$(cpu_ticks $workers)
"$HELPERS/conn-echo" -t 30 -w 2000 127.0.0.1 "$p" "$n" >"$TMP/out" 2>&1
rc=$?
cpu1=$(cpu_ticks $workers)
served=$(sed -n 's/^served \([0-9]*\) of .*/\1/p' "$TMP/out")
later=$(sed -n 's/^later \(.*\)/\1/p' "$TMP/out")
check "$n clients open at once ($(head -n 1 "$TMP/out"))" grep -q "^opened $n of $n" "$TMP/out"
check "full workers serve only some at first ($served of $n within 2 s)" \
	test "${served:-0}" -gt 0 -a "${served:-0}" -lt $((n / 2))
check "the others waited in the backlog and are served as the first close ($later)" test "$rc" -eq 0
# 2 s at capacity: a worker spinning on its listener would burn ~2 s of CPU
check "full workers do not spin ($((cpu1 - cpu0)) ticks of CPU in all)" test $((cpu1 - cpu0)) -le 50
back() { [ "$(qbox_fds "$qpid")" -eq "$base" ]; }
wait_for 10 back
check "every fd comes back (before $base, after $(qbox_fds "$qpid"))" back

# Room for one relay's two sockets and no pipe: the bytes are copied
# instead of spliced, and still arrive intact, both ways, with the EOF
for w in $workers; do
	prlimit --pid "$w" --nofile=$(($(ls "/proc/$w/fd" | wc -l) + 2))
done
head -c 1000000 /dev/urandom >"$TMP/blob"
timeout 20 socat -t 10 - "TCP:127.0.0.1:$p" <"$TMP/blob" >"$TMP/got"
check "without an fd for a pipe, 1 MB still echoes intact" cmp -s "$TMP/blob" "$TMP/got"

# a worker killed under the sandbox ends the run, with a reason
w=$(echo $workers | awk '{print $NF}')
kill -KILL "$w"
wait "$qpid"
rc=$?
check "a dead forward worker ends the run (exit $rc)" test "$rc" -eq 1
check "... and says so ($(cat "$TMP/err"))" \
	grep -qE "^qbox: forward worker [0-9]+ was killed by signal 9 \(Killed\); the sandbox is stopped" "$TMP/err"
no_leftovers "nothing left behind" "$name"
