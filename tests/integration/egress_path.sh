#!/usr/bin/env bash
# NAT egress through the kernel (the default) and through libslirp
# (egress=slirp), in a world of the test's own (outside_world): the same
# answers a guest relies on, on both paths. A connection to a closed port
# is refused (ECONNREFUSED, at once); to an address with no route, the
# network is unreachable (ENETUNREACH, at once); to an address nobody
# answers, it fails and is never connected; half-close passes (the far
# side's EOF, then its answer), a reset passes both ways; a host server
# that stops reading holds the sender back through TCP, not in qbox's
# memory. The kernel path's worker is confined, holds the host side of
# each connection (ss), and carries 10,000 connections at once with its
# fds bounded and given back. Where the kernel cannot make the path
# (no-netfilter: no nfnetlink), qbox says so once and libslirp carries
# the TCP; egress=kernel then fails (exit 2). A natnet's path is its hub's.
. "$(dirname "$0")/../lib.sh"
outside_world "$@"

hport=$(free_port)
http_server "$hport"
page=$(cat "$TMP/www/index.html")
out=$OUTSIDE_PAGE

# The host side of the tests: python servers on 127.0.0.1, one per mode
cat >"$TMP/server.py" <<'EOF'
import socket, struct, sys, time
mode, port = sys.argv[1], int(sys.argv[2])
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", port))
s.listen(64)
held = []
while True:
    c, _ = s.accept()
    if mode == "halfclose":		# read to EOF, then answer
        n = 0
        while True:
            b = c.recv(65536)
            if not b:
                break
            n += len(b)
        c.sendall(b"got %d\n" % n)
        c.close()
    elif mode == "rst":			# reset after the first byte
        c.recv(1)
        c.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                     struct.pack("ii", 1, 0))
        c.close()
    elif mode == "seerst":		# what the client's end looks like
        try:
            while c.recv(65536):
                pass
            what = "eof"
        except ConnectionResetError:
            what = "reset"
        open(sys.argv[3], "w").write(what + "\n")
        c.close()
    elif mode == "sink":		# never read
        held.append(c)
EOF
# ... and the guest's side, a command in the sandbox
client='
import errno, os, socket, struct, sys, time
mode, host, port = sys.argv[1], sys.argv[2], int(sys.argv[3])
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)	# for "reuse"
s.settimeout(10)
try:
    s.connect((host, port))
except OSError as e:
    print(errno.errorcode.get(e.errno, "timeout") if e.errno else "timeout")
    sys.exit(0)
if mode == "connect":
    print("connected")
elif mode == "halfclose":
    s.sendall(b"x" * 100000)
    s.shutdown(socket.SHUT_WR)
    print(s.makefile().read().strip())
elif mode == "rst":
    s.sendall(b"x")
    try:
        print("eof" if not s.recv(10) else "data")
    except ConnectionResetError:
        print("reset")
elif mode == "clientrst":
    s.sendall(b"x")
    time.sleep(0.3)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    s.close()
    print("sent")
elif mode == "slow":
    s.setblocking(False)
    sent, marks, t0 = 0, [], time.time()
    buf = b"x" * 65536
    for at in (2, 4):
        while time.time() - t0 < at:
            try:
                sent += s.send(buf)
            except BlockingIOError:
                time.sleep(0.01)
        marks.append(sent)
    print(marks[0], marks[1])
elif mode == "reuse":		# the same source port, other destinations
    sport = s.getsockname()[1]
    for n, port in enumerate([port] + [int(p) for p in sys.argv[4:]]):
        if n:
            for _ in range(100):	# until its last ACK is through
                s = socket.socket()
                s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                try:
                    s.bind(("", sport))
                    break
                except OSError:
                    s.close()
                    time.sleep(0.05)
            s.settimeout(10)
            try:
                s.connect((host, port))
            except OSError as e:
                print(errno.errorcode.get(e.errno, "timeout") if e.errno else "timeout")
                sys.exit(0)
        s.sendall(b"y" * 10)
        s.shutdown(socket.SHUT_WR)
        got = s.makefile().read().strip()
        s.close()
    print(got)
elif mode == "hold":
    s.sendall(b"x")
    time.sleep(float(sys.argv[4]))
    print("held")
'
# c NET MODE HOST PORT [ARG] : the client's word from a sandbox on NET
c() {
	local net=$1
	shift
	"$QBOX" run --net "$net" -- python3 -c "$client" "$@" 2>&1
}
says() { local want=$1; shift; [ "$(c "$@")" = "$want" ]; }
# fast SECONDS CMD... : CMD succeeds within SECONDS
fast() {
	local t0=$SECONDS lim=$1
	shift
	"$@" && [ $((SECONDS - t0)) -le "$lim" ]
}

sp() { start_bg python3 "$TMP/server.py" "$@"; wait_for 5 port_open 127.0.0.1 "$2"; }
p_half=$(free_port); sp halfclose "$p_half"
p_rst=$(free_port); sp rst "$p_rst"
p_see=$(free_port); sp seerst "$p_see" "$TMP/seen"
p_sink=$(free_port); sp sink "$p_sink"
p_halves=()
for i in 1 2 3 4; do
	p_halves+=("$(free_port)")
	sp halfclose "${p_halves[-1]}"
done
closed=$(free_port)

# ---- which path, and its worker ------------------------------------------
run_ready "ep-$$" --net nat -- sleep 600
check "ps --json: a nat NIC's egress is the kernel's by default" sh -c \
	"'$QBOX' ps --json | jq -e '.[] | select(.name == \"ep-$$\") | .nics[0].egress == \"kernel\"' >/dev/null"
workers=$(pgrep -P "$RUN_PID" '^qbox-egress' || true)
k=$(echo $workers | wc -w)
want=$(nproc)
[ "$want" -lt 2 ] && want=2
check "one egress worker per CPU, at least two ($k), children of the supervisor" \
	test "$k" -eq "$want"
confined() {
	local w
	for w in $workers; do
		[ "$(status_of "$w" CapEff)" = 0000000000000000 ] &&
			[ "$(status_of "$w" NoNewPrivs)" = 1 ] &&
			[ "$(status_of "$w" Seccomp)" = 2 ] &&
			[ "$(status_of "$w" Seccomp_filters)" = 2 ] &&
			[ "$(readlink "/proc/$w/ns/net")" = "$(readlink /proc/self/ns/net)" ] ||
			return 1
	done
}
check "the egress workers are confined (no capabilities, no_new_privs, seccomp: baseline and worker filters), in the host's network namespace" \
	confined
kill -TERM "$RUN_PID"
wait "$RUN_PID"
run_ready "es-$$" --net nat,egress=slirp -- sleep 600
check "egress=slirp: ps --json says slirp" sh -c \
	"'$QBOX' ps --json | jq -e '.[] | select(.name == \"es-$$\") | .nics[0].egress == \"slirp\"' >/dev/null"
check "egress=slirp: no egress worker" \
	sh -c "! pgrep -P $RUN_PID '^qbox-egress'"
kill -TERM "$RUN_PID"
wait "$RUN_PID"

# whose is the host side of a connection: the egress worker's, or libslirp's
owner_is() {	# NET PROCESS
	local o cp
	c "$1" hold 10.0.2.2 "$p_sink" 3 >/dev/null &
	cp=$!
	wait_for 5 sh -c "ss -Htnp state established dst 127.0.0.1:$p_sink | grep -q users"
	o=$(ss -Htnp state established dst "127.0.0.1:$p_sink")
	wait "$cp"
	grep -qE "\"$2\"" <<<"$o"
}
check "kernel path: the host's end of a connection is an egress worker's" \
	owner_is nat 'qbox-egress[0-9]*'
check "egress=slirp: it is the NAT engine's" owner_is nat,egress=slirp qbox-uplink
# an impaired (or unplugged) NIC's new connections take libslirp's path,
# through the uplink TAP that carries the impairment (link.sh, impair.sh)
check "rate=: an impaired NIC's connections are the NAT engine's" \
	owner_is nat,rate=100mbit qbox-uplink

# ---- what a guest relies on, on both paths -------------------------------
for path in kernel slirp; do
	net=nat,egress=$path
	check "$path: the outside answers" run_gets "$net" "http://$OUTSIDE_IP/" "$out"
	check "$path: the host's loopback answers through 10.0.2.2" \
		run_gets "$net" "http://10.0.2.2:$hport/" "$page"
	check "$path: a closed host port is refused, at once" \
		fast 3 says ECONNREFUSED "$net" connect 10.0.2.2 "$closed"
	check "$path: an address with no route: network unreachable, at once" \
		fast 3 says ENETUNREACH "$net" connect 203.0.113.9 80
	o=$(c "$net" connect 198.51.100.77 80)
	check "$path: an address nobody answers fails, never connected ($o)" \
		test -n "$o" -a "$o" != connected
	check "$path: the metadata address is refused (the egress policy)" \
		says EHOSTUNREACH "$net" connect "$METADATA_IP" 80
	check "$path: half-close: the far side sees EOF, then answers" \
		says "got 100000" "$net" halfclose 10.0.2.2 "$p_half"
	check "$path: the far side's reset reaches the guest" \
		says reset "$net" rst 10.0.2.2 "$p_rst"
	# a guest's kernel reuses a source port toward other destinations
	# while the connections it made from it are in TIME_WAIT; five
	# destinations: more than there are egress workers' listeners
	check "$path: one source port, five destinations one after the other" \
		says "got 10" "$net" reuse 10.0.2.2 "$p_half" "${p_halves[@]}"
done
# a guest's RST: the kernel's path passes it on; libslirp closes its host
# socket, so the far side sees an orderly end (FIN)
for path in kernel:reset slirp:eof; do
	rm -f "$TMP/seen"
	c "nat,egress=${path%:*}" clientrst 10.0.2.2 "$p_see" >/dev/null
	wait_for 5 test -s "$TMP/seen"
	check "${path%:*}: the guest's reset: the far side sees ${path#*:}" \
		grep -qx "${path#*:}" "$TMP/seen"
done

# ---- a host server that stops reading --------------------------------------
"$QBOX" run --name "sl-$$" --net nat -- python3 -c "$client" slow 10.0.2.2 \
	"$p_sink" >"$TMP/slow" 2>&1 &
qpid=$!
BG_PIDS+=("$qpid")
wait_for 10 pgrep -P "$qpid" '^qbox-egress' >/dev/null
workers=$(pgrep -P "$qpid" '^qbox-egress' || true)
rss0=$(rss_kb $workers)
sleep 3
rss1=$(rss_kb $workers)
wait "$qpid"
read -r at2 at4 <"$TMP/slow"
check "slow reader: the guest is held back by TCP (sent ${at2:-?} bytes by 2 s, ${at4:-?} by 4 s)" \
	test -n "$at4" -a "$at2" = "$at4"
# what may wait: the send and receive buffers of the two connections, at
# their kernel limits, and a worker's pipe (1 MiB at most)
wmax=$(awk '{ print $3 }' /proc/sys/net/ipv4/tcp_wmem)
rmax=$(awk '{ print $3 }' /proc/sys/net/ipv4/tcp_rmem)
bound=$((2 * (wmax + rmax) + (1 << 20)))
check "slow reader: what waits is the sockets' buffers, not a queue of qbox's (${at4:-?} bytes, at most $bound)" \
	test -n "$at4" -a "${at4:-0}" -le "$bound"
check "slow reader: the egress workers' memory does not grow with it (${rss0} -> ${rss1} KiB)" \
	test $((rss1 - rss0)) -le 4096

# ---- 10,000 connections at once: the sandbox's bound holds --------------
# The path holds at most EGRESS_FLOWS_MAX (4090) connections of a sandbox,
# the NAT engine's own bound (uplink.sh): the rest are refused at once
# (ICMP net unreachable, as libslirp's EMFILE), every one it took works,
# the workers' fds and memory stay bounded, another sandbox is served.
N=10000
hard=$(ulimit -Hn)
# the client and the echo server each hold up to N sockets
if [ "$hard" != unlimited ] && [ "$hard" -lt $((N + 200)) ]; then
	ulimit -Hn $((N + 200)) 2>/dev/null	# root may raise it
	hard=$(ulimit -Hn)
fi
if [ "$hard" != unlimited ] && [ "$hard" -lt $((N + 200)) ]; then
	fail "the hard RLIMIT_NOFILE ($hard) is below $((N + 200)): cannot try $N connections"
	exit 1
fi
pe=$(free_port)
start_bg "$HELPERS/echo-server" "$pe"
wait_for 5 port_open 127.0.0.1 "$pe"
rm -f "$TMP/close" "$TMP/go" "$TMP/done"
# the client starts on $TMP/go, and the sandbox outlives it by a minute
run_ready "many-$$" --net nat --bind "$TMP" -- sh -c "
	while [ ! -e '$TMP/go' ]; do sleep 0.1; done
	'$HELPERS/conn-echo' -t 60 -h '$TMP/close' 10.0.2.2 $pe $N >'$TMP/many' 2>&1
	echo \$? >'$TMP/done'
	sleep 60"
qpid=$RUN_PID
workers=$(pgrep -P "$qpid" '^qbox-egress' || true)
base_fds=$(fd_count $workers)
base_rss=$(rss_kb $workers)
touch "$TMP/go"
if ! wait_for 120 grep -q '^echoed' "$TMP/many"; then
	fail "the client did not finish: $(cat "$TMP/many")"
fi
open_fds=$(fd_count $workers)
open_rss=$(rss_kb $workers)
opened=$(sed -n 's/^opened \([0-9]*\) of .*/\1/p' "$TMP/many")
echoed=$(sed -n 's/^echoed \([0-9]*\) of .*/\1/p' "$TMP/many")
check "$N tried at once: the path took at most its bound, 4090 (opened ${opened:-?})" \
	test "${opened:-0}" -ge 3000 -a "${opened:-0}" -le 4090
check "every one it took works (${echoed:-?} of ${opened:-?} echoed)" \
	test -n "$opened" -a "${echoed:-x}" = "$opened"
check "the workers hold two fds per connection, no more ($open_fds for ${opened:-?}, $base_fds idle)" \
	test "$open_fds" -le $((base_fds + 2 * 4090 + 64))
check "the workers' memory: at most 1 KiB per connection tried ($(( (open_rss - base_rss) / 1024 )) MiB)" \
	test $((open_rss - base_rss)) -le "$N"
expect_output "another sandbox passes traffic meanwhile" 0 "^$page\$" \
	timeout 30 "$QBOX" run -- busybox wget -q -O - "http://10.0.2.2:$hport/"
touch "$TMP/close"
wait_for 30 test -s "$TMP/done"
back() { [ "$(fd_count $workers)" -le "$base_fds" ]; }
wait_for 10 back
check "every fd comes back after they close (idle $base_fds, now $(fd_count $workers))" back
kill -TERM "$qpid"
wait "$qpid"

# ---- without the kernel's path -----------------------------------------
"$HELPERS/no-netfilter" "$QBOX" run --net nat -- timeout 5 busybox wget -q \
	-O - "http://10.0.2.2:$hport/" >"$TMP/fb" 2>"$TMP/fb.err"
check "no netfilter netlink: egress still works, through libslirp" \
	grep -qx "$page" "$TMP/fb"
check "... and qbox says so, once" \
	test "$(grep -c "egress path.*NAT egress goes through libslirp" "$TMP/fb.err")" = 1
expect_output "no netfilter netlink, egress=kernel: exit 2, saying why" 2 \
	"kernel's egress path: the egress queue" \
	"$HELPERS/no-netfilter" "$QBOX" run --net nat,egress=kernel -- true

# ---- a named network's: its hub's ------------------------------------------
net=ep$$
"$QBOX" net create "natnet:$net"
check "natnet: net inspect --json shows the kernel's path" sh -c \
	"'$QBOX' net inspect '$net' --json | jq -e '.egress_path == \"kernel\"' >/dev/null"
check "natnet: a member reaches the outside" run_gets "natnet:$net" "http://$OUTSIDE_IP/" "$out"
check "natnet: a closed host port is refused" \
	says ECONNREFUSED "natnet:$net" connect 10.0.2.2 "$closed"
check "natnet: half-close passes" \
	says "got 100000" "natnet:$net" halfclose 10.0.2.2 "$p_half"
run_ready "em-$$" --net "natnet:$net" -- sleep 600
check "natnet: a member's ps --json shows its network's path" sh -c \
	"'$QBOX' ps --json | jq -e '.[] | select(.name == \"em-$$\") | .nics[0].egress == \"kernel\"' >/dev/null"
kill -TERM "$RUN_PID"
wait "$RUN_PID"
"$QBOX" net rm "$net"
"$QBOX" net create "natnet:$net,egress=slirp"
check "natnet,egress=slirp: net inspect says slirp" sh -c \
	"'$QBOX' net inspect '$net' --json | jq -e '.egress_path == \"slirp\"' >/dev/null"
check "natnet,egress=slirp: a member reaches the outside" \
	run_gets "natnet:$net" "http://$OUTSIDE_IP/" "$out"
run_ready "em-$$" --net "natnet:$net" -- sleep 600
check "natnet,egress=slirp: a member's ps --json says slirp" sh -c \
	"'$QBOX' ps --json | jq -e '.[] | select(.name == \"em-$$\") | .nics[0].egress == \"slirp\"' >/dev/null"
kill -TERM "$RUN_PID"
wait "$RUN_PID"
"$QBOX" net rm "$net"

expect_output "egress=fast: exit 2, naming the words" 2 \
	"egress=fast: use allow or deny \\(the policy\\), kernel or slirp" \
	"$QBOX" run --net nat,egress=fast -- true
no_leftovers "nothing left behind" "(ep|es|sl|many|em)-$$"
