#!/usr/bin/env bash
# A named network as a VDE switch (qbox net vde), joined by a VM whose NIC
# is --net vde:LOCATOR: the VM's qbox relay is the switch's client through
# libvdeplug's own vde:// plugin, a peer the hub's switch side did not
# write. The guest's DHCP client (busybox udhcpc) leases from the
# network's dnsmasq, it fetches from a command member, net inspect shows
# it as a member of kind vde held to its MAC and lease; from an address of
# its own choosing it reaches nothing (the hub's chain on its port), back
# on its lease it does again. It ends; its member leaves.
. "$(dirname "$0")/../lib.sh"

net=vv$$
"$QBOX" net create "natnet:$net" >/dev/null
at_exit "'$QBOX' net rm --force $net >/dev/null 2>&1"
member_httpd "$net"
qsrv=$MEMBER_PID
A=$MEMBER_ADDR
L=$("$QBOX" net vde "$net")

cat >"$TMP/guest.sh" <<EOS
udhcpc -i eth0 -n -q -t 5
echo "MEMBER: \$(timeout 5 wget -q -O - http://$A:8080/)"
ip addr flush dev eth0 && ip addr add 10.0.2.250/24 dev eth0
echo "SPOOF: \$(timeout 5 wget -q -O - http://$A:8080/)"
udhcpc -i eth0 -n -q -t 5
echo "AGAIN: \$(timeout 5 wget -q -O - http://$A:8080/)"
echo QBOX-READY
sleep 60
EOS
vm_start "$TMP/console" "$TMP/guest.sh" --name "vv-$$" --net "vde:$L"
vm=$VM_PID
vm_ready "$TMP/console" "the VM on the network's VDE switch"
ip=$(console_text "$TMP/console" | sed -n 's/^QBOX-LEASE: eth0 \([0-9.]*\)\/24 .*/\1/p' | head -n 1)
check "the guest leased from the network's DHCP through the switch ($ip)" \
	grep -qE '^10\.0\.2\.[0-9]+$' <<<"$ip"
vm_check "it fetched from the command member at $A" "$TMP/console" "^MEMBER: member-$$"
vm_check "from an address of its own, it reaches nothing" "$TMP/console" "^SPOOF: *\$"
vm_check "back on its lease, it does again" "$TMP/console" "^AGAIN: member-$$"
mac=$("$QBOX" ps --json | jq -r --arg n "vv-$$" '.[] | select(.name == $n) | .nics[0].mac')
check "net inspect: a member of kind vde with the VM's MAC ($mac) and its lease" \
	bash -c "'$QBOX' net inspect $net --json | jq -e --arg m '$mac' --arg a '$ip' \
		'[.members[] | select(.kind == \"vde\" and .mac == \$m and .address == \$a)] | length == 1' >/dev/null"
"$QBOX" stop "vv-$$" >/dev/null 2>&1
wait "$vm" 2>/dev/null
vde_gone() {
	"$QBOX" net inspect "$net" --json | jqc '[.members[] | select(.kind == "vde")] | length == 0'
}
check "the VM gone: its member leaves" wait_for 10 vde_gone
kill "$qsrv" 2>/dev/null
wait "$qsrv" 2>/dev/null
"$QBOX" net rm "$net" >/dev/null
no_leftovers "nothing left behind" "$net|vv-$$|qbox-vde"
