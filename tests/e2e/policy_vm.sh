#!/usr/bin/env bash
# qemu.policy, named explicitly, boots the guest under TCG with two vCPUs,
# its NAT network (DHCP, a fetch from the host) and a qcow2 disk written
# and read back. The same boot under that policy minus fdatasync (which a
# disk flush needs) dies of SIGSYS; with --policy-log it runs to its end
# and, as root, the kernel's log names the call.
. "$(dirname "$0")/../lib.sh"

hport=$(free_port)
http_server "$hport"
page=$(cat "$TMP/www/index.html")
qemu-img create -q -f qcow2 "$TMP/disk.qcow2" 64M

cat >"$TMP/guest.sh" <<EOS
udhcpc -i eth0 -n -q -t 5
echo "FETCH: \$(timeout 5 wget -q -O - http://10.0.2.2:$hport/)"
echo "CPUS: \$(grep -c ^processor /proc/cpuinfo)"
echo "qbox-disk-$$" >/tmp/d
dd if=/tmp/d of=/dev/vda bs=512 count=1 conv=sync 2>/dev/null
sync
echo 3 >/proc/sys/vm/drop_caches
echo "DISK: \$(dd if=/dev/vda bs=512 count=1 2>/dev/null | head -n 1)"
EOS
drive="file=$TMP/disk.qcow2,if=virtio,format=qcow2"

vm_run "$TMP/console" "$TMP/guest.sh" --name "e2e-pol-$$" --policy qemu \
	--- -smp 2 -drive "$drive"
rc=$?
check "--policy qemu: the guest boots and powers off (exit $rc)" test "$rc" -eq 0
vm_check "--policy qemu: DHCP lease" "$TMP/console" \
	"QBOX-LEASE: eth0 10\\.0\\.2\\.15/24 router 10\\.0\\.2\\.2"
vm_check "--policy qemu: the guest fetched from the host" "$TMP/console" "^FETCH: $page\$"
vm_check "--policy qemu: two vCPUs" "$TMP/console" "^CPUS: 2\$"
vm_check "--policy qemu: the disk read back what was written" "$TMP/console" \
	"^DISK: qbox-disk-$$\$"
qemu-img convert -O raw "$TMP/disk.qcow2" "$TMP/disk.raw"
check "--policy qemu: the write reached the qcow2 image" \
	grep -q "qbox-disk-$$" "$TMP/disk.raw"

# qemu.policy without fdatasync: the guest's flush kills QEMU
"$QBOX" policy show qemu | grep -v '^fdatasync:' >"$TMP/nosync.policy"
qemu-img create -q -f qcow2 "$TMP/disk.qcow2" 64M
vm_run "$TMP/console2" "$TMP/guest.sh" --name "e2e-pol-$$" \
	--policy "$TMP/nosync.policy" --- -drive "$drive"
rc=$?
check "without fdatasync: QEMU dies of SIGSYS (exit $rc)" test "$rc" -eq 159
vm_check "without fdatasync: qbox explains" "$TMP/console2" \
	"'qemu-system-x86_64' was killed by SIGSYS.*nosync.policy"
if console_text "$TMP/console2" | grep -q "^DISK: "; then
	fail "without fdatasync: the guest must not get past its flush"
else
	pass "without fdatasync: the guest did not get past its flush"
fi

# and with --policy-log, it goes through and is logged
if [ "$(id -u)" -eq 0 ]; then
	sleep 5	# the kernel prints audit records at most 10 per 5 s
	n0=$(dmesg | grep -c 'type=1326')
fi
qemu-img create -q -f qcow2 "$TMP/disk.qcow2" 64M
vm_run "$TMP/console3" "$TMP/guest.sh" --name "e2e-pol-$$" \
	--policy "$TMP/nosync.policy" --policy-log --- -drive "$drive"
rc=$?
check "--policy-log: the same boot runs to its end (exit $rc)" test "$rc" -eq 0
vm_check "--policy-log: the disk works" "$TMP/console3" "^DISK: qbox-disk-$$\$"
if [ "$(id -u)" -eq 0 ]; then
	# fdatasync is syscall 75 on x86_64; SECCOMP_RET_LOG is 0x7ffc0000
	check "--policy-log: the kernel logged QEMU's fdatasync" sh -c \
		"dmesg | grep 'type=1326' | tail -n +$((n0 + 1)) |
		 grep -q 'exe=\"[^\"]*qemu-system-x86_64\".* syscall=75 .*code=0x7ffc0000'"
fi
no_leftovers "nothing left behind" "e2e-pol-$$"
