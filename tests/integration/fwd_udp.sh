#!/usr/bin/env bash
# UDP forwards' flow table (dataplane/fwd_worker.c): a flow per host peer, so
# every peer gets its own answers and a guest-side socket of its own, over
# IPv4 and IPv6; at most 1024 flows per forward, further new peers
# dropped; one fd per flow, all given back when the forward is removed;
# idle flows closed after the idle time (shortened here with
# QBOX_TEST_UDP_IDLE_MS) while busy ones live on.
. "$(dirname "$0")/../lib.sh"

flows=$HELPERS/udp-flows
name=udp-$$
p=$(free_port)
p6=$(free_port)
start_bg "$QBOX" run --name "$name" --fwd "udp:$p:7000" \
	--fwd "udp:[::1]:$p6:7000" -- "$HELPERS/echo-server" -u 7000
qpid=$BG_PID
"$QBOX" wait "$name" --timeout 10
fds() { qbox_fds "$qpid"; }	# supervisor, init and forward workers
base=$(fds)	# every forward listens; no flow yet

# 1024 peers (sockets of their own, so source ports of their own) at the
# cap; then 8 more, which get nothing; the echo server appends the
# guest-side port each datagram came from: one flow, one port, per peer
"$flows" -x 8 127.0.0.1 "$p" 1024 >"$TMP/cap" 2>&1
rc=$?
round=$(grep '^round 1:' "$TMP/cap")
check "1024 peers each answered on their own socket ($round)" \
	grep -qE '^round 1: replied 1024 of 1024 in [0-9]+ ms, wrong 0, same 1024, ports 1024$' "$TMP/cap"
check "... the helper agrees (exit $rc)" test "$rc" -eq 0
check "a forward's 1025th to 1032nd peers are dropped ($(grep '^extra' "$TMP/cap"))" \
	grep -qx 'extra: answered 0 of 8' "$TMP/cap"
check "one fd per flow, 1024 at most (idle $base, now $(fds))" test "$(fds)" -eq $((base + 1024))

expect_output "flows per peer over an IPv6 host address" 0 \
	'^round 1: replied 16 of 16 in [0-9]+ ms, wrong 0, same 16, ports 16$' "$flows" ::1 "$p6" 16
check "the IPv6 forward's flows count apart from the full IPv4 one ($(fds) fds)" \
	test "$(fds)" -eq $((base + 1024 + 16))

# removing a forward ends its flows at once: their fds come back, and
# the listener's two (the supervisor's copy and worker 0's)
"$QBOX" fwd -n "$name" --remove "udp:$p"
check "removing the forward gives back its 1024 flows' fds ($(fds), want $((base + 16 - 2)))" \
	test "$(fds)" -eq $((base + 16 - 2))
"$QBOX" fwd -n "$name" --remove "udp:[::1]:$p6"
check "removing the IPv6 forward gives back its flows' fds ($(fds), want $((base - 4)))" \
	test "$(fds)" -eq $((base - 4))
kill -TERM "$qpid"
wait "$qpid"

# Idle expiry, with the idle time cut to 1.5 s for the test's sake. The
# flows live in worker 0 (qbox-fwd0) alone; its fds are counted directly,
# which takes milliseconds, not the idle time.
q=$(free_port)
start_bg env QBOX_TEST_UDP_IDLE_MS=1500 "$QBOX" run --name "$name" \
	--fwd "udp:$q:7000" -- "$HELPERS/echo-server" -u 7000
qpid=$BG_PID
"$QBOX" wait "$name" --timeout 10
w0=$(pgrep -P "$qpid" -x qbox-fwd0)
w0fds() { ls "/proc/$w0/fd" | wc -l; }
base=$(w0fds)
rm -f "$TMP/go"
"$flows" -r 2 -g "$TMP/go" 127.0.0.1 "$q" 16 >"$TMP/idle" 2>&1 &
idle=$!
wait_for 10 grep -q '^round 1:' "$TMP/idle"
n=$(w0fds)
check "16 peers, 16 flows, 16 fds in worker 0 ($n, idle $base)" test "$n" -eq $((base + 16))
check "... answered ($(grep '^round 1' "$TMP/idle"))" \
	grep -qE '^round 1: replied 16 of 16 .* wrong 0, same 16, ports 16$' "$TMP/idle"
# one more peer keeps talking, every 250 ms for 3.5 s, while those 16 idle
"$flows" -r 14 -i 250 127.0.0.1 "$q" 1 >"$TMP/busy" 2>&1 &
busy=$!
one_left() { [ "$(w0fds)" -eq $((base + 1)) ]; }
wait_for 5 one_left
check "idle flows closed and their fds given back, the busy one kept ($(w0fds), want $((base + 1)))" one_left
wait "$busy"
n=$(grep -c 'replied 1 of 1 .* wrong 0, same 1, ports 1$' "$TMP/busy")
check "the busy peer kept its flow throughout, past the idle time ($n of 14 rounds)" test "$n" -eq 14
# a new flow is a new socket, so a new guest-side port (one of the 16 may
# draw its old port again, by chance: 1 in ~28,000)
touch "$TMP/go"
wait "$idle"
check "expired peers talk again through new flows ($(grep '^round 2' "$TMP/idle"))" \
	grep -qE '^round 2: replied 16 of 16 .* wrong 0, same [01], ports 16$' "$TMP/idle"
none_left() { [ "$(w0fds)" -eq "$base" ]; }
wait_for 5 none_left
check "all flows expire, every fd back ($(w0fds), idle $base)" none_left
kill -TERM "$qpid"
wait "$qpid"
no_leftovers "nothing left behind" "$name"
