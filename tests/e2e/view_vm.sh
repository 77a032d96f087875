#!/usr/bin/env bash
# A QEMU payload's view holds what its command line names, and works: the
# test guest boots from a kernel and initrd, with a qcow2 overlay whose
# backing file sits in another directory (named relatively, as qemu-img
# writes it), a second serial port logging to a file and a QMP socket in
# a third. The guest reads the base's data through the overlay and writes
# the overlay; the base is left as it was; the host talks QMP to the
# running QEMU and reads the serial log.
. "$(dirname "$0")/../lib.sh"

mkdir -p "$TMP/base" "$TMP/vm" "$TMP/io"
printf 'base-data-%s\n' "$$" | dd of="$TMP/base/base.raw" bs=512 conv=sync 2>/dev/null
truncate -s 16M "$TMP/base/base.raw"
qemu-img convert -q -f raw -O qcow2 "$TMP/base/base.raw" "$TMP/base/base.qcow2"
(cd "$TMP/vm" && qemu-img create -q -f qcow2 -b ../base/base.qcow2 -F qcow2 overlay.qcow2)
base_sum=$(md5sum <"$TMP/base/base.qcow2")
over_sum=$(md5sum <"$TMP/vm/overlay.qcow2")
check "the overlay names its backing file relatively" \
	sh -c "qemu-img info '$TMP/vm/overlay.qcow2' | grep -q '^backing file: \\.\\./base/base\\.qcow2'"

cat >"$TMP/guest.sh" <<EOS
echo "BASE: \$(dd if=/dev/vda bs=512 count=1 2>/dev/null | head -n 1)"
echo "overlay-data-$$" >/tmp/d
dd if=/tmp/d of=/dev/vda bs=512 seek=8 count=1 conv=sync 2>/dev/null
sync
echo 3 >/proc/sys/vm/drop_caches
echo "OVERLAY: \$(dd if=/dev/vda bs=512 skip=8 count=1 2>/dev/null | head -n 1)"
echo "serial-two-$$" >/dev/ttyS1
echo QBOX-VIEW-WAIT
i=0
while [ ! -e /proc/qbox-never ] && [ \$i -lt 60 ]; do sleep 1; i=\$((i + 1)); done
EOS
vm_start "$TMP/console" "$TMP/guest.sh" --name "view-$$" --net none --- \
	-drive "file=$TMP/vm/overlay.qcow2,if=virtio,format=qcow2" \
	-serial "file:$TMP/io/serial2.log" \
	-qmp "unix:$TMP/io/qmp.sock,server=on,wait=off"
if vm_wait_line "$TMP/console" QBOX-VIEW-WAIT 70; then
	qmp=$(printf '%s\n' '{"execute":"qmp_capabilities"}' \
		'{"execute":"query-status"}' |
		timeout 10 socat - "UNIX-CONNECT:$TMP/io/qmp.sock" 2>&1)
	check "QEMU made its QMP socket in the third directory, and answers" \
		grep -q '"status": *"running"' <<<"$qmp"
	check "the second serial port logs to its file" \
		grep -q "^serial-two-$$" "$TMP/io/serial2.log"
	printf '%s\n' '{"execute":"qmp_capabilities"}' '{"execute":"quit"}' |
		timeout 10 socat - "UNIX-CONNECT:$TMP/io/qmp.sock" >/dev/null 2>&1
else
	fail "the guest never got to its wait:"
	console_text "$TMP/console" | sed 's/^/      | /'
	kill "$VM_PID" 2>/dev/null
fi
wait "$VM_PID"
vm_check "the guest read the base's data through the overlay" "$TMP/console" \
	"^BASE: base-data-$$\$"
vm_check "... and wrote the overlay, reading it back" "$TMP/console" \
	"^OVERLAY: overlay-data-$$\$"
check "the base image is as it was (read-only to QEMU)" \
	test "$(md5sum <"$TMP/base/base.qcow2")" = "$base_sum"
check "the overlay changed" test "$(md5sum <"$TMP/vm/overlay.qcow2")" != "$over_sum"
check "QEMU's socket went with it" test ! -e "$TMP/io/qmp.sock"

expect_output "a disk image that is not there: exit 2, the option and value named" 2 \
	"^qbox: -drive file=$TMP/vm/none\\.qcow2,if=virtio: $TMP/vm/none\\.qcow2: No such file or directory\$" \
	"$QBOX" run --name "view-$$" -- qemu-system-x86_64 -drive "file=$TMP/vm/none.qcow2,if=virtio"
(cd "$TMP/vm" && qemu-img create -q -f qcow2 -b ../base/gone.qcow2 -F qcow2 lost.qcow2 2>/dev/null ||
	qemu-img create -q -f qcow2 -u -b ../base/gone.qcow2 -F qcow2 lost.qcow2 16M)
expect_output "a backing file that is not there: exit 2, named" 2 \
	"^qbox: -hda $TMP/vm/lost\\.qcow2: its backing file \\.\\./base/gone\\.qcow2: No such file or directory\$" \
	"$QBOX" run --name "view-$$" -- qemu-system-x86_64 -hda "$TMP/vm/lost.qcow2"
expect_output "a QMP socket in a directory that is not there: exit 2" 2 \
	"^qbox: -qmp unix:$TMP/nodir/q\\.sock,server=on: $TMP/nodir/q\\.sock: its directory does not exist\$" \
	"$QBOX" run --name "view-$$" -- qemu-system-x86_64 -qmp "unix:$TMP/nodir/q.sock,server=on"
no_leftovers "nothing left behind" "view-$$"
