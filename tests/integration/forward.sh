#!/usr/bin/env bash
# The forwarding relay under the guest's normal TCP behaviour: many short
# connections, many at once, half-close, resets, refused ports and bulk
# data both ways, without fd growth in qbox.
. "$(dirname "$0")/../lib.sh"

p=$(free_port)
mkdir -p "$TMP/data"
head -c 30000000 /dev/urandom >"$TMP/data/blob"
start_bg "$QBOX" run --fwd "$p:7000" --fwd "$((p + 1)):7001" \
	--fwd "$((p + 2)):7002" --fwd "$((p + 3)):7003" --fwd "$((p + 4)):7999" -- sh -c "
	socat TCP-LISTEN:7000,fork,reuseaddr,backlog=256 EXEC:/bin/cat &
	socat TCP-LISTEN:7001,fork,reuseaddr SYSTEM:'wc -c' &
	socat TCP-LISTEN:7002,fork,reuseaddr SYSTEM:'cat $TMP/data/blob' &
	socat TCP-LISTEN:7003,fork,reuseaddr SYSTEM:'sha256sum' &
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
fds() { qbox_fds "$qpid"; }	# supervisor, init and forward workers
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

sleep 0.5
now=$(fds)
check "no fd growth in qbox (before $base, after $now)" test "$now" -le "$base"
kill -TERM "$qpid"
wait "$qpid"
no_leftovers "nothing left behind" "TCP-LISTEN:7000"
