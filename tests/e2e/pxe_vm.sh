#!/usr/bin/env bash
# PXE boot on --net nat: QEMU's own iPXE ROM (Debian's ipxe-qemu, a client
# nobody here wrote) asks libslirp's DHCP for an address and the boot file
# (tftp=DIR, bootfile=FILE), fetches an iPXE script, the test guest's
# kernel and an initrd from the NAT engine's TFTP server at 10.0.2.2, and
# boots them; the booted guest then leases its address again, with Linux.
# Then the same on a named network (net create natnet:NAME,tftp=,bootfile=),
# from its dnsmasq's DHCP and TFTP, with the errors a user can make.
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
# pxe_boot NET OUT : a VM with nothing to boot but the network, console
# to OUT; its exit status
pxe_boot() {
	timeout -s KILL 150 "$QBOX" run --net "$1" -- \
		qemu-system-x86_64 -accel tcg -m 256 -display none -serial stdio \
		-no-reboot -nodefaults -boot n </dev/null >"$2" 2>&1
}
pxe_boot "nat,tftp=$T,bootfile=boot.ipxe" "$TMP/console"
rc=$?
check "the VM booted from the network and powered off (exit $rc)" test "$rc" -eq 0
# (iPXE writes to the VGA console, which -nodefaults leaves out; the
# command line below is only in the iPXE script, which only iPXE reads)
vm_check "iPXE ran the script and booted the kernel over TFTP with its command line" \
	"$TMP/console" "^PXE-CMDLINE: .*qbox\\.mark=$mark"
vm_check "the PXE-booted guest leases 10.0.2.15 from the same NAT" "$TMP/console" \
	"^PXE-ADDR: 10\\.0\\.2\\.15/24"

# ---- the same on a network: its dnsmasq's DHCP and TFTP ------------------------
pnet=px$$
mark2=pxn$$
sed "s/qbox.mark=$mark/qbox.mark=$mark2/" "$T/boot.ipxe" >"$T/net.ipxe"
expect_output "tftp= of a directory that is not there: exit 2, naming it" 2 \
	"tftp=$TMP/nope: No such file or directory" \
	"$QBOX" net create "natnet:$pnet,tftp=$TMP/nope"
expect_output "bootfile= not in tftp=DIR: exit 2, naming it" 2 \
	"bootfile=none\\.ipxe: $T/none\\.ipxe: No such file or directory" \
	"$QBOX" net create "natnet:$pnet,tftp=$T,bootfile=none.ipxe"
expect_output "net create natnet with tftp= and bootfile=" 0 "" \
	"$QBOX" net create "natnet:$pnet,tftp=$T,bootfile=net.ipxe"
expect_output "net inspect: the TFTP root and the boot file" 0 \
	"^tftp +$T \\(boot file net\\.ipxe\\)\$" "$QBOX" net inspect "$pnet"
expect_output "a member giving another tftp=: exit 2" 2 "network '$pnet' runs with tftp=$T,bootfile=net\\.ipxe, not" \
	"$QBOX" run --net "natnet:$pnet,tftp=$TMP" -- true
expect_output "TFTP at the network's address serves the boot file" 0 "^#!ipxe\$" \
	"$QBOX" exec "natnet:$pnet" -- busybox tftp -g -r net.ipxe -l /dev/stdout 10.0.2.1
expect_output "... and refuses a path out of tftp=DIR" 1 "server error" \
	"$QBOX" exec "natnet:$pnet" -- busybox tftp -g -r ../../etc/hostname -l /dev/null 10.0.2.1
pxe_boot "natnet:$pnet" "$TMP/console2"
rc=$?
check "a member VM booted from the network's TFTP and powered off (exit $rc)" test "$rc" -eq 0
vm_check "iPXE got the boot file from the network's DHCP and booted over its TFTP" \
	"$TMP/console2" "^PXE-CMDLINE: .*qbox\\.mark=$mark2"
vm_check "the PXE-booted guest leases a member's address of the network (.15-.254)" \
	"$TMP/console2" "^PXE-ADDR: 10\\.0\\.2\\.(1[5-9]|[2-9][0-9]|1[0-9][0-9]|2[0-4][0-9]|25[0-4])/24"
"$QBOX" net rm "$pnet"
no_leftovers "nothing left behind" "$T"
