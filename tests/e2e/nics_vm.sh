#!/usr/bin/env bash
# Several NAT NICs: each its own slirp instance and subnet (10.0.2.0/24,
# 10.0.3.0/24, or subnet=), each reaching the host through its own gateway.
# A user's own -device naming netdev=qbox0 gets only the -netdev from qbox.
. "$(dirname "$0")/../lib.sh"

hport=$(free_port)
http_server "$hport"
page=$(cat "$TMP/www/index.html")

cat >"$TMP/guest.sh" <<EOS
for i in eth0 eth1 eth2; do udhcpc -i \$i -n -q -t 5; done
echo "FETCH1: \$(timeout 5 wget -q -O - http://10.0.3.2:$hport/)"
echo "FETCH2: \$(timeout 5 wget -q -O - http://10.0.9.2:$hport/)"
EOS
vm_run "$TMP/console" "$TMP/guest.sh" --net nat --net nat --net nat,subnet=10.0.9.0/24
vm_check "NIC 0 leases 10.0.2.15" "$TMP/console" "QBOX-LEASE: eth0 10\\.0\\.2\\.15/24 router 10\\.0\\.2\\.2"
vm_check "NIC 1 leases 10.0.3.15" "$TMP/console" "QBOX-LEASE: eth1 10\\.0\\.3\\.15/24 router 10\\.0\\.3\\.2"
vm_check "NIC 2 (subnet=) leases 10.0.9.15" "$TMP/console" "QBOX-LEASE: eth2 10\\.0\\.9\\.15/24 router 10\\.0\\.9\\.2 dns 10\\.0\\.9\\.3"
vm_check "host reached through NIC 1's gateway" "$TMP/console" "^FETCH1: $page"
vm_check "host reached through NIC 2's gateway" "$TMP/console" "^FETCH2: $page"

cat >"$TMP/own.sh" <<'EOS'
cat /sys/class/net/eth0/address
udhcpc -i eth0 -n -q -t 5
EOS
vm_run "$TMP/console2" "$TMP/own.sh" --- -device virtio-net-pci,netdev=qbox0,romfile=,mac=52:54:00:0b:0b:0b
vm_check "user's own -device netdev=qbox0 is used as given" "$TMP/console2" "^52:54:00:0b:0b:0b"
vm_check "and gets its lease" "$TMP/console2" "QBOX-LEASE: eth0 10\\.0\\.2\\.15/24"
no_leftovers "nothing left behind" "qemu-system"
