#!/usr/bin/env bash
# --net bridged:TAPDEV with a real VM, next to a nat NIC.
#
# As root the test plays the administrator, in namespaces of its own
# (never the host's): in "lan" a TAP owned by nobody, enslaved to a bridge
# with a veth to "peer", a test host at 198.51.100.2 running a web server;
# the bridge itself holds 198.51.100.1, "lan"'s own address on the LAN,
# with a web server of its own. qbox runs as nobody inside "lan", so "lan"
# is the VM's host. The guest takes 198.51.100.10/24 on its bridged NIC,
# fetches the host's page and the test host's (VM to host, VM to outside);
# the host fetches the guest's page and the test host connects to the
# guest (host to VM, outside to VM), which is how the LAN sees the VM's
# MAC.
#
# Any user: a bridged NIC that cannot be had stops qbox before QEMU
# starts, with status 2 and nothing left behind.
. "$(dirname "$0")/../lib.sh"

# QEMU writes its pidfile as it starts: none means it never did
missing=qbe$$
expect_output "missing TAP: status 2, device and the administrator's command named" 2 \
	"^qbox: --net bridged:$missing: no such device; an administrator creates it with: ip tuntap add dev $missing mode tap user $(id -un)\$" \
	timeout 60 "$QBOX" run --net nat --net bridged:$missing -- qemu-system-x86_64 \
	-accel tcg -display none -pidfile "$TMP/qemu1.pid" -name bridged-$$
expect_output "lo is no TAP: status 2, said so" 2 \
	"^qbox: --net bridged:lo: lo is the loopback device, not a TAP device" \
	timeout 60 "$QBOX" run --net bridged:lo -- qemu-system-x86_64 -accel tcg \
	-display none -pidfile "$TMP/qemu2.pid" -name bridged-$$
no_pidfile() { [ ! -e "$TMP/qemu1.pid" ] && [ ! -e "$TMP/qemu2.pid" ]; }
check "QEMU never started" no_pidfile
no_leftovers "nothing left behind by the refused runs" "bridged-$$"

[ "$(id -u)" -eq 0 ] || exit 0

# ---- the administrator's side ------------------------------------------
lan=qbx-lan-$$
peer=qbx-peer-$$
test_netns "$lan"
test_netns "$peer"
ip -n "$lan" tuntap add dev qtapE mode tap user 65534
ip -n "$lan" link add qbrE type bridge
ip -n "$lan" link set qtapE master qbrE up
ip -n "$lan" link add vlan type veth peer name vpeer netns "$peer"
ip -n "$lan" link set vlan master qbrE up
ip -n "$lan" link set qbrE up
ip -n "$lan" addr add 198.51.100.1/24 dev qbrE
ip -n "$peer" addr add 198.51.100.2/24 dev vpeer
ip -n "$peer" link set vpeer up
mkdir -p "$TMP/lanwww" && echo "lan-page-$$" >"$TMP/lanwww/index.html"
start_bg ip netns exec "$peer" busybox httpd -f -p 198.51.100.2:8080 -h "$TMP/lanwww"
mkdir -p "$TMP/hostwww" && echo "host-page-$$" >"$TMP/hostwww/index.html"
start_bg ip netns exec "$lan" busybox httpd -f -p 198.51.100.1:8080 -h "$TMP/hostwww"

# ---- the user's side: nobody, in the namespace with the TAP -------------
QBOX=$(qbox_for_nobody)
xn=$(rundir_for_nobody)
VM_AS=(ip netns exec "$lan" setpriv --reuid 65534 --regid 65534
       --clear-groups env HOME=/ XDG_RUNTIME_DIR="$xn")
mac=52:54:00:be:ef:01
cat >"$TMP/guest.sh" <<EOS
udhcpc -i eth0 -n -q -t 5
echo "MAC1: \$(cat /sys/class/net/eth1/address)"
ip addr add 198.51.100.10/24 dev eth1
ip link set eth1 up
i=0
until page=\$(timeout 5 wget -q -O - http://198.51.100.2:8080/) || [ \$i -ge 10 ]; do
	sleep 1; i=\$((i + 1))
done
echo "LAN: \$page"
echo "HOST: \$(timeout 5 wget -q -O - http://198.51.100.1:8080/)"
httpd -p 80 -h /www
echo QBOX-LAN-LISTEN
echo "FROM-LAN: \$(timeout 40 nc -l -p 7777)"
EOS
vm_start "$TMP/console" "$TMP/guest.sh" --name "br-e2e-$$" --net nat \
	--net "bridged:qtapE,mac=$mac"
if vm_wait_line "$TMP/console" QBOX-LAN-LISTEN 70; then
	js=$("${VM_AS[@]}" "$QBOX" ps --json)
	check "ps --json, as nobody: the bridged NIC, its device, MAC and cable" \
		grep -q "{\"index\":1,\"mode\":\"bridged\",\"device\":\"qtapE\",\"mac\":\"$mac\",\"link_up\":true}" <<<"$js"
	say_hello() {
		echo "hello-$$" | ip netns exec "$peer" socat -u - TCP:198.51.100.10:7777,connect-timeout=2
	}
	expect_output "the host fetches the guest's page over the bridge (host to VM)" 0 \
		"QBOX-WWW-OK" ip netns exec "$lan" timeout 10 busybox wget -q -O - http://198.51.100.10/
	check "the test host connects to the guest (outside to VM)" wait_for 15 say_hello
else
	fail "the guest never listened:"
	console_text "$TMP/console" | sed 's/^/      | /'
fi
wait "$VM_PID"
rc=$?
check "qbox exits 0 when the guest powers off ($rc)" test "$rc" -eq 0
vm_check "the nat NIC beside it still gets its lease" "$TMP/console" \
	"QBOX-LEASE: eth0 10\\.0\\.2\\.15/24 router 10\\.0\\.2\\.2"
vm_check "the bridged NIC has its mac=" "$TMP/console" "^MAC1: $mac\$"
vm_check "the guest fetched the test host's page over the bridge (VM to outside)" \
	"$TMP/console" "^LAN: lan-page-$$\$"
vm_check "the guest got the test host's line" "$TMP/console" "^FROM-LAN: hello-$$\$"
vm_check "the guest fetched the host's page over the bridge (VM to host)" \
	"$TMP/console" "^HOST: host-page-$$\$"
neigh() { ip -n "$peer" neigh show 198.51.100.10 | grep -q "lladdr $mac"; }
check "the LAN knows the guest by its MAC" neigh
owned() { ip -n "$lan" -d link show qtapE | grep -q 'persist on user nobody'; }
check "the TAP outlives the run, still nobody's" owned
check "nothing of nobody's left running" not pgrep -u 65534 -f "br-e2e-$$"
check "nothing left in nobody's runtime directory" \
	test -z "$(ls -A "$xn/qbox" 2>/dev/null)"
