#!/usr/bin/env bash
# Anti-spoofing, with real guests. On a NAT network, VM1 (the victim)
# serves a page and learns the gateway's MAC; VM2 (the attacker) then
# changes its MAC (reaching neither the host alias nor VM1), restores it
# (reaching both), takes another address on the subnet (reaching nothing),
# restores it, and sends gratuitous ARP requests and replies claiming the
# gateway's address and VM1's. VM1 still has the gateway's true MAC and
# reaches the host, and the network's forward still reaches VM1 (the hub
# was not poisoned either). Then one VM in NAT mode: the same changes of
# MAC and address, and its forward working once they are undone.
. "$(dirname "$0")/../lib.sh"

hport=$(free_port)
http_server "$hport"
page=$(cat "$TMP/www/index.html")
net=asp$$
# VM1 waits for the whole of VM2's boot and attacks
export QBOX_VM_TIMEOUT=170

# the attacker's moves, shared by both parts: $1 names what to fetch
# (URLs), printed as TAG: RESULT lines
cat >"$TMP/moves.sh" <<'EOS'
fetch() {	# TAG URL...: the first page fetched, or nothing
	tag=$1
	shift
	for u in "$@"; do
		echo "$tag $u: $(timeout 4 wget -q -O - "$u")"
	done
}
me=$(ip -4 -o addr show dev eth0 | sed -n 's/.* inet \([0-9.]*\)\/.*/\1/p')
mac=$(cat /sys/class/net/eth0/address)
fetch BASE "$@"
ip link set eth0 address 52:54:00:de:ad:01
fetch NEWMAC "$@"
ip link set eth0 address "$mac"
fetch OLDMAC "$@"
# another address: none the lease or a URL names (the lease is a hash
# of a random MAC, so any fixed choice is sometimes the guest's own)
for c in 200 201 202; do
	case " $me $* " in *" 10.0.2.$c "* | *"/10.0.2.$c/"* | *"/10.0.2.$c:"*) ;;
	*) other=10.0.2.$c; break ;;
	esac
done
ip addr del "$me/24" dev eth0
ip addr add "$other/24" dev eth0
ip route replace default via 10.0.2.2 dev eth0
fetch NEWIP "$@"
ip addr del "$other/24" dev eth0
ip addr add "$me/24" dev eth0
ip route replace default via 10.0.2.2 dev eth0
fetch OLDIP "$@"
EOS

cat >"$TMP/vm1.sh" <<EOS
udhcpc -i eth0 -n -q -t 5
mkdir -p /www && echo "vm1-page" >/www/index.html
httpd -p 80 -h /www
echo "V-BEFORE: \$(timeout 5 wget -q -O - http://10.0.2.2:$hport/)"
echo "V-GWMAC: \$(ip neigh show 10.0.2.2 dev eth0 | sed -n 's/.*lladdr \([0-9a-f:]*\).*/\1/p')"
echo QBOX-READY
echo "V-SIGNAL: \$(timeout 150 nc -l -p 81)"
echo "V-GWMAC-AFTER: \$(ip neigh show 10.0.2.2 dev eth0 | sed -n 's/.*lladdr \([0-9a-f:]*\).*/\1/p')"
echo "V-AFTER: \$(timeout 5 wget -q -O - http://10.0.2.2:$hport/)"
echo V-DONE
sleep 30
EOS
vm_start "$TMP/console1" "$TMP/vm1.sh" --name "as1-$$" --net "natnet:$net"
vm1=$VM_PID
vm_ready "$TMP/console1" VM1
ip1=$(console_text "$TMP/console1" | sed -n 's/^QBOX-LEASE: eth0 \([0-9.]*\)\/24.*/\1/p')
gwmac=$(console_text "$TMP/console1" | sed -n 's/^V-GWMAC: //p')
vm_check "VM1 reaches the host alias" "$TMP/console1" "^V-BEFORE: $page"
check "VM1 knows the gateway's MAC ($gwmac)" grep -qE '^([0-9a-f]{2}:){5}[0-9a-f]{2}$' <<<"$gwmac"
# the hub learns VM1's MAC now, so a poisoning would overwrite it
fp=$(free_port)
"$QBOX" fwd -n "natnet:$net" "$fp:$ip1:80" >/dev/null
expect_output "the network's forward reaches VM1" 0 "^vm1-page" \
	curl -sf --max-time 10 "http://127.0.0.1:$fp/"

host=http://10.0.2.2:$hport/
peer=http://$ip1/
{
	echo 'udhcpc -i eth0 -n -q -t 5'
	echo "set -- $host $peer"
	cat "$TMP/moves.sh"
	# gratuitous ARP (requests, then replies) claiming the gateway and VM1
	echo 'sysctl -w net.ipv4.ip_nonlocal_bind=1 >/dev/null'
	for a in 10.0.2.2 "$ip1"; do
		echo "arping -U -c 2 -I eth0 -s $a $a >/dev/null 2>&1"
		echo "arping -A -c 2 -I eth0 -s $a $a >/dev/null 2>&1"
	done
	echo 'echo ATTACKS-DONE'
	echo "echo attacker-done | nc $ip1 81"
} >"$TMP/vm2.sh"
vm_run "$TMP/console2" "$TMP/vm2.sh" --name "as2-$$" --net "natnet:$net"
vm_check "attacker: reaches the host and VM1 at first" "$TMP/console2" "^BASE $host: $page"
vm_check "attacker: reaches VM1 at first" "$TMP/console2" "^BASE $peer: vm1-page"
vm_check "attacker with another MAC: the host alias is unreachable" "$TMP/console2" "^NEWMAC $host: \$"
vm_check "attacker with another MAC: VM1 is unreachable" "$TMP/console2" "^NEWMAC $peer: \$"
vm_check "attacker with its MAC back: the host alias again" "$TMP/console2" "^OLDMAC $host: $page"
vm_check "attacker with its MAC back: VM1 again" "$TMP/console2" "^OLDMAC $peer: vm1-page"
vm_check "attacker with another address: the host alias is unreachable" "$TMP/console2" "^NEWIP $host: \$"
vm_check "attacker with another address: VM1 is unreachable" "$TMP/console2" "^NEWIP $peer: \$"
vm_check "attacker with its address back: the host alias again" "$TMP/console2" "^OLDIP $host: $page"
vm_check "attacker with its address back: VM1 again" "$TMP/console2" "^OLDIP $peer: vm1-page"
vm_check "attacker sent its gratuitous ARP" "$TMP/console2" "^ATTACKS-DONE"

if vm_wait_line "$TMP/console1" V-DONE 30; then
	vm_check "VM1 heard the attacker finish" "$TMP/console1" "^V-SIGNAL: attacker-done"
	vm_check "VM1 still has the gateway's true MAC" "$TMP/console1" "^V-GWMAC-AFTER: $gwmac\$"
	vm_check "VM1 still reaches the host alias" "$TMP/console1" "^V-AFTER: $page"
	expect_output "the hub still reaches VM1 at its address (not poisoned)" 0 \
		"^vm1-page" curl -sf --max-time 10 "http://127.0.0.1:$fp/"
else
	fail "VM1 did not finish after the attack"
	console_text "$TMP/console1" | sed 's/^/      | /'
fi
"$QBOX" stop "as1-$$"
wait "$vm1"
check "the hub ends with its last member" wait_for 10 net_gone "$net"

# NAT mode: one VM, its own slirp; the forward shows the VM usable after
export QBOX_VM_TIMEOUT=90
fport=$(free_port)
{
	echo 'udhcpc -i eth0 -n -q -t 5'
	echo "set -- $host"
	cat "$TMP/moves.sh"
	echo 'mkdir -p /www && echo nat-page >/www/index.html && httpd -p 80 -h /www'
	echo 'echo QBOX-READY'
	echo 'sleep 30'
} >"$TMP/vm3.sh"
vm_start "$TMP/console3" "$TMP/vm3.sh" --name "as3-$$" --fwd "$fport:80"
vm3=$VM_PID
if vm_wait_line "$TMP/console3" QBOX-READY 90; then
	vm_check "NAT: reaches the host alias at first" "$TMP/console3" "^BASE $host: $page"
	vm_check "NAT: with another MAC, the host alias is unreachable" "$TMP/console3" "^NEWMAC $host: \$"
	vm_check "NAT: with its MAC back, the host alias again" "$TMP/console3" "^OLDMAC $host: $page"
	vm_check "NAT: with another address, the host alias is unreachable" "$TMP/console3" "^NEWIP $host: \$"
	vm_check "NAT: with its address back, the host alias again" "$TMP/console3" "^OLDIP $host: $page"
	expect_output "NAT: the forward reaches the VM after all that" 0 "^nat-page" \
		curl -sf --max-time 10 "http://127.0.0.1:$fport/"
else
	fail "NAT VM never got ready"
	console_text "$TMP/console3" | sed 's/^/      | /'
fi
"$QBOX" stop "as3-$$"
wait "$vm3"
no_leftovers "nothing left behind" "as[123]-$$"
