#!/usr/bin/env bash
# A network's generic socket (qbox net socket): clients speaking QEMU's
# stream protocol (tests/helpers/stream-client.c) get DHCP leases, reach
# the host alias and a command member, show in net inspect as members of
# kind socket, each with a TAP on the hub's bridge that goes when it hangs
# up; anti-spoofing holds a client to its first MAC, its lease and DHCP
# for its own MAC only (a guest cannot drain the pool); a DHCP flood
# (own and made-up MACs) costs the hub no memory and no leases, and others
# are served meanwhile; bad lengths drop the connection, not the hub; 30
# clients at once; a client
# that never reads costs the relay nothing; host-only's wall holds for
# socket members; a dead relay or hub leaves nothing behind.
. "$(dirname "$0")/../lib.sh"

SC=$HELPERS/stream-client
net=g$$
socket_members() {
	"$QBOX" net inspect "$1" --json | jq '[.members[] | select(.kind == "socket")] | length'
}
sockets_are() { test "$(socket_members "$1")" = "$2"; }
# fd_list QPID : what the processes of hub QPID hold, "COMM TARGET" lines
fd_list() {
	local p
	for p in $(qbox_procs "$1"); do
		ls -l "/proc/$p/fd" | awk -v c="$(cat "/proc/$p/comm")" 'NR > 1 {print c, $NF}'
	done | sort
}
# has_tap NET TAP : the TAP is a port of the hub's bridge
has_tap() { "$QBOX" exec "natnet:$1" -- ip -o link show master qbr0 | grep -q ": $2:"; }
NFT=$(PATH=$PATH:/usr/sbin:/sbin command -v nft)	# a plain user's PATH lacks sbin
# hexip A.B.C.D : as nft prints a 4-byte payload (leading zeros dropped)
hexip() {
	local IFS=.
	set -- $1
	printf '0x%x\n' $((($1 << 24) | ($2 << 16) | ($3 << 8) | $4))
}
no_taps() { ! "$QBOX" exec "natnet:$1" -- ip -o link show | grep -q ': qs[0-9]*:'; }

# ---- errors ---------------------------------------------------------------------
expect_output "net socket: a network that does not run" 2 \
	"no network named 'nope$$' is running: start it with qbox net create MODE:nope$$" \
	"$QBOX" net socket "nope$$"
expect_output "net socket: a mode that is no network" 2 "only natnet:NAME" \
	"$QBOX" net socket nat,mac=52:54:00:00:00:01
expect_output "net socket: mac= is refused" 2 "mac= belongs to a NIC" \
	"$QBOX" net socket "natnet:x$$,mac=52:54:00:00:00:01"
check "the refused requests started no network" sh -c "! '$QBOX' net ls | grep -q '$$ '"

# ---- MODE:NAME starts the network; a command member joins -----------------------
P=$("$QBOX" net socket "natnet:$net")
check "net socket natnet:NAME prints the socket in the runtime directory" \
	test "$P" = "$RUNDIR/net@$net.stream" -a -S "$P"
start_bg "$QBOX" run --name "m-$$" --net "natnet:$net" -- sleep 300
qm=$BG_PID
if ! A=$(member_wait "$net" "m-$$" 30); then
	fail "the command member never joined natnet:$net"
	exit 1
fi
expect_output "net socket NAME: the same path" 0 "^$P\$" "$QBOX" net socket "$net"
expect_output "net inspect shows the socket" 0 "^socket +$P\$" "$QBOX" net inspect "$net"
expect_output "net socket with the wrong mode" 2 "is a natnet network, not hostonly" \
	"$QBOX" net socket "hostonly:$net"
expect_output "net socket with another subnet" 2 "runs on 10.0.2.0/24, not the subnet= given" \
	"$QBOX" net socket "natnet:$net,subnet=10.0.9.0/24"
hub=$(hub_pid "$net")

# ---- a client: its lease, the host alias, the member ----------------------------
out=$(timeout 30 "$SC" "$P" dhcp ping 10.0.2.2 ping "$A" ping 10.0.2.3)
check "a socket client gets a lease from the hub's DHCP ($(head -n1 <<<"$out"))" \
	grep -qE '^lease 10\.0\.2\.[0-9]+$' <<<"$out"
check "it reaches the host alias 10.0.2.2" grep -qx "pong 10.0.2.2" <<<"$out"
check "it reaches the command member at $A" grep -qx "pong $A" <<<"$out"
check "natnet: the NAT answers at 10.0.2.3 (what host-only's wall drops)" \
	grep -qx "pong 10.0.2.3" <<<"$out"
# A new client's first frame taught the hub its MAC while its TAP was
# still down; the relay holds it and passes it on once the client's rules
# are in place, so a DISCOVER sent once is answered (a guest's dhclient
# would otherwise wait seconds for its retry)
expect_output "a new client's first frame, a DISCOVER sent once, is answered" 0 \
	"^lease 10\\.0\\.2\\." timeout 30 "$SC" "$P" mac=02:53:00:00:07:01 dhcp-once
# the baseline after one client came and went, once its TAP is gone
# (init's netlink sockets come and go)
wait_for 10 sockets_are "$net" 0
wait_for 5 no_taps "$net"
fds0=$(qbox_fds "$hub")
fd_list "$hub" >"$TMP/fds0"
expect_output "frames written in pieces of 1-3 bytes arrive whole" 0 "^lease 10\\.0\\.2\\." \
	timeout 30 "$SC" "$P" slow dhcp
expect_output "frames of 2000, 5 and 65536 bytes are dropped; the connection goes on" 0 \
	"^lease 10\\.0\\.2\\." timeout 30 "$SC" "$P" frame 2000 frame 5 frame 65536 dhcp

# ---- malformed lengths end the connection, not the hub --------------------------
for n in 0 65537 4294967295; do
	expect_output "length $n: the hub hangs up" 0 "^closed$" timeout 10 "$SC" "$P" badlen "$n"
done
expect_output "after them the hub still serves: a new client's lease" 0 "^lease 10\\.0\\.2\\." \
	timeout 30 "$SC" "$P" dhcp

# ---- a member of kind socket, with a TAP and its rules, until it hangs up -------
start_bg "$SC" "$P" mac=02:53:00:00:01:01 dhcp hold >"$TMP/hold1"
c1=$BG_PID
wait_for 10 grep -q held "$TMP/hold1"
L1=$(sed -n 's/^lease //p' "$TMP/hold1")
ins=$("$QBOX" net inspect "$net" --json)
check "inspect --json: a socket member with its MAC, lease, pid and program" \
	jqc --argjson p "$c1" --arg a "$L1" \
	'[.members[] | select(.kind == "socket" and .mac == "02:53:00:00:01:01" and .address == $a and .pid == $p and .command == "stream-client" and .vm == false)] | length == 1' <<<"$ins"
check "inspect --json: its lease is bound" jqc --arg a "$L1" \
	'[.leases[] | select(.mac == "02:53:00:00:01:01" and .address == $a and .state == "bound")] | length == 1' <<<"$ins"
tap=$(jq -r '.members[] | select(.kind == "socket") | .tap' <<<"$ins")
expect_output "inspect: the socket member's row" 0 \
	"^stream-client +02:53:00:00:01:01 +$L1 +socket \\($tap, pid $c1\\)" "$QBOX" net inspect "$net"
expect_output "net ls counts it as a member" 0 "^$net +natnet +10\\.0\\.2\\.0/24 +2 " "$QBOX" net ls
check "its TAP $tap is a port of the hub's bridge" has_tap "$net" "$tap"
hinit=$(qbox_init "$hub")
# the hub's init keeps CAP_NET_ADMIN (bit 12), for these TAPs, and nothing else
st() { status_of "$hinit" "$1"; }
check "the hub's init keeps CAP_NET_ADMIN alone, bounding set too ($(st CapEff) $(st CapPrm) $(st CapBnd))" \
	test "$(st CapEff)" = 0000000000001000 -a "$(st CapPrm)" = 0000000000001000 \
	-a "$(st CapBnd)" = 0000000000001000 -a "$(st CapInh)" = 0000000000000000 \
	-a "$(st CapAmb)" = 0000000000000000
check "... with no_new_privs and the baseline filter" test "$(st NoNewPrivs)" = 1 -a "$(st Seccomp)" = 2
chain=$("$HELPERS/netns-caps" "$hinit" "$NFT" list chain netdev qbox "$tap" 2>&1)
has_all() { local p; for p in "$@"; do grep -qF -- "$p" <<<"$chain" || return 1; done; }
check "its anti-spoofing chain holds its MAC and lease" \
	has_all "device \"$tap\"" "policy drop" 0x25300000101 "$(hexip "$L1") accept"
check "... and binds its IPv6 addresses in a set of its own (the network has a /64)" \
	"$HELPERS/netns-caps" "$hinit" "$NFT" list set netdev qbox "$tap-v6"
kill "$c1"
check "the client hangs up: the member is gone" wait_for 10 sockets_are "$net" 0
# the member leaves at once, its TAP soon after: init deletes it when the
# supervisor's SBMSG_TAP_DEL arrives
check "... and its TAP $tap" wait_for 10 \
	sh -c "! '$QBOX' exec natnet:$net -- ip -o link show | grep -q ': $tap:'"
check "... and its chain" sh -c "! '$HELPERS/netns-caps' $hinit '$NFT' list ruleset | grep -q 'chain $tap '"
check "... and its set" sh -c "! '$HELPERS/netns-caps' $hinit '$NFT' list ruleset | grep -q 'set $tap-v6 '"

# ---- anti-spoofing: another address, another MAC, a MAC in use ---------------------
out=$(timeout 30 "$SC" "$P" mac=02:53:00:00:04:01 dhcp ping 10.0.2.1 from 10.0.2.77 ping 10.0.2.1)
check "a socket member's own address reaches the hub" grep -qx "pong 10.0.2.1" <<<"$(sed -n 2p <<<"$out")"
check "... another address of its choosing does not" grep -qx "no-pong 10.0.2.1" <<<"$(sed -n 3p <<<"$out")"
expect_output "... nor another MAC" 0 "^no-pong 10\\.0\\.2\\.1$" \
	timeout 30 "$SC" "$P" mac=02:53:00:00:04:02 dhcp as 02:53:00:00:04:99 ping 10.0.2.1
# a guest draining the pool: DISCOVERs from its own MAC for 200 made-up ones
out=$(timeout 60 "$SC" "$P" mac=02:53:00:00:04:04 dhcp discovers 200 dhcp)
check "a member asking leases for 200 made-up MACs ($(tr '\n' ' ' <<<"$out"))" \
	test "$(grep -c '^lease 10\.0\.2\.' <<<"$out")" = 2 -a "$(grep -c '^discovers 200$' <<<"$out")" = 1
check "... is offered none of them (the hub never sees them)" jqc \
	'[.leases[] | select(.mac | startswith("02:de:ad:"))] | length == 0' \
	<<<"$("$QBOX" net inspect "$net" --json)"
MM=$("$QBOX" net inspect "$net" --json | jq -r --arg s "m-$$" '.members[] | select(.sandbox == $s) | .mac')
expect_output "a client sending from a member's MAC ($MM) is hung up on" 0 "^closed$" \
	timeout 10 "$SC" "$P" "mac=$MM" frame 60 closed
expect_output "... one with a MAC of its own is not" 0 "^open$" \
	timeout 10 "$SC" "$P" mac=02:53:00:00:04:03 frame 60 closed
# the NAT engine's MACs (libslirp's 52:55 and its gateway's or DNS
# forwarder's address: predictable), group addresses and zero are no
# member's: a client claiming one would have the bridge send it its
# neighbours' frames to the gateway
for m in 52:55:0a:00:02:02 52:55:0a:00:02:03 01:00:5e:00:00:01 \
	ff:ff:ff:ff:ff:ff 00:00:00:00:00:00; do
	expect_output "a client sending from $m is hung up on" 0 "^closed$" \
		timeout 10 "$SC" "$P" "mac=$m" frame 60 closed
done
fdb=$("$QBOX" exec "natnet:$net" -- /sbin/bridge fdb show dev qup0 2>&1)
for m in 52:55:0a:00:02:02 52:55:0a:00:02:03; do
	check "the NAT engine's $m is pinned to its port, static and sticky" \
		grep -qE "^$m .*sticky.* static$" <<<"$fdb"
done

# ---- a DHCP flood: the hub's memory, its pool, its service ------------------------
# hub_rss : VmRSS of all of the hub's processes (supervisor; init; workers;
# relay; NAT engine; dnsmasq, the DHCP server), KiB
hub_rss() { rss_kb $(qbox_procs "$hub") $(qbox_engine "$hub") $(dnsmasq_of "$hub"); }
n_leases() { "$QBOX" net inspect "$net" --json | jq '.leases | length'; }
# once, so that what the first flood touches is counted before, not during
timeout 60 "$SC" "$P" mac=02:53:00:00:06:01 dhcp dhcpflood 2000 >/dev/null
rss0=$(hub_rss)
l0=$(n_leases)
# at least 100 000 messages, and on until the checks meanwhile are done
"$SC" "$P" mac=02:53:00:00:06:01 until-usr1 "taken=$A" dhcp dhcpflood 100000 >"$TMP/dflood" &
fl=$!
BG_PIDS+=("$fl")
wait_for 30 grep -q '^flooding$' "$TMP/dflood"
expect_output "during a DHCP flood, another client gets a lease" 0 "^lease 10\\.0\\.2\\." \
	timeout 30 "$SC" "$P" mac=02:53:00:00:06:02 dhcp
expect_output "... and a new command member joins" 0 "^joined$" \
	timeout 30 "$QBOX" run --net "natnet:$net" -- echo joined
kill -USR1 "$fl"
wait_for 60 sh -c "! kill -0 $fl 2>/dev/null" || kill "$fl"
wait "$fl"
res=$(sed -n 's/^dhcpflood //p' "$TMP/dflood")
read -r sent _ offers _ acks _ naks _ other _ fakes _ held <<<"$res"
# dnsmasq ACKs a REQUEST that selects another free address of the pool
# (RFC 2131's SELECTING: the client's one lease moves there); its chain
# still drops whatever the guest sends from it (anti-spoofing, above), and
# a client has one lease at a time (the lease count, below). An address a
# member holds it never hands out.
check "the flood: $sent DHCP messages, its own MAC's answered ($offers offers, $naks NAKs), no ACK for the command member's address ($held), no answer for a made-up MAC ($fakes)" \
	test "${sent:-0}" -ge 100000 -a "${offers:-0}" -gt 0 -a "${naks:-0}" -gt 0 -a "$held" = 0 -a "$fakes" = 0
rss1=$(hub_rss)
check "the hub's processes' memory stays put ($rss0 -> $rss1 KiB)" test $((rss1 - rss0)) -lt 512
check "no lease for any made-up MAC" jqc '[.leases[] | select(.mac | startswith("02:f1:"))] | length == 0' \
	<<<"$("$QBOX" net inspect "$net" --json)"
l1=$(n_leases)
# the two newcomers', and the flooder's one lease of dnsmasq's, which its
# REQUESTs may have moved off its reserved address (above)
check "at most three leases more: the two newcomers' and the flooder's ($l0 -> $l1)" \
	test "$l1" -le $((l0 + 3))
check "one lease of dnsmasq's per MAC at most: nothing drained" jqc \
	'[.leases[] | select(.member | not) | .mac] | length == (unique | length)' \
	<<<"$("$QBOX" net inspect "$net" --json)"
out=$(timeout 30 "$SC" "$P" mac=02:53:00:00:06:03 dhcp ping "$A")
check "after it the hub serves: a lease, and the member reached ($(tr '\n' ' ' <<<"$out"))" \
	test "$(grep -cE '^(lease 10\.0\.2\.|pong )' <<<"$out")" = 2
wait_for 10 sockets_are "$net" 0

# ---- 30 clients at once ------------------------------------------------------------
start_bg "$SC" "$P" clients=30 mac=02:53:00:00:02:01 dhcp hold >"$TMP/many"
c30=$BG_PID
wait_for 240 grep -q held "$TMP/many"
if [ "$(grep '^lease 10\.0\.2\.' "$TMP/many" | sort -u | wc -l)" -eq 30 ]; then
	pass "30 clients at once: 30 distinct leases"
else
	fail "30 clients at once: 30 distinct leases:" "$(sort "$TMP/many" | uniq -c | tr '\n' ' ')"
fi
check "... 30 socket members" sockets_are "$net" 30
check "... 30 TAPs on the bridge" test "$("$QBOX" exec "natnet:$net" -- ip -o link show master qbr0 | grep -c ': qs[0-9]*:')" -eq 30
kill "$c30"
check "... all gone when they hang up" wait_for 10 sockets_are "$net" 0
check "... with their TAPs" wait_for 5 no_taps "$net"

# ---- a client that never reads: bounded, the kernel drops ------------------------
start_bg "$SC" "$P" mac=02:53:00:00:03:01 dhcp hold >"$TMP/stall"
cs=$BG_PID
wait_for 10 grep -q held "$TMP/stall"
wait_for 10 sockets_are "$net" 1
stap=$("$QBOX" net inspect "$net" --json | jq -r '.members[] | select(.kind == "socket") | .tap')
relay=$(pgrep -P "$(qbox_init "$hub")" '^qbox-stream')
rss0=$(rss_kb "$relay")
expect_output "another client floods 20000 broadcast frames (30 MB)" 0 "^flooded 20000$" \
	timeout 60 "$SC" "$P" mac=02:53:00:00:03:02 dhcp flood 20000
rss1=$(rss_kb "$relay")
check "the relay's memory stays put with a client that never reads ($rss0 -> $rss1 KiB)" \
	test $((rss1 - rss0)) -lt 512
dropped=$("$QBOX" exec "natnet:$net" -- ip -s -j link show dev "$stap" | jq '.[0].stats64.tx.dropped')
check "the kernel dropped what the stalled client's TAP could not queue ($dropped frames)" \
	test "${dropped:-0}" -gt 10000
expect_output "meanwhile other clients are served" 0 "^lease 10\\.0\\.2\\." timeout 30 "$SC" "$P" dhcp
check "the stalled client is still a member" sockets_are "$net" 1
kill "$cs"
wait_for 10 sockets_are "$net" 0
wait_for 5 no_taps "$net"
if wait_for 5 fds_are "$hub" "$fds0"; then
	pass "every fd of the hub's processes came back ($fds0)"
else
	fail "the hub's processes hold $(qbox_fds "$hub") fds, $fds0 before:" \
		"$(fd_list "$hub" | diff "$TMP/fds0" - | grep '^[<>]' | tr '\n' ' ')"
fi

# ---- the network ends with its last member; the socket goes with it --------------
kill -TERM "$qm"
wait "$qm"
check "the hub ends with its last member" wait_for 10 net_gone "$net"
check "the socket file goes with it" test ! -e "$P"

# ---- host-only: the wall holds for socket members ------------------------------
Ph=$("$QBOX" net socket "hostonly:h$$,linger=on")
out=$(timeout 30 "$SC" "$Ph" dhcp ping 192.168.56.1 ping 192.168.56.3)
check "hostonly: a socket client's lease from .101 on ($(head -n1 <<<"$out"))" \
	grep -qE '^lease 192\.168\.56\.(10[1-9]|1[1-9][0-9]|2[0-9][0-9])$' <<<"$out"
check "hostonly: it reaches the host alias 192.168.56.1" grep -qx "pong 192.168.56.1" <<<"$out"
check "hostonly: the NAT's other addresses stay dropped (192.168.56.3)" \
	grep -qx "no-pong 192.168.56.3" <<<"$out"
expect_output "net rm with a socket member refuses, naming it" 2 "has 1 member \\(socket qs[0-9]+ \\(stream-client, pid [0-9]+\\)\\)" \
	sh -c "'$SC' '$Ph' hold & c=\$!; sleep 1; '$QBOX' net rm h$$; r=\$?; kill \$c; exit \$r"
"$QBOX" net rm "h$$"

# ---- internal with DHCP -----------------------------------------------------------
Pi=$("$QBOX" net socket "internal:i$$,dhcp=on,linger=on")
expect_output "internal,dhcp=on: a socket client's lease" 0 "^lease 192\\.168\\.100\\." \
	timeout 30 "$SC" "$Pi" dhcp

# ---- a killed relay ends the hub; a killed hub leaves no file ------------------
ihub=$(hub_pid "i$$")
kill -KILL "$(pgrep -P "$(qbox_init "$ihub")" '^qbox-stream')"
check "a killed stream relay ends the hub" wait_for 10 proc_ended "$ihub"
check "... and its socket file" wait_for 5 test ! -e "$Pi"
Pk=$("$QBOX" net socket "natnet:k$$,linger=on")
kill -KILL "$(hub_pid "k$$")"
check "a SIGKILLed hub's socket file is reaped by its init" wait_for 10 test ! -e "$Pk"
sleep 0.5
no_leftovers "nothing left behind" "(natnet|hostonly|internal):[ghik]$$"
