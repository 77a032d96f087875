#!/usr/bin/env bash
# A named network linked over VDE: `qbox net create natnet:NAME,link=
# LOCATOR[,serve=off]`, `qbox net link` and `unlink`.
#
# Any user, on loopback alone: two networks of one name's shape, each in
# its own hub (as on two machines), share one segment through Debian's
# vde_switch. The serving side (serve=on) keeps its NAT, DHCP and DNS;
# the other (serve=off) runs none and has no address of its own. A
# command member on the serve=off side reaches one on the serving side,
# the host's loopback through the serving side's NAT (by name, from the
# serving side's DNS), and a DHCP client there (a socket member) leases
# from the serving side; unlinked, it gets nothing. The switch killed,
# both networks and their members run on with the link shown down; back,
# traffic resumes by itself. Bad input exits 2 and leaves nothing behind.
. "$(dirname "$0")/../lib.sh"

SC=$HELPERS/stream-client
A=la$$	# the serving side
B=lb$$	# serve=off
SW=$TMP/sw

bad() {	# name, pattern, args...
	local name=$1 pat=$2
	shift 2
	expect_output "$name" 2 "$pat" "$QBOX" "$@"
}
start_switch() { switch_start "$SW"; }
stop_switch() { switch_stop "$SW"; }
at_exit stop_switch
at_exit "'$QBOX' net rm --force $A >/dev/null 2>&1; '$QBOX' net rm --force $B >/dev/null 2>&1"
# link_json NET : its first link
link_json() { "$QBOX" net inspect "$1" --json | jq -c '.links[0]'; }
link_up() { link_json "$1" | jqc '.state == "plugged" and .plug.up'; }
link_down() { link_json "$1" | jqc '.plug.up == false'; }

# ---- bad input: exit 2, nothing left ----------------------------------------
bad "a link to nothing: net create fails" \
	"^qbox: network '$A': link=vde://$TMP/nosw: opening vde://$TMP/nosw: No such file or directory\$" \
	net create "natnet:$A,link=vde://$TMP/nosw"
check "... and the network is not left" wait_for 5 net_gone "$A"
bad "an unknown plugin" "link=nosuch://x \\(up, down or a VDE locator\\): unknown VDE plugin 'nosuch'" \
	net create "natnet:$A,link=nosuch://x"
bad "a link is the network's, not a member's" \
	"natnet:$A,link=vde://$SW: link=LOCATOR is the network's: give it to qbox net create" \
	run --net "natnet:$A,link=vde://$SW" -- true
bad "serve=off is the network's too" "serve=off is the network's" \
	run --net "natnet:$A,serve=off" -- true
bad "serve=off: DHCP options are the serving side's" \
	"serve=off: dhcp-option= belongs to the side that serves the network" \
	net create "natnet:$A,serve=off,dhcp-option=26:1400"
bad "serve=off: an internal network without DHCP serves nothing" \
	"an internal network without dhcp=on serves nothing" \
	net create "internal:$A,serve=off"
bad "the same link twice" "link=vde://$SW is given twice" \
	net create "natnet:$A,link=vde://$SW,link=vde://$SW"
no_leftovers "bad input leaves nothing behind" "$A|$B|qbox-vde"

# ---- two sides, one segment ---------------------------------------------------
check "vde_switch runs" start_switch
check "net create: the serving side, linked" \
	"$QBOX" net create "natnet:$A,link=vde://$SW"
check "net create: the serve=off side, linked" \
	"$QBOX" net create "natnet:$B,serve=off,link=vde://$SW"
check "net inspect: the serving side serves, its link plugged" bash -c \
	"'$QBOX' net inspect $A --json | jq -e '.serve and .dhcp and .hub == \"10.0.2.1\" and
		(.links | length == 1) and .links[0].state == \"plugged\" and
		.links[0].tap == \"ql0\" and .links[0].plug.locator == \"vde://$SW\"' >/dev/null"
check "net inspect: serve=off has no address, no DHCP, the serving side's DNS" bash -c \
	"'$QBOX' net inspect $B --json | jq -e '(.serve | not) and (.dhcp | not) and
		.hub == \"\" and .dns == \"10.0.2.1\" and .gateway == \"10.0.2.2\" and
		.links[0].state == \"plugged\"' >/dev/null"
check "serve=off: no NAT engine, no dnsmasq" bash -c \
	"! pgrep -l -P $(hub_pid "$B") | grep -qE ' (qbox-uplink|dnsmasq)\$'"

mkdir -p "$TMP/www" && echo "host-page-$$" >"$TMP/www/index.html"
hport=$(free_port)
http_server "$hport"
start_bg "$QBOX" run --name "sa-$$" --net "natnet:$A" -- \
	socat TCP-LISTEN:7000,reuseaddr,fork EXEC:cat
if ! SA=$(member_wait "$A" "sa-$$" 30); then
	fail "the serving side's member never joined"
	exit 1
fi
# over_link NAME : a command member of the serve=off side, its output
over_link() {
	timeout 30 "$QBOX" run --name "$1" --net "natnet:$B" -- sh -c "
		echo hello | socat -T5 - TCP:$SA:7000,connect-timeout=5
		wget -q -O- -T 5 http://host.qbox.internal:$hport/
		ip -4 -o addr show qbr0 | awk '{print \$4}'" 2>&1
}
out=$(over_link "sb-$$")
check "serve=off member -> the serving side's member, over the link" \
	grep -qx hello <<<"$out"
check "serve=off member -> the host's loopback, by name: the serving side's DNS and NAT" \
	grep -qx "host-page-$$" <<<"$out"
check "serve=off member: numbered below the serving side's pool ($(tail -1 <<<"$out"))" \
	grep -qE '^10\.0\.2\.([4-9]|1[0-4])/24$' <<<"$out"
# (a relay tells its counters each second, while they change)
check "the link's counters count both ways" wait_for 5 bash -c \
	"'$QBOX' net inspect $B --json | jq -e '.links[0].plug | .frames_in > 0 and .frames_out > 0' >/dev/null"

# A DHCP client on the serve=off side leases from the serving side
P=$("$QBOX" net socket "$B")
lease=$(timeout 30 "$SC" "$P" mac=02:53:00:00:09:01 dhcp-once 2>&1)
check "serve=off: a DHCP client leases from the serving side ($lease)" \
	grep -qE '^lease 10\.0\.2\.' <<<"$lease"
addr=$(sed -n 's/^lease \([0-9.]*\).*/\1/p' <<<"$lease" | head -1)
check "... a lease of the serving side's table" bash -c \
	"'$QBOX' net inspect $A --json | jq -e --arg a '$addr' '[.leases[] | select(.address == \$a and .mac == \"02:53:00:00:09:01\")] | length == 1' >/dev/null"
check "... none of the serve=off side's" bash -c \
	"'$QBOX' net inspect $B --json | jq -e '[.leases[] | select(.mac == \"02:53:00:00:09:01\")] | length == 0' >/dev/null"

# ---- net link, net unlink ---------------------------------------------------
bad "net link: a switch that is not there" \
	"^qbox: network '$B': link=vde://$TMP/nosw: opening" \
	net link "$B" "vde://$TMP/nosw"
check "... and the link is not left" bash -c \
	"'$QBOX' net inspect $B --json | jq -e '.links | length == 1' >/dev/null"
bad "net link: a plugin not installed" "the VDE plugin 'vdesl' is not installed \\(libvdeplug_vdesl.so: Debian's package libvdeplug-vdesl\\)" \
	net link "$B" vdesl:///dev/null
bad "net link: twice" "network '$B' already links to vde://$SW" net link "$B" "vde://$SW"
bad "net unlink: no such link" "network '$B' has no link to vde://nowhere" \
	net unlink "$B" vde://nowhere
check "net unlink" "$QBOX" net unlink "$B" "vde://$SW"
check "... the link and its relay go" bash -c \
	"'$QBOX' net inspect $B --json | jq -e '.links | length == 0' >/dev/null &&
	 ! pgrep -P $(hub_pid "$B") -x qbox-vde >/dev/null"
lease=$(timeout 20 "$SC" "$P" mac=02:53:00:00:09:02 dhcp-once 2>&1)
check "unlinked, serve=off hands out nothing" not grep -qE '^lease' <<<"$lease"
check "net link: back at run time, through a cmd:// plug" \
	"$QBOX" net link "$B" "cmd://vde_plug vde://$SW"
out=$(over_link "sc-$$")
check "... traffic over it" grep -qx hello <<<"$out"

# ---- the switch goes and comes back ------------------------------------------
stop_switch
check "switch gone: the serving side's link is down" wait_for 10 link_down "$A"
check "switch gone: the serve=off side's too" wait_for 10 link_down "$B"
check "switch gone: the networks and their members run on" \
	kill -0 "$(hub_pid "$A")" "$(hub_pid "$B")" "$BG_PID"
start_switch
check "switch back: both links up again, by themselves" \
	wait_for 15 bash -c "$(declare -f link_json link_up jqc); QBOX='$QBOX'; link_up $A && link_up $B"
out=$(over_link "sd-$$")
check "switch back: traffic resumes" grep -qx hello <<<"$out"

kill "$BG_PID" 2>/dev/null
wait "$BG_PID" 2>/dev/null
"$QBOX" net rm "$A" >/dev/null && "$QBOX" net rm "$B" >/dev/null
check "net rm: both networks end" wait_for 10 bash -c \
	"! '$QBOX' net ls | grep -qE '^($A|$B) '"
stop_switch
no_leftovers "nothing left behind" "$A|$B|qbox-vde|$TMP/sw"

# ---- as root: two "hosts", one network over VXLAN -------------------------------
if [ "$(id -u)" -ne 0 ]; then
	exit 0
fi
two_hosts || { fail "two hosts"; exit 1; }
VX="vxlan://239.1.4.1/vni=9"
check "host A (as nobody): the serving side over VXLAN" \
	on_host "$HOST_A" "$host_qbox" net create "natnet:lab$$,link=$VX/if=$HOST_A_IF"
check "host B (as nobody): serve=off over VXLAN" \
	on_host "$HOST_B" "$host_qbox" net create \
	"natnet:lab$$,serve=off,link=$VX/if=$HOST_B_IF"
host_bg "$HOST_A" "$host_qbox" run --name "ha-$$" --net "natnet:lab$$" -- \
	socat TCP-LISTEN:7000,reuseaddr,fork EXEC:cat </dev/null 2>"$TMP/ha.err"
ha_addr() {
	on_host "$HOST_A" "$host_qbox" net inspect "lab$$" --json |
		jq -r --arg n "ha-$$" '.members[] | select(.sandbox == $n) | .address'
}
for _ in $(seq 100); do
	HA_ADDR=$(ha_addr)
	[ -n "$HA_ADDR" ] && break
	sleep 0.2
done
check "host A's member joined ($HA_ADDR)" test -n "$HA_ADDR"
out=$(echo hello-hosts | on_host "$HOST_B" timeout 30 "$host_qbox" run \
	--name "hb-$$" --net "natnet:lab$$" -- \
	socat -T5 - "TCP:$HA_ADDR:7000,connect-timeout=5" 2>&1)
check "a member on host B reaches one on host A over the VXLAN link (got: $out)" \
	test "$out" = hello-hosts
on_host "$HOST_A" "$host_qbox" stop "ha-$$" >/dev/null 2>&1
on_host "$HOST_A" "$host_qbox" net rm --force "lab$$" >/dev/null 2>&1
on_host "$HOST_B" "$host_qbox" net rm --force "lab$$" >/dev/null 2>&1
hosts_clean "hosts: nothing of nobody's qbox left" "lab$$|qbox-vde"
