#!/usr/bin/env bash
# What reaches the outside: in namespaces of the test's own (outside_world
# in tests/lib.sh) a test host, 198.51.100.2, is the whole outside world,
# and qbox runs as the test's uid in a nested user namespace, as in a
# rootless container. nat and natnet members reach the outside test host;
# hostonly and internal members do not, not even when they route to it
# through the network's gateway or hub as a guest could (a test helper,
# netns-caps, adds the route inside the member, as a VM's own root would),
# and the outside test host never sees their requests. The other way, the
# outside test host itself (outside_dial) reaches a nat or natnet member
# only through a forward that listens on 0.0.0.0, never at its address
# (routed via the host), and a host-only or internal member not at its
# address either (a forward on 0.0.0.0 to a host-only member is the
# owner's opening).
. "$(dirname "$0")/../lib.sh"
outside_world "$@"

NSCAPS=$HELPERS/netns-caps
page=$OUTSIDE_PAGE
hub_init() { qbox_init "$(hub_pid "$1")"; }

# no_way_out NAME TAG QBOX-EXEC-TARGET : from TARGET (a sandbox or a
# network), a request for http://198.51.100.2/TAG fails without an
# answer (wget: 1 no route or refused, 124 nothing came back), and the
# outside test host never saw it
no_way_out() {
	local name=$1 tag=$2 target=$3 rc out
	out=$(timeout 30 "$QBOX" exec "$target" -- \
		timeout 5 busybox wget -q -O- "http://$OUTSIDE_IP/$tag" 2>&1)
	rc=$?
	case $rc in
	1 | 124)
		if grep -q '^qbox: ' <<<"$out"; then
			fail "$name: qbox failed: $out"
		elif [ "$(outside_hits "$tag")" -eq 0 ]; then
			pass "$name (wget $rc)"
		else
			fail "$name: the outside test host saw the request"
		fi
		;;
	*) fail "$name: exit $rc, want 1 or 124; output: $out" ;;
	esac
}

# routed NAME PID GATEWAY IFACE : inside PID's namespaces, as a guest's
# root could, route everything through GATEWAY on IFACE; then the route to
# the outside test host must be that
routed() {
	local name=$1 pid=$2 gw=$3 dev=$4 got
	"$NSCAPS" "$pid" ip route replace default via "$gw" dev "$dev"
	got=$("$NSCAPS" "$pid" ip -4 route get "$OUTSIDE_IP" 2>&1)
	if grep -q "via $gw dev $dev" <<<"$got"; then
		pass "$name"
	else
		fail "$name: the route to $OUTSIDE_IP is: $got"
	fi
}

# ---- the test's own world --------------------------------------------------
check "the outside test host's page is the test's" \
	grep -qx "outside-page-[0-9]*" <<<"$page"
expect_output "the test's host reaches the outside test host" 0 "^$page\$" \
	busybox wget -q -O- "http://$OUTSIDE_IP/"

# ---- nat and natnet: out through the NAT -----------------------------------
expect_output "nat: a command payload reaches the outside test host" 0 "^$page\$" \
	timeout 20 "$QBOX" run --net nat -- busybox wget -q -O- "http://$OUTSIDE_IP/"
expect_output "natnet: a command member reaches the outside test host" 0 "^$page\$" \
	timeout 20 "$QBOX" run --net "natnet:n$$" -- busybox wget -q -O- "http://$OUTSIDE_IP/"
check "the outside test host saw those three requests" \
	test "$(outside_hits "")" -eq 3

# ---- the outside in: through forwards on 0.0.0.0 only ------------------------
mkdir -p "$TMP/in" && echo "inside-$$" >"$TMP/in/index.html"
# dial NAME WANT HOST:PORT : what the outside test host got from there
dial() { expect_output "$1" 0 "^rc=$2" outside_dial "$3/"; }
dial "the outside test host's dialler works (its own page)" "0 $page\$" "$OUTSIDE_IP:80"
fa=$(free_port)
fl=$(free_port)
start_bg "$QBOX" run --name "f-$$" --net nat --fwd "0.0.0.0:$fa:8080" \
	--fwd "$fl:8080" --ro-bind "$TMP/in" -- busybox httpd -f -p 8080 -h "$TMP/in"
qf=$BG_PID
"$QBOX" wait "f-$$" --timeout 20 >/dev/null
dial "nat: the outside reaches a forward on 0.0.0.0" "0 inside-$$\$" "198.51.100.1:$fa"
dial "nat: not one on 127.0.0.1, the default" "[1-9]" "198.51.100.1:$fl"
dial "nat: nor the sandbox at its address (10.0.2.100), routed via the host" \
	"[1-9]" "10.0.2.100:8080"
kill -TERM "$qf"
wait "$qf"
start_bg "$QBOX" run --name "n-$$" --net "natnet:n$$" --ro-bind "$TMP/in" -- busybox httpd -f -p 8080 -h "$TMP/in"
qn=$BG_PID
if ! N=$(member_wait "n$$" "n-$$"); then
	fail "natnet: the member never joined"
	exit 1
fi
fa=$(free_port)	# the last hub may linger a while, its forward with it
"$QBOX" fwd -n "natnet:n$$" "0.0.0.0:$fa:$N:8080"
dial "natnet: the outside reaches a member through a forward on 0.0.0.0" "0 inside-$$\$" \
	"198.51.100.1:$fa"
dial "natnet: not at its address ($N), routed via the host" "[1-9]" "$N:8080"
kill -TERM "$qn"
wait "$qn"

# ---- hostonly: the host alias only ------------------------------------------
start_bg "$QBOX" run --name "h-$$" --net "hostonly:h$$" --ro-bind "$TMP/in" -- \
	busybox httpd -f -p 8080 -h "$TMP/in"
qh=$BG_PID
if ! H=$(member_wait "h$$" "h-$$"); then
	fail "hostonly: the member never joined"
	exit 1
fi
dial "hostonly: the outside does not reach a member at its address ($H)" "[1-9]" "$H:8080"
fl=$(free_port)
"$QBOX" fwd -n "hostonly:h$$" "$fl:$H:8080"
expect_output "hostonly: the host reaches it through a forward" 0 "^inside-$$\$" \
	busybox wget -q -O- "http://127.0.0.1:$fl/"
dial "hostonly: the outside does not (it listens on 127.0.0.1)" "[1-9]" "198.51.100.1:$fl"
fa=$(free_port)
"$QBOX" fwd -n "hostonly:h$$" "0.0.0.0:$fa:$H:8080"
dial "hostonly: a forward on 0.0.0.0 opens it, as the owner asked" "0 inside-$$\$" \
	"198.51.100.1:$fa"
no_way_out "hostonly: a member without a route does not reach the outside" \
	"hostonly-plain-$$" "h-$$"
routed "hostonly: a member routes to the outside via 192.168.56.1" \
	"$(qbox_init "$qh")" 192.168.56.1 qbr0
no_way_out "hostonly: even so, the outside test host is not reached" \
	"hostonly-member-$$" "h-$$"
routed "hostonly: the hub's namespace routed via 192.168.56.1" \
	"$(hub_init "h$$")" 192.168.56.1 qbr0
no_way_out "hostonly: exec hostonly:NAME does not reach the outside" \
	"hostonly-exec-$$" "hostonly:h$$"
kill -TERM "$qh"
wait "$qh"

# ---- internal: nothing but the segment ----------------------------------------
# dhcp=on gives the hub an address, 192.168.100.1: the only other party
# on the segment, and the gateway a member could try
start_bg "$QBOX" run --name "i-$$" --net "internal:i$$,dhcp=on" --ro-bind "$TMP/in" -- \
	busybox httpd -f -p 8080 -h "$TMP/in"
qi=$BG_PID
if ! I=$(member_wait "i$$" "i-$$"); then
	fail "internal: the member never joined"
	exit 1
fi
dial "internal: the outside does not reach a member at its address ($I)" "[1-9]" "$I:8080"
expect_output "internal: nor does the host" 1 "unreachable" \
	busybox wget -q -O- "http://$I:8080/"
no_way_out "internal: a member without a route does not reach the outside" \
	"internal-plain-$$" "i-$$"
routed "internal: a member routes to the outside via the hub, 192.168.100.1" \
	"$(qbox_init "$qi")" 192.168.100.1 qbr0
no_way_out "internal: even so, the outside test host is not reached" \
	"internal-member-$$" "i-$$"
kill -TERM "$qi"
wait "$qi"

# ---- qbox one user namespace deeper, sharing the runtime directory -------------
# its hubs' user namespace is not its to enter: it is told why, and runs
# with a runtime directory of its own
"$QBOX" net create "natnet:z$$"
deeper=(unshare -U --map-user="$(id -u)" --map-group="$(id -g)")
expect_output "one user namespace deeper, the runtime directory's networks: why not" 2 \
	"their hubs run in another user namespace than this qbox" \
	"${deeper[@]}" "$QBOX" run --net "natnet:y$$" -- true
mkdir -m 0700 "$TMP/deeper"
expect_output "one user namespace deeper, with its own runtime directory: works" 0 \
	"^$page\$" "${deeper[@]}" env XDG_RUNTIME_DIR="$TMP/deeper" \
	"$QBOX" run --net "natnet:y$$" -- busybox wget -q -O- "http://$OUTSIDE_IP/"
"$QBOX" net rm "z$$"

check "the hubs end with their last members" wait_for 10 \
	sh -c "[ -z \"\$('$QBOX' net ls --json | jq -r '.[].name')\" ]"
no_leftovers "nothing left behind" "$TMP"
check "nothing left in the deeper runtime directory" test -z "$(ls -A "$TMP/deeper/qbox")"
