#!/usr/bin/env bash
# The generic mode: --net vde:LOCATOR and --net udp:LPORT:RADDR:RPORT.
#
# Any user, in the host's network namespace and on loopback alone:
# Debian's vde_switch (run by the test as that user) carries TCP between
# two command sandboxes, plainly and through a cmd:// plug (vde_plug as
# the command); the relay is confined; the switch killed, the sandboxes
# run on with the plug shown down, and traffic resumes by itself when a
# switch is back; a UDP tunnel joins two sandboxes and takes frames from
# its peer's address and port alone; every bad input exits 2 naming the
# flag and leaves nothing behind.

. "$(dirname "$0")/../lib.sh"

bad() {	# name, pattern, args...
	local name=$1 pat=$2
	shift 2
	expect_output "$name" 2 "$pat" "$QBOX" "$@"
}

# echo_over NAME ADDR PORT ARGS... : a sandbox NAME (ARGS: its --net) sends
# a line to ADDR:PORT and must read it back
echo_over() {
	local name=$1 addr=$2 port=$3 out
	shift 3
	out=$(echo "hello-$name" | timeout 20 "$QBOX" run --name "$name" "$@" \
		-- socat -T5 - "TCP:$addr:$port,connect-timeout=5" 2>&1)
	[ "$out" = "hello-$name" ] || { echo "  got: $out" >&2; return 1; }
}

# an echo server at ADDR:7000 of a sandbox: run_ready NAME --net ... $ECHO
ECHO=(-- socat TCP-LISTEN:7000,reuseaddr,fork EXEC:cat)

# plug_json NAME : the first NIC's plug of sandbox NAME
plug_json() { "$QBOX" ps --json | jq -c --arg n "$1" '.[] | select(.name == $n) | .nics[0]'; }
plug_up() { plug_json "$1" | jqc '.plug.up == true'; }
plug_down() { plug_json "$1" | jqc '.plug.up == false'; }

# ---- errors: exit 2, the flag named, nothing left behind -------------------
bad "generic explained" "^qbox: --net generic: VirtualBox's generic mode is vde:LOCATOR" \
	run --net generic -- true
bad "vde without a locator" "^qbox: --net vde: vde: needs a locator" \
	run --net vde -- true
bad "unknown plugin" "^qbox: --net vde:nosuch://x: unknown VDE plugin 'nosuch' \\(known: vde, vxlan, vxvde, udp" \
	run --net vde:nosuch://x -- true
bad "switch:// refused" "a switch:// plug makes a switch" \
	run --net vde:switch://$TMP/sw0 -- true
bad "a plugin not installed: its Debian package named" \
	"^qbox: --net vde:vdesl:///dev/null: the VDE plugin 'vdesl' is not installed \\(libvdeplug_vdesl.so: Debian's package libvdeplug-vdesl\\)\$" \
	run --net vde:vdesl:///dev/null -- true
bad "no switch there" "^qbox: --net vde:$TMP/nosw: opening $TMP/nosw: No such file or directory\$" \
	run --net vde:$TMP/nosw -- true
bad "udp: a bad tunnel" "^qbox: --net udp:5000:127.0.0.1: use udp:\\[LADDR:\\]LPORT:RADDR:RPORT" \
	run --net udp:5000:127.0.0.1 -- true
bad "udp: names refused" "remote address 'localhost' is not an IPv4 address" \
	run --net udp:5000:localhost:5001 -- true
busy=$(free_port)
start_bg python3 -c "import socket, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(('127.0.0.1', $busy))
time.sleep(600)"
wait_for 5 bash -c "ss -Hun state all sport = :$busy | grep -q ."
bad "udp: a local port in use" "^qbox: --net udp:$busy:127.0.0.1:9: local UDP port $busy is in use\$" \
	run --net udp:$busy:127.0.0.1:9 -- true
bad "a VM's ip= refused" "ip= is a command's address: a VM's guest sets its own" \
	run --vm --net vde:$TMP/sw,ip=10.1.1.1/24 -- true
bad "no forward to a VDE NIC" "a VDE NIC needs no forwards" \
	run --net vde:$TMP/sw --fwd 2222:22 -- true
no_leftovers "errors leave nothing behind" "qbox-vde|$TMP"

# ---- a vde_switch of the test user's --------------------------------------
SW=$TMP/sw
start_switch() { switch_start "$SW"; }
stop_switch() { switch_stop "$SW"; }
at_exit stop_switch
check "vde_switch runs" start_switch

run_ready va --net "vde:vde://$SW,ip=10.77.0.1/24" "${ECHO[@]}"
VA=$RUN_PID
check "two sandboxes on one vde_switch: TCP between them" \
	echo_over vb 10.77.0.1 7000 --net "vde:$SW,ip=10.77.0.2/24"
check "through a cmd:// plug (vde_plug as its command)" \
	echo_over vc 10.77.0.1 7000 --net "vde:cmd://vde_plug vde://$SW,ip=10.77.0.3/24"
check "ps --json: mode, locator, plug up, address, no IPv6" bash -c "
	'$QBOX' ps --json | jq -e '.[] | select(.name == \"va\") | .nics[0] |
		.mode == \"vde\" and .locator == \"vde://$SW\" and
		.plug.up == true and .plug.restarts == 0 and
		.address == \"10.77.0.1\" and .subnet == \"10.77.0.0/24\"' >/dev/null"
check "ps: the locator and the address" bash -c \
	"'$QBOX' ps | grep -q '^va.*vde:vde://$SW@10.77.0.1'"

relay=$(pgrep -P "$VA" -x qbox-vde)
check "the relay: a child of the supervisor" test -n "$relay"
check "the relay: no capabilities" \
	test "$(status_of "$relay" CapEff):$(status_of "$relay" CapBnd)" = \
	"0000000000000000:0000000000000000"
check "the relay: no_new_privs and a seccomp filter" \
	test "$(status_of "$relay" NoNewPrivs):$(status_of "$relay" Seccomp)" = "1:2"
check "the relay: in the host's network namespace" \
	not ns_differs "$relay" $$
check "the relay: its TAP, its plug's two sockets, stdio and its socket" \
	test "$(fds_of "$relay")" -le 7

# ---- the switch goes, and comes back --------------------------------------
stop_switch
check "switch gone: the plug is shown down" wait_for 5 plug_down va
check "switch gone: why" bash -c "'$QBOX' ps --json | jq -e '.[] | select(.name == \"va\") |
		.nics[0].plug.last_error | test(\"hung up|No such file\")' >/dev/null"
check "switch gone: the sandbox runs on" kill -0 "$VA"
start_switch
check "switch back: the plug is up again, by itself" wait_for 10 plug_up va
check "switch back: restarts counted" bash -c "'$QBOX' ps --json |
	jq -e '.[] | select(.name == \"va\") | .nics[0].plug.restarts >= 1' >/dev/null"
check "switch back: traffic resumes" \
	echo_over vd 10.77.0.1 7000 --net "vde:$SW,ip=10.77.0.4/24"
"$QBOX" stop va >/dev/null 2>&1
wait "$VA" 2>/dev/null
no_leftovers "vde: nothing left behind" qbox-vde

# ---- a UDP tunnel between two sandboxes -------------------------------------
p1=$(free_port)
p2=$(free_port)
run_ready ua --net "udp:$p1:127.0.0.1:$p2,ip=10.78.0.1/24" "${ECHO[@]}"
UA=$RUN_PID
check "udp: TCP over the tunnel" \
	echo_over ub 10.78.0.1 7000 --net "udp:$p2:127.0.0.1:$p1,ip=10.78.0.2/24"
"$QBOX" stop ua >/dev/null 2>&1
wait "$UA" 2>/dev/null

# The tunnel hears its peer alone: frames from another port reach nothing,
# from the peer's they reach the sandbox's uplink TAP (its counter)
p3=$(free_port)
p4=$(free_port)
run_ready uc --net "udp:127.0.0.1:$p3:127.0.0.1:$p4,ip=10.78.1.1/24" -- sleep 600
UC=$RUN_PID
rx() { "$QBOX" exec uc -- cat /proc/net/dev | awk '$1 == "qup0:" { print $3 }'; }
tx_from() {	# PORT: 20 broadcast ARP frames to the tunnel, from PORT
	python3 -c "import socket, sys
f = bytes.fromhex('ffffffffffff02000000000108060001080006040001') + bytes(38)
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(('127.0.0.1', int(sys.argv[1])))
for _ in range(20): s.sendto(f, ('127.0.0.1', $p3))" "$1"
}
before=$(rx)
tx_from "$(free_port)"
sleep 0.5
check "udp: frames from a stranger's port are not taken" test "$(rx)" = "$before"
tx_from "$p4"
rx_over() { [ "$(rx)" -ge "$1" ]; }
check "udp: frames from the peer's port are" wait_for 5 rx_over $((before + 20))
"$QBOX" stop uc >/dev/null 2>&1
wait "$UC" 2>/dev/null
no_leftovers "udp: nothing left behind" qbox-vde

# ---- a named network as a VDE switch (qbox net vde) ---------------------------
VN=vn$$
"$QBOX" net create "natnet:$VN"
L=$("$QBOX" net vde "$VN")
check "net vde NAME prints a vde:// locator in the runtime directory" \
	test "$L" = "vde://$RUNDIR/net@$VN.vde" -a -S "$RUNDIR/net@$VN.vde/ctl"
check "... its directory is the owner's alone" \
	test "$(stat -c %a "$RUNDIR/net@$VN.vde")" = 700
expect_output "net inspect shows it" 0 "^vde +$L\$" "$QBOX" net inspect "$VN"
# frames MAC... : vde_plug's stdin (vdestream: each frame after its
# length, two bytes big-endian), a DHCP DISCOVER from each MAC: what a
# member may send before it has its lease (a valid IPv4 header: a hub on
# the kernel's egress path shows bridged IPv4 frames to the IPv4 hooks,
# whose br_netfilter drops a bad header checksum before the bridge learns)
frames() {
	python3 -c "import struct, sys
for m in sys.argv[1:]:
    mac = bytes.fromhex(m.replace(':', ''))
    bootp = bytes([1, 1, 6, 0]) + bytes(24) + mac + bytes(202) + \\
        bytes([99, 130, 83, 99, 53, 1, 1, 255])
    udp = struct.pack('>HHHH', 68, 67, 8 + len(bootp), 0) + bootp
    ip = bytes([0x45, 0, 0, 0]) + bytes(4) + bytes([64, 17, 0, 0]) + \\
        bytes(4) + b'\\xff' * 4
    ip = ip[:2] + struct.pack('>H', 20 + len(udp)) + ip[4:]
    c = sum(struct.unpack('>10H', ip))
    c = (c & 0xffff) + (c >> 16)
    c = (c & 0xffff) + (c >> 16)
    ip = ip[:10] + struct.pack('>H', ~c & 0xffff) + ip[12:]
    f = b'\\xff' * 6 + mac + b'\\x08\\x00' + ip + udp
    sys.stdout.buffer.write(struct.pack('>H', len(f)) + f)
sys.stdout.flush()" "$@"
}
vde_members() { "$QBOX" net inspect "$VN" --json | jq -c '[.members[] | select(.kind == "vde")]'; }
vde_member_is() { vde_members | jqc --arg m "$1" 'length == 1 and .[0].mac == $m and .[0].command == "vde_plug" and (.[0].address | test("^10\\.0\\.2\\."))'; }
no_vde_member() { vde_members | jqc 'length == 0'; }
# its first frame is held while its TAP is down, so both MACs send again
# once it is up
mkfifo "$TMP/vp"
( frames 02:aa:00:00:00:01; sleep 2; frames 02:aa:00:00:00:01 02:aa:00:00:00:02
  exec sleep 60 ) >"$TMP/vp" &
VW=$!
vde_plug "$L" <"$TMP/vp" >/dev/null 2>&1 &
VP=$!
BG_PIDS+=("$VW" "$VP")
check "Debian's vde_plug joins: a member of kind vde, its first MAC, a lease" \
	wait_for 10 vde_member_is 02:aa:00:00:00:01
fdb() { "$QBOX" exec "natnet:$VN" -- bridge fdb show br qbr0 2>/dev/null; }
check "its first MAC is learnt on its port" wait_for 5 bash -c \
	"$(declare -f fdb); QBOX='$QBOX' VN='$VN'; fdb | grep -q '^02:aa:00:00:00:01 dev qs'"
check "a frame from another MAC is dropped (held to its MAC)" \
	not bash -c "$(declare -f fdb); QBOX='$QBOX' VN='$VN'; fdb | grep -q '^02:aa:00:00:00:02'"
kill "$VP" "$VW" 2>/dev/null
wait "$VP" "$VW" 2>/dev/null
check "vde_plug gone: its member leaves" wait_for 10 no_vde_member
check "... and its port's socket goes" bash -c \
	"[ \$(ls -A '$RUNDIR/net@$VN.vde' | wc -l) = 1 ]"
"$QBOX" net rm "$VN" >/dev/null 2>&1
check "the network ends: its switch's directory goes" \
	wait_for 10 test ! -e "$RUNDIR/net@$VN.vde"

# ---- as root: two "hosts", the kernel's vxlan, vxvde -----------------------
if [ "$(id -u)" -ne 0 ]; then
	exit 0
fi
two_hosts || { fail "two hosts"; exit 1; }
HA=$HOST_A
HB=$HOST_B
QN=$host_qbox
# host_run HOST NAME ARGS... : qbox run as nobody on HOST, in the
# background (killed at exit), ready (or a FAIL with what it said)
host_run() {
	local ns=$1 name=$2
	shift 2
	host_bg "$ns" "$QN" run --name "$name" "$@" </dev/null 2>"$TMP/$name.err"
	HOST_RUN_PID=$BG_PID
	on_host "$ns" "$QN" wait "$name" --timeout 20 >/dev/null ||
		{ echo "  $name: $(cat "$TMP/$name.err")" >&2; return 1; }
}

# The kernel's own vxlan device on host B, VNI 42 on group 239.1.1.42.
# Its checksum offload is off: over a veth pair the inner TCP checksum
# would stay a partial one, which a real NIC fills and a veth does not
# (any VTEP in user space would read it unfilled)
ip -n "$HB" link add vx$$ type vxlan id 42 group 239.1.1.42 dev $HOST_B_IF dstport 4789
ip netns exec "$HB" ethtool -K vx$$ tx off >/dev/null
ip -n "$HB" addr add 10.79.0.2/24 dev vx$$
ip -n "$HB" link set vx$$ up
check "vxlan: qbox's sandbox on host A (as nobody) is ready" host_run "$HA" xa \
	--net "vde:vxlan://239.1.1.42/vni=42/if=$HOST_A_IF,ip=10.79.0.1/24" "${ECHO[@]}"
XA=$HOST_RUN_PID
out=$(echo hello-kernel | timeout 20 ip netns exec "$HB" socat -T5 - \
	TCP:10.79.0.1:7000,connect-timeout=5 2>&1)
check "vxlan: host B's kernel vxlan device and the sandbox: TCP both ways (got: $out)" \
	test "$out" = hello-kernel
# another VNI on the same group: the relay takes none of its frames (the
# sandbox's uplink TAP counts what the relay writes)
xa_rx() {
	on_host "$HA" "$QN" exec xa -- cat /proc/net/dev |
		awk '$1 == "qup0:" { print $3 }'
}
ip -n "$HB" link set vx$$ down
ip -n "$HB" link add vy$$ type vxlan id 43 group 239.1.1.42 dev $HOST_B_IF dstport 4789
ip netns exec "$HB" ethtool -K vy$$ tx off >/dev/null
ip -n "$HB" addr add 10.79.0.2/24 dev vy$$
ip -n "$HB" link set vy$$ up
rx0=$(xa_rx)
out=$(echo hello-43 | timeout 20 ip netns exec "$HB" socat -T3 - \
	TCP:10.79.0.1:7000,connect-timeout=3 2>&1)
check "vxlan: another VNI on the same group reaches nothing ($rx0 frames, then $(xa_rx))" \
	test "$out" != hello-43 -a -n "$rx0" -a "$(xa_rx)" = "$rx0"
on_host "$HA" "$QN" stop xa >/dev/null 2>&1
wait "$XA" 2>/dev/null

# vxvde: a sandbox on each host, one segment
check "vxvde: host A's sandbox is ready" host_run "$HA" wa \
	--net "vde:vxvde://239.1.2.7/if=$HOST_A_IF,ip=10.80.0.1/24" "${ECHO[@]}"
WA=$HOST_RUN_PID
out=$(echo hello-vxvde | on_host "$HB" timeout 20 "$QN" run --name wb \
	--net "vde:vxvde://239.1.2.7/if=$HOST_B_IF,ip=10.80.0.2/24" -- \
	socat -T5 - TCP:10.80.0.1:7000,connect-timeout=5 2>&1)
check "vxvde: host B's sandbox reaches it (got: $out)" test "$out" = hello-vxvde
on_host "$HA" "$QN" stop wa >/dev/null 2>&1
wait "$WA" 2>/dev/null
hosts_clean "hosts: nothing of nobody's qbox left" "qbox-vde|$TMP"
