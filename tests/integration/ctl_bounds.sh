#!/usr/bin/env bash
# The control socket under abuse (control/ctl_server.c): clients that
# connect and send nothing are closed after their deadline and cannot
# keep `qbox ps` out for good; and a supervisor out of fds does not spin
# on a listener that stays readable, and serves again once it has fds.
. "$(dirname "$0")/../lib.sh"

n=cb-$$
start_bg "$QBOX" run --name "$n" -- sleep 300
q=$BG_PID
if ! "$QBOX" wait "$n" --timeout 20 >/dev/null; then
	fail "the sandbox never became ready"
	exit 0
fi
sock=$RUNDIR/$n.sock

# 40 silent clients; each line says when the server closed one
python3 - "$sock" 40 >"$TMP/silent" <<'EOF' &
import select, socket, sys, time
path, n = sys.argv[1], int(sys.argv[2])
socks = []
for i in range(n):
    s = socket.socket(socket.AF_UNIX)
    s.connect(path)
    socks.append(s)
print("connected", flush=True)
t0, closed = time.time(), 0
while socks and time.time() - t0 < 25:
    r, _, _ = select.select(socks, [], [], 1)
    for s in r:
        if s.recv(1) == b"":
            closed += 1
            socks.remove(s)
            s.close()
print("closed %d in %.0f s" % (closed, time.time() - t0), flush=True)
EOF
silent=$!
wait_for 10 grep -q connected "$TMP/silent"
t0=$SECONDS
expect_output "ps answers while 40 silent clients hold connections" 0 "^$n " \
	timeout 20 "$QBOX" ps
check "... within the clients' deadline and a little ($((SECONDS - t0)) s)" \
	test $((SECONDS - t0)) -le 8
wait "$silent"
res=$(tail -n 1 "$TMP/silent")
check "every silent client was closed by the server ($res)" \
	grep -qE '^closed 40 in ([0-9]|1[0-5]) s$' <<<"$res"

# Out of fds: the supervisor's soft limit at what it holds, one client
# waiting in the backlog. Its CPU time over 2 s, then the limit back.
cpu() { awk '{ print $14 + $15 }' "/proc/$q/stat"; }
nofile=$(prlimit --pid "$q" --nofile --raw --noheadings --output SOFT)
# the lowest free fd: below it every fd is taken, so accept(2) has none
free_fd() {
	local i=0
	while [ -e "/proc/$q/fd/$i" ]; do i=$((i + 1)); done
	echo "$i"
}
prlimit --pid "$q" --nofile="$(free_fd):"
timeout 20 "$QBOX" ps >"$TMP/ps-starved" 2>&1 &
ps_pid=$!
sleep 0.5
c0=$(cpu)
sleep 2
c1=$(cpu)
check "out of fds, the supervisor does not spin ($((c1 - c0)) ticks in 2 s)" \
	test $((c1 - c0)) -le 20
check "... and the waiting client is not served meanwhile" kill -0 "$ps_pid"
prlimit --pid "$q" --nofile="$nofile:"
wait "$ps_pid"
check "with its fds back, it serves the client that waited" grep -q "^$n " "$TMP/ps-starved"
expect_output "... and the next" 0 "^$n " timeout 10 "$QBOX" ps

"$QBOX" stop "$n" >/dev/null
wait "$q"
no_leftovers "nothing left behind" "$n"
