#!/usr/bin/env bash
# 10,000 forwarded TCP connections open at once, each echoing its own line,
# with qbox's memory bounded, idle relays holding no pipes and costing no
# CPU, and every fd given back once they close. The forward workers are
# checked too: one per CPU (at least two), confined, fd limit raised.
. "$(dirname "$0")/../lib.sh"

N=10000
t_start=$SECONDS
# the client and the echo server each hold N sockets; the forward workers
# share 2N fds between them
hard=$(ulimit -Hn)
if [ "$hard" != unlimited ] && [ "$hard" -lt $((N + 100)) ]; then
	ulimit -Hn $((N + 100)) 2>/dev/null	# root may raise it
	hard=$(ulimit -Hn)
fi
if [ "$hard" != unlimited ] && [ "$hard" -lt $((N + 100)) ]; then
	fail "the hard RLIMIT_NOFILE ($hard) is below $((N + 100)): cannot hold $N connections"
	exit 1
fi

p=$(free_port)
name=scale-$$
start_bg "$QBOX" run --name "$name" --fwd "$p:7000" -- "$HELPERS/echo-server" 7000
qpid=$BG_PID
"$QBOX" wait "$name" --timeout 10
workers=$(qbox_workers "$qpid")
k=$(echo $workers | wc -w)
want=$(nproc)
[ "$want" -lt 2 ] && want=2
check "one forward worker per CPU, at least two ($k)" test "$k" -eq "$want"
confined() {
	local w
	for w in $workers; do
		grep -q '^CapEff:[[:space:]]*0000000000000000$' "/proc/$w/status" &&
			grep -q '^NoNewPrivs:[[:space:]]*1$' "/proc/$w/status" &&
			grep -q '^Seccomp:[[:space:]]*2$' "/proc/$w/status" &&
			grep -q '^Seccomp_filters:[[:space:]]*2$' "/proc/$w/status" || return 1
	done
}
check "the workers are confined (no capabilities, no_new_privs, seccomp: baseline and worker filters)" confined
nofile_raised() {
	local w
	for w in $workers; do
		awk '/^Max open files/ { exit !($4 == $5) }' "/proc/$w/limits" || return 1
	done
}
check "the workers' soft fd limit is their hard limit" nofile_raised

# qbox_rss : the resident memory of qbox's processes, KiB
qbox_rss() { rss_kb $(qbox_procs "$qpid"); }
base_fds=$(qbox_fds "$qpid")
base_rss=$(qbox_rss)
if ! wait_for 10 "$HELPERS/conn-echo" -t 2 127.0.0.1 "$p" 1 >/dev/null; then
	fail "the forward never echoed"
	exit 1
fi

rm -f "$TMP/close"
"$HELPERS/conn-echo" -t 40 -h "$TMP/close" 127.0.0.1 "$p" "$N" >"$TMP/out" 2>&1 &
client=$!
if ! wait_for 60 grep -q '^echoed' "$TMP/out"; then
	fail "the client did not finish: $(cat "$TMP/out")"
	exit 1
fi
# all N are open now: look at qbox
open_fds=$(qbox_fds "$qpid")
open_rss=$(qbox_rss)
cpu0=$(cpu_ticks $workers)
sleep 1
cpu1=$(cpu_ticks $workers)
touch "$TMP/close"
wait "$client"
rc=$?
opened=$(sed -n 's/^opened \([0-9]*\) of .* in \([0-9]*\) ms/\1 in \2 ms/p' "$TMP/out")
echoed=$(sed -n 's/^echoed \([0-9]*\) of .* in \([0-9]*\) ms/\1 in \2 ms/p' "$TMP/out")
check "$N connections opened and kept open ($opened)" grep -q "^opened $N of $N" "$TMP/out"
check "all $N echo their own line while all are open ($echoed)" test "$rc" -eq 0

# Memory: a relay's state in user space is one small struct (~150 bytes);
# its bytes in flight live in the kernel's socket and pipe buffers, never
# in qbox's memory. 1 KiB per relay leaves room for the allocator (and
# ASan's redzones) yet fails any per-relay buffer.
grow=$((open_rss - base_rss))
per=$((grow * 1024 / N))
check "qbox's RSS with $N open: $((open_rss / 1024)) MiB (idle $((base_rss / 1024)) MiB, $per bytes per relay; bound 1 KiB per relay)" \
	test "$grow" -le "$N"
# Pipes are lent only while bytes are in flight: an idle relay holds its
# two sockets and nothing else (a small pool of empty pipes aside)
check "idle relays hold two fds each, no pipes ($open_fds fds for $N relays, $base_fds idle)" \
	test "$open_fds" -le $((base_fds + 2 * N + k * 32))
check "idle relays cost no CPU ($((cpu1 - cpu0)) ticks in 1 s across the workers)" \
	test $((cpu1 - cpu0)) -le 5
back() { [ "$(qbox_fds "$qpid")" -eq "$base_fds" ]; }
wait_for 10 back
check "every fd comes back after they close (idle $base_fds, now $(qbox_fds "$qpid"))" back
check "the whole test took under 60 s ($((SECONDS - t_start)) s)" test $((SECONDS - t_start)) -lt 60

kill -TERM "$qpid"
wait "$qpid"
no_leftovers "nothing left behind" "$name"
