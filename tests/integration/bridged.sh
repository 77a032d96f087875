#!/usr/bin/env bash
# --net bridged:TAPDEV without a VM: every error names the flag and the
# device, exits 2 and leaves nothing behind (no TAP is ever created); a
# TAP is handed to the payload as QEMU's -netdev fd, with its MAC, and
# `ps` shows it.
#
# Any user: in a user and network namespace of the test's own, where the
# test may make TAPs, TUNs and bridges (a holder process keeps it; every
# command enters it with nsenter). As root, also in a network namespace
# of the test's own with TAPs that belong to others, qbox run as nobody.
# The payload is `sh SCRIPT` with --vm: it receives QEMU's arguments,
# "-netdev tap,id=qboxN,fd=K ...", as its positional parameters.
. "$(dirname "$0")/../lib.sh"

me=$(id -un)
before=$(ls -A "$RUNDIR" 2>/dev/null)
bad() {	# name, pattern, args...
	local name=$1 pat=$2
	shift 2
	expect_output "$name" 2 "$pat" "$QBOX" "$@"
}

# ---- in the host's network namespace, as whoever runs the test ----------
missing=qbm$$
bad "missing device: flag, value and the administrator's command named" \
	"^qbox: --net bridged:$missing: no such device; an administrator creates it with: ip tuntap add dev $missing mode tap user $me\$" \
	run --net bridged:$missing -- qemu-system-x86_64 -accel tcg
check "missing device: not created (not even by root)" \
	not ip link show $missing
bad "loopback: not a TAP" \
	"^qbox: --net bridged:lo: lo is the loopback device, not a TAP device .*ip tuntap add dev TAPDEV mode tap user $me\$" \
	run --vm --net nat --net bridged:lo -- true
bad "command payload refused, and why" \
	"^qbox: --net bridged:lo: only a VM can use a TAP device \\('true' is not qemu-system-\\*" \
	run --net bridged:lo -- true
bad "device name too long" "bridged:abcdefghijklmnop: device name 'abcdefghijklmnop': must be 1 to 15 characters" \
	run --net bridged:abcdefghijklmnop -- qemu-system-x86_64
bad "device name with '/'" "bridged:a/b: device name 'a/b'" \
	run --net bridged:a/b -- qemu-system-x86_64
bad "bridged without a device" "needs a TAP device \\(bridged:TAPDEV\\)" \
	run --net bridged -- qemu-system-x86_64
bad "bridged takes no subnet=" "unknown option 'subnet' \\(bridged takes mac= and link=\\)" \
	run --net bridged:lo,subnet=10.0.5.0/24 -- qemu-system-x86_64
bad "a forward to a bridged NIC explained" "a bridged NIC needs no forwards" \
	run --net bridged:lo --fwd 2222:22 -- qemu-system-x86_64
bad "one device for two NICs" "bridged:lo: device lo is already used by NIC 0" \
	run --net bridged:lo --net bridged:lo -- qemu-system-x86_64

# ---- a user and network namespace of our own: TAPs of our own -----------
mkdir -p -m 0700 "$TMP/xdg" "$TMP/xdg-root"
start_bg unshare -Urn sleep 1000
holder=$BG_PID
# our own ids are mapped to 0 there: entering keeps them, and every power
in_ns() {
	nsenter -t "$holder" -U -n --preserve-credentials -- \
		env XDG_RUNTIME_DIR="$TMP/xdg" "$@"
}
# unshare writes the id maps, then execs sleep: entering before that
# would find us unmapped and powerless there
userns_ready() { [ "$(cat "/proc/$holder/comm" 2>/dev/null)" = sleep ]; }
if ! wait_for 5 userns_ready; then
	fail "the test's user namespace did not appear"
	exit 1
fi
in_ns ip tuntap add dev qtapU mode tap
in_ns ip tuntap add dev qtunU mode tun
in_ns ip link add qbrU type bridge
expect_output "TUN device: not a TAP" 2 \
	"^qbox: --net bridged:qtunU: qtunU is a TUN device \\(IP packets\\), not a TAP device" \
	in_ns "$QBOX" run --vm --net bridged:qtunU -- true
expect_output "bridge: not a TAP" 2 \
	"^qbox: --net bridged:qbrU: qbrU is a bridge device, not a TAP device" \
	in_ns "$QBOX" run --vm --net bridged:qbrU -- true
# a TAP that a program made for itself, not an administrator: it goes
# with the program, and qbox will not take it
start_bg nsenter -t "$holder" -U -n --preserve-credentials -- python3 -c '
import fcntl, os, struct, time
fd = os.open("/dev/net/tun", os.O_RDWR)
fcntl.ioctl(fd, 0x400454ca, struct.pack("16sH", b"qtapT", 0x1002))  # TUNSETIFF, IFF_TAP|IFF_NO_PI
time.sleep(300)'
ns_link() { in_ns ip link show "$1" >/dev/null 2>&1; }
wait_for 5 ns_link qtapT
expect_output "a TAP a program made for itself: not persistent, refused" 2 \
	"^qbox: --net bridged:qtapT: TAP device qtapT is not persistent: a program made it for itself" \
	in_ns "$QBOX" run --vm --net bridged:qtapT -- true

# The payload finds its NICs in its arguments, as QEMU would
cat >"$TMP/nics.sh" <<'EOS'
for a in "$0" "$@"; do
	case $a in
	tap,id=qbox*,fd=*)
		id=${a#tap,id=}; id=${id%%,*}; fd=${a##*fd=}
		echo "NIC $id fd $fd $(grep '^iff:' /proc/self/fdinfo/$fd | tr '\t' ' ')"
		;;
	virtio-net-pci,netdev=*) echo "DEVICE $a" ;;
	esac
done
ip -o link show | grep -q qtapU && echo "TAP VISIBLE IN SANDBOX"
exit 0
EOS
mac=52:54:00:0b:0b:0b
out=$(in_ns "$QBOX" run --vm --net nat --net bridged:qtapU,mac=$mac -- sh "$TMP/nics.sh" 2>&1)
check "the TAP is QEMU's second NIC, an fd attached to qtapU" \
	grep -qE "^NIC qbox1 fd [0-9]+ iff: qtapU$" <<<"$out"
check "the nat NIC is still there, on its own TAP" \
	grep -qE "^NIC qbox0 fd [0-9]+ iff: qvm0$" <<<"$out"
check "the bridged NIC's device carries its mac=" \
	grep -qx "DEVICE virtio-net-pci,netdev=qbox1,mac=$mac" <<<"$out"
tap_hidden() { grep -q '^NIC qbox1 ' <<<"$out" && not grep -q 'TAP VISIBLE' <<<"$out"; }
check "the TAP stays in the namespace qbox started in" tap_hidden
tap_state() { in_ns ip -d link show "$1" | grep -q "$2"; }
check "TAP attached with a virtio header (vnet_hdr on), still persistent" \
	tap_state qtapU 'vnet_hdr on persist on'

# Confined as QEMU is: the ioctls QEMU makes on its TAP work on the
# administrator's, those that would change the device itself kill it
out=$(in_ns "$QBOX" run --vm --policy qemu --net bridged:qtapU -- \
	"$HELPERS/try-syscall" tap-getiff tap-setoffload 2>&1)
check "policy qemu: TUNGETIFF on the bridged TAP works" grep -qx "tap-getiff 0" <<<"$out"
check "policy qemu: TUNSETOFFLOAD on the bridged TAP works" grep -qx "tap-setoffload 0" <<<"$out"
expect_output "policy qemu: TUNSETPERSIST (making the TAP vanish) kills the payload" 159 \
	"try-syscall' was killed by SIGSYS" \
	in_ns "$QBOX" run --vm --policy qemu --net bridged:qtapU -- "$HELPERS/try-syscall" tap-setpersist
expect_output "policy qemu: TUNSETOWNER (giving the TAP away) kills the payload" 159 \
	"try-syscall' was killed by SIGSYS" \
	in_ns "$QBOX" run --vm --policy qemu --net bridged:qtapU -- "$HELPERS/try-syscall" tap-setowner
check "... the TAP is still persistent and nobody's in particular" \
	tap_state qtapU 'persist on addrgenmode'

# ps shows the NIC; a second sandbox finds the TAP busy
in_ns "$QBOX" run --vm --name br-$$ --net bridged:qtapU -- sh -c 'sleep 1000' &
q=$!
if in_ns "$QBOX" wait br-$$ --timeout 20; then
	js=$(in_ns "$QBOX" ps --json)
	check "ps --json: mode bridged, the device, the MAC and its cable" \
		grep -qE '"nics":\[\{"index":0,"mode":"bridged","device":"qtapU","mac":"52:54:00(:[0-9a-f]{2}){3}","link_up":true\}\]' <<<"$js"
	check "ps: bridged:qtapU in NETWORKS" \
		grep -qE "^br-$$ .*bridged:qtapU" <<<"$(in_ns "$QBOX" ps)"
	expect_output "a TAP in use is refused" 2 \
		"^qbox: --net bridged:qtapU: TAP device qtapU is in use: another program \\(another VM\\?\\) has it open" \
		in_ns "$QBOX" run --vm --net bridged:qtapU -- true
	in_ns "$QBOX" stop br-$$
else
	fail "sandbox br-$$ did not come up"
fi
wait "$q" 2>/dev/null
check "TAP free again after the sandbox ended" \
	in_ns "$QBOX" run --vm --net bridged:qtapU -- true
check "nothing left in the namespace's runtime directory" \
	test -z "$(ls -A "$TMP/xdg/qbox" 2>/dev/null)"

# ---- root: TAPs that belong to others, in a namespace of the test's own --
if [ "$(id -u)" -eq 0 ]; then
	ns=qbx-br-$$
	test_netns "$ns"
	ip -n "$ns" tuntap add dev qtapN mode tap user 65534
	ip -n "$ns" tuntap add dev qtapO mode tap user 12345
	ip -n "$ns" tuntap add dev qtapG mode tap group 12345
	ip -n "$ns" tuntap add dev qtapB mode tap user 65534 group 12345
	qn=$(qbox_for_nobody)
	xn=$(rundir_for_nobody)
	nobody() { ip netns exec "$ns" setpriv --reuid 65534 --regid 65534 \
			--clear-groups env HOME=/ XDG_RUNTIME_DIR="$xn" "$@"; }
	expect_output "another user's TAP: owner and the fix named" 2 \
		"^qbox: --net bridged:qtapO: TAP device qtapO is not yours: it belongs to uid 12345, and qbox runs as nobody \\(uid 65534\\); an administrator gives it to you with: ip tuntap del dev qtapO mode tap; ip tuntap add dev qtapO mode tap user nobody" \
		nobody "$qn" run --vm --net bridged:qtapO -- true
	expect_output "a group's TAP, not ours: group named" 2 \
		"^qbox: --net bridged:qtapG: TAP device qtapG is not yours: only members of gid 12345 may use it, and qbox runs as nobody" \
		nobody "$qn" run --vm --net bridged:qtapG -- true
	expect_output "owner ours but group not: both rules apply" 2 \
		"bridged:qtapB: TAP device qtapB is not yours: only members of gid 12345 may use it" \
		nobody "$qn" run --vm --net bridged:qtapB -- true
	expect_output "missing device, as nobody: the user named" 2 \
		"no such device; an administrator creates it with: ip tuntap add dev qtapX mode tap user nobody\$" \
		nobody "$qn" run --vm --net bridged:qtapX -- true
	out=$(nobody "$qn" run --vm --net bridged:qtapN -- sh "$TMP/nics.sh" 2>&1)
	check "nobody's own TAP reaches nobody's payload" \
		grep -qE "^NIC qbox0 fd [0-9]+ iff: qtapN$" <<<"$out"
	out=$(ip netns exec "$ns" env XDG_RUNTIME_DIR="$TMP/xdg-root" \
		"$QBOX" run --vm --net bridged:qtapO -- sh "$TMP/nics.sh" 2>&1)
	check "root may use another's TAP, as the kernel allows (CAP_NET_ADMIN)" \
		grep -qE "^NIC qbox0 fd [0-9]+ iff: qtapO$" <<<"$out"
	expect_output "root: a missing device is not created either" 2 \
		"bridged:qtapX: no such device" \
		ip netns exec "$ns" env XDG_RUNTIME_DIR="$TMP/xdg-root" "$QBOX" run --vm --net bridged:qtapX -- true
	check "... and does not exist afterwards" \
		not ip -n "$ns" link show qtapX
	owned() { ip -n "$ns" -d link show "$1" | grep -q "$2"; }
	check "the TAPs are unchanged: still persistent, still their owners'" \
		owned qtapO 'persist on user 12345'
	check "... and nobody's too" owned qtapN 'persist on user nobody'
	check "nothing of nobody's left running" not pgrep -u 65534 -f "$qn"
	check "nothing left in nobody's runtime directory" \
		test -z "$(ls -A "$xn/qbox" 2>/dev/null)"
fi

after=$(ls -A "$RUNDIR" 2>/dev/null)
check "no runtime file created by any of these" test "$before" = "$after"
no_leftovers "no process left" "br-$$"
