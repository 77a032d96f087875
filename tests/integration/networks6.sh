#!/usr/bin/env bash
# IPv6 on named networks, in a world of the test's own (outside_world).
# A NAT network: its /64 (fd71:6278:a00:200::/64, from its IPv4 subnet),
# the hub at ::1 (its DNS server answers there), the NAT engine's gateway
# ::2 advertised as the members' router; a command member at its MAC's
# EUI-64 address with a default route via ::2, reaching another member,
# the host's [::1] through the gateway and the outside test host over
# IPv6; qbox nc from the hub to a member's IPv6 address. The hub's own
# chain on its bridge binds addresses across members, first come, first
# served: frames a stand-in VM (`--vm`, tests/helpers/tap-frames writing
# to its TAP) sends from an address another member claimed first, and its
# neighbor advertisements for it, never reach the hub (counted by the
# hub's kernel: its ICMPv6 echo counter and its neighbor table), its
# advertisements for its own address do, and an owner back with its MAC
# keeps its address; net inspect shows each member's addresses. A
# host-only network: the host's [::1] through the host alias ::1, no
# route, no outside, an advertisement with router lifetime 0. An internal
# network with dhcp=on: members reach each other over its /64, dnsmasq
# advertises it (router lifetime 0) under its policy; without DHCP
# link-local alone. ipv6=off; a member that asks for another /64 or none
# is refused, named.
. "$(dirname "$0")/../lib.sh"
outside_world "$@"

net=n6-$$
P6=fd71:6278:a00:200
HUBMAC=52:55:0a:00:02:01
MA=52:54:00:6a:00:01 A6=$P6:5054:ff:fe6a:1
MB=52:54:00:6a:00:02
MC=52:54:00:6a:00:03 MD=52:54:00:6a:00:04
X6=$P6:1234:5678:9abc:def0 Y6=$P6:1234:5678:9abc:def1
NFT=$(PATH=$PATH:/usr/sbin:/sbin command -v nft)

host6_server
page6=$HOST6_PAGE hport=$HOST6_PORT

run_ready "a6-$$" --net "natnet:$net,mac=$MA" -- \
	socat TCP6-LISTEN:7000,fork,reuseaddr EXEC:/bin/cat
run_ready "b6-$$" --net "natnet:$net,mac=$MB" -- sleep 600
in_b() { "$QBOX" exec "b6-$$" -- "$@"; }
# get SANDBOX URL : what a command in that sandbox fetches, within 5 s
get() { "$QBOX" exec "$1" -- timeout 5 busybox wget -q -O - "$2" 2>&1; }
get_b() { get "b6-$$" "$1"; }

expect_output "net inspect --json: the network's /64, gateway, DNS and hub" 0 \
	"^$P6::/64 $P6::2 $P6::3 $P6::1\$" \
	sh -c "'$QBOX' net inspect $net --json |
		jq -r '\"\\(.subnet6) \\(.gateway6) \\(.dns6) \\(.hub6)\"'"
expect_output "net inspect: the same, for people" 0 "^subnet6 +$P6::/64\$" \
	"$QBOX" net inspect "$net"
expect_output "a command member's IPv6 address is its MAC's EUI-64 in the /64" 0 \
	"inet6 $A6/64 scope global nodad" \
	"$QBOX" exec "a6-$$" -- ip -6 -o addr show dev qbr0
expect_output "... its default route goes via the NAT engine's ::2" 0 \
	"^default via $P6::2 dev qbr0" "$QBOX" exec "a6-$$" -- ip -6 route show default
expect_output "ps --json: the member NIC's IPv6 prefix and address" 0 \
	"^$P6::/64 $A6\$" \
	sh -c "'$QBOX' ps --json | jq -r '.[] | select(.name == \"a6-$$\") |
		\"\\(.nics[0].ipv6.prefix) \\(.nics[0].ipv6.address)\"'"
echo_a() { [ "$(echo hi6 | in_b timeout 5 socat -t 2 - "TCP6:[$A6]:7000")" = hi6 ]; }
check "a member reaches another over IPv6" echo_a
check "... the host's [::1] through the gateway's IPv6 address" \
	test "$(get_b "http://[$P6::2]:$hport/")" = "$page6"
check "... and the outside test host over IPv6" \
	test "$(get_b "http://[$OUTSIDE_IP6]/")" = "$OUTSIDE_PAGE"
expect_output "qbox nc from the hub to a member's IPv6 address" 0 "^hi-nc6\$" \
	sh -c "echo hi-nc6 | '$QBOX' nc natnet:$net $A6 7000"
a_name=$(net_json "$net" | jq -r --arg s "a6-$$" '.members[] | select(.sandbox == $s) | .name')
a_addr=$(member_addr "$net" "a6-$$")
expect_output "the network's DNS server answers at the hub's IPv6 address too" 0 \
	"^Address: $a_addr\$" sh -c "'$QBOX' exec b6-$$ -- busybox nslookup $a_name $P6::1 | grep '^Address: ' | tail -1"

# ---- the hub's bindings, across members ------------------------------------
hub_init=$(qbox_init "$(hub_pid "$net")")
hub_do() { "$HELPERS/netns-caps" "$hub_init" "$@"; }
echos() { hub_do cat /proc/net/snmp6 | awk '$1 == "Icmp6InEchos" { print $2 }'; }
out=$(hub_do "$NFT" list table bridge qbox 2>&1)
check "the hub's chain savi sees every port's frames (bridge prerouting)" \
	grep -q 'type filter hook prerouting priority filter; policy accept;' <<<"$out"
check "... its owners are address . MAC, bounded" \
	grep -qzE 'set savi-owner \{[^}]*type ipv6_addr \. ether_addr[^}]*size 32768' <<<"$out"
check "... and a's address is bound to a's MAC, its first sender" \
	grep -q "$A6 \. $MA" <<<"$out"

# VM NIC stand-ins: TAP frames, from c's MAC, then d's
cat >"$TMP/frames.sh" <<'EOS'
mac=$1 steps=$2
shift 2
for a in "$@"; do
	case $a in
	tap,id=qbox0,fd=*) fd=${a##*fd=} ;;
	esac
done
"$HELPERS/tap-frames" "$fd" "$mac" $steps && echo sent
sleep 600
EOS
frames() {	# NAME MAC STEPS: a member of $net (natnet:NAME unless it
		# names its mode) that does STEPS, then waits
	local on=$net
	[[ $on == *:* ]] || on=natnet:$on
	start_bg "$QBOX" run --vm --name "$1" --net "$on,mac=$2" \
		--ro-bind "$HELPERS" --ro-bind "$TMP/frames.sh" \
		-- env HELPERS="$HELPERS" sh "$TMP/frames.sh" "$2" "$3" \
		>"$TMP/$1.out" 2>&1
	wait_for 20 grep -q '^sent$' "$TMP/$1.out"
}
three() { echo "$1 $1 $1"; }
echos_are() { [ "$(echos)" = "$1" ]; }
# neigh_is ADDR MAC : the hub's neighbor table has ADDR at MAC
neigh_is() { hub_do ip -6 neigh show "$1" | grep -q "lladdr $2"; }
e0=$(echos)
frames "c6-$$" "$MC" "$(three "echo6 $X6 $P6::1 $HUBMAC") ns6 $X6 $P6::1"
check "a member's three echo requests from a new address reach the hub" \
	wait_for 5 echos_are $((e0 + 3))
check "... and bind it to that member" \
	sh -c "'$HELPERS/netns-caps' $hub_init '$NFT' list set bridge qbox savi-owner | grep -q '$X6 . $MC'"
check "... whose solicitation taught the hub where it is" neigh_is "$X6" "$MC"
check "net inspect --json: a VM member's IPv6 addresses, as the hub bound them" \
	jqc --arg s "c6-$$" --arg x "$X6" \
	'.members[] | select(.sandbox == $s) | .ipv6 == [$x]' < <(net_json "$net")
check "... a command member's: its own first, once (the hub bound it too, by what it sent)" \
	jqc --arg s "a6-$$" --arg a "$A6" \
	'.members[] | select(.sandbox == $s) | .ipv6[0] == $a and ([.ipv6[] | select(. == $a)] | length == 1)' \
	< <(net_json "$net")
expect_output "net inspect: a member's IPv6 addresses under it" 0 "^ +IPv6 $X6\$" \
	"$QBOX" net inspect "$net"
e1=$(echos)
FAKE=02:00:00:00:00:99
frames "d6-$$" "$MD" "$(three "echo6 $X6 $P6::1 $HUBMAC") na6 $X6 $X6 ns6 $Y6 $P6::1 tll $FAKE na6 $Y6 $Y6 $(three "echo6 $Y6 $P6::1 $HUBMAC")"
check "another member's frames from that address never reach the hub; its own new address's do" \
	wait_for 5 echos_are $((e1 + 3))
check "... nor does its neighbor advertisement for it (the hub keeps the owner's MAC)" \
	neigh_is "$X6" "$MC"
check "... while its advertisements for its own address do (the hub took $FAKE for it)" \
	wait_for 5 neigh_is "$Y6" "$FAKE"
"$QBOX" stop "c6-$$" >/dev/null 2>&1
wait_for 10 not member_joined "$net" "c6-$$"
e2=$(echos)
frames "c6b-$$" "$MC" "$(three "echo6 $X6 $P6::1 $HUBMAC")"
check "the owner, back on a new port with its MAC, keeps its address" \
	wait_for 5 echos_are $((e2 + 3))
ra() { wait_for 20 grep -q '^ra \|^no-ra' "$TMP/$1.out" && grep -E '^ra |^no-ra' "$TMP/$1.out"; }
frames "r6-$$" 52:54:00:6a:00:05 ra6
expect_output "the NAT engine advertises the /64 as the members' router" 0 \
	"^ra $P6::/64 lifetime [1-9][0-9]*\$" ra "r6-$$"

# ---- a host-only network: the host alias over IPv6, nothing else ----------
H6=fd71:6278:c0a8:3800 hnet=h6-$$
run_ready "ha6-$$" --net "hostonly:$hnet,mac=$MA" -- sleep 600
expect_output "host-only: a command's IPv6 address is its MAC's EUI-64 in the /64" 0 \
	"inet6 $H6:5054:ff:fe6a:1/64 scope global nodad" \
	"$QBOX" exec "ha6-$$" -- ip -6 -o addr show dev qbr0
expect_output "... and it has no IPv6 default route" 0 "^\$" \
	"$QBOX" exec "ha6-$$" -- ip -6 route show default
check "net inspect --json: a host-only network has no IPv6 gateway, its host alias ::1 aside" \
	jqc --arg h "$H6::64" '.gateway6 == "" and .dns6 == "" and .hub6 == $h' < <(net_json "$hnet")
check "host-only: the host's [::1] through the host alias's IPv6 address" \
	test "$(get "ha6-$$" "http://[$H6::1]:$hport/")" = "$page6"
check "host-only: not the outside test host over IPv6" \
	not test "$(get "ha6-$$" "http://[$OUTSIDE_IP6]/")" = "$OUTSIDE_PAGE"
frames_on() {	# NET NAME MAC STEPS
	local n=$1
	shift
	net=$n frames "$@"
}
frames_on "hostonly:$hnet" "hr6-$$" 52:54:00:6a:00:06 ra6
expect_output "host-only: the NAT engine advertises the /64, but not as a router (lifetime 0)" 0 \
	"^ra $H6::/64 lifetime 0\$" ra "hr6-$$"

# ---- an internal network: link-local alone, a /64 of its own with dhcp=on --
I6=fd71:6278:c0a8:6400 inet=i6-$$
run_ready "ia6-$$" --net "internal:$inet,dhcp=on,mac=$MA" -- \
	socat TCP6-LISTEN:7000,fork,reuseaddr EXEC:/bin/cat
run_ready "ib6-$$" --net "internal:$inet,dhcp=on,mac=$MB" -- sleep 600
expect_output "internal,dhcp=on: a command's IPv6 address is its MAC's EUI-64 in the /64" 0 \
	"inet6 $I6:5054:ff:fe6a:1/64 scope global nodad" \
	"$QBOX" exec "ia6-$$" -- ip -6 -o addr show dev qbr0
echo_ia() { [ "$(echo hi6 | "$QBOX" exec "ib6-$$" -- timeout 5 socat -t 2 - "TCP6:[$I6:5054:ff:fe6a:1]:7000")" = hi6 ]; }
check "internal,dhcp=on: a member reaches another over the network's /64" echo_ia
frames_on "internal:$inet,dhcp=on" "ir6-$$" 52:54:00:6a:00:07 ra6
expect_output "internal,dhcp=on: dnsmasq advertises the /64, not as a router (lifetime 0)" 0 \
	"^ra $I6::/64 lifetime 0\$" ra "ir6-$$"
check "... and its policy let it (dnsmasq never restarted)" jqc \
	'.names.restarts == 0 and .names.pid > 0' < <(net_json "$inet")
expect_output "internal without DHCP: link-local alone" 0 "^0\$" \
	sh -c "'$QBOX' run --net internal:il6-$$ -- ip -6 -o addr show dev qbr0 scope global | wc -l"

# ---- ipv6=off, and members that disagree with their network ----------------
expect_output "natnet,ipv6=off: no IPv6 address but the link's" 0 "^0\$" \
	sh -c "'$QBOX' run --net natnet:off-$$,ipv6=off -- ip -6 -o addr show dev qbr0 scope global | wc -l"
expect_output "a member asking for another /64: exit 2, named" 2 \
	"network '$net' runs on $P6::/64, not the subnet6=fd00:9::/64 given" \
	"$QBOX" run --name "bad6-$$" --net "natnet:$net,subnet6=fd00:9::/64" -- true
expect_output "a member asking for no IPv6 on a network with it: exit 2, named" 2 \
	"network '$net' runs with IPv6 \\($P6::/64\\): ipv6=off is the network's" \
	"$QBOX" run --name "bad6-$$" --net "natnet:$net,ipv6=off" -- true
for n in a6 b6 d6 c6b r6 ha6 hr6 ia6 ib6 ir6; do
	"$QBOX" stop "$n-$$" >/dev/null 2>&1
done
for n in "$net" "$hnet" "$inet"; do wait_for 10 net_gone "$n"; done
no_leftovers "refused members; the network, once its members end" "6-$$"
