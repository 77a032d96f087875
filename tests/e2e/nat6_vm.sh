#!/usr/bin/env bash
# A VM on --net nat over IPv6, in a world with an outside test host
# (outside_world, tests/lib.sh) whose DNS server is the host's IPv6
# resolver (outside_resolv). The guest's own kernel configures a global
# address by SLAAC from libslirp's router advertisements, a random one
# (addr_gen_mode 3: neither EUI-64 nor known to qbox, as stable-privacy
# and temporary addresses are); it pings the gateway's IPv6 address,
# fetches from the host's [::1] through it and from the outside test host
# over IPv6; a real DHCPv6 client (Debian's dhcpcd, stateless) learns the
# DNS server, and a name resolves through it over IPv6 transport; the RA
# carries the DNS server (RDNSS) and the O flag. The host reaches the
# guest's httpd through a forward added at run time from [::1] to the
# guest's IPv6 address. Anti-spoofing: an address outside the /64 is
# dropped, and of 20 made-up addresses in it no more pass than the bound
# leaves room for. With ipv6=off the guest sees no RA and has no IPv6
# route.
. "$(dirname "$0")/../lib.sh"
outside_world "$@"

P6=fd71:6278:a00:200
host6_server
hport=$HOST6_PORT

cat >"$TMP/guest.sh" <<EOS
# random interface identifiers, as a privacy-minded guest's
echo 3 >/proc/sys/net/ipv6/conf/eth0/addr_gen_mode
ip link set eth0 up
i=0
while [ \$i -lt 100 ] && { ! ip -6 addr show dev eth0 scope global | grep -q inet6 ||
	ip -6 addr show dev eth0 | grep -q tentative; }; do
	sleep 0.1; i=\$((i + 1))
done
me=\$(ip -6 -o addr show dev eth0 scope global | awk '{print \$4}' | cut -d/ -f1)
echo "ADDR6: \$me/64"
echo "ROUTE6: \$(ip -6 route show default)"
ping6 -c 1 -W 3 $P6::2 >/dev/null && echo "PING6: ok"
echo "FETCH6: \$(timeout 5 wget -q -O - 'http://[$P6::2]:$hport/')"
echo "OUT6: \$(timeout 5 wget -q -O - 'http://[$OUTSIDE_IP6]/')"
# dhcpcd: stateless DHCPv6 (an Information-request) and the RA's options
mkdir -p /var/lib/dhcpcd /run /usr/lib/dhcpcd
ln -s /run /var/run
echo "root:x:0:0::/:/bin/sh" >/etc/passwd
echo "dhcpcd:x:104:65534::/:/bin/false" >>/etc/passwd
echo "option domain_name_servers" >/etc/dhcpcd.conf
cat >/dhcp6.sh <<'EOF'
#!/bin/sh
[ "\$reason" = INFORM6 ] && echo "DHCP6: dns=\$new_dhcp6_name_servers" >/dev/console
[ "\$reason" = ROUTERADVERT ] && echo "RA: rdnss=\$nd1_rdnss1_servers" >/dev/console
true
EOF
chmod +x /dhcp6.sh
timeout 20 dhcpcd -6 -1 -t 15 --inform6 -c /dhcp6.sh eth0 >/dev/null 2>&1
echo "NS6: \$(nslookup -type=AAAA $OUTSIDE_NAME $P6::3 2>&1 | grep '^Address: ' | tail -1)"
mkdir -p /www && echo "guest6-page" >/www/index.html
httpd -p 80 -h /www
# anti-spoofing: outside the /64, then more addresses than the bound
# (busybox ip has no nodad: duplicate address detection takes a second)
dad() {
	i=0
	while [ \$i -lt 50 ] && ip -6 addr show dev eth0 | grep -q tentative; do
		sleep 0.1; i=\$((i + 1))
	done
}
ip -6 addr add 2001:db8:bad::15/64 dev eth0
dad
ip -6 -o addr show dev eth0 | grep -q 2001:db8:bad::15 && echo "SPOOF: added"
ping6 -c 1 -W 2 -I 2001:db8:bad::15 $P6::2 >/dev/null 2>&1 && echo "SPOOF: passed"
echo "SPOOF: done"
n=0
for k in \$(seq 20); do ip -6 addr add $P6::f:\$k/64 dev eth0; done
dad
echo "MADE: \$(ip -6 -o addr show dev eth0 | grep -c $P6::f:)"
for k in \$(seq 20); do
	ping6 -c 1 -W 1 -I $P6::f:\$k $P6::2 >/dev/null 2>&1 && n=\$((n + 1))
done
echo "BOUND: \$n"
ping6 -c 1 -W 3 -I \$me $P6::2 >/dev/null && echo "AFTER: ok"
echo QBOX-READY
sleep 60
EOS
VM_AS=("${OUTSIDE_RESOLV[@]}")
VM_PROGRAMS=(/usr/sbin/dhcpcd)
name=e2e-nat6-$$
vm_start "$TMP/console" "$TMP/guest.sh" --name "$name"
vm_ready "$TMP/console" "the IPv6 guest"
addr=$(console_text "$TMP/console" | sed -n 's|^ADDR6: \([0-9a-f:]*\)/64.*|\1|p' | head -1)
mac=$(console_text "$TMP/console" | grep -o 'link/ether [0-9a-f:]*' | head -1)
check "SLAAC: the guest's kernel took an address in the NIC's /64 ($addr)" \
	grep -q "^$P6:" <<<"$addr"
check "... a random one, not its MAC's EUI-64" not grep -q 'ff:fe' <<<"$addr"
vm_check "... and its default route from the RA, via the gateway's link-local" \
	"$TMP/console" "^ROUTE6: default via fe80::2 dev eth0"
vm_check "ping6 to the gateway's IPv6 address" "$TMP/console" "^PING6: ok"
vm_check "the guest fetched the host's [::1] through the gateway's IPv6 address" \
	"$TMP/console" "^FETCH6: host6-page-$$"
vm_check "the guest reached the outside test host over IPv6" "$TMP/console" \
	"^OUT6: $OUTSIDE_PAGE"
vm_check "dhcpcd (stateless DHCPv6) learned the DNS server ::3" "$TMP/console" \
	"^DHCP6: dns=$P6::3\s*\$"
vm_check "the RA names the DNS server too (RDNSS)" "$TMP/console" \
	"^RA: rdnss=$P6::3\s*\$"
vm_check "a name resolved over IPv6 transport, through ::3, by the test's server" \
	"$TMP/console" "^NS6: Address: $OUTSIDE_IP6\s*\$"
check "... which saw the query" grep -q "query\[AAAA\] $OUTSIDE_NAME" "$OUTSIDE_DNS_LOG"
if console_text "$TMP/console" | grep -q "^SPOOF: passed"; then
	fail "a packet from outside the /64 reached the gateway"
else
	vm_check "a packet from outside the /64 is dropped" "$TMP/console" "^SPOOF: added"
fi
bound=$(console_text "$TMP/console" | sed -n 's/^BOUND: \([0-9]*\).*/\1/p')
# the set holds 16: the link-local, the SLAAC address, and what is left
vm_check "the guest holds 20 more addresses in the /64" "$TMP/console" "^MADE: 20\s*\$"
check "of them, at most 14 pass, and some do ($bound)" \
	test "${bound:-99}" -le 14 -a "${bound:-0}" -ge 1
vm_check "... and the guest's own address still passes" "$TMP/console" "^AFTER: ok"

p=$(free_port)
expect_output "a forward added at run time from [::1] to the guest's IPv6 address" 0 \
	"^\$" "$QBOX" fwd -n "$name" "[::1]:$p:[$addr]:80"
expect_output "... listed with the guest's IPv6 address" 0 "\"guest\":\"$addr\"" \
	"$QBOX" fwd -n "$name" --list --json
expect_output "... reaches the guest's httpd" 0 "^guest6-page" \
	curl -gs --max-time 10 "http://[::1]:$p/"
expect_output "qbox exec reaches the guest at its IPv6 address" 0 "^guest6-page" \
	"$QBOX" exec "$name" -- busybox wget -q -O - "http://[$addr]/"
"$QBOX" stop "$name" --force >/dev/null 2>&1
wait "$VM_PID"

# ipv6=off: no RA, no route
# a host whose resolv.conf names an IPv4 nameserver alone: libslirp's ::3
# would answer nothing, so DHCPv6 names no DNS server
echo "nameserver $OUTSIDE_IP" >"$TMP/resolv4.conf"
cat >"$TMP/v4dns.sh" <<'EOS'
ip link set eth0 up
mkdir -p /var/lib/dhcpcd /run /usr/lib/dhcpcd
ln -s /run /var/run
echo "root:x:0:0::/:/bin/sh" >/etc/passwd
echo "dhcpcd:x:104:65534::/:/bin/false" >>/etc/passwd
echo "option domain_name_servers" >/etc/dhcpcd.conf
printf '#!/bin/sh\n[ "$reason" = INFORM6 ] && echo "DHCP6: dns=[$new_dhcp6_name_servers]" >/dev/console\ntrue\n' >/dhcp6.sh
chmod +x /dhcp6.sh
timeout 20 dhcpcd -6 -1 -t 15 --inform6 -c /dhcp6.sh eth0 >/dev/null 2>&1
echo "V4DNS: done"
EOS
# the same bind mount as OUTSIDE_RESOLV, of another file
VM_AS=("${OUTSIDE_RESOLV[@]:0:5}" "$TMP/resolv4.conf")
VM_PROGRAMS=(/usr/sbin/dhcpcd)
vm_run "$TMP/v4dns" "$TMP/v4dns.sh"
vm_check "IPv4-only host resolvers: dhcpcd's DHCPv6 reply names no DNS server (::3 would not answer)" \
	"$TMP/v4dns" "^DHCP6: dns=\[\]\s*\$"

cat >"$TMP/off.sh" <<'EOS'
ip link set eth0 up
sleep 4
echo "OFF: $(ip -6 -o addr show dev eth0 scope global | wc -l) $(ip -6 route show default | wc -l)"
EOS
VM_AS=()
VM_PROGRAMS=()
vm_run "$TMP/off" "$TMP/off.sh" --net nat,ipv6=off
vm_check "ipv6=off: no global address and no IPv6 default route" "$TMP/off" \
	"^OFF: 0 0\s*\$"
