#!/usr/bin/env bash
# A NAT's egress policy, in a world of the test's own (outside_world): the
# outside test host (198.51.100.2) and a cloud's metadata address
# (169.254.169.254) served by it. By default the outside answers and the
# metadata address is refused, by qbox (allow= it, and it answers: the
# server is there); egress=deny lets through only what allow= names (an
# address and port, a CIDR, the host alias's port) and the NAT's own DNS
# and DHCP; a refused connection fails at once (ICMP administratively
# prohibited: EHOSTUNREACH), not after SYN retries; forwards into the
# sandbox work whatever the policy; a natnet's policy is the network's
# (net create), a member giving another is exit 2; bad values exit 2.
. "$(dirname "$0")/../lib.sh"
outside_world "$@"

hport=$(free_port)
http_server "$hport"
page=$(cat "$TMP/www/index.html")
out=$OUTSIDE_PAGE

refused() {	# NET URL : fails, and at once (under 2 s)
	local t0=$SECONDS o
	o=$(run_get "$1" "$2")
	[ "$o" != "$out" ] && [ "$o" != "$page" ] && [ $((SECONDS - t0)) -lt 3 ] &&
		grep -qi "no route to host" <<<"$o"
}

check "default: the outside answers" run_gets nat "http://$OUTSIDE_IP/" "$out"
check "default: the host's loopback answers through 10.0.2.2" \
	run_gets nat "http://10.0.2.2:$hport/" "$page"
check "default: the metadata address is refused, at once" \
	refused nat "http://$METADATA_IP/"
check "allow=169.254.169.254:80: it answers (the refusal was qbox's)" \
	run_gets "nat,allow=$METADATA_IP:80" "http://$METADATA_IP/" "$out"

check "egress=deny: the outside is refused, at once" \
	refused nat,egress=deny "http://$OUTSIDE_IP/"
check "egress=deny: the host alias too" \
	refused nat,egress=deny "http://10.0.2.2:$hport/"
check "egress=deny: the metadata address too" \
	refused nat,egress=deny "http://$METADATA_IP/"
check "egress=deny,allow=198.51.100.2:80: that destination answers" \
	run_gets "nat,egress=deny,allow=$OUTSIDE_IP:80" "http://$OUTSIDE_IP/" "$out"
check "... and nothing else" \
	refused "nat,egress=deny,allow=$OUTSIDE_IP:80" "http://10.0.2.2:$hport/"
check "egress=deny,allow=198.51.100.0/24: a CIDR, any port" \
	run_gets "nat,egress=deny,allow=198.51.100.0/24" "http://$OUTSIDE_IP/" "$out"
check "egress=deny,allow=10.0.2.2:PORT: the host alias's one port" \
	run_gets "nat,egress=deny,allow=10.0.2.2:$hport" "http://10.0.2.2:$hport/" "$page"
check "egress=deny,allow=0.0.0.0/0:80: port 80 anywhere" \
	run_gets "nat,egress=deny,allow=0.0.0.0/0:80" "http://$OUTSIDE_IP/" "$out"
expect_output "egress=deny: a refused connection says so (nc)" 1 \
	"No route to host" \
	"$QBOX" run --net nat,egress=deny -- busybox nc -w 3 "$OUTSIDE_IP" 80 </dev/null

# forwards come in whatever the policy
fp=$(free_port)
mkdir -p "$TMP/in"
echo "inside-$$" >"$TMP/in/index.html"
run_ready "eg-$$" --net nat,egress=deny --fwd "$fp:8080" --ro-bind "$TMP/in" -- \
	busybox httpd -f -p 8080 -h "$TMP/in"
expect_output "egress=deny: a forward into the sandbox still works" 0 "^inside-$$\$" \
	curl -sf "http://127.0.0.1:$fp/"
check "ps --json: the run is listed" sh -c "'$QBOX' ps | grep -q '^eg-$$'"
kill -TERM "$RUN_PID"
wait "$RUN_PID"

# a natnet's policy: the network's
net=eg$$
"$QBOX" net create "natnet:$net,egress=deny,allow=$OUTSIDE_IP:80"
check "natnet,egress=deny: net inspect --json shows the policy" sh -c \
	"'$QBOX' net inspect '$net' --json | jq -e '.egress == \"deny,$OUTSIDE_IP/32:80\"' >/dev/null"
check "natnet,egress=deny: a member reaches the allowed destination" \
	run_gets "natnet:$net" "http://$OUTSIDE_IP/" "$out"
check "natnet,egress=deny: and not the host alias" \
	refused "natnet:$net" "http://10.0.2.2:$hport/"
check "a member giving the same policy joins" \
	run_gets "natnet:$net,egress=deny,allow=$OUTSIDE_IP:80" "http://$OUTSIDE_IP/" "$out"
expect_output "a member giving another policy: exit 2, named" 2 \
	"network '$net' runs with egress deny,$OUTSIDE_IP/32:80, not the egress=/allow= given" \
	"$QBOX" run --net "natnet:$net,egress=deny" -- true
"$QBOX" net rm "$net"

# bad values
expect_output "egress=maybe: exit 2, named" 2 \
	"^qbox: --net nat,egress=maybe: egress=maybe: use allow or deny" \
	"$QBOX" run --net nat,egress=maybe -- true
expect_output "allow= with host bits: exit 2, named" 2 \
	"allow=10.0.0.1/8: host bits are set after /8" \
	"$QBOX" run --net nat,allow=10.0.0.1/8 -- true
expect_output "allow= on a host-only network: exit 2" 2 "unknown option 'allow'" \
	"$QBOX" run --net hostonly:x,allow=10.0.0.1 -- true
no_leftovers "nothing left behind" "eg-$$|$net"
