#!/usr/bin/env bash
# The hubs' DHCP server (network/dhcp.c) on real sockets: in a user+network
# namespace of the test's own, the server (tests/helpers/dhcpd-test, built
# with ASan/UBSan) serves one end of a veth pair; on the other end, 200 and
# 250 clients with distinct MACs (tests/helpers/dhcp-clients, frames over
# AF_PACKET) and busybox udhcpc get leases. Leases must be distinct, inside
# the pool, the same for the same MACs (also after the server restarts),
# renewable by unicast; the server must answer on its own interface only.
. "$(dirname "$0")/../lib.sh"

DHCPD=$HELPERS/dhcpd-test
CLIENTS=$HELPERS/dhcp-clients

# The namespace lives as long as this sleeping process; every step enters it
start_bg unshare -Urn sleep 300
NS_PID=$BG_PID
ns_ready() {
	[ "$(readlink "/proc/$NS_PID/ns/net")" != "$(readlink /proc/self/ns/net)" ]
}
# A command, not a function, so that $! of "${IN_NS[@]}" CMD & is timeout's
# pid, which passes SIGTERM on to CMD. --foreground: otherwise timeout
# follows the SIGTERM with a SIGCONT, which can cancel the SIGSTOP that
# LeakSanitizer's exit-time check sends the server, and that check then
# waits forever.
IN_NS=(timeout --foreground -s KILL 90 nsenter -t "$NS_PID" -U -n
       --preserve-credentials)
in_ns() { "${IN_NS[@]}" "$@"; }
if ! wait_for 5 ns_ready; then
	fail "namespace for the test did not appear"
	exit 1
fi

# s0/c0: the 200/250-client segment (pool .2-.254); s1/c1: host-only
# addressing for udhcpc; s2/c2: an interface the servers must not answer on
setup='set -e
ip link set lo up
for i in 0 1 2; do ip link add s$i type veth peer name c$i; done
ip addr add 10.0.2.1/24 dev s0
ip addr add 192.168.56.2/24 dev s1
ip addr add 172.16.9.1/24 dev s2
for i in 0 1 2; do ip link set s$i up; ip link set c$i up; done'
check "veth pairs in the test's namespace" in_ns sh -c "$setup"

# start_a / start_b: the two servers, stdout to $TMP/a.N (one per start)
# and $TMP/b
run_a=0
start_a() {
	run_a=$((run_a + 1))
	A_OUT=$TMP/a.$run_a
	"${IN_NS[@]}" "$DHCPD" s0 10.0.2.0/24 10.0.2.1 10.0.2.2-10.0.2.254 \
		router=10.0.2.1 dns=10.0.2.1 >"$A_OUT" &
	A_PID=$!
	BG_PIDS+=("$A_PID")
	wait_for 10 grep -qx ready "$A_OUT"
}
stop_a() {	# SIGTERM: the server prints its lease table and counters
	kill "$A_PID"
	wait "$A_PID"
}
start_b() {
	B_OUT=$TMP/b
	"${IN_NS[@]}" "$DHCPD" s1 192.168.56.0/24 192.168.56.2 \
		192.168.56.101-192.168.56.254 router=192.168.56.1 \
		dns=192.168.56.1,192.168.56.3 domain=lab.test >"$B_OUT" &
	B_PID=$!
	BG_PIDS+=("$B_PID")
	wait_for 10 grep -qx ready "$B_OUT"
}

# clients OUT IFNAME COUNT ARGS... : dhcp-clients; its status is returned
clients() {
	local out=$1
	shift
	in_ns "$CLIENTS" "$@" >"$out" 2>&1
}

# leases_ok FILE COUNT : COUNT distinct leases, all in 10.0.2.2-254, with
# the server's mask, router, DNS and lease time
leases_ok() {
	local f=$1 n=$2 got distinct bad
	got=$(grep -c ' mask=255.255.255.0 router=10.0.2.1 dns=10.0.2.1 lease=3600 server=10.0.2.1' "$f")
	distinct=$(grep -v '^summary' "$f" | awk '{print $2}' | sort -u | grep -c '^10\.0\.2\.')
	bad=$(grep -v '^summary' "$f" | awk '{split($2, o, "."); if (o[1] != 10 || o[2] != 0 || o[3] != 2 || o[4] < 2 || o[4] > 254) print}')
	if [ "$got" -eq "$n" ] && [ "$distinct" -eq "$n" ] && [ -z "$bad" ]; then
		return 0
	fi
	echo "want $n: $got with the right options, $distinct distinct, outside the pool: ${bad:-none}"
	return 1
}

# same_leases A B : the same MACs got the same addresses
same_leases() {
	diff <(awk '/^02:/ {print $1, $2}' "$1") <(awk '/^02:/ {print $1, $2}' "$2")
}

check "server starts on s0" start_a
check "server starts on s1" start_b

# ---- 200 clients: distinct leases, the same again, and after a restart --
check "200 clients complete DORA" clients "$TMP/200a" c0 200 seed=1
check "200 leases distinct and in the pool" leases_ok "$TMP/200a" 200
check "200 clients again: same addresses" clients "$TMP/200b" c0 200 seed=1
check "200 clients again: same addresses (compared)" same_leases "$TMP/200a" "$TMP/200b"
stop_a
check "the server's table lists the 200 leases as bound" \
	test "$(grep -c ' bound -$' "$A_OUT")" -eq 200
check "the server counted no malformed request" grep -q ' malformed=0 ' "$A_OUT"
check "server restarts" start_a
check "after a restart, 200 clients in INIT-REBOOT get ACKs" \
	clients "$TMP/200c" c0 200 seed=1 "reboot=$TMP/200a"
check "after a restart, INIT-REBOOT keeps every address" same_leases "$TMP/200a" "$TMP/200c"
check "INIT-REBOOT took no NAK" grep -q 'naks=0$' "$TMP/200c"
stop_a
check "the restarted server made no offers, only ACKs" \
	grep -q ' offers=0 acks=200 naks=0 ' "$A_OUT"

# ---- 250 clients, renewing by unicast; after a restart, the hash -----------
check "server restarts" start_a
check "250 clients complete DORA and renew by unicast" \
	clients "$TMP/250a" c0 250 seed=2 renew
check "250 leases distinct and in the pool" leases_ok "$TMP/250a" 250
check "all 250 renewals acknowledged by unicast" \
	test "$(grep -c ' renewed$' "$TMP/250a")" -eq 250
stop_a
check "server restarts" start_a
check "after a restart, 250 fresh DORAs" clients "$TMP/250b" c0 250 seed=2
check "after a restart, fresh DORAs land on the same addresses (MAC hash)" \
	same_leases "$TMP/250a" "$TMP/250b"

# ---- the pool's end: 253 addresses -----------------------------------------
clients "$TMP/full" c0 4 seed=3 timeout=4
check "3 more clients fill the pool, the 4th gets nothing" \
	grep -q '^summary bound=3 failed=1 ' "$TMP/full"
stop_a
check "the server counted the exhausted pool" grep -Eq ' exhausted=[1-9]' "$A_OUT"
check "the server's table holds 253 bound leases" \
	test "$(grep -c ' bound -$' "$A_OUT")" -eq 253

# ---- only its own interface ------------------------------------------------
check "server restarts" start_a
clients "$TMP/c2" c2 1 seed=4 timeout=3
check "a client on another interface gets no answer (SO_BINDTODEVICE)" \
	grep -q '^summary bound=0 failed=1 ' "$TMP/c2"
stop_a
check "and the server never saw its request" grep -q ' received=0 ' "$A_OUT"

# ---- a real client: busybox udhcpc ------------------------------------------
cat >"$TMP/udhcpc.sh" <<EOF
#!/bin/sh
# what udhcpc tells its script, one line per event
echo "\$1 ip=\$ip subnet=\$subnet router=\$router dns=\$dns domain=\$domain serverid=\$serverid lease=\$lease" >>"$TMP/udhcpc.env"
case \$1 in
deconfig) ip -4 addr flush dev \$interface ;;
bound) ip addr add \$ip/\$mask dev \$interface ;;
esac
EOF
chmod +x "$TMP/udhcpc.sh"
# udhcpc's own network namespace, as a VM's would be: in the server's, its
# unicast RELEASE to 192.168.56.2 would be a local packet, through lo
"${IN_NS[@]}" unshare -n sleep 300 &
BG_PIDS+=("$!")
holder=$!
client_ns() { CL_PID=$(pgrep -P "$holder" -x sleep) && [ -n "$CL_PID" ]; }
check "a network namespace for udhcpc" wait_for 5 client_ns
IN_CL=(timeout --foreground -s KILL 90 nsenter -t "$CL_PID" -U -n
       --preserve-credentials)
check "c1 moved into it" in_ns ip link set c1 netns "$CL_PID"
check "c1 up there" "${IN_CL[@]}" ip link set c1 up
UDHCPC=(busybox udhcpc -i c1 -n -f -t 5 -T 1 -s "$TMP/udhcpc.sh" -x hostname:vm-one)
udhcpc() { "${IN_CL[@]}" "${UDHCPC[@]}" "$@" >>"$TMP/udhcpc.log" 2>&1; }
check "udhcpc obtains a lease" udhcpc -q
bound1=$(grep '^bound' "$TMP/udhcpc.env" | head -1)
ip1=$(sed -n 's/^bound ip=\([^ ]*\) .*/\1/p' <<<"$bound1")
check "udhcpc: address in the host-only pool .101-.254 ($ip1)" \
	awk -v a="$ip1" 'BEGIN { split(a, o, "."); exit !(o[1] "." o[2] "." o[3] == "192.168.56" && o[4] >= 101 && o[4] <= 254) }'
expect_output "udhcpc: mask and router" 0 \
	' subnet=255\.255\.255\.0 router=192\.168\.56\.1 ' echo "$bound1"
expect_output "udhcpc: DNS servers, domain, server id, lease time" 0 \
	'dns=192\.168\.56\.1 192\.168\.56\.3 domain=lab\.test serverid=192\.168\.56\.2 lease=3600$' \
	echo "$bound1"
"${IN_CL[@]}" ip -4 addr flush dev c1
: >"$TMP/udhcpc.env"
# -q quits before udhcpc counts itself bound, so -R would not release:
# stay in the foreground (bound) and stop it with SIGTERM instead
"${IN_CL[@]}" "${UDHCPC[@]}" -R >>"$TMP/udhcpc.log" 2>&1 &
U_PID=$!
BG_PIDS+=("$U_PID")
check "udhcpc again" wait_for 20 grep -q '^bound' "$TMP/udhcpc.env"
kill "$U_PID"
wait "$U_PID"
ip2=$(sed -n 's/^bound ip=\([^ ]*\) .*/\1/p' "$TMP/udhcpc.env")
check "udhcpc gets the same address again ($ip1, $ip2)" test -n "$ip1" -a "$ip1" = "$ip2"
kill "$B_PID"
wait "$B_PID"
expect_output "the server lists udhcpc's lease, its hostname, as released" 0 \
	"^lease [0-9a-f:]{17} $ip1 released vm-one\$" cat "$B_OUT"
expect_output "udhcpc: two DORAs and a RELEASE; nothing from other interfaces" 0 \
	'^stats received=5 malformed=0 ignored=0 offers=2 acks=2 naks=0 informs=0 releases=1 ' \
	cat "$B_OUT"

kill "$NS_PID"
wait "$NS_PID" 2>/dev/null
check "no helper left running" test -z "$(leftover_procs "$DHCPD")$(leftover_procs "$CLIENTS")"
