#!/usr/bin/env bash
# PXE boot on --net nat: QEMU's own iPXE ROM (Debian's ipxe-qemu, a client
# nobody here wrote) asks libslirp's DHCP for an address and the boot file
# (tftp=DIR, bootfile=FILE), fetches an iPXE script, the test guest's
# kernel and an initrd from the NAT engine's TFTP server at 10.0.2.2, and
# boots them; the booted guest then leases its address again, with Linux.
. "$(dirname "$0")/../lib.sh"

T=$TMP/tftp
mkdir -p "$T"
cat >"$TMP/pxe.sh" <<'EOS'
echo "PXE-CMDLINE: $(cat /proc/cmdline)"
udhcpc -i eth0 -n -q -t 5 >/dev/null 2>&1
echo "PXE-ADDR: $(ip -4 -o addr show eth0 | awk '{print $4}')"
EOS
"$TOP/tests/guest/mkinitrd-with.sh" "$GUEST/initramfs.cpio.gz" "$TMP/pxe.sh" "$T/initrd"
cp "$GUEST/vmlinuz" "$T/vmlinuz"
mark=pxe$$
cat >"$T/boot.ipxe" <<EOS
#!ipxe
kernel vmlinuz console=ttyS0 quiet panic=-1 qbox.mark=$mark
initrd initrd
boot
EOS
timeout -s KILL 150 "$QBOX" run --net "nat,tftp=$T,bootfile=boot.ipxe" -- \
	qemu-system-x86_64 -accel tcg -m 256 -display none -serial stdio \
	-no-reboot -nodefaults -boot n </dev/null >"$TMP/console" 2>&1
rc=$?
check "the VM booted from the network and powered off (exit $rc)" test "$rc" -eq 0
# (iPXE writes to the VGA console, which -nodefaults leaves out; the
# command line below is only in the iPXE script, which only iPXE reads)
vm_check "iPXE ran the script and booted the kernel over TFTP with its command line" \
	"$TMP/console" "^PXE-CMDLINE: .*qbox\\.mark=$mark"
vm_check "the PXE-booted guest leases 10.0.2.15 from the same NAT" "$TMP/console" \
	"^PXE-ADDR: 10\\.0\\.2\\.15/24"
no_leftovers "nothing left behind" "$T"
