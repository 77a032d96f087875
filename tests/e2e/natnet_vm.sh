#!/usr/bin/env bash
# Two VMs on one NAT network, in a world with an outside test host
# (outside_world, tests/lib.sh): distinct DHCP leases from the network's
# server (VM1's the address it asked for with ip=, and the options the
# network was given with dhcp-option=), names from the
# network's DNS server, VM2 fetches from VM1 across the segment, both reach the host's
# loopback via 10.0.2.2 and the outside test host; the hub's forward and
# `qbox exec natnet:NAME` reach VM1, the outside test host only through a
# forward on 0.0.0.0; the leases show in `qbox net inspect`. Then the hub
# is killed (SIGKILL) under the running VMs: both say so, their links go,
# nothing is left once they stop, and the next member starts a fresh hub
# that works. Then two VMs on a host-only network, booting side by side:
# leases from .101, the host's loopback via 192.168.56.1 yes, the outside
# test host no (even routed through 192.168.56.1) nor it to them, `qbox
# exec hostonly:NAME` reaches the first, and the second fetches from the
# first.
. "$(dirname "$0")/../lib.sh"
outside_world "$@"

hport=$(free_port)
http_server "$hport"
page=$(cat "$TMP/www/index.html")
net=vmn$$

# a guest that serves PAGE over HTTP after its probes, and waits
serve_and_wait() {
	cat <<EOS
mkdir -p /www && echo "$1" >/www/index.html
httpd -p 80 -h /www
echo QBOX-READY
sleep 120
EOS
}

{
	echo "udhcpc -i eth0 -n -q -t 5"
	# the network's dhcp-option=s, as udhcpc gets them when it asks
	echo "printf '#!/bin/sh\n[ \"\$1\" = bound ] && echo \"QBOX-OPTS: mtu=\$mtu ntpsrv=\$ntpsrv\"\n' >/tmp/opts.sh"
	echo "chmod +x /tmp/opts.sh"
	echo "udhcpc -i eth0 -n -q -t 5 -O mtu -O ntpsrv -s /tmp/opts.sh"
	echo "echo \"FETCH: \$(timeout 5 wget -q -O - http://10.0.2.2:$hport/)\""
	echo "echo \"OUT: \$(timeout 5 wget -q -O - http://$OUTSIDE_IP/)\""
	serve_and_wait vm1-page
} >"$TMP/vm1.sh"
vm_start "$TMP/console1" "$TMP/vm1.sh" --name "vm1-$$" \
	--net "natnet:$net,ip=10.0.2.50,dhcp-option=26:1400,dhcp-option=42:10.0.2.2+10.0.2.3"
vm1=$VM_PID
vm_ready "$TMP/console1" VM1
ip1=$(tr -d '\r' <"$TMP/console1" | sed -n "s/^QBOX-LEASE: eth0 \\([0-9.]*\\)\\/24 router 10\\.0\\.2\\.2 dns 10\\.0\\.2\\.1 domain $net\\.qbox\\.internal\$/\\1/p")
check "VM1: the lease of its ip=10.0.2.50, with router .2, the network's DNS server (.1) and domain ($ip1)" test "$ip1" = 10.0.2.50
vm_check "VM1's DHCP client gets the network's dhcp-option=s (MTU, NTP servers)" \
	"$TMP/console1" "^QBOX-OPTS: mtu=1400 ntpsrv=10\\.0\\.2\\.2 10\\.0\\.2\\.3\$"
vm_check "VM1 reached the host's loopback via 10.0.2.2" "$TMP/console1" "^FETCH: $page"
vm_check "VM1 reached the outside test host" "$TMP/console1" "^OUT: $OUTSIDE_PAGE"
ins=$("$QBOX" net inspect "$net" --json)
check "net inspect shows VM1's bound lease" jqc --arg a "$ip1" \
	'[.leases[] | select(.address == $a and .state == "bound")] | length == 1' <<<"$ins"
check "net inspect lists VM1 as a VM member" jqc --arg s "vm1-$$" \
	'.members[] | select(.sandbox == $s) | .vm' <<<"$ins"

{
	echo "udhcpc -i eth0 -n -q -t 5"
	echo "echo \"PEER: \$(timeout 5 wget -q -O - http://$ip1/)\""
	# names, through the resolver DHCP configured (resolv.conf)
	echo "echo \"SHORT: \$(nslookup vm1-$$ 2>&1 | sed -n 's/^Address: //p')\""
	echo "echo \"LONG: \$(nslookup vm1-$$.$net.qbox.internal 2>&1 | sed -n 's/^Address: //p')\""
	echo "echo \"HOST: \$(nslookup host.qbox.internal 2>&1 | sed -n 's/^Address: //p')\""
	echo "echo \"BYNAME: \$(timeout 5 wget -q -O - http://vm1-$$/)\""
	echo "echo \"FETCH: \$(timeout 5 wget -q -O - http://10.0.2.2:$hport/)\""
	echo "echo \"OUT: \$(timeout 5 wget -q -O - http://$OUTSIDE_IP/)\""
	serve_and_wait vm2-page
} >"$TMP/vm2.sh"
vm_start "$TMP/console2" "$TMP/vm2.sh" --name "vm2-$$" --net "natnet:$net"
vm2=$VM_PID
vm_ready "$TMP/console2" VM2
ip2=$(tr -d '\r' <"$TMP/console2" | sed -n 's/^QBOX-LEASE: eth0 \([0-9.]*\)\/24.*/\1/p')
check "VM2: its own lease ($ip2, VM1 has $ip1)" sh -c "[ -n '$ip2' ] && [ '$ip2' != '$ip1' ]"
vm_check "VM2 fetched from VM1 across the network" "$TMP/console2" "^PEER: vm1-page"
vm_check "VM2 resolves VM1 by its name" "$TMP/console2" "^SHORT: $ip1\$"
vm_check "VM2 resolves VM1 by its long name" "$TMP/console2" "^LONG: $ip1\$"
vm_check "VM2 resolves host.qbox.internal to the host alias" "$TMP/console2" "^HOST: 10\\.0\\.2\\.2\$"
vm_check "VM2 fetches from VM1 by name" "$TMP/console2" "^BYNAME: vm1-page"
vm_check "VM2 reached the host's loopback via 10.0.2.2" "$TMP/console2" "^FETCH: $page"
vm_check "VM2 reached the outside test host" "$TMP/console2" "^OUT: $OUTSIDE_PAGE"

fp=$(free_port)
"$QBOX" fwd -n "natnet:$net" "$fp:$ip1:80"
expect_output "the network's forward reaches VM1" 0 "^vm1-page" curl -sf --max-time 10 "http://127.0.0.1:$fp/"
op=$(free_port)
"$QBOX" fwd -n "natnet:$net" "0.0.0.0:$op:$ip1:80"
expect_output "the outside test host reaches VM1 through a forward on 0.0.0.0" 0 \
	"^rc=0 vm1-page" outside_dial "198.51.100.1:$op/"
expect_output "... not at VM1's address, routed via the host" 0 "^rc=[1-9]" \
	outside_dial "$ip1:80/"
expect_output "exec natnet:NAME reaches VM1 at its lease" 0 "^vm1-page" \
	"$QBOX" exec "natnet:$net" -- busybox wget -q -O - "http://$ip1/"
expect_output "exec natnet:NAME reaches VM2 at its lease" 0 "^vm2-page" \
	"$QBOX" exec "natnet:$net" -- busybox wget -q -O - "http://$ip2/"

# ---- the hub killed under two running VMs -----------------------------------
check "VM1's sandbox has its link to the network (qnv0)" \
	sh -c "'$QBOX' exec 'vm1-$$' -- ip link show qnv0 >/dev/null"
hub=$(hub_pid "$net")
hub_init=$(qbox_init "$hub")
kill -KILL "$hub"
for v in 1 2; do
	check "VM$v's qbox reports the hub's death" wait_for 10 grep -q \
		"^qbox: network '$net' ended (its hub is gone): vm$v-$$'s link to it is down" \
		"$TMP/console$v"
	check "VM$v's link to the network goes" wait_for 10 net_link_gone "vm$v-$$"
done
check "both VMs run on" kill -0 "$vm1" "$vm2"
hub_gone() { proc_ended "$hub" && proc_ended "$hub_init"; }
check "the hub's processes are gone" wait_for 10 hub_gone
check "the hub's runtime files are gone" wait_for 10 \
	sh -c "! ls '$RUNDIR' | grep -q '^net@$net\\.'"
check "no network is listed" test -z "$("$QBOX" net ls --json | jq -r '.[].name')"
"$QBOX" stop "vm1-$$"
"$QBOX" stop "vm2-$$"
wait "$vm1" "$vm2"
no_leftovers "once the VMs stop, nothing is left (processes, sockets, files)" "natnet:$net"
expect_output "the next member starts a fresh hub that reaches the outside" 0 \
	"^$OUTSIDE_PAGE\$" timeout 20 "$QBOX" run --net "natnet:$net" -- \
	busybox wget -q -O- "http://$OUTSIDE_IP/"
expect_output "and the host's loopback" 0 "^$page\$" timeout 20 \
	"$QBOX" run --net "natnet:$net" -- busybox wget -q -O- "http://10.0.2.2:$hport/"

# ---- host-only: a lease from .101, the host's loopback at .1, no outside -------
{
	echo "udhcpc -i eth0 -n -q -t 5"
	echo "echo \"FETCH: \$(timeout 5 wget -q -O - http://192.168.56.1:$hport/)\""
	echo "ip route add default via 192.168.56.1 dev eth0"
	echo "echo \"ROUTE: \$(ip route get $OUTSIDE_IP)\""
	echo "out=\$(timeout 5 wget -q -O - http://$OUTSIDE_IP/hostonly-vm-$$ 2>&1)"
	echo "echo \"OUT: rc=\$? \$out\""
	serve_and_wait vm3-page
} >"$TMP/vm3.sh"
vm_start "$TMP/console3" "$TMP/vm3.sh" --name "vm3-$$" --net "hostonly:h$$"
vm3=$VM_PID
# VM3's lease is reserved for it as it joins: VM4 boots beside it and
# fetches from it there once it serves
r3=$(member_wait "h$$" "vm3-$$" 30)
check "hostonly VM: joins with a lease reserved" test -n "$r3"
cat >"$TMP/vm4.sh" <<EOS
udhcpc -i eth0 -n -q -t 5
i=0
until page=\$(timeout 5 wget -q -O - http://$r3/) || [ \$i -ge 60 ]; do
	sleep 1; i=\$((i + 1))
done
echo "PEER: \$page"
echo "NAME: \$(nslookup vm3-$$ 2>&1 | sed -n 's/^Address: //p')"
echo "OUTNAME: \$(nslookup example.com 2>&1 | grep -c REFUSED)"
EOS
vm_start "$TMP/console4" "$TMP/vm4.sh" --name "vm4-$$" --net "hostonly:h$$"
vm4=$VM_PID
vm_ready "$TMP/console3" VM3
ip3=$(tr -d '\r' <"$TMP/console3" | sed -n 's/^QBOX-LEASE: eth0 \(192\.168\.56\.[0-9]*\)\/24 router  dns 192\.168\.56\.100 domain .*$/\1/p')
check "hostonly VM: lease from 192.168.56.101 on, no router, the network's DNS server ($ip3)" \
	test "${ip3##*.}" -ge 101
check "hostonly VM: the lease reserved for it as it joined ($r3)" test "$ip3" = "$r3"
vm_check "hostonly VM reached the host's loopback via 192.168.56.1" "$TMP/console3" "^FETCH: $page"
vm_check "hostonly VM routes to the outside via 192.168.56.1" "$TMP/console3" \
	"^ROUTE: $OUTSIDE_IP via 192\\.168\\.56\\.1 dev eth0"
vm_check "hostonly VM does not reach the outside test host" "$TMP/console3" \
	"^OUT: rc=[1-9][0-9]* (wget: .*)?$"
check "the outside test host never saw its request" \
	test "$(outside_hits "hostonly-vm-$$")" -eq 0
expect_output "exec hostonly:NAME reaches the VM at its lease" 0 "^vm3-page" \
	"$QBOX" exec "hostonly:h$$" -- busybox wget -q -O - "http://$ip3/"
expect_output "the outside test host does not reach it at its lease, routed via the host" \
	0 "^rc=[1-9]" outside_dial "$ip3:80/"
wait "$vm4"
ip4=$(tr -d '\r' <"$TMP/console4" | sed -n 's/^QBOX-LEASE: eth0 \(192\.168\.56\.[0-9]*\)\/24 router  dns 192\.168\.56\.100 domain .*$/\1/p')
check "a second hostonly VM: its own lease from .101 on ($ip4, VM3 has $ip3)" \
	sh -c "[ '${ip4##*.}' -ge 101 ] 2>/dev/null && [ '$ip4' != '$ip3' ]"
vm_check "the second hostonly VM fetched from VM3 across the network" "$TMP/console4" "^PEER: vm3-page"
vm_check "the second hostonly VM resolves VM3 by name" "$TMP/console4" "^NAME: $ip3\$"
vm_check "... but no outside name (refused, not forwarded)" "$TMP/console4" "^OUTNAME: [1-9]"
"$QBOX" stop "vm3-$$"
wait "$vm3"
check "the hub ends with its last member" wait_for 10 net_gone "h$$"
no_leftovers "nothing left behind" "natnet:$net"
