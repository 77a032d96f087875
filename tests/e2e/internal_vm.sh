#!/usr/bin/env bash
# Two VMs on two internal networks at once, in a world with an outside
# test host (outside_world, tests/lib.sh): on each they reach each other,
# and nothing else; neither the host nor the outside test host reaches
# them.
#
# The first network has DHCP on (dhcp=on), so the hub holds 192.168.100.1
# on the segment: VMB routes everything through it, as a guest could, and
# answers from it show it is there. Each VM takes the lease the hub
# reserved for its MAC (anti-spoofing drops any other source address).
# Yet no host alias leads to the host's loopback (not the hub's address,
# not .2, not natnet's 10.0.2.2 nor host-only's 192.168.56.1), and the
# outside test host is not reached and sees no request.
#
# The second NIC of each is on an internal network without DHCP, where
# the guests set static addresses of their own choosing (only the MAC is
# checked there): VMB reaches VMA at its static address; with every
# address on-link on that NIC (nothing else up), none of those host
# aliases answers, nor the outside test host.
. "$(dirname "$0")/../lib.sh"
outside_world "$@"

hport=$(free_port)
http_server "$hport"
page=$(cat "$TMP/www/index.html")
net=i$$

cat >"$TMP/vma.sh" <<EOS
ip link set eth0 up
udhcpc -i eth0 -n -q -t 5
ip -4 -o addr show dev eth0
ip addr add 10.77.0.1/24 dev eth1
ip link set eth1 up
mkdir -p /www && echo vma-page >/www/index.html
httpd -p 80 -h /www
echo QBOX-READY
sleep 120
EOS
vm_start "$TMP/consolea" "$TMP/vma.sh" --name "vma-$$" --net "internal:$net,dhcp=on" \
	--net "internal:s$$"
vma=$VM_PID
vm_ready "$TMP/consolea" VMA

vma_addr=$(member_addr "$net" "vma-$$")
check "VMA holds its reserved lease ($vma_addr)" \
	vm_wait_line "$TMP/consolea" "inet $vma_addr/24" 1
expect_output "exec internal:NAME (dhcp=on) reaches VMA from the hub's address" 0 \
	"^vma-page" "$QBOX" exec "internal:$net" -- busybox wget -q -O - "http://$vma_addr/"
expect_output "the host does not reach VMA at its address" 1 "unreachable" \
	busybox wget -q -O - "http://$vma_addr/"
for a in "$vma_addr" 10.77.0.1; do
	expect_output "the outside test host does not reach VMA at $a, routed via the host" \
		0 "^rc=[1-9]" outside_dial "$a:80/"
done

# each probe: "NAME: rc=STATUS OUTPUT"; in parallel, so the "no"s cost
# one timeout together
cat >"$TMP/vmb.sh" <<EOS
ip link set eth0 up
udhcpc -i eth0 -n -q -t 5
ip route replace default via 192.168.100.1 dev eth0
probe() {
	out=\$(timeout 3 wget -q -O - "\$2" 2>&1)
	echo "\$1: rc=\$? \$out" >/tmp/probe-\$1
}
echo "PING-HUB: \$(ping -c 1 -W 3 192.168.100.1 >/dev/null && echo answers)"
probe PEER http://$vma_addr/
probe HUB http://192.168.100.1:$hport/ &
probe DOT2 http://192.168.100.2:$hport/ &
probe NATHOST http://10.0.2.2:$hport/ &
probe HOSTONLY http://192.168.56.1:$hport/ &
probe OUT http://$OUTSIDE_IP/internal-vm-$$ &
wait
cat /tmp/probe-*
# the static network alone: eth0 down, every address asked for on eth1
rm /tmp/probe-*
ip link set eth0 down
ip addr add 10.77.0.2/24 dev eth1
ip link set eth1 up
ip route replace default dev eth1
probe S-PEER http://10.77.0.1/
probe S-DOT1 http://192.168.100.1:$hport/ &
probe S-NATHOST http://10.0.2.2:$hport/ &
probe S-HOSTONLY http://192.168.56.1:$hport/ &
probe S-OUT http://$OUTSIDE_IP/internal-static-$$ &
wait
cat /tmp/probe-*
EOS
vm_run "$TMP/consoleb" "$TMP/vmb.sh" --name "vmb-$$" --net "internal:$net,dhcp=on" \
	--net "internal:s$$"
vm_check "VMB reaches VMA" "$TMP/consoleb" "^PEER: rc=0 vma-page"
vm_check "the hub answers VMB at 192.168.100.1" "$TMP/consoleb" "^PING-HUB: answers"
no_probe() {	# NAME PROBE : the probe failed and brought nothing back
	vm_check "$1" "$TMP/consoleb" "^$2: rc=[1-9][0-9]* (wget: .*)?$"
}
no_probe "no host loopback behind the hub's address" HUB
no_probe "no host loopback behind 192.168.100.2" DOT2
no_probe "no host loopback behind 10.0.2.2 (routed via the hub)" NATHOST
no_probe "no host loopback behind 192.168.56.1 (routed via the hub)" HOSTONLY
no_probe "no way to the outside test host (routed via the hub)" OUT
check "the outside test host never saw a request" \
	test "$(outside_hits "internal-vm-$$")" -eq 0
vm_check "static addresses: VMB reaches VMA" "$TMP/consoleb" "^S-PEER: rc=0 vma-page"
no_probe "static: no host loopback behind 192.168.100.1" S-DOT1
no_probe "static: no host loopback behind 10.0.2.2" S-NATHOST
no_probe "static: no host loopback behind 192.168.56.1" S-HOSTONLY
no_probe "static: no way to the outside test host" S-OUT
check "the outside test host never saw a request from there either" \
	test "$(outside_hits "internal-static-$$")" -eq 0
if console_text "$TMP/consoleb" | grep -q "$page"; then
	fail "the host's page showed up in VMB's console"
else
	pass "the host's page never reached VMB"
fi
"$QBOX" stop "vma-$$"
wait "$vma"
check "the hubs end with their last member" wait_for 10 \
	sh -c "! '$QBOX' net ls | grep -qE '^($net|s$$) '"
no_leftovers "nothing left behind" "internal:($net|s$$)"
