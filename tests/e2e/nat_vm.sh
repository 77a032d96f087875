#!/usr/bin/env bash
# A VM behind qbox's NAT, in a world with an outside test host
# (outside_world, tests/lib.sh): DHCP gives 10.0.2.15 (and domain=), the
# guest reaches a host loopback server via 10.0.2.2 and the outside test host, the host
# reaches a guest server via --fwd, the outside test host through a
# --fwd on 0.0.0.0 only, a closed host port refuses the guest at once
# (its TCP out goes by the kernel's path; nat_vm_slirp.sh: libslirp's),
# another nat sandbox (its own 10.0.2.0/24) does
# not reach the VM, and SIGTERM to qbox powers everything down without
# leftovers.
. "$(dirname "$0")/../lib.sh"
outside_world "$@"

hport=$(free_port)
http_server "$hport"
page=$(cat "$TMP/www/index.html")
fport=$(free_port)
closed=$(free_port)

cat >"$TMP/guest.sh" <<EOS
udhcpc -i eth0 -n -q -t 5
echo "SEARCH: \$(grep '^search' /etc/resolv.conf)"
ip -o link show eth0
echo "FETCH: \$(timeout 5 wget -q -O - http://10.0.2.2:$hport/)"
echo "OUT: \$(timeout 5 wget -q -O - http://$OUTSIDE_IP/)"
echo "REFUSED: \$(timeout 5 nc 10.0.2.2 $closed </dev/null 2>&1)"
ip route
mkdir -p /www && echo "guest-page-\$(cat /sys/class/net/eth0/address)" >/www/index.html
httpd -p 80 -h /www
echo QBOX-READY
sleep 60
EOS
f6port=$(free_port)
oport=$(free_port)
vm_start "$TMP/console" "$TMP/guest.sh" --name "e2e-nat-$$" --net nat,domain=Lab.Test --fwd "$fport:80" \
	--fwd "[::1]:$f6port:10.0.2.15:80" --fwd "0.0.0.0:$oport:80"
# readiness without sleeping: the guest's lease (10.0.2.15), port 80
expect_output "wait --tcp 80 returns once the guest's httpd listens" 0 "^\$" \
	"$QBOX" wait "e2e-nat-$$" --tcp 80 --timeout 60
expect_output "... and its page comes through the forward at once" 0 "^guest-page-52:54:00:" \
	curl -s --max-time 5 "http://127.0.0.1:$fport/"
if vm_wait_line "$TMP/console" QBOX-READY 60; then
	vm_check "DHCP lease is 10.0.2.15 with gateway .2, DNS .3 and domain= (libslirp's DHCP)" "$TMP/console" \
		"QBOX-LEASE: eth0 10\\.0\\.2\\.15/24 router 10\\.0\\.2\\.2 dns 10\\.0\\.2\\.3 domain lab\\.test\\s*\$"
	vm_check "the guest's resolver searches it" "$TMP/console" "^SEARCH: search lab\\.test\\s*\$"
	vm_check "guest fetched the host's loopback server via 10.0.2.2" "$TMP/console" \
		"^FETCH: $page"
	vm_check "guest's default route is 10.0.2.2" "$TMP/console" "^default via 10\\.0\\.2\\.2"
	vm_check "guest reached the outside test host" "$TMP/console" "^OUT: $OUTSIDE_PAGE"
	vm_check "a closed host port refuses the guest's connection at once" "$TMP/console" \
		"^REFUSED: .*Connection refused"
	check "ps --json: the NIC's TCP goes out by the ${QBOX_TEST_EGRESS:-kernel}'s path" sh -c \
		"'$QBOX' ps --json | jq -e '.[] | select(.name == \"e2e-nat-$$\") | .nics[0].egress == \"${QBOX_TEST_EGRESS:-kernel}\"' >/dev/null"
	expect_output "the outside test host reaches the guest through --fwd 0.0.0.0:$oport:80" \
		0 "^rc=0 guest-page-52:54:00:" outside_dial "198.51.100.1:$oport/"
	expect_output "... not through --fwd $fport:80 (127.0.0.1)" 0 "^rc=[1-9]" \
		outside_dial "198.51.100.1:$fport/"
	expect_output "... nor at the guest's address, routed via the host" 0 "^rc=[1-9]" \
		outside_dial "10.0.2.15:80/"
	got=$(curl -sf --max-time 10 "http://127.0.0.1:$fport/")
	if [[ $got == guest-page-52:54:00:* ]]; then
		pass "host reached the guest's server through --fwd $fport:80"
	else
		fail "forward to the guest: got '$got'"
	fi
	got=$(curl -gsf --max-time 10 "http://[::1]:$f6port/")
	check "host reached the guest from IPv6 [::1] ($got)" test -n "$got"
	# the VM's MAC is derived from the sandbox name: same as a command's
	want=$(grep -o 'link/ether [0-9a-f:]*' "$TMP/console" | head -1)
	cmdmac=$("$QBOX" run --name "e2e-nat-$$" -- ip -o link show qbr0 2>&1 | grep -o 'link/ether [0-9a-f:]*' || true)
	if [ -n "$cmdmac" ]; then
		fail "a second sandbox with a running name must be refused"
	else
		pass "name of the running VM is taken"
	fi
	check "guest MAC has QEMU's prefix ($want)" grep -q 'link/ether 52:54:00:' <<<"$want"
	expect_output "qbox exec reaches the guest directly at 10.0.2.15" 0 "^guest-page-52:54:00:" \
		"$QBOX" exec "e2e-nat-$$" -- busybox wget -q -O - http://10.0.2.15/
	# nat VM<->VM: no. Another sandbox's 10.0.2.15 is nobody: its own
	# address is 10.0.2.100, so a failure is not its own refusal
	out=$(timeout 30 "$QBOX" run --net nat -- sh -c 'ip -4 -o addr show dev qbr0
		exec timeout 5 busybox wget -q -O - http://10.0.2.15/' 2>&1)
	rc=$?
	if ! grep -q " inet 10\.0\.2\.100/24 " <<<"$out"; then
		fail "another nat sandbox: not at 10.0.2.100: $out"
	elif [ "$rc" -ne 1 ] && [ "$rc" -ne 124 ] || grep -q "^qbox: \|guest-page" <<<"$out"; then
		fail "another nat sandbox reached the VM, or failed otherwise: exit $rc: $out"
	else
		pass "another nat sandbox (at 10.0.2.100) does not reach the VM (wget $rc)"
	fi
	rport=$(free_port)
	"$QBOX" fwd -n "e2e-nat-$$" "$rport:80"
	expect_output "a forward added at run time reaches the guest" 0 "^guest-page-52:54:00:" \
		curl -sf --max-time 10 "http://127.0.0.1:$rport/"
	check "qbox ps --json shows the VM's lease" sh -c \
		"'$QBOX' ps --json | jq -e '.[] | select(.name == \"e2e-nat-$$\") | .vm and .nics[0].address == \"10.0.2.15\"' >/dev/null"
	"$QBOX" stop "e2e-nat-$$"
	wait "$VM_PID"
	rc=$?
	check "qbox stop: qemu powers down, qbox run ends (exit $rc)" test "$rc" -eq 0 -o "$rc" -eq 143
	cmdmac=$("$QBOX" run --name "e2e-nat-$$" -- ip -o link show qbr0 | grep -o 'link/ether [0-9a-f:]*')
	check "the VM's MAC is stable per name (VM $want, command $cmdmac)" test "$want" = "$cmdmac"
else
	fail "guest never got ready"
	sed 's/^/      | /' "$TMP/console"
	kill -KILL "$VM_PID"
fi
no_leftovers "nothing left behind" "e2e-nat-$$"
