#!/usr/bin/env bash
# A network's DHCP server (dnsmasq, as a hub runs it: network/dnsmasq.h)
# with 200 and more clients, through qbox itself: inside a command
# member's namespaces (entered with tests/helpers/netns-caps, as a VM's
# root would have CAP_NET_RAW in its guest), dhcp-clients runs 200 whole
# exchanges with distinct MACs out of the member's bridge, across its veth
# pair to the hub's bridge and dnsmasq. The leases must be distinct,
# inside the pool, with the network's router and DNS, renewable by
# unicast, the same again for the same MACs, and listed as bound in `qbox
# net inspect --json`; a killed dnsmasq is started again and loses no
# lease (INIT-REBOOT is ACKed at every address); the pool's end is where
# it should be. A departed member's address, asked for again with ip=,
# goes to the new member though dnsmasq still held the old lease. Then a
# host-only /23, whose pool holds more than the 154 addresses of a /24's
# .101-.254.
#
# A command member's veth carries its anti-spoofing chain (egress, its own
# MAC and address), which drops these clients' frames: each member first
# shows that, then the test removes the chain, as the sandbox's owner can
# (netns-caps: CAP_NET_ADMIN over its namespace) and its payload cannot.
. "$(dirname "$0")/../lib.sh"

NSCAPS=$HELPERS/netns-caps
CLIENTS=$HELPERS/dhcp-clients

# member NET NAME : a command member on NET (mode:name) that sleeps; sets
# M_PID (its qbox) and M_INIT (its sandbox's init)
member() {
	start_bg "$QBOX" run --name "$2" --net "$1" -- sleep 300
	M_PID=$BG_PID
	local net=${1#*:}
	net=${net%%,*}
	if ! wait_for 10 member_joined "$net" "$2" ||
	   ! "$QBOX" wait "$2" --timeout 20 >/dev/null; then
		fail "$1: the member never joined, or never ran"
		exit 1
	fi
	M_INIT=$(qbox_init "$M_PID")
	if clients "$TMP/guarded" 2 seed=9 timeout=3; then
		fail "$1: clients of made-up MACs got through the member's chain"
	else
		check "$1: the member's chain drops clients of other MACs ($(tail -n1 "$TMP/guarded"))" \
			grep -qx "summary bound=0 failed=2 naks=0" "$TMP/guarded"
	fi
	"$NSCAPS" "$M_INIT" "$NFT" delete chain netdev qbox qnv0
}
NFT=$(PATH=$PATH:/usr/sbin:/sbin command -v nft)	# a plain user's PATH lacks sbin

# clients OUT ARGS... : dhcp-clients on the member's bridge; its status
clients() {
	local out=$1
	shift
	timeout 120 "$NSCAPS" "$M_INIT" "$CLIENTS" qbr0 "$@" >"$out" 2>&1
}

# in_pool FILE COUNT LO HI OPTS : COUNT distinct addresses, each in
# 10.0.2.LO-HI or the like (the prefix is the first three octets of LO),
# every line with the options OPTS
in_pool() {
	local f=$1 n=$2 lo=$3 hi=$4 opts=$5 got distinct bad
	got=$(grep -c -- " $opts" "$f")
	distinct=$(awk '/^02:/ {print $2}' "$f" | sort -u | wc -l)
	bad=$(awk -v lo="$lo" -v hi="$hi" '/^02:/ {
		split($2, a, "."); split(lo, l, "."); split(hi, h, ".")
		v = a[3] * 256 + a[4]
		if (a[1] != l[1] || a[2] != l[2] || v < l[3] * 256 + l[4] ||
		    v > h[3] * 256 + h[4]) print $2 }' "$f")
	if [ "$got" -eq "$n" ] && [ "$distinct" -eq "$n" ] && [ -z "$bad" ]; then
		return 0
	fi
	echo "want $n: $got with '$opts', $distinct distinct, outside $lo-$hi: ${bad:-none}"
	return 1
}

# inspect_has NET FILE : net inspect --json lists every MAC and address of
# FILE as a bound lease, and no other lease of those MACs
inspect_has() {
	local want got
	want=$(awk '/^02:/ {print $1, $2}' "$2" | sort)
	got=$("$QBOX" net inspect "$1" --json | jq -r \
		'.leases[] | select(.mac | startswith("02:51:")) | "\(.mac) \(.address) \(.state)"' | sort)
	diff <(sed 's/$/ bound/' <<<"$want") - <<<"$got"
}

same_leases() {
	diff <(awk '/^02:/ {print $1, $2}' "$1") <(awk '/^02:/ {print $1, $2}' "$2")
}

# ---- natnet: 200 clients behind one member ------------------------------------
net=l$$
member "natnet:$net" "dc-$$"
own=$(member_addr "$net" "dc-$$")
check "200 clients inside a member complete DORA and renew by unicast" \
	clients "$TMP/a" 200 seed=7 renew
check "200 leases distinct, in .15-.254, router 10.0.2.2, DNS and server the hub (.1)" \
	in_pool "$TMP/a" 200 10.0.2.15 10.0.2.254 \
	"mask=255.255.255.0 router=10.0.2.2 dns=10.0.2.1 lease=3600 server=10.0.2.1 renewed"
check "no client got the member's own address ($own)" \
	sh -c "! awk '{print \$2}' '$TMP/a' | grep -qx '$own'"
check "net inspect --json lists the 200 as bound, at the same addresses" \
	inspect_has "$net" "$TMP/a"
check "the member itself is still listed with its address" \
	test "$(member_addr "$net" "dc-$$")" = "$own"
check "200 clients again complete DORA" clients "$TMP/b" 200 seed=7
check "the same MACs get the same addresses again" same_leases "$TMP/a" "$TMP/b"
check "net inspect: still the same 200 bound leases" inspect_has "$net" "$TMP/b"

# ---- dnsmasq killed: the hub starts it again, on its lease file --------------
dns_pid() { "$QBOX" net inspect "$net" --json | jq -r '.names.pid'; }
d1=$(dns_pid)
kill -KILL "$d1"
dns_back() { local p; p=$(dns_pid); [ "$p" -gt 0 ] 2>/dev/null && [ "$p" != "$d1" ]; }
check "a killed dnsmasq is started again by the hub" wait_for 15 dns_back
check "net inspect says it was killed, and started again" jqc \
	'.names.restarts == 1 and (.names.ended | test("SIGKILL"))' \
	<<<"$("$QBOX" net inspect "$net" --json)"
check "after it, 200 clients in INIT-REBOOT get ACKs" \
	clients "$TMP/r" 200 seed=7 "reboot=$TMP/a"
check "... each its own address: no lease was lost" same_leases "$TMP/a" "$TMP/r"
check "... and no NAK" grep -q 'naks=0$' "$TMP/r"

# ---- the pool's end: .15-.254 holds the member's address, the 200 and 39 ------
clients "$TMP/full" 40 seed=5 timeout=5
check "39 more clients fill the pool, the 40th gets nothing" \
	grep -q '^summary bound=39 failed=1 ' "$TMP/full"
check "net inspect lists 240 bound leases: 239 clients' and the member's" jqc \
	'[.leases[] | select(.state == "bound")] | length == 240 and
	 ([.[] | select(.member)] | length) == 1' \
	<<<"$("$QBOX" net inspect "$net" --json)"
kill -TERM "$M_PID"
wait "$M_PID"

# ---- a departed member's address, wanted by a new one (ip=) -------------------
# dnsmasq keeps the departed member's lease for its hour and would hand
# the address to nobody else ("not using configured address"): the hub
# starts it again on a lease file without that line (network/leases.h)
c=c$$
"$QBOX" net create "natnet:$c"
mac_of() { "$QBOX" net inspect "$c" --json | jq -r --arg s "$1" '.members[] | select(.sandbox == $s) | .mac'; }
member "natnet:$c,ip=10.0.2.50" "x-$$"
xmac=$(mac_of "x-$$")
clients "$TMP/x" 1 "mac=$xmac"
check "a member's own DHCP client gets its ip= (10.0.2.50)" \
	grep -q "^$xmac 10\.0\.2\.50 " "$TMP/x"
kill -TERM "$M_PID"
wait "$M_PID"
member "natnet:$c,ip=10.0.2.50" "y-$$"
ymac=$(mac_of "y-$$")
clients "$TMP/y" 1 "mac=$ymac"
check "the next member with ip=10.0.2.50 gets it by DHCP too, though the first's lease runs" \
	grep -q "^$ymac 10\.0\.2\.50 " "$TMP/y"
check "... and dnsmasq never refused it the address" \
	not grep -q "not using configured address" "$RUNDIR/net@$c.dns/log"
kill -TERM "$M_PID"
wait "$M_PID"
"$QBOX" net rm "$c"

# ---- dhcp-option=: the network's own, given by its starter ---------------------
o=o$$
opts=26:1400,dhcp-option=42:10.0.2.2+10.0.2.3
expect_output "net create with two dhcp-option=" 0 "" \
	"$QBOX" net create "natnet:$o,dhcp-option=$opts"
check "net inspect --json: the network's DHCP options" jqc \
	'.dhcp_options == "26:1400,42:10.0.2.2+10.0.2.3"' <<<"$("$QBOX" net inspect "$o" --json)"
expect_output "net inspect: the options line" 0 "^options +26:1400,42:10\\.0\\.2\\.2\\+10\\.0\\.2\\.3\$" \
	"$QBOX" net inspect "$o"
check "dnsmasq is given them, several values as its list" sh -c \
	"tr '\\0' '\\n' </proc/$(dnsmasq_of "$(hub_pid "$o")")/cmdline | grep -qx -- --dhcp-option=42,10.0.2.2,10.0.2.3"
expect_output "a member giving the same options joins" 0 "^joined\$" \
	timeout 20 "$QBOX" run --net "natnet:$o,dhcp-option=$opts" -- echo joined
expect_output "a member giving others: exit 2, naming the network's" 2 \
	"^qbox: --net natnet:$o,dhcp-option=26:1300: network '$o' runs with dhcp-option=26:1400,42:10\\.0\\.2\\.2\\+10\\.0\\.2\\.3, not the ones given\$" \
	"$QBOX" run --net "natnet:$o,dhcp-option=26:1300" -- true
"$QBOX" net rm "$o"

# ---- hostonly /23: room beyond .254 -----------------------------------------
member "hostonly:H$$,subnet=192.168.56.0/23" "dh-$$"
check "200 clients on a host-only /23 complete DORA" clients "$TMP/c" 200 seed=8
check "200 leases distinct, in 192.168.56.101-192.168.57.254, no router, DNS the hub" \
	in_pool "$TMP/c" 200 192.168.56.101 192.168.57.254 \
	"mask=255.255.254.0 router=0.0.0.0 dns=192.168.56.100 lease=3600 server=192.168.56.100"
check "some of them beyond 192.168.56.254" grep -q ' 192\.168\.57\.' "$TMP/c"
check "net inspect --json lists the 200 as bound" inspect_has "H$$" "$TMP/c"
check "net inspect --json: a host-only /23" jqc --arg n "H$$" \
	'.name == $n and .subnet == "192.168.56.0/23" and .host == "192.168.56.1"' \
	<<<"$("$QBOX" net inspect "H$$" --json)"
kill -TERM "$M_PID"
wait "$M_PID"
check "the hubs end with their last members" wait_for 10 \
	sh -c "! '$QBOX' net ls | grep -q '^\\(l\\|H\\|c\\|o\\)$$ '"
no_leftovers "nothing left behind" "$NSCAPS"
