#!/usr/bin/env bash
# A plain qemu, not run by qbox, joins a named network through its generic
# socket: `-netdev stream` to the path `qbox net socket` prints. It gets a
# lease from the hub's DHCP, fetches from a command member's server, from
# a VM member's (a qbox-run VM booting beside it) and from the host's
# loopback via 10.0.2.2, shows in net inspect as a member
# of kind socket, and reaches nothing from an address it chose itself (the
# hub's anti-spoofing rules); `qbox nc` and `qbox exec` on the network
# reach its own server. When it powers off, its member and TAP go; the hub ends with
# the last member.
. "$(dirname "$0")/../lib.sh"

hport=$(free_port)
http_server "$hport"
page=$(cat "$TMP/www/index.html")
net=sv$$
mac=52:54:00:5e:00:01
member_httpd "$net"
qsrv=$MEMBER_PID
A=$MEMBER_ADDR
P=$("$QBOX" net socket "natnet:$net")

# a VM member, serving once booted; its lease is reserved as it joins
cat >"$TMP/member.sh" <<EOS
udhcpc -i eth0 -n -q -t 5
mkdir -p /www && echo "vm-member-$$" >/www/index.html
httpd -p 80 -h /www
echo QBOX-READY
sleep 120
EOS
vm_start "$TMP/console-m" "$TMP/member.sh" --name "vmm-$$" --net "natnet:$net"
vmm=$VM_PID
V=$(member_wait "$net" "vmm-$$" 30)
check "a VM member joins, its lease reserved" test -n "$V"

cat >"$TMP/guest.sh" <<EOS
udhcpc -i eth0 -n -q -t 5
echo "MEMBER: \$(timeout 5 wget -q -O - http://$A:8080/)"
i=0
until vm=\$(timeout 5 wget -q -O - http://$V/) || [ \$i -ge 60 ]; do
	sleep 1; i=\$((i + 1))
done
echo "VM-MEMBER: \$vm"
echo "FETCH: \$(timeout 5 wget -q -O - http://10.0.2.2:$hport/)"
# another address than the lease: the hub's rules drop what it sends
ip addr flush dev eth0 && ip addr add 10.0.2.250/24 dev eth0
echo "SPOOF: \$(timeout 5 wget -q -O - http://$A:8080/)"
udhcpc -i eth0 -n -q -t 5
echo "AGAIN: \$(timeout 5 wget -q -O - http://$A:8080/)"
httpd -p 80 -h /www
echo QBOX-READY
sleep 90
EOS
plain_qemu "$TMP/console" "$TMP/guest.sh" \
	"stream,id=n0,server=off,addr.type=unix,addr.path=$P" "$mac"
vm=$PLAIN_PID
wait_for 100 sh -c "grep -q QBOX-READY '$TMP/console' || ! kill -0 $vm 2>/dev/null"
if ! grep -q QBOX-READY "$TMP/console"; then
	fail "the plain qemu never got ready"
	sed 's/^/      | /' "$TMP/console"
	# what the network made of it: its members, and its DHCP server's log
	"$QBOX" net inspect "$net" 2>&1 | sed 's/^/      net | /'
	tail -n 40 "$RUNDIR/net@$net.dns/log" 2>&1 | sed 's/^/      dnsmasq | /'
	kill -KILL "$vm" 2>/dev/null
	exit 1
fi
qemu=$(pgrep -P "$vm" qemu-system)
ip=$(tr -d '\r' <"$TMP/console" | sed -n 's/^QBOX-LEASE: eth0 \([0-9.]*\)\/24 router 10\.0\.2\.2 dns 10\.0\.2\.1 domain .*/\1/p' | head -n 1)
check "plain qemu: a lease from the hub's DHCP, router .2, the network's DNS server .1 ($ip)" \
	grep -qE '^10\.0\.2\.[0-9]+$' <<<"$ip"
vm_check "plain qemu fetched from the command member at $A" "$TMP/console" "^MEMBER: member-$$"
vm_check "plain qemu fetched from the VM member at $V" "$TMP/console" "^VM-MEMBER: vm-member-$$"
vm_check "the VM member leased the address reserved for it" "$TMP/console-m" \
	"^QBOX-LEASE: eth0 $V/24 "
"$QBOX" stop "vmm-$$"
wait "$vmm"
vm_check "plain qemu reached the host's loopback via 10.0.2.2" "$TMP/console" "^FETCH: $page"
vm_check "from an address it chose itself, it reaches nothing" "$TMP/console" "^SPOOF: *\$"
vm_check "back on its lease, it does again" "$TMP/console" "^AGAIN: member-$$"
ins=$("$QBOX" net inspect "$net" --json)
check "net inspect: qemu (pid $qemu) is a member of kind socket with its MAC" jqc \
	--arg m "$mac" --argjson p "${qemu:-0}" \
	'[.members[] | select(.kind == "socket" and .mac == $m and .pid == $p and (.command | startswith("qemu-system")))] | length == 1' <<<"$ins"
check "net inspect: its lease is bound" jqc --arg m "$mac" --arg a "$ip" \
	'[.leases[] | select(.mac == $m and .address == $a and .state == "bound")] | length == 1' <<<"$ins"
expect_output "qbox nc natnet:NAME reaches the plain qemu's server" 0 "QBOX-WWW-OK" \
	sh -c "printf 'GET / HTTP/1.0\\r\\n\\r\\n' | timeout 20 '$QBOX' nc natnet:$net $ip 80"
expect_output "qbox exec natnet:NAME reaches it too" 0 "QBOX-WWW-OK" \
	timeout 20 "$QBOX" exec "natnet:$net" -- busybox wget -q -O - "http://$ip/"
tap=$(jq -r '.members[] | select(.kind == "socket") | .tap' <<<"$ins")
kill -TERM "$qemu"
wait "$vm"
no_socket_member() {
	"$QBOX" net inspect "$net" --json | jqc '[.members[] | select(.kind == "socket")] | length == 0'
}
check "qemu gone: its member leaves" wait_for 10 no_socket_member
check "... and its TAP $tap" sh -c "! '$QBOX' exec natnet:$net -- ip -o link show | grep -q ': $tap:'"
kill -TERM "$qsrv"
wait "$qsrv"
check "the hub ends with its last member" wait_for 10 net_gone "$net"
check "the socket file goes with it" test ! -e "$P"
sleep 0.5
no_leftovers "nothing left behind" "natnet:$net|$TMP/guest"
