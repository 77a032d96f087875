#!/usr/bin/env bash
# IPv6 on --net nat, for a command payload, in a world of the test's own
# (outside_world): the command's address fd71:6278:a00:200::100/64 and its
# default route via ::2; the host's [::1] through the gateway's IPv6
# address (not with hostloop=off); the outside test host over IPv6
# (2001:db8::2); DNS over IPv6 transport to a test DNS server through
# ::3; the egress policy over IPv6 (egress=deny refuses at once,
# allow=[CIDR]:PORT lets through, EC2's fd00:ec2::254 refused by default);
# forwards from [::1] to the command's IPv6 address, TCP (half-close, bulk)
# and UDP; qbox wait --tcp and qbox nc to an IPv6 address; subnet6= and
# ipv6=off; ps --json; bad values exit 2.
. "$(dirname "$0")/../lib.sh"
outside_world "$@"

P6=fd71:6278:a00:200
host6_server
page6=$HOST6_PAGE hport=$HOST6_PORT

# run_get and run_gets (lib.sh) fetch over IPv6 where the URL says so
# NET URL : fails, and at once (under 3 s): ICMPv6's "administratively
# prohibited" is EACCES to the guest's connect()
refused() {
	local t0=$SECONDS o
	o=$(run_get "$1" "$2")
	[ "$o" != "$OUTSIDE_PAGE" ] && [ "$o" != "$page6" ] &&
		[ $((SECONDS - t0)) -lt 3 ] && grep -qi "permission denied" <<<"$o"
}

expect_output "a command's IPv6 address is ::100 of the NIC's /64, no DAD" 0 \
	"inet6 $P6::100/64 scope global nodad" \
	"$QBOX" run -- ip -6 -o addr show dev qbr0
expect_output "... its default route goes via the gateway's ::2" 0 \
	"^default via $P6::2 dev qbr0" "$QBOX" run -- ip -6 route show default
expect_output "... and no router advertisement gives it more (accept_ra 0)" 0 \
	"^0 1\$" "$QBOX" run -- sh -c 'sleep 2
		echo $(cat /proc/sys/net/ipv6/conf/qbr0/accept_ra) \
			$(ip -6 -o addr show dev qbr0 scope global | wc -l)'
check "the host's [::1] answers through the gateway's IPv6 address" \
	run_gets nat "http://[$P6::2]:$hport/" "$page6"
check "hostloop=off: not any more" not run_gets nat,hostloop=off \
	"http://[$P6::2]:$hport/" "$page6"
check "the outside test host answers over IPv6" \
	run_gets nat "http://[$OUTSIDE_IP6]/" "$OUTSIDE_PAGE"
check "... and over IPv4 still" run_gets nat "http://$OUTSIDE_IP/" "$OUTSIDE_PAGE"

# DNS over IPv6: the NAT's ::3 forwards to the host's IPv6 resolver
expect_output "a name resolves over IPv6 to the test's DNS server, through ::3" 0 \
	"^Address: $OUTSIDE_IP6\$" \
	"${OUTSIDE_RESOLV[@]}" "$QBOX" run -- busybox nslookup -type=AAAA "$OUTSIDE_NAME" "$P6::3"
check "... and the test's DNS server saw the query" \
	grep -q "query\[AAAA\] $OUTSIDE_NAME" "$OUTSIDE_DNS_LOG"

# the egress policy over IPv6
check "egress=deny: the outside over IPv6 is refused, at once" \
	refused nat,egress=deny "http://[$OUTSIDE_IP6]/"
check "egress=deny: the host alias's IPv6 address too" \
	refused nat,egress=deny "http://[$P6::2]:$hport/"
check "egress=deny,allow=[2001:db8::/32]:80: that prefix's port 80 answers" \
	run_gets "nat,egress=deny,allow=[2001:db8::/32]:80" "http://[$OUTSIDE_IP6]/" \
	"$OUTSIDE_PAGE"
check "... and nothing else" refused "nat,egress=deny,allow=[2001:db8::/32]:80" \
	"http://[$P6::2]:$hport/"
check "EC2's IPv6 metadata address is refused by default, at once" \
	refused nat "http://[fd00:ec2::254]/"

# forwards from the host's [::1] to the command's IPv6 address
p=$(free_port)
mkdir -p "$TMP/data"
head -c 5000000 /dev/urandom >"$TMP/data/blob"
start_bg "$QBOX" run --name "nat6-$$" --ro-bind "$TMP/data" \
	--fwd "[::1]:$p:[$P6::100]:7000" --fwd "[::1]:$((p + 1)):[$P6::100]:7001" \
	--fwd "[::1]:$((p + 2)):[$P6::100]:7002" \
	--fwd "udp:[::1]:$((p + 3)):[$P6::100]:7003" -- sh -c "
	socat TCP6-LISTEN:7000,fork,reuseaddr EXEC:/bin/cat &
	socat TCP6-LISTEN:7001,fork,reuseaddr SYSTEM:'wc -c' &
	socat TCP6-LISTEN:7002,fork,reuseaddr SYSTEM:'cat $TMP/data/blob' &
	socat UDP6-RECVFROM:7003,fork SYSTEM:'read l; echo udp6-\$l' &
	wait"
echo6() { [ "$(echo hi6 | timeout 5 socat -t 2 - "TCP6:[::1]:$p")" = hi6 ]; }
if wait_for 10 echo6; then
	pass "a forward from [::1] reaches the command's IPv6 address"
else
	fail "a forward from [::1] reaches the command's IPv6 address"
fi
got=$(printf 'abcde' | timeout 10 socat -t 5 - "TCP6:[::1]:$((p + 1))")
check "... half-close passes (the server saw EOF, answered '$got')" \
	test "$(echo $got)" = 5
timeout 30 socat -u "TCP6:[::1]:$((p + 2))" - >"$TMP/got"
check "... 5 MB arrive intact" cmp -s "$TMP/data/blob" "$TMP/got"
got=$(echo x | timeout 5 socat -t 2 - "UDP6:[::1]:$((p + 3))")
check "... and UDP over IPv6 both ways ('$got')" test "$got" = udp6-x
expect_output "qbox wait --tcp [IPv6]:PORT" 0 "^\$" \
	"$QBOX" wait "nat6-$$" --tcp "[$P6::100]:7000" --timeout 10
expect_output "qbox nc to the command's IPv6 address, from inside" 0 "^hi-nc6\$" \
	sh -c "echo hi-nc6 | '$QBOX' nc nat6-$$ $P6::100 7000"
expect_output "qbox nc: an IPv6 port nothing listens on is refused" 1 \
	"refused the connection" "$QBOX" nc "nat6-$$" "[$P6::100]" 7999
expect_output "ps --json: the NIC's IPv6 prefix, gateway, DNS and address" 0 \
	"^$P6::/64 $P6::2 $P6::3 $P6::100 $P6::100\$" \
	sh -c "'$QBOX' ps --json | jq -r '.[] | select(.name == \"nat6-$$\") |
		\"\\(.nics[0].ipv6.prefix) \\(.nics[0].ipv6.gateway) \\(.nics[0].ipv6.dns) \\(.nics[0].ipv6.address) \\(.forwards[0].guest)\"'"
"$QBOX" stop "nat6-$$" >/dev/null 2>&1

# subnet6= and ipv6=off
expect_output "subnet6=2001:db8:5::/64: the command at ::100 of it" 0 \
	"inet6 2001:db8:5::100/64" \
	"$QBOX" run --net nat,subnet6=2001:db8:5::/64 -- ip -6 -o addr show dev qbr0
check "subnet6=: the host's [::1] through its ::2" \
	run_gets nat,subnet6=2001:db8:5::/64 "http://[2001:db8:5::2]:$hport/" "$page6"
expect_output "ipv6=off: no IPv6 address but the link's, no IPv6 route out" 0 \
	"^0 0\$" "$QBOX" run --net nat,ipv6=off -- sh -c 'sleep 2
		echo $(ip -6 -o addr show dev qbr0 scope global | wc -l) \
			$(ip -6 route show default | wc -l)'
check "ipv6=off: the outside over IPv6 is not reached" \
	not run_gets nat,ipv6=off "http://[$OUTSIDE_IP6]/" "$OUTSIDE_PAGE"
check "ipv6=off: IPv4 still is" run_gets nat,ipv6=off "http://$OUTSIDE_IP/" "$OUTSIDE_PAGE"
expect_output "ps --json: ipv6 null with ipv6=off" 0 "^null\$" sh -c "
	'$QBOX' run --name nat6off-$$ --net nat,ipv6=off -- sleep 30 &
	'$QBOX' wait nat6off-$$ --timeout 20 >/dev/null
	'$QBOX' ps --json | jq -c '.[] | select(.name == \"nat6off-$$\") | .nics[0].ipv6'
	'$QBOX' stop nat6off-$$ >/dev/null 2>&1"

# bad values: exit 2, named, nothing left behind
for bad in "nat,subnet6=fd00::/48|subnet6=fd00::/48 is not a /64" \
	"nat,subnet6=ff02::/64|not a unicast prefix" \
	"nat,subnet6=fd00::1/64|interface bits" \
	"nat,ipv6=maybe|ipv6='maybe': use on or off" \
	"nat,allow=[2001:db8::1/32]|host bits are set" \
	"bridged:qtapx6,subnet6=fd00::/64|unknown option 'subnet6'"; do
	expect_output "--net ${bad%%|*}: exit 2, named" 2 "${bad#*|}" \
		"$QBOX" run --name "bad6-$$" --net "${bad%%|*}" -- true
done
expect_output "two NICs on one IPv6 prefix: exit 2, named" 2 \
	"IPv6 prefix fd00:1::/64 is that of NIC 0" \
	"$QBOX" run --name "bad6-$$" --net nat,subnet6=fd00:1::/64 \
	--net nat,subnet6=fd00:1::/64 -- true
expect_output "a forward to an IPv6 address in no prefix: exit 2, named" 2 \
	"guest address 2001:db8::9 is in no IPv6 prefix" \
	"$QBOX" run --name "bad6-$$" --fwd "8080:[2001:db8::9]:80" -- true
no_leftovers "bad IPv6 values" "bad6-$$"
