#!/usr/bin/env bash
# bench/tcp_rr.c: the echo server serves several clients, a client counts
# its round trips (or its short connections, -s), retries a connect until
# the server is up, and fails (exit 1, with a reason) when nothing ever
# listens.
. "$(dirname "$0")/../lib.sh"

RR=$TOP/build/bench/tcp_rr
port=$(free_port)
# the client starts first: -w makes it wait for the server
"$RR" -c 127.0.0.1 "$port" -n 100 -w 10 >"$TMP/early" 2>&1 &
early=$!
sleep 0.3
start_bg "$RR" -l 127.0.0.1 "$port"
wait "$early"
check "a client that started first waits for the server (-w)" grep -qx 'ok 100' "$TMP/early"
"$RR" -c 127.0.0.1 "$port" -n 50 >"$TMP/a" 2>&1 &
a=$!
"$RR" -c 127.0.0.1 "$port" -n 50 >"$TMP/b" 2>&1
wait "$a"
check "two clients at once, 50 round trips each" \
	test "$(cat "$TMP/a" "$TMP/b")" = $'ok 50\nok 50'
rate=$("$RR" -c 127.0.0.1 "$port" -t 0.3)
check "-t prints round trips per second ($rate)" test "${rate:-0}" -gt 100
short=$("$RR" -s 127.0.0.1 "$port" -t 0.3)
check "-s -t: short connections (1 KiB each way) per second ($short)" \
	test "${short:-0}" -gt 50
tw0=$(ss -Htn state time-wait dst "127.0.0.1:$port" | wc -l)
short=$("$RR" -s 127.0.0.1 "$port" -n 200)
tw1=$(ss -Htn state time-wait dst "127.0.0.1:$port" | wc -l)
check "-s -n 200: 200 connections, each closed by the client first ($((tw1 - tw0)) more TIME_WAITs)" \
	test "${short:-0}" -gt 50 -a $((tw1 - tw0)) -ge 200
dead=$(free_port)
expect_output "no server within -w: exit 1 with the reason" 1 'tcp_rr: connect' \
	"$RR" -c 127.0.0.1 "$dead" -n 1 -w 0.2
expect_output "-s, no server within -w: exit 1 with the reason" 1 'tcp_rr: a short connection' \
	"$RR" -s 127.0.0.1 "$dead" -t 1 -w 0.2
expect_output "a bad invocation: usage, exit 2" 2 usage "$RR" -c 127.0.0.1 "$port"
expect_output "-s without -t or -n: usage, exit 2" 2 usage "$RR" -s 127.0.0.1 "$port"
