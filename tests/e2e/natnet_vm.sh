#!/usr/bin/env bash
# Two VMs on one NAT network: distinct DHCP leases from the hub's server,
# VM2 fetches from VM1 across the segment, both reach the host's loopback
# via 10.0.2.2; the hub's forward and `qbox exec natnet:NAME` reach VM1;
# the leases show in `qbox net inspect`. Then a VM on a host-only network.
. "$(dirname "$0")/../lib.sh"

hport=$(free_port)
http_server "$hport"
page=$(cat "$TMP/www/index.html")
net=vmn$$
jqe() { jq -e "$@" >/dev/null; }

cat >"$TMP/vm1.sh" <<EOS
udhcpc -i eth0 -n -q -t 5
echo "FETCH: \$(timeout 5 wget -q -O - http://10.0.2.2:$hport/)"
mkdir -p /www && echo "vm1-page" >/www/index.html
httpd -p 80 -h /www
echo QBOX-READY
sleep 90
EOS
vm_start "$TMP/console1" "$TMP/vm1.sh" --name "vm1-$$" --net "natnet:$net"
vm1=$VM_PID
if ! vm_wait_line "$TMP/console1" QBOX-READY 90; then
	fail "VM1 never got ready"
	sed 's/^/      | /' "$TMP/console1"
	kill -KILL "$vm1"
	exit 1
fi
ip1=$(tr -d '\r' <"$TMP/console1" | sed -n 's/^QBOX-LEASE: eth0 \([0-9.]*\)\/24 router 10\.0\.2\.2 dns 10\.0\.2\.3.*/\1/p')
check "VM1: lease in 10.0.2.0/24 with router .2 and DNS .3 ($ip1)" grep -qE '^10\.0\.2\.[0-9]+$' <<<"$ip1"
vm_check "VM1 reached the host's loopback via 10.0.2.2" "$TMP/console1" "^FETCH: $page"
ins=$("$QBOX" net inspect "$net" --json)
check "net inspect shows VM1's bound lease" jqe --arg a "$ip1" \
	'[.leases[] | select(.address == $a and .state == "bound")] | length == 1' <<<"$ins"
check "net inspect lists VM1 as a VM member" jqe --arg s "vm1-$$" \
	'.members[] | select(.sandbox == $s) | .vm' <<<"$ins"

cat >"$TMP/vm2.sh" <<EOS
udhcpc -i eth0 -n -q -t 5
echo "PEER: \$(timeout 5 wget -q -O - http://$ip1/)"
echo "FETCH: \$(timeout 5 wget -q -O - http://10.0.2.2:$hport/)"
EOS
vm_run "$TMP/console2" "$TMP/vm2.sh" --name "vm2-$$" --net "natnet:$net"
ip2=$(tr -d '\r' <"$TMP/console2" | sed -n 's/^QBOX-LEASE: eth0 \([0-9.]*\)\/24.*/\1/p')
check "VM2: its own lease ($ip2, VM1 has $ip1)" sh -c "[ -n '$ip2' ] && [ '$ip2' != '$ip1' ]"
vm_check "VM2 fetched from VM1 across the network" "$TMP/console2" "^PEER: vm1-page"
vm_check "VM2 reached the host's loopback via 10.0.2.2" "$TMP/console2" "^FETCH: $page"

fp=$(free_port)
"$QBOX" fwd -n "natnet:$net" "$fp:$ip1:80"
expect_output "the network's forward reaches VM1" 0 "^vm1-page" curl -sf --max-time 10 "http://127.0.0.1:$fp/"
expect_output "exec natnet:NAME reaches VM1 at its lease" 0 "^vm1-page" \
	"$QBOX" exec "natnet:$net" -- busybox wget -q -O - "http://$ip1/"
"$QBOX" stop "vm1-$$"
wait "$vm1"
check "the hub ends with its last member" wait_for 10 sh -c "! '$QBOX' net ls | grep -q '^$net '"

# host-only: a lease from .101, the host's loopback at .1
cat >"$TMP/vm3.sh" <<EOS
udhcpc -i eth0 -n -q -t 5
echo "FETCH: \$(timeout 5 wget -q -O - http://192.168.56.1:$hport/)"
EOS
vm_run "$TMP/console3" "$TMP/vm3.sh" --name "vm3-$$" --net "hostonly:h$$"
ip3=$(tr -d '\r' <"$TMP/console3" | sed -n 's/^QBOX-LEASE: eth0 192\.168\.56\.\([0-9]*\)\/24 router  dns *$/\1/p')
check "hostonly VM: lease from 192.168.56.101 on, no router, no DNS (.$ip3)" \
	test "${ip3:-0}" -ge 101
vm_check "hostonly VM reached the host's loopback via 192.168.56.1" "$TMP/console3" "^FETCH: $page"
no_leftovers "nothing left behind" "natnet:$net"
