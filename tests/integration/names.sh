#!/usr/bin/env bash
# A named network's DNS server (dnsmasq, network/dnsmasq.c) with command
# members, through the C library's resolver (getent): members by their
# short and long names, the host alias, names that follow members as they
# join and leave, the search domain in a member's resolv.conf, `qbox nc`
# by name; hostonly and internal resolve no outside name; dnsmasq runs
# confined (one capability, no_new_privs, its policy, a view of its own
# directory only), is started again when killed, and net inspect says so.
# No outside name is looked up on a natnet: that would leave the machine.
. "$(dirname "$0")/../lib.sh"

net=nm$$
# a member that waits; its address once it has joined
start_bg "$QBOX" run --name "Web_$$" --net "natnet:$net" -- \
	busybox httpd -f -p 8080 -h /etc
web=$BG_PID
if ! W=$(member_wait "$net" "Web_$$"); then
	fail "the first member never joined"
	exit 1
fi
label=web-$$
domain=$net.qbox.internal

# lookup NAME... : run in a second member of the network, getent hosts
lookup() { timeout 20 "$QBOX" run --net "natnet:$net" -- getent hosts "$@"; }

expect_output "a member finds another by its short name (Web_$$ as $label)" 0 \
	"^$W +$label\\.$domain\$" lookup "$label"
expect_output "... and by its long name" 0 "^$W +$label\\.$domain\$" \
	lookup "$label.$domain"
expect_output "... in any case" 0 "^$W " lookup "WEB-$$.${domain^^}"
expect_output "host.qbox.internal is the host alias" 0 \
	"^10\\.0\\.2\\.2 +host\\.qbox\\.internal\$" lookup host.qbox.internal
expect_output "a name no member has does not resolve" 2 "" lookup "nobody-$$"
expect_output "a member's address resolves to its name (PTR)" 0 "^$W +$label\\.$domain\$" lookup "$W"
expect_output "a member's resolv.conf names the network's server and domain" 0 \
	"^nameserver 10\\.0\\.2\\.1 search $domain( .*)?\$" \
	timeout 20 "$QBOX" run --net "natnet:$net" -- sh -c \
	'echo $(grep -E "^(nameserver|search)" /etc/resolv.conf)'
expect_output "a member finds itself by name" 0 "^10\\.0\\.2\\.[0-9]+ +self-$$\\.$domain\$" \
	timeout 20 "$QBOX" run --name "self-$$" --net "natnet:$net" -- getent hosts "self-$$"
expect_output "exec natnet:NAME asks the network's server too" 0 "^Address: $W\$" \
	"$QBOX" exec "natnet:$net" -- busybox nslookup "$label" 10.0.2.1
expect_output "qbox nc reaches a member by name" 0 "^HTTP/1\\.[01] " \
	sh -c "printf 'GET /hostname HTTP/1.0\r\n\r\n' | '$QBOX' nc 'natnet:$net' '$label' 8080 | head -n 1"
expect_output "... and by its long name" 0 "^HTTP/1\\.[01] " \
	sh -c "printf 'GET /hostname HTTP/1.0\r\n\r\n' | '$QBOX' nc 'natnet:$net' '$label.$domain' 8080 | head -n 1"
expect_output "qbox nc: a name no member has is exit 2, naming it" 2 \
	"^qbox: nc: network '$net' has no member named 'nobody-$$'" \
	"$QBOX" nc "natnet:$net" "nobody-$$" 8080
ins=$("$QBOX" net inspect "$net" --json)
check "net inspect --json: the names, the server and dnsmasq's pid" jqc \
	--arg d "$domain" --arg l "$label" \
	'.names.domain == $d and .names.server == "10.0.2.1" and .names.pid > 0 and .names.restarts == 0 and .dns == "10.0.2.1" and ([.members[] | select(.name == $l)] | length == 1)' <<<"$ins"
expect_output "net inspect: the names line" 0 \
	"^names +$domain, served at 10\\.0\\.2\\.1 by dnsmasq \\(pid [0-9]+\\)\$" \
	"$QBOX" net inspect "$net"

# ---- fixed addresses: ip= ------------------------------------------------------
# not the first member's (a hash of its MAC)
F=10.0.2.50
[ "$W" = "$F" ] && F=10.0.2.51
Fre=${F//./\\.}
start_bg "$QBOX" run --name "fix-$$" --net "natnet:$net,ip=$F" -- sleep 300
fix=$BG_PID
check "ip=$F: the member joins with that address" \
	test "$(member_wait "$net" "fix-$$")" = "$F"
expect_output "... and its name says so" 0 "^$Fre +fix-$$\\.$domain\$" lookup "fix-$$"
expect_output "ip= another member holds: exit 2, naming it and its holder" 2 \
	"network '$net': ip=$Fre is taken \\(by fix-$$\\)\$" \
	timeout 20 "$QBOX" run --net "natnet:$net,ip=$F" -- true
expect_output "ip= the first member holds: exit 2" 2 "ip=$W is taken \\(by Web_$$\\)" \
	timeout 20 "$QBOX" run --net "natnet:$net,ip=$W" -- true
expect_output "ip= outside the subnet: exit 2, naming the flag" 2 \
	"^qbox: --net natnet:$net,ip=10\\.0\\.3\\.5: ip=10\\.0\\.3\\.5 is outside the network's subnet\$" \
	"$QBOX" run --net "natnet:$net,ip=10.0.3.5" -- true
expect_output "ip= of the network's own: exit 2" 2 "ip=10\\.0\\.2\\.1 is the network's own address" \
	"$QBOX" run --net "natnet:$net,ip=10.0.2.1" -- true
expect_output "ip= no IPv4 address: exit 2" 2 "ip=10\\.0\\.2 is not an IPv4 address" \
	"$QBOX" run --net "natnet:$net,ip=10.0.2" -- true
kill "$fix"
wait "$fix"
check "ip=: the same address again on the next run" \
	sh -c "timeout 20 '$QBOX' run --net 'natnet:$net,ip=$F' -- ip -4 -o addr show | grep -q ' $Fre/'"

# ---- domain=: a network's own domain, and a NAT's -----------------------------------
dnet=dm$$
"$QBOX" net create "natnet:$dnet,domain=Lab$$.Test" >/dev/null
start_bg "$QBOX" run --name "d1-$$" --net "natnet:$dnet" -- sleep 300
d1=$BG_PID
D1=$(member_wait "$dnet" "d1-$$") || fail "domain=: the member never joined"
expect_output "domain=: a member joining without it is named in it" 0 \
	"^$D1 +d1-$$\\.lab$$\\.test\$" \
	timeout 20 "$QBOX" run --net "natnet:$dnet" -- getent hosts "d1-$$"
expect_output "... and its resolv.conf searches it" 0 "^search lab$$\\.test( |\$)" \
	timeout 20 "$QBOX" run --net "natnet:$dnet" -- grep '^search' /etc/resolv.conf
expect_output "... as it does given the same domain=, in any case" 0 "^$D1 " \
	timeout 20 "$QBOX" run --net "natnet:$dnet,domain=LAB$$.test" -- getent hosts "d1-$$.lab$$.test"
expect_output "a member with another domain=: exit 2, naming both" 2 \
	"^qbox: --net natnet:$dnet,domain=other\\.test: network '$dnet' runs with domain lab$$\\.test, not the domain= given\$" \
	"$QBOX" run --net "natnet:$dnet,domain=other.test" -- true
expect_output "net inspect: its domain" 0 "^names +lab$$\\.test, served at 10\\.0\\.2\\.1" \
	"$QBOX" net inspect "$dnet"
expect_output "a bad domain=: exit 2, naming it" 2 "domain=a\\.\\.b: an empty label" \
	"$QBOX" net create "natnet:x$$,domain=a..b"
long=$(printf 'd%.0s' $(seq 31)).$(printf 'e%.0s' $(seq 31))
expect_output "the longest domain= (63 characters): the network runs with it" 0 \
	"^names +$long, served at" sh -c "'$QBOX' net create 'hostonly:y$$,domain=$long' >/dev/null &&
	'$QBOX' net inspect 'y$$'; '$QBOX' net rm 'y$$' >/dev/null"
kill "$d1"
wait "$d1"
"$QBOX" net rm "$dnet" >/dev/null
expect_output "nat,domain=: a command's resolv.conf searches it" 0 "^search lab\\.test( |\$)" \
	timeout 20 "$QBOX" run --net nat,domain=Lab.Test -- grep '^search' /etc/resolv.conf

# ---- dnsmasq, confined --------------------------------------------------------
dpid=$(jq -r .names.pid <<<"$ins")
hub=$(jq -r .pid <<<"$ins")
# never 0 below: kill 0 would be the test's own process group
if ! [ "$dpid" -gt 0 ] 2>/dev/null; then
	fail "dnsmasq does not run: $(cat "$RUNDIR/net@$net.dns/log" 2>&1)"
	exit 1
fi
check "dnsmasq is the hub's child" test "$(awk '{print $4}' "/proc/$dpid/stat")" = "$hub"
check "dnsmasq holds CAP_NET_BIND_SERVICE and, serving DHCP, CAP_NET_ADMIN alone (permitted, effective, bounding)" \
	sh -c "[ \$(grep -cE '^Cap(Prm|Eff|Bnd):\s+0000000000001400$' /proc/$dpid/status) = 3 ]"
check "dnsmasq: no_new_privs" test "$(status_of "$dpid" NoNewPrivs)" = 1
check "dnsmasq: a seccomp filter" test "$(status_of "$dpid" Seccomp)" = 2
check "dnsmasq: in the network's network namespace" \
	test "$(readlink "/proc/$dpid/ns/net")" = "$(readlink "/proc/$(qbox_init "$hub")/ns/net")"
check "dnsmasq's view: the system" test -x "/proc/$dpid/root/usr/sbin/dnsmasq"
check "dnsmasq's view: its own directory" test -f "/proc/$dpid/root$RUNDIR/net@$net.dns/hosts"
check "dnsmasq's view: no other file of the runtime directory" \
	sh -c "[ \"\$(ls -A '/proc/$dpid/root$RUNDIR')\" = 'net@$net.dns' ]"
check "dnsmasq's view: no home directory" not ls "/proc/$dpid/root$HOME/"
check "dnsmasq's view: not the test's files" not ls "/proc/$dpid/root$TMP"
check "dnsmasq's view: no /proc" not ls "/proc/$dpid/root/proc/self"
# mountinfo: field 5 the mount point, 6 its options
noexec_at() { awk -v m="$2" '$5 == m { print $6 }' "/proc/$1/mountinfo" | grep -q '\(^\|,\)noexec\(,\|$\)'; }
check "dnsmasq's view: its directory is noexec" noexec_at "$dpid" "$RUNDIR/net@$net.dns"
check "dnsmasq's view: /tmp and /dev/shm are noexec" sh -c \
	"$(declare -f noexec_at); noexec_at $dpid /tmp && noexec_at $dpid /dev/shm"

kill -KILL "$dpid"
dns_back() { net_json "$net" | jqc --arg p "$dpid" '.names.pid > 0 and (.names.pid | tostring) != $p and .names.restarts == 1'; }
check "killed, dnsmasq is started again" wait_for 15 dns_back
check "... and net inspect says how it ended" jqc '.names.ended == "killed by signal 9, SIGKILL"' <<<"$(net_json "$net")"
expect_output "net inspect: restarted once" 0 \
	"^names +$domain, served at 10\\.0\\.2\\.1 by dnsmasq \\(pid [0-9]+; restarted 1 time, last ended: killed by signal 9, SIGKILL\\)\$" \
	"$QBOX" net inspect "$net"
expect_output "the names are served again" 0 "^$W " lookup "$label"

# ---- names follow members -------------------------------------------------------
kill "$web"
wait "$web"
gone() { ! lookup "$label" >/dev/null 2>&1; }
check "a member's name goes when it leaves" wait_for 10 gone
check "the hub ends with its last member" wait_for 10 net_gone "$net"
check "its DNS server's directory goes with it" \
	sh -c "! ls -d '$RUNDIR/net@$net.dns' 2>/dev/null"

# ---- a flood of queries, on a host-only network: nothing is forwarded,
# so nothing the flood asks can leave the machine ---------------------------
fnet=fl$$
start_bg "$QBOX" run --name "f-$$" --net "hostonly:$fnet" -- sleep 300
fm=$BG_PID
member_wait "$fnet" "f-$$" >/dev/null || fail "the flood's network never got its member"
flabel=f-$$
fdomain=$fnet.qbox.internal
fpid=$(net_json "$fnet" | jq -r .names.pid)
expect_output "a flood of 3000 queries (UDP, names it has and not) is served" 0 "^3000\$" \
	timeout 120 "$QBOX" run --net "hostonly:$fnet" -- python3 -c '
import random, socket, struct, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.settimeout(1)
got = 0
for i in range(3000):
    name = random.choice([sys.argv[1], "nobody%d" % i, "x%d.%s" % (i, sys.argv[2])])
    q = struct.pack(">HHHHHH", i, 0x0100, 1, 0, 0, 0)
    q += b"".join(bytes([len(p)]) + p.encode() for p in name.split(".")) + b"\0"
    q += struct.pack(">HH", random.choice([1, 28, 12, 255]), 1)
    # as a resolver does: a reply matches its query by id; a lost
    # datagram is asked again (three tries)
    for attempt in range(3):
        s.sendto(q, ("192.168.56.100", 53))
        try:
            while True:
                r, _ = s.recvfrom(4096)
                if r[:2] == q[:2]:
                    got += 1
                    break
            break
        except socket.timeout:
            pass
print(got)' "$flabel" "$fdomain"
expect_output "after 50 malformed TCP streams, a TCP query is answered" 0 "^ok " \
	timeout 120 "$QBOX" run --net "hostonly:$fnet" -- python3 -c '
import os, socket, struct, sys
# each stream ends with its writing half, and the next starts once the
# server has closed this one (or after 10 s): at dnsmasq'"'"'s pace (a burst
# beyond its 20 TCP children and its listen backlog of 32 only has SYNs
# dropped and retried, which says nothing about dnsmasq)
stalled = 0
for i in range(50):
    c = socket.create_connection(("192.168.56.100", 53), timeout=30)
    c.sendall(os.urandom(i * 7) if i % 2 else struct.pack(">H", 65535) + b"x" * 100)
    c.shutdown(socket.SHUT_WR)
    c.settimeout(10)
    try:
        while c.recv(4096):
            pass
    except socket.timeout:
        stalled += 1
    c.close()
q = struct.pack(">HHHHHH", 7, 0x0100, 1, 0, 0, 0)
q += b"".join(bytes([len(p)]) + p.encode() for p in sys.argv[1].split(".")) + b"\0"
q += struct.pack(">HH", 1, 1)
c = socket.create_connection(("192.168.56.100", 53), timeout=60)
c.sendall(struct.pack(">H", len(q)) + q)
def read(n):	# exactly n bytes, however TCP cuts them
    b = b""
    while len(b) < n:
        got = c.recv(n - len(b))
        if not got:
            break
        b += got
    return b
h = read(2)
r = read(struct.unpack(">H", h)[0]) if len(h) == 2 else b""
print(("ok " if r[:2] == q[:2] and r[3] & 15 == 0 else "bad: %r %r " % (h, r[:12])) +
      "(%d of the streams left open by the server for 10 s)" % stalled)' "$flabel"
check "dnsmasq survived both (same pid)" test "$(net_json "$fnet" | jq -r .names.pid)" = "$fpid"

kill "$fm"
wait "$fm"
check "the flood's network ends" wait_for 10 net_gone "$fnet"

# ---- hostonly and internal: only the network's names ---------------------------
for mode in hostonly internal; do
	spec="$mode:h$$"
	[ "$mode" = internal ] && spec="$spec,dhcp=on"
	start_bg "$QBOX" run --name "a$mode-$$" --net "$spec" -- sleep 60
	a=$BG_PID
	A=$(member_wait "h$$" "a$mode-$$") || fail "$mode: the member never joined"
	expect_output "$mode: a member finds another by name" 0 \
		"^$A +a$mode-$$\\.h$$\\.qbox\\.internal\$" \
		timeout 20 "$QBOX" run --net "$spec" -- getent hosts "a$mode-$$"
	# nothing is forwarded: the server answers at once, from the segment
	expect_output "$mode: an outside name does not resolve (REFUSED, not forwarded)" 0 \
		"REFUSED" timeout 20 "$QBOX" run --net "$spec" -- sh -c \
		'busybox nslookup example.com 2>&1; true'
	kill "$a"
	wait "$a"
	check "$mode: the hub ends" wait_for 10 net_gone "h$$"
done
expect_output "internal without dhcp=on: no names to reach a member by" 2 \
	"^qbox: nc: network 'i$$' has no names" sh -c "
	'$QBOX' net create internal:i$$ >/dev/null && '$QBOX' nc internal:i$$ somebody 22; rc=\$?
	'$QBOX' net rm internal:i$$ >/dev/null; exit \$rc"

# ---- what a user can get wrong ---------------------------------------------------
expect_output "QBOX_DNSMASQ outside the system: exit 2, naming it" 2 \
	"^qbox: --net natnet:e$$: QBOX_DNSMASQ=$TMP/nodnsmasq: not under /usr, /bin or /sbin" \
	env QBOX_DNSMASQ="$TMP/nodnsmasq" "$QBOX" run --net "natnet:e$$" -- true
expect_output "QBOX_DNSMASQ not there: exit 2, naming it" 2 \
	"^qbox: --net natnet:e$$: QBOX_DNSMASQ=/usr/sbin/nodnsmasq-$$: No such file or directory\$" \
	env QBOX_DNSMASQ="/usr/sbin/nodnsmasq-$$" "$QBOX" run --net "natnet:e$$" -- true
expect_output "a DNS server that ends as it starts: the network does not start, saying so" 1 \
	"^qbox: --net natnet:e$$: dnsmasq ended while starting \\(exited with status 1\\)\$" \
	env QBOX_DNSMASQ=/bin/false "$QBOX" run --net "natnet:e$$" -- true
expect_output "QBOX_DNSMASQ not absolute: exit 2, naming it" 2 \
	"^qbox: QBOX_DNSMASQ=dnsmasq: not under /usr, /bin or /sbin" \
	env QBOX_DNSMASQ=dnsmasq "$QBOX" net create "hostonly:e$$"
check "neither left a network behind" net_gone "e$$"
expect_output "policy list: dnsmasq" 0 "^dnsmasq +$QBOX_POLICY_DIR/dnsmasq.policy\$" \
	"$QBOX" policy list
expect_output "policy check: dnsmasq compiles" 0 "^dnsmasq: ok, [0-9]+ syscalls allowed\$" "$QBOX" policy check dnsmasq

no_leftovers "nothing left behind" "natnet:$net"
