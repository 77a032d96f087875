#!/usr/bin/env bash
# IPv6 on named networks with real guests, in a world with an outside test
# host (outside_world, tests/lib.sh). VM A has three NICs: a NAT network,
# an internal network with dhcp=on and a host-only network; VM B the same
# NAT and internal networks. Their kernels configure addresses by SLAAC:
# on the NAT network from libslirp's router advertisements, with a default
# route; on the internal network from dnsmasq's (the network's prefix, no
# route); on the host-only network from libslirp's, made to give no
# route. B reaches A over the NAT network's and the internal network's
# global addresses and over the internal link-local one, and the outside
# test host over IPv6; A reaches the host's [::1] through the host-only
# network's host alias, and through it nothing else, not even with a
# route of its own. B sending from A's address on the NAT network never
# reaches the hub (its ICMPv6 echo counter counts B's own pings alone).
. "$(dirname "$0")/../lib.sh"
outside_world "$@"

net=n6v$$ inet=i6v$$ hnet=h6v$$
P6=fd71:6278:a00:200 I6=fd71:6278:c0a8:6400 H6=fd71:6278:c0a8:3800
A0=$P6:5054:ff:fe6b:1 A1=$I6:5054:ff:fe6b:101
host6_server
hport=$HOST6_PORT

# the guest's first lines: its NICs up, each with a global address
up6() {
	cat <<EOS
for d in $*; do ip link set \$d up; done
for d in $*; do
	i=0
	while [ \$i -lt 150 ] && { ! ip -6 addr show dev \$d scope global | grep -q inet6 ||
		ip -6 addr show dev \$d | grep -q tentative; }; do
		sleep 0.1; i=\$((i + 1))
	done
	echo "ADDR6 \$d: \$(ip -6 -o addr show dev \$d scope global | awk '{print \$4}')"
done
echo "ROUTES6: \$(ip -6 route show default | tr '\n' ';')"
EOS
}
{
	up6 eth0 eth1 eth2
	echo "echo \"HOST6: \$(timeout 5 wget -q -O - 'http://[$H6::1]:$hport/')\""
	echo "ip -6 route add 2001:db8::/32 via fe80::2 dev eth2"
	echo "echo \"WALL6: \$(timeout 5 wget -q -O - 'http://[$OUTSIDE_IP6]/' 2>&1 | head -c 40)\""
	echo "ip -6 route del 2001:db8::/32 via fe80::2 dev eth2"
	echo "mkdir -p /www && echo a6-page >/www/index.html && httpd -p 80 -h /www"
	echo "echo QBOX-READY"
	echo "sleep 120"
} >"$TMP/a.sh"
{
	up6 eth0 eth1
	echo "i=0; while [ \$i -lt 60 ] && ! timeout 2 wget -q -O /dev/null 'http://[$A0]/'; do sleep 1; i=\$((i + 1)); done"
	echo "echo \"NATNET6: \$(timeout 5 wget -q -O - 'http://[$A0]/')\""
	echo "echo \"INTERNAL6: \$(timeout 5 wget -q -O - 'http://[$A1]/')\""
	echo "ping6 -c 1 -W 3 -I eth1 fe80::5054:ff:fe6b:101 >/dev/null && echo 'LL6: ok'"
	echo "echo \"OUT6: \$(timeout 5 wget -q -O - 'http://[$OUTSIDE_IP6]/')\""
	# three pings to the hub from its own address, three from A's
	echo "ping6 -c 3 -W 2 $P6::1 >/dev/null && echo 'HUB6: ok'"
	echo "echo 0 >/proc/sys/net/ipv6/conf/eth0/accept_dad"
	echo "ip -6 addr add $A0/64 dev eth0"
	echo "ping6 -c 3 -W 2 -I $A0 $P6::1 >/dev/null 2>&1; echo 'SPOOF6: done'"
	echo "echo QBOX-READY"
	echo "sleep 120"
} >"$TMP/b.sh"

vm_start "$TMP/console-a" "$TMP/a.sh" --name "a6v$$" \
	--net "natnet:$net,mac=52:54:00:6b:00:01" \
	--net "internal:$inet,dhcp=on,mac=52:54:00:6b:01:01" \
	--net "hostonly:$hnet,mac=52:54:00:6b:02:01"
vm_ready "$TMP/console-a" "VM A"
a_pid=$VM_PID
vm_start "$TMP/console-b" "$TMP/b.sh" --name "b6v$$" \
	--net "natnet:$net,mac=52:54:00:6b:00:02" \
	--net "internal:$inet,dhcp=on,mac=52:54:00:6b:01:02"
vm_ready "$TMP/console-b" "VM B"

vm_check "A: SLAAC on the NAT network, its MAC's EUI-64 in the /64" \
	"$TMP/console-a" "^ADDR6 eth0: $A0/64"
vm_check "A: SLAAC on the internal network, from dnsmasq's advertisements" \
	"$TMP/console-a" "^ADDR6 eth1: $A1/64"
vm_check "A: SLAAC on the host-only network" "$TMP/console-a" \
	"^ADDR6 eth2: $H6:5054:ff:fe6b:201/64"
vm_check "A: one default route, the NAT network's (none by the internal or host-only one)" \
	"$TMP/console-a" "^ROUTES6: default via fe80::2 dev eth0 [^;]*;\$"
vm_check "A: the host's [::1] through the host-only network's host alias" \
	"$TMP/console-a" "^HOST6: host6-page-$$"
vm_check "A: through the host-only network nothing else, even routed there" \
	"$TMP/console-a" "^WALL6: (wget: .*)?\$"
vm_check "B reaches A's httpd over the NAT network's IPv6" "$TMP/console-b" \
	"^NATNET6: a6-page"
vm_check "B reaches A over the internal network's prefix" "$TMP/console-b" \
	"^INTERNAL6: a6-page"
vm_check "B reaches A over the internal network's link-local addresses" \
	"$TMP/console-b" "^LL6: ok"
vm_check "B reaches the outside test host over IPv6" "$TMP/console-b" \
	"^OUT6: $OUTSIDE_PAGE"
vm_check "B pings the hub's IPv6 address" "$TMP/console-b" "^HUB6: ok"
vm_check "B tried A's address" "$TMP/console-b" "^SPOOF6: done"
hub_init=$(qbox_init "$(hub_pid "$net")")
echos=$("$HELPERS/netns-caps" "$hub_init" cat /proc/net/snmp6 |
	awk '$1 == "Icmp6InEchos" { print $2 }')
check "the hub got B's 3 pings from its own address, none from A's ($echos)" \
	test "$echos" = 3
"$QBOX" stop "a6v$$" --force >/dev/null 2>&1
"$QBOX" stop "b6v$$" --force >/dev/null 2>&1
wait "$a_pid" "$VM_PID"
for n in "$net" "$inet" "$hnet"; do wait_for 10 net_gone "$n"; done
no_leftovers "two IPv6 VMs and their three networks" "6v$$"
