#!/usr/bin/env bash
# tests/demo.sh - `make demo`: boot the tiny guest rootless behind qbox's
# NAT with a port forward, and show both directions working.
set -euo pipefail
TOP=$(cd "$(dirname "$0")/.." && pwd)
cd "$TOP"

if [ -t 1 ]; then B=$'\033[1m' N=$'\033[0m'; else B= N=; fi
say() { printf '\n%s==> %s%s\n' "$B" "$*" "$N"; }

# Everything the demo user needs, in a directory that user can read
DEMO=$(mktemp -d /tmp/qbox-demo.XXXXXX)
chmod 0755 "$DEMO"
PIDS=()
cleanup() {
	local p
	for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
	wait 2>/dev/null || true
	rm -rf "$DEMO"
}
trap cleanup EXIT
# free_port, as the tests pick theirs
PORTS_GIVEN=$DEMO/ports-given
# shellcheck source=tests/probe.sh
. "$TOP/tests/probe.sh"

# qbox is for unprivileged users: as root, the demo runs as 'nobody'
if [ "$(id -u)" -eq 0 ]; then
	AS=(setpriv --reuid 65534 --regid 65534 --clear-groups env -u XDG_RUNTIME_DIR HOME=/)
	who="nobody (uid 65534)"
	rundir=/tmp/qbox-65534
	if [ "$(stat -c %a /dev/net/tun)" != 666 ]; then
		echo "Setting /dev/net/tun to mode 0666 (the usual distro default) so that"
		echo "unprivileged users can create TAP devices in their own namespaces."
		chmod 0666 /dev/net/tun
	fi
else
	AS=()
	who="$(id -un) (uid $(id -u))"
	rundir=${XDG_RUNTIME_DIR:+$XDG_RUNTIME_DIR/qbox}
fi

cp build/qbox build/guest/vmlinuz "$DEMO/"
mkdir -p "$DEMO/www"
echo "Hello from the host's 127.0.0.1 -- reached from inside the VM via 10.0.2.2" \
	>"$DEMO/www/index.html"
hport=$(free_port)
fport=$(free_port)
busybox httpd -f -p "127.0.0.1:$hport" -h "$DEMO/www" &
PIDS+=($!)

cat >"$DEMO/guest.sh" <<EOS
udhcpc -i eth0 -n -q -t 5 >/dev/null 2>&1
echo "DEMO: guest eth0 is \$(ip -4 -o addr show eth0 | awk '{print \$4}'), default route via \$(ip route | awk '/default/ {print \$3}')"
echo "DEMO: guest fetched http://10.0.2.2:$hport/ -> \$(timeout 5 wget -q -O - http://10.0.2.2:$hport/)"
mkdir -p /www
echo "Hello from inside the VM (Linux \$(uname -r), \$(ip -4 -o addr show eth0 | awk '{print \$4}'))" >/www/index.html
httpd -p 80 -h /www
echo DEMO-READY
sleep 300
EOS
tests/guest/mkinitrd-with.sh build/guest/initramfs.cpio.gz "$DEMO/guest.sh" "$DEMO/initrd"
chmod -R a+rX "$DEMO"

cmd=("$DEMO/qbox" run --name qbox-demo --net nat --fwd "127.0.0.1:$fport:80" --
     qemu-system-x86_64 -accel tcg -m 160 -display none -serial stdio
     -no-reboot -nodefaults -kernel "$DEMO/vmlinuz" -initrd "$DEMO/initrd"
     -append "console=ttyS0 quiet panic=-1")
say "Booting a tiny Linux VM as $who, no root involved:"
echo "    qbox run --name qbox-demo --net nat --fwd 127.0.0.1:$fport:80 -- \\"
echo "        qemu-system-x86_64 -accel tcg -m 160 -kernel vmlinuz -initrd initrd ..."
start=$(date +%s%N)
"${AS[@]}" "${cmd[@]}" </dev/null >"$DEMO/console" 2>&1 &
qpid=$!
PIDS+=("$qpid")
for _ in $(seq 1200); do
	grep -q DEMO-READY "$DEMO/console" && break
	if ! kill -0 "$qpid" 2>/dev/null; then
		echo "The VM stopped early. Its console:" >&2
		cat "$DEMO/console" >&2
		exit 1
	fi
	sleep 0.1
done
if ! grep -q DEMO-READY "$DEMO/console"; then
	echo "The guest did not come up within 120 s. Its console:" >&2
	cat "$DEMO/console" >&2
	exit 1
fi
awk -v ns=$(($(date +%s%N) - start)) \
	'BEGIN { printf "    (guest up and serving after %.1f s of TCG emulation)\n", ns / 1e9 }'

say "Inside the VM (DHCP from qbox's NAT, then a fetch from the host):"
tr -d '\r' <"$DEMO/console" | sed -n 's/^DEMO: /    /p'

say "On the host: curl http://127.0.0.1:$fport/  (forwarded to the VM's port 80)"
reply=$(curl -sf --max-time 10 "http://127.0.0.1:$fport/")
echo "    $reply"

say "Stopping: SIGTERM to qbox, which passes it to qemu"
kill -TERM "$qpid"
wait "$qpid" || true
left=$(pgrep -f "$DEMO/qbox" || true)
if [ -n "$left" ]; then
	echo "    processes left behind: $left" >&2
	exit 1
fi
rundir=${rundir:-/tmp/qbox-$(id -u)}
if [ -e "$rundir/qbox-demo.lock" ]; then
	echo "    runtime file left behind: $rundir/qbox-demo.lock" >&2
	exit 1
fi
echo "    qbox exited; no process, socket or runtime file is left behind."
say "It works. Next: 'make check' runs the whole test suite; see README.md and docs/qbox.1."
