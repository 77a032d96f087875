#!/usr/bin/env bash
# Anti-spoofing rules, read from the sandbox with nft (entering its user
# and network namespaces as their owner may: tests/helpers/netns-caps.c):
# a VM's NAT NIC gets the full chain for its MAC and lease (and, for
# IPv6, a set of its own that binds the addresses it sends from first:
# 16 at most, never the NAT's own), a VM on a
# network with DHCP the address the hub reserved for it, a VM on an
# internal network without DHCP the MAC checks alone; a user's own -device
# mac= is the MAC checked; a command payload with NAT alone gets none; a
# command member of a network gets the chain on its veth's egress. The
# payload can neither read nor change them, and a second member with a MAC
# already on the network is refused. (`--vm` with `sh -c` stands in for
# QEMU: it gets the TAP; tests/e2e/antispoof_vm.sh sends spoofed frames
# from real guests.) A command member cannot forge frames for want of
# capabilities (no raw or packet socket, no new MAC or address, checked
# under a policy that allows every call), and what it can forge without
# them (IPv6 from any source with IPV6_FREEBIND, DHCP for made-up MACs
# from a UDP socket: tests/helpers/forge.py) its chain drops.
. "$(dirname "$0")/../lib.sh"

jqr() { jq -r "$@"; }
net=asn$$
NFT=$(PATH=$PATH:/usr/sbin:/sbin command -v nft)	# a plain user's PATH lacks sbin
# rules SANDBOX-PID : the ruleset of the running `qbox run` SANDBOX-PID
rules() {
	"$HELPERS/netns-caps" "$(qbox_init "$1")" "$NFT" list ruleset
}
# hexmac MAC : as nft prints a 6-byte payload, 0x525400...
hexmac() { echo "0x${1//:/}"; }
# hexip A.B.C.D : as nft prints a 4-byte payload (leading zeros dropped)
hexip() {
	local IFS=.
	set -- $1
	printf '0x%x\n' $((($1 << 24) | ($2 << 16) | ($3 << 8) | $4))
}
# mac_of NAME : the first NIC's MAC, from ps --json
mac_of() { "$QBOX" ps --json | jqr --arg n "$1" '.[] | select(.name == $n) | .nics[0].mac'; }

# ---- NAT: the VM's MAC and its lease, 10.0.2.15 --------------------------
start_bg "$QBOX" run --vm --name "asa-$$" -- sh -c 'sleep 60'
qa=$BG_PID
"$QBOX" wait "asa-$$" --timeout 20 >/dev/null
out=$(rules "$qa" 2>&1)
mac=$(mac_of "asa-$$")
check "NAT VM: chain qvm0 on the TAP's ingress, policy drop" \
	grep -q 'type filter hook ingress device "qvm0" priority filter; policy drop;' <<<"$out"
check "NAT VM: frames from any other MAC than $mac are dropped" \
	grep -qE "^\s*@ll,48,48 != $(hexmac "$mac") drop comment \"qbox: not the VM's MAC\"" <<<"$out"
check "NAT VM: ARP only from the MAC and 10.0.2.15" \
	grep -qE "@nh,64,48 $(hexmac "$mac") @nh,112,32 $(hexip 10.0.2.15) accept comment \"qbox: ARP from the VM's address\"" <<<"$out"
check "NAT VM: IPv4 only from 10.0.2.15" \
	grep -qE "@nh,96,32 $(hexip 10.0.2.15) accept comment \"qbox: IPv4 from the VM's address\"" <<<"$out"
check "NAT VM: DHCP requests only for its own MAC (BOOTP chaddr)" \
	grep -qE "@th,288,48 != $(hexmac "$mac") drop comment \"qbox: DHCP for another MAC\"" <<<"$out"
check "NAT VM: IPv6 by a set of its own, 16 addresses, each 10 minutes unused" \
	grep -qzE 'set qvm0-v6 \{[^}]*type ipv6_addr[^}]*size 16[^}]*flags dynamic,timeout[^}]*timeout 10m' <<<"$out"
check "NAT VM: a source of the /64 goes into it, unless it is full" \
	grep -qE "@nh,64,64 0xfd7162780a000200 update @qvm0-v6 \{ @nh,64,128 timeout 10m \} comment \"qbox: the VM claims an address of its /64\"" <<<"$out"
check "NAT VM: never from the gateway's IPv6 address" \
	grep -qE "@nh,64,128 0xfd7162780a0002000000000000000002 drop" <<<"$out"
check "NAT VM: IPv6 only from the set's addresses" \
	grep -qE "@nh,64,128 @qvm0-v6 accept comment \"qbox: IPv6 from the VM's addresses\"" <<<"$out"
check "NAT VM: the sixteen rules" test "$(grep -c 'comment "qbox: ' <<<"$out")" -eq 16
expect_output "the payload cannot read the rules" 1 "Operation not permitted" \
	"$QBOX" exec "asa-$$" -- "$NFT" list ruleset
expect_output "the payload cannot remove them" 1 "Operation not permitted" \
	"$QBOX" exec "asa-$$" -- "$NFT" flush ruleset
check "and they are all still there" test "$(rules "$qa" | grep -c 'comment "qbox: ')" -eq 16
"$QBOX" stop "asa-$$" >/dev/null
wait "$qa"

# ---- a user's own -device: its mac= is the one allowed -------------------
start_bg "$QBOX" run --vm --name "asb-$$" -- sh -c 'sleep 60' \
	-device e1000,netdev=qbox0,mac=52:54:00:0b:0b:0b
qb=$BG_PID
"$QBOX" wait "asb-$$" --timeout 20 >/dev/null
check "own -device mac=52:54:00:0b:0b:0b: that MAC is the VM's" \
	grep -qE '@ll,48,48 != 0x5254000b0b0b drop' <<<"$(rules "$qb" 2>&1)"
check "and ps shows it" test "$(mac_of "asb-$$")" = 52:54:00:0b:0b:0b
"$QBOX" stop "asb-$$" >/dev/null
wait "$qb"

# ---- a command payload has no TAP, and so no rules -----------------------
start_bg "$QBOX" run --name "asc-$$" -- sleep 60
qc=$BG_PID
"$QBOX" wait "asc-$$" --timeout 20 >/dev/null
# (but the kernel's egress path's table: netns/egress_nft.c)
out=$(rules "$qc" 2>&1 | grep '^table' | grep -vx 'table ip qbox_egress {')
check "command payload: no anti-spoofing ruleset ($out)" test -z "$out"
"$QBOX" stop "asc-$$" >/dev/null
wait "$qc"

# ---- natnet: the address the hub reserved for the VM ---------------------
start_bg "$QBOX" run --vm --name "asd-$$" --net "natnet:$net" -- sh -c 'sleep 60'
qd=$BG_PID
"$QBOX" wait "asd-$$" --timeout 20 >/dev/null
ins=$("$QBOX" net inspect "$net" --json)
addr=$(jqr --arg s "asd-$$" '.members[] | select(.sandbox == $s) | .address' <<<"$ins")
mac=$(jqr --arg s "asd-$$" '.members[] | select(.sandbox == $s) | .mac' <<<"$ins")
check "natnet VM: the hub reserved an address for it at join ($addr)" \
	grep -qE '^10\.0\.2\.[0-9]+$' <<<"$addr"
check "natnet VM: its lease is bound to its MAC" jqc --arg a "$addr" --arg m "$mac" \
	'[.leases[] | select(.address == $a and .mac == $m and .state == "bound")] | length == 1' <<<"$ins"
check "natnet VM: IPv4 only from that address" \
	grep -qE "@nh,96,32 $(hexip "$addr") accept" <<<"$(rules "$qd" 2>&1)"
expect_output "a second member with that MAC is refused" 2 \
	"already has a member with MAC $mac \\(asd-$$\\)" \
	"$QBOX" run --name "ase-$$" --net "natnet:$net,mac=$mac" -- true
"$QBOX" stop "asd-$$" >/dev/null
wait "$qd"

# ---- a command member of a network: its chain is on its veth's egress ------
FORGE=$TOP/tests/helpers/forge.py
start_bg "$QBOX" run --name "asg-$$" --net "natnet:$net" -- python3 "$FORGE" recv6 9999 >"$TMP/recv"
qg=$BG_PID
"$QBOX" wait "asg-$$" --timeout 20 >/dev/null
wait_for 10 grep -q listening "$TMP/recv"
ins=$("$QBOX" net inspect "$net" --json)
gaddr=$(jqr --arg s "asg-$$" '.members[] | select(.sandbox == $s) | .address' <<<"$ins")
gmac=$(jqr --arg s "asg-$$" '.members[] | select(.sandbox == $s) | .mac' <<<"$ins")
out=$(rules "$qg" 2>&1)
check "command member: chain qnv0 on its veth's egress, policy drop" \
	grep -q 'type filter hook egress device "qnv0" priority filter; policy drop;' <<<"$out"
check "command member: frames from any other MAC than its $gmac are dropped" \
	grep -qE "^\s*@ll,48,48 != $(hexmac "$gmac") drop" <<<"$out"
check "command member: IPv4 only from its address $gaddr" \
	grep -qE "@nh,96,32 $(hexip "$gaddr") accept" <<<"$out"
check "command member: DHCP requests only for its own MAC" \
	grep -qE "@th,288,48 != $(hexmac "$gmac") drop" <<<"$out"
m=${gmac//:/}
eui64=$(printf '%02x' $((0x${m:0:2} ^ 2)))${m:2:4}fffe${m:6:6}
check "command member: IPv6 from its own address in the /64 ($eui64)" \
	grep -qE "@nh,64,128 0xfd7162780a000200$eui64 accept comment \"qbox: IPv6 from the command's address\"" <<<"$out"
check "... and its link-local one, and no other" \
	grep -qE "@nh,64,128 0xfe800000000000000*$eui64 accept" <<<"$out"
check "command member: the thirteen rules" test "$(grep -c 'comment "qbox: ' <<<"$out")" -eq 13
expect_output "command member: the payload cannot remove them" 1 "Operation not permitted" \
	"$QBOX" exec "asg-$$" -- "$NFT" flush ruleset

# what it would need to forge frames: capabilities it has not. Under a
# policy that allows every call too, and with the host's /dev/net/tun in
# sight (--fs host; its view has none), so the refusals are the kernel's.
printf '@default allow\nread: 1\n' >"$TMP/allow.policy"
forging=(socket-packet socket-packet-dgram socket-raw socket-raw6 sock-packet
	 tun-create set-mac:qbr0 set-mac:qnv0 ip-transparent)
for pol in default "$TMP/allow.policy"; do
	out=$("$QBOX" run --policy "$pol" --net "natnet:$net" --fs host -- \
		"$HELPERS/try-syscall" "${forging[@]}" </dev/null)
	for c in "${forging[@]}"; do
		check "command member ($(basename "$pol")): $c refused with EPERM" \
			grep -qx "$c 1" <<<"$out"
	done
done
expect_output "command member: cannot give itself another address" 2 "Operation not permitted" \
	"$QBOX" run --policy "$TMP/allow.policy" --net "natnet:$net" -- ip addr add 10.0.2.99/24 dev qbr0
expect_output "command member: nor another MAC" 2 "Operation not permitted" \
	"$QBOX" run --policy "$TMP/allow.policy" --net "natnet:$net" -- ip link set qbr0 address 02:66:6f:72:67:65

# what it can do without capabilities, and its chain drops
out=$("$QBOX" run --name "ash-$$" --net "natnet:$net" -- sh -c "
	python3 '$FORGE' send6 qbr0 own 9999
	python3 '$FORGE' send6 qbr0 fe80::bad 9999
	python3 '$FORGE' send6 qbr0 2001:db8::66 9999
	python3 '$FORGE' dhcp 50 10.0.2.255 10.0.2.100" 2>&1)
check "a command member sent IPv6 from its own address, fe80::bad and 2001:db8::66 (IPV6_FREEBIND), and 50 DHCP requests for made-up MACs" \
	test "$(tr '\n' ' ' <<<"$out")" = "sent 3 sent 3 sent 3 asked 50 "
# its own: the EUI-64 link-local, or (while that is still tentative) its
# address in the /64, both of its MAC
own6='^from (fe80::|fd71:6278:a00:200:)5054:'
wait_for 5 grep -qE "$own6" "$TMP/recv"
check "another member hears it from its own address" grep -qE "$own6" "$TMP/recv"
check "... and no forged source ($(grep -v listening "$TMP/recv" | sort | uniq -c | tr '\n' ' '))" \
	test -z "$(grep -v -e listening "$TMP/recv" | grep -vE "$own6")"
check "the hub leased none of the made-up MACs" jqc \
	'[.leases[] | select(.mac | startswith("02:be:ef:"))] | length == 0' <<<"$("$QBOX" net inspect "$net" --json)"
"$QBOX" stop "asg-$$" >/dev/null
wait "$qg"

# ---- internal without DHCP: the guest picks its address; MAC checks only --
start_bg "$QBOX" run --vm --name "asf-$$" --net "internal:i$net" -- sh -c 'sleep 60'
qf=$BG_PID
"$QBOX" wait "asf-$$" --timeout 20 >/dev/null
out=$(rules "$qf" 2>&1)
check "internal VM: policy accept" grep -q 'policy accept;' <<<"$out"
check "internal VM: another MAC, VLAN tags, ARP from another MAC dropped" \
	test "$(grep -cE 'drop comment "qbox: (not the VM.s MAC|VLAN tags|VLAN tags \(802.1ad\)|ARP from another MAC)"' <<<"$out")" -eq 4
check "internal VM: no address in the rules" test "$(grep -c 'comment "qbox: ' <<<"$out")" -eq 4
"$QBOX" stop "asf-$$" >/dev/null
wait "$qf"
no_leftovers "nothing left behind" "as[a-h]-$$|$FORGE"
