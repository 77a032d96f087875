#!/usr/bin/env bash
# A VM's cable and its clean stop, with the tiny guest's kernel:
#   - two VMs on one NAT network; `qbox link` pulls VM1's cable: the
#     guest's own driver reads carrier 0 and VM1 no longer reaches VM2;
#     plugged back in (this time as `qbox link natnet:NET MEMBER up`):
#     carrier 1, VM2 answers again, and the guest's DHCP client renews
#     the same lease;
#   - a third VM started with link=down: its guest boots without a
#     carrier, and gets its lease once plugged in; rate=2mbit makes its
#     downloads from the host take at least the time the rate gives,
#     clear makes them fast again;
#   - pcap=FILE: VM2's file has its DHCP exchange and its TCP handshake to
#     the host alias, as tcpdump reads them;
#   - `qbox stop` of a guest that handles the ACPI power button: its
#     shutdown script runs and the run ends with QEMU's 0, well before the
#     timeout; of a guest that ignores it: SIGTERM after the timeout;
#     --force: SIGTERM at once, no power button.
. "$(dirname "$0")/../lib.sh"

net=lnk$$
# three guests side by side, the first for the whole test
export QBOX_VM_TIMEOUT=300
ip2=10.0.2.60

# after_line FILE N PATTERN : a console line past the first N matches
after_line() { console_text "$1" | tail -n "+$(($2 + 1))" | grep -qE -- "$3"; }
lines_of() { console_text "$1" | wc -l; }
link_up_is() {	# NAME true|false
	"$QBOX" ps --json | jqc --arg n "$1" --argjson v "$2" \
		'.[] | select(.name == $n) | .nics[0].link_up == $v'
}

# the ACPI power button, as an input device (tests/guest: button, evdev):
# one event from it runs the guest's shutdown script
power_button_watcher() {
	cat <<'EOS'
for d in /sys/class/input/event*; do
	grep -q 'Power Button' "$d/device/name" 2>/dev/null && ev=/dev/input/${d##*/}
done
echo "QBOX-BUTTON: ${ev:-none}"
[ -n "$ev" ] && (dd if="$ev" bs=24 count=1 >/dev/null 2>&1
	echo "QBOX-SHUTDOWN: the power button was pressed"; sync; poweroff -f) &
EOS
}

hport=$(free_port)
http_server "$hport"
page=$(cat "$TMP/www/index.html")
head -c 1048576 /dev/urandom >"$TMP/www/big"

# VM2 fetches from the host alias, serves a page at its fixed address, and
# powers off on the button
{
	echo "udhcpc -i eth0 -n -q -t 5"
	echo "echo \"FETCH: \$(timeout 5 wget -q -O - http://10.0.2.2:$hport/)\""
	echo "mkdir -p /www && echo vm2-page >/www/index.html && httpd -p 80 -h /www"
	power_button_watcher
	echo "echo QBOX-READY"
	echo "sleep 300"
} >"$TMP/vm2.sh"
vm_start "$TMP/console2" "$TMP/vm2.sh" --name "vm2-$$" \
	--net "natnet:$net,ip=$ip2,pcap=$TMP/vm2.pcap"
vm2=$VM_PID
vm_ready "$TMP/console2" VM2
vm_check "VM2's guest has the ACPI power button" "$TMP/console2" "^QBOX-BUTTON: /dev/input/event"
vm_check "VM2 fetched from the host alias" "$TMP/console2" "^FETCH: $page"
# pcap=: the guest's frames from its first, read back by tcpdump
has_frame() {	# PATTERN [TCPDUMP-ARGS...]
	local pat=$1
	shift
	tcpdump -nn "$@" -r "$TMP/vm2.pcap" 2>/dev/null | grep -qE -- "$pat"
}
check "pcap=: VM2's DHCP DISCOVER" has_frame "DHCP-Message \(53\), length 1: Discover" -v
check "pcap=: ... and the server's ACK" has_frame "DHCP-Message \(53\), length 1: ACK" -v
check "pcap=: VM2's SYN to the host alias" \
	has_frame "${ip2//./\\.}\.[0-9]+ > 10\.0\.2\.2\.$hport: Flags \[S\]"
check "pcap=: ... and the SYN-ACK" \
	has_frame "10\.0\.2\.2\.$hport > ${ip2//./\\.}\.[0-9]+: Flags \[S\.\]"

# VM1 probes its carrier and VM2 twice a second, and renews its lease when
# its carrier comes back; it ignores the power button (no watcher)
{
	echo "udhcpc -i eth0 -n -q -t 5"
	echo "echo QBOX-READY"
	cat <<EOS
last=1
while :; do
	c=\$(cat /sys/class/net/eth0/carrier)
	p=\$(timeout 1 wget -q -O - http://$ip2/ 2>/dev/null || echo none)
	echo "PROBE: carrier=\$c peer=\$p"
	if [ "\$last" = 0 ] && [ "\$c" = 1 ]; then
		udhcpc -i eth0 -n -q -t 5 >/dev/null 2>&1
		echo "RENEWED: \$(ip -4 -o addr show eth0 | awk '{print \$4}')"
	fi
	last=\$c
	sleep 0.5
done
EOS
} >"$TMP/vm1.sh"
vm_start "$TMP/console1" "$TMP/vm1.sh" --name "vm1-$$" --net "natnet:$net"
vm1=$VM_PID
vm_ready "$TMP/console1" VM1
lease1=$(console_text "$TMP/console1" | sed -n 's/^QBOX-LEASE: eth0 \([0-9.]*\/24\).*/\1/p')
check "VM1 got a lease ($lease1)" test -n "$lease1"
check "VM1 sees its carrier and reaches VM2" wait_for 30 \
	grep -q "^PROBE: carrier=1 peer=vm2-page" "$TMP/console1"
check "ps --json: VM1's NIC is plugged in" link_up_is "vm1-$$" true

at=$(lines_of "$TMP/console1")
expect_output "qbox link VM1 down: exit 0" 0 "^\$" "$QBOX" link "vm1-$$" down
check "ps --json: VM1's NIC is unplugged" link_up_is "vm1-$$" false
check "VM1's guest reads carrier 0 and no longer reaches VM2" wait_for 20 \
	after_line "$TMP/console1" "$at" "^PROBE: carrier=0 peer=none"
check "... and never reaches VM2 while unplugged" not after_line "$TMP/console1" \
	"$at" "^PROBE: carrier=0 peer=vm2-page"

at=$(lines_of "$TMP/console1")
expect_output "qbox link natnet:NET VM1 up: exit 0" 0 "^\$" \
	"$QBOX" link "natnet:$net" "vm1-$$" up
check "VM1's guest reads carrier 1 and reaches VM2 again" wait_for 30 \
	after_line "$TMP/console1" "$at" "^PROBE: carrier=1 peer=vm2-page"
check "VM1's DHCP client renewed the same lease ($lease1)" wait_for 30 \
	after_line "$TMP/console1" "$at" "^RENEWED: $lease1\$"

# link=down at start: the guest never sees a carrier until plugged in
{
	echo "ip link set eth0 up"
	echo "sleep 2"
	echo "echo \"BOOT-CARRIER: \$(cat /sys/class/net/eth0/carrier)\""
	echo "echo QBOX-READY"
	echo "while [ \"\$(cat /sys/class/net/eth0/carrier)\" != 1 ]; do sleep 0.2; done"
	echo "echo \"LATER-CARRIER: \$(cat /sys/class/net/eth0/carrier)\""
	echo "udhcpc -i eth0 -n -q -t 5"
	# then fetch 1 MB from the host, again and again, timing each
	cat <<EOS
while :; do
	t0=\$(cut -d' ' -f1 /proc/uptime)
	n=\$(timeout 20 wget -q -O - http://10.0.2.2:$hport/big | wc -c)
	t1=\$(cut -d' ' -f1 /proc/uptime)
	echo "BIG: \$n bytes in \$(echo "\$t0 \$t1" | awk '{ printf "%d", (\$2 - \$1) * 1000 }') ms"
	sleep 0.5
done
EOS
} >"$TMP/vm3.sh"
vm_start "$TMP/console3" "$TMP/vm3.sh" --name "vm3-$$" --net "natnet:$net,link=down"
vm3=$VM_PID
vm_ready "$TMP/console3" VM3
vm_check "link=down: VM3's guest boots without a carrier" "$TMP/console3" "^BOOT-CARRIER: 0"
check "ps --json: VM3's NIC is unplugged" link_up_is "vm3-$$" false
"$QBOX" link "vm3-$$" nic0 up
check "plugged in: VM3's guest sees its carrier" wait_for 20 \
	grep -q "^LATER-CARRIER: 1" "$TMP/console3"
check "... and gets its lease" wait_for 30 grep -q "^QBOX-LEASE: eth0 10\\.0\\.2\\." "$TMP/console3"

# rate=: what the guest gets, at most the rate (1 MB at 2 Mbit/s: 4.2 s)
big_ms() {	# the last whole download's time after line N, in ms
	console_text "$TMP/console3" | tail -n "+$(($1 + 1))" |
		sed -n 's/^BIG: 1048576 bytes in \([0-9]*\) ms$/\1/p' | tail -n 1
}
got_big() { [ -n "$(big_ms "$1")" ]; }
check "VM3 downloads from the host alias" wait_for 60 got_big 0
fast=$(big_ms 0)
"$QBOX" link "vm3-$$" rate=2mbit
at=$(lines_of "$TMP/console3")
check "rate=2mbit: a whole download after it" wait_for 60 got_big "$at"
# a download begun before may end after; the second one is all slow
at=$(($(lines_of "$TMP/console3") - 1))
check "... and another" wait_for 60 got_big "$((at + 1))"
slow=$(big_ms "$((at + 1))")
check "rate=2mbit: 1 MB takes at least 4 s ($slow ms; $fast ms before)" \
	test "${slow:-0}" -ge 4000
check "ps --json: VM3's impairment" sh -c \
	"'$QBOX' ps --json | jq -e '.[] | select(.name == \"vm3-$$\") | .nics[0].impairment == \"rate=2mbit\"' >/dev/null"
"$QBOX" link "vm3-$$" clear
at=$(($(lines_of "$TMP/console3") + 1))
check "clear: another whole download" wait_for 60 got_big "$at"
quick=$(big_ms "$at")
check "clear: fast again ($quick ms)" test "${quick:-99999}" -lt 3000

# qbox stop: the power button, honoured
t0=$SECONDS
expect_output "stop VM2 (it handles the power button): exit 0" 0 "^\$" \
	"$QBOX" stop "vm2-$$" --timeout 30
wait "$vm2"
rc=$?
check "VM2's shutdown script ran" grep -q "^QBOX-SHUTDOWN: the power button was pressed" "$TMP/console2"
check "VM2's run ends with QEMU's 0 ($rc)" test "$rc" = 0
check "... well before the timeout ($((SECONDS - t0)) s of 30)" test $((SECONDS - t0)) -lt 25
check "... not by SIGTERM" not grep -q "terminating on signal" "$TMP/console2"

# ignored: SIGTERM after the timeout
t0=$SECONDS
expect_output "stop VM1 (it ignores the power button) --timeout 3: exit 0" 0 "^\$" \
	"$QBOX" stop "vm1-$$" --timeout 3
wait "$vm1"
took=$((SECONDS - t0))
check "VM1 was SIGTERMed" grep -q "terminating on signal 15" "$TMP/console1"
check "... after the timeout ($took s, 3 asked)" test "$took" -ge 3
check "... and not much later" test "$took" -le 8

# --force: SIGTERM at once
t0=$SECONDS
expect_output "stop --force VM3: exit 0" 0 "^\$" "$QBOX" stop --force "vm3-$$" --timeout 30
wait "$vm3"
check "VM3 was SIGTERMed at once ($((SECONDS - t0)) s)" test $((SECONDS - t0)) -lt 10
check "... by SIGTERM" grep -q "terminating on signal 15" "$TMP/console3"
no_leftovers "nothing left behind" "vm[123]-$$|$net"
