#!/usr/bin/env bash
# The forwarding relay under the guest's normal TCP behaviour: many short
# connections, many at once, half-close (by either side), resets (by
# either side), refused ports, bulk data both ways and a client that stops
# reading, without fd growth in qbox.
. "$(dirname "$0")/../lib.sh"

p=$(free_port)
mkdir -p "$TMP/data" "$TMP/g"
head -c 30000000 /dev/urandom >"$TMP/data/blob"
head -c 1000000 /dev/urandom >"$TMP/g/out"	# guest-server's half-close
start_bg "$QBOX" run --fwd "$p:7000" --fwd "$((p + 1)):7001" \
	--fwd "$((p + 2)):7002" --fwd "$((p + 3)):7003" --fwd "$((p + 4)):7999" \
	--fwd "$((p + 5)):7004" --ro-bind "$TMP/data" --bind "$TMP/g" -- sh -c "
	socat TCP-LISTEN:7000,fork,reuseaddr,backlog=256 EXEC:/bin/cat &
	socat TCP-LISTEN:7001,fork,reuseaddr SYSTEM:'wc -c' &
	socat TCP-LISTEN:7002,fork,reuseaddr SYSTEM:'cat $TMP/data/blob' &
	socat TCP-LISTEN:7003,fork,reuseaddr SYSTEM:'sha256sum' &
	'$HELPERS/guest-server' 7004 '$TMP/g' >'$TMP/g/log' &
	wait"
qpid=$BG_PID
echo_once() {	# port: one line through an echo server
	local line=
	exec 3<>"/dev/tcp/127.0.0.1/$1" || return 1
	echo "hello-$2" >&3
	read -r -t 5 line <&3
	exec 3>&-
	[ "$line" = "hello-$2" ]
}
if ! wait_for 10 echo_once "$p" 0; then
	fail "forward never answered"
	exit 1
fi
procs=$(qbox_procs "$qpid")	# supervisor, init and forward workers
fds() { fd_count $procs; }
sleep 0.5	# the first connection's relay closes in its worker
base=$(fds)

ok=0
for i in $(seq 1000); do echo_once "$p" "$i" && ok=$((ok + 1)); done
check "1000 sequential short connections ($ok ok)" test "$ok" -eq 1000

# 200 at once: open all, then talk on each, then close all
ok=0
for i in $(seq 200); do exec {fd}<>"/dev/tcp/127.0.0.1/$p" && eval "c$i=$fd"; done
for i in $(seq 200); do eval "echo hi-$i >&\$c$i"; done
for i in $(seq 200); do
	eval "read -r -t 5 line <&\$c$i" && [ "$line" = "hi-$i" ] && ok=$((ok + 1))
	eval "exec {c$i}>&-"
done
check "200 concurrent connections ($ok ok)" test "$ok" -eq 200

# half-close: the server answers only after our EOF reaches it
got=$(printf 'abcde' | timeout 10 socat -t 5 - "TCP:127.0.0.1:$((p + 1))")
check "half-close passes through (server saw EOF, answered '$got')" test "$(echo $got)" = 5

# bulk both ways, byte for byte
timeout 30 socat -u "TCP:127.0.0.1:$((p + 2))" - >"$TMP/got"
check "30 MB from the sandbox arrive intact" cmp -s "$TMP/data/blob" "$TMP/got"
want=$(sha256sum <"$TMP/data/blob")
got=$(timeout 30 socat -t 10 - "TCP:127.0.0.1:$((p + 3))" <"$TMP/data/blob")
check "30 MB into the sandbox arrive intact" test "$got" = "$want"

# nothing listens on 7999 inside: the client is reset, not left hanging
# (a client that only reads: a writing one may see the reset as EPIPE)
out=$(timeout 10 bash -c "exec 3<>/dev/tcp/127.0.0.1/$((p + 4)); read -t 5 x <&3" 2>&1)
check "refused guest port resets the client ($out)" grep -q 'Connection reset by peer' <<<"$out"

# the client resets mid-connection
for i in $(seq 20); do
	timeout 5 socat -T1 OPEN:/dev/null "TCP:127.0.0.1:$p,so-linger=0" </dev/null
done
check "echo still works after resets" echo_once "$p" after

back() { now=$(fds); [ "$now" -le "$base" ]; }	# every relay's fds given back

# The guest resets an established connection (SO_LINGER 0): the client
# is reset too, and the worker closes both sockets
out=$(timeout 10 bash -c "exec 3<>/dev/tcp/127.0.0.1/$((p + 5)); echo reset >&3; read -t 5 x <&3" 2>&1)
check "a guest's reset resets the client ($out)" grep -q 'Connection reset by peer' <<<"$out"
wait_for 5 back
check "... and the worker closes both of its sockets ($now, idle $base)" test "$now" -le "$base"

# The guest half-closes (shutdown(SHUT_WR)) after 1 MB while the client
# is sending: the client reads the 1 MB and the end of file, then sends
# on, and all it sent, before and after the guest's end of file, reaches
# the guest (which writes it to $TMP/g/in)
head -c 2000000 /dev/urandom >"$TMP/up"
timeout 20 bash -c "exec 3<>/dev/tcp/127.0.0.1/$((p + 5))
	echo half >&3
	head -c 1000000 '$TMP/up' >&3 &
	cat <&3 >'$TMP/down'	# until the guest's end of file
	wait
	tail -c +1000001 '$TMP/up' >&3
	exec 3>&-"
rc=$?	# 124: the end of file never came
check "the guest's bytes before its half-close arrive, then the end of file (exit $rc)" \
	eval 'test "$rc" -eq 0 && cmp -s "$TMP/g/out" "$TMP/down"'
wait_for 10 grep -q '^half: got' "$TMP/g/log"
check "the client's bytes after the guest's half-close still reach it ($(cat "$TMP/g/log"))" \
	cmp -s "$TMP/up" "$TMP/g/in"
wait_for 5 back
check "... and the worker closes both sockets once both ends are done ($now, idle $base)" \
	test "$now" -le "$base"

# A slow reader: the client stops reading while the guest writes 30 MB.
# The relay keeps at most its two sockets and two pipes (the lagging
# direction's, full, and one back in the pool); the bytes wait in the
# kernel's buffers, not in the worker's memory; the worker does not spin;
# other clients of the same forward are served meanwhile; once the client
# reads again, all 30 MB arrive intact.
workers=$(qbox_workers "$qpid")
rss0=$(rss_kb $workers)
fds0=$(fds)
exec 7<>"/dev/tcp/127.0.0.1/$((p + 2))"
recvq() {	# the slow client's receive queue, as ss shows it
	ss -tnH state established "( dport = :$((p + 2)) )" | awk '{ print $1 }'
}
stalled() {	# bytes wait for the client, and no more come for 0.3 s
	local q1 q2
	q1=$(recvq)
	sleep 0.15
	q2=$(recvq)
	sleep 0.15
	q=$(recvq)
	[ "${q1:-0}" -gt 0 ] && [ "$q1" = "$q2" ] && [ "$q2" = "$q" ]
}
wait_for 10 stalled
rc=$?
check "the slow client's buffer fills up, and stays full (${q:-no} bytes)" test "$rc" -eq 0
n=$(fds)
check "the stalled relay holds two sockets and at most two pipes ($n fds, $fds0 before)" \
	test "$n" -le $((fds0 + 6))
grow=$(($(rss_kb $workers) - rss0))
check "the workers' memory does not grow with the bytes waiting (${grow} KiB)" \
	test "$grow" -le 1024
cpu0=$(cpu_ticks $workers)
sleep 0.5
check "the stalled relay costs no CPU ($(($(cpu_ticks $workers) - cpu0)) ticks in 0.5 s)" \
	test $(($(cpu_ticks $workers) - cpu0)) -le 5
timeout 30 socat -u "TCP:127.0.0.1:$((p + 2))" - >"$TMP/other"
check "another client of the same forward gets its 30 MB meanwhile" cmp -s "$TMP/data/blob" "$TMP/other"
timeout 30 cat <&7 >"$TMP/slow"
exec 7>&-
check "the slow client reads again: all 30 MB arrive intact" cmp -s "$TMP/data/blob" "$TMP/slow"

wait_for 5 back
check "no fd growth in qbox (before $base, after $now)" test "$now" -le "$base"
kill -TERM "$qpid"
wait "$qpid"
no_leftovers "nothing left behind" "TCP-LISTEN:7000"
