#!/usr/bin/env bash
# --net udp: against a peer nobody here wrote: a plain qemu, not run by
# qbox, whose `-netdev dgram` is the tunnel's far end (VirtualBox's UDP
# tunnel speaks the same: Ethernet frames in UDP datagrams). A qbox VM and
# the plain qemu's guest, each on an address of its own choosing, fetch
# from each other's server; the qbox VM's guest, its MAC changed, reaches
# nothing (the anti-spoofing chain on its TAP holds it to its MAC), and
# back on its own it does again.
. "$(dirname "$0")/../lib.sh"

pq=$(free_port)	# the plain qemu's end
pb=$(free_port)	# qbox's end

cat >"$TMP/qbox-guest.sh" <<EOS
ip link set eth0 up && ip addr add 10.81.0.1/24 dev eth0
mkdir -p /www && echo "qbox-vm-$$" >/www/index.html
httpd -p 80 -h /www
i=0
until far=\$(timeout 5 wget -q -O - http://10.81.0.2/) || [ \$i -ge 60 ]; do
	sleep 1; i=\$((i + 1))
done
echo "FAR: \$far"
mac=\$(cat /sys/class/net/eth0/address)
ip link set eth0 down && ip link set eth0 address 52:54:00:66:66:66 && ip link set eth0 up
ip neigh flush dev eth0
echo "SPOOF: \$(timeout 5 wget -q -O - http://10.81.0.2/)"
ip link set eth0 down && ip link set eth0 address \$mac && ip link set eth0 up
ip neigh flush dev eth0
echo "AGAIN: \$(timeout 10 wget -q -O - http://10.81.0.2/)"
echo QBOX-READY
sleep 60
EOS
vm_start "$TMP/console-q" "$TMP/qbox-guest.sh" --name "uv-$$" \
	--net "udp:$pb:127.0.0.1:$pq"
qvm=$VM_PID

cat >"$TMP/plain-guest.sh" <<EOS
ip link set eth0 up && ip addr add 10.81.0.2/24 dev eth0
mkdir -p /www && echo "plain-vm-$$" >/www/index.html
httpd -p 80 -h /www
i=0
until near=\$(timeout 5 wget -q -O - http://10.81.0.1/) || [ \$i -ge 60 ]; do
	sleep 1; i=\$((i + 1))
done
echo "NEAR: \$near"
echo PLAIN-READY
sleep 90
EOS
plain_qemu "$TMP/console-p" "$TMP/plain-guest.sh" \
	"dgram,id=n0,local.type=inet,local.host=127.0.0.1,local.port=$pq,remote.type=inet,remote.host=127.0.0.1,remote.port=$pb" \
	52:54:00:5e:00:02 150
pvm=$PLAIN_PID

vm_ready "$TMP/console-q" "the qbox VM"
check "the plain qemu got ready" vm_wait_line "$TMP/console-p" PLAIN-READY 60
vm_check "the plain qemu's guest fetched from the qbox VM over the tunnel" \
	"$TMP/console-p" "^NEAR: qbox-vm-$$"
vm_check "the qbox VM fetched from the plain qemu's guest" \
	"$TMP/console-q" "^FAR: plain-vm-$$"
vm_check "from another MAC, the qbox VM reaches nothing" \
	"$TMP/console-q" "^SPOOF: *\$"
vm_check "back on its own MAC, it does again" \
	"$TMP/console-q" "^AGAIN: plain-vm-$$"
check "ps --json: the NIC's plug is up, its locator libvdeplug's" bash -c \
	"'$QBOX' ps --json | jq -e '.[] | select(.name == \"uv-$$\") | .nics[0] |
		.mode == \"vde\" and .plug.up and
		.locator == \"udp://$pb->127.0.0.1:$pq\"' >/dev/null"
"$QBOX" stop "uv-$$" >/dev/null 2>&1
wait "$qvm"
# the plain qemu: timeout's child
pkill -KILL -P "$pvm" 2>/dev/null
wait "$pvm" 2>/dev/null
no_leftovers "nothing left behind" "uv-$$|qbox-vde|$TMP/plain-guest"
