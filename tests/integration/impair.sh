#!/usr/bin/env bash
# Impairment of a command's NIC, measured with real tools: iperf3 through
# the NAT to the host's loopback runs at most at rate= and at full speed
# again after clear; loss= drops about its share of UDP datagrams each way
# (a python3 echo through the NAT); delay= needs netem, which a kernel
# may lack: then exit 2 naming sch_netem (checked against the kernel
# itself), else the round trip grows by twice the delay; --net ...,rate=
# at start; ps --json shows it; bad words exit 2, named.
. "$(dirname "$0")/../lib.sh"

n=imp$$
uport=$(free_port)
# a UDP echo on the host's loopback
start_bg python3 -c "
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(('127.0.0.1', $uport))
while True:
    d, a = s.recvfrom(2048)
    s.sendto(d, a)"

# listening PORT : something listens on 127.0.0.1:PORT (asked of the
# kernel: a probe's connection would be an iperf3 server's client)
listening() { ss -Hltn "sport = :$1" | grep -q .; }
# mbit NAME : iperf3's rate from the sandbox to the host, Mbit/s, received
# by a server of its own
mbit() {
	local j p srv
	p=$(free_port)
	timeout 30 iperf3 -s -1 -p "$p" -B 127.0.0.1 >/dev/null 2>&1 &
	srv=$!
	wait_for 5 listening "$p"
	j=$("$QBOX" exec "$1" -- iperf3 -c 10.0.2.2 -p "$p" -t 4 -J 2>&1)
	wait "$srv"
	jq '.end.sum_received.bits_per_second / 1000000 | floor' <<<"$j" 2>/dev/null ||
		echo "iperf3: $(jq -r .error <<<"$j" 2>/dev/null || echo "$j")" >&2
}
# echoes NAME COUNT : how many of COUNT UDP datagrams came back; also
# prints the median round trip in ms after a space
echoes() {
	"$QBOX" exec "$1" -- python3 -c "
import socket, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.setblocking(False)
sent, back, rtt = {}, 0, []
def drain():
    global back
    while True:
        try:
            d = s.recv(64)
        except BlockingIOError:
            return
        back += 1
        rtt.append(time.monotonic() - sent[int(d)])
for i in range($2):
    sent[i] = time.monotonic()
    s.sendto(str(i).encode(), ('10.0.2.2', $uport))
    time.sleep(0.001)
    drain()
end = time.monotonic() + 1.5
while time.monotonic() < end:
    drain()
    time.sleep(0.001)
rtt.sort()
print(back, int(rtt[len(rtt) // 2] * 1000) if rtt else -1)"
}
impairment_is() {	# NAME TEXT
	"$QBOX" ps --json | jqc --arg n "$1" --arg t "$2" \
		'.[] | select(.name == $n) | .nics[0].impairment == $t'
}

run_ready "$n" --net nat -- sleep 600
q=$RUN_PID
base=$(mbit "$n")
check "unimpaired: iperf3 runs well above 10 Mbit/s ($base)" test "${base:-0}" -gt 50
check "ps --json: no impairment" impairment_is "$n" ""
expect_output "rate=10mbit: exit 0" 0 "^\$" "$QBOX" link "$n" rate=10mbit
check "ps --json: rate=10mbit" impairment_is "$n" "rate=10mbit"
got=$(mbit "$n")
check "rate=10mbit: iperf3 measures at most 11 Mbit/s ($got)" test "${got:-99}" -le 11
check "... and not nothing ($got)" test "${got:-0}" -ge 5
expect_output "clear: exit 0" 0 "^\$" "$QBOX" link "$n" nic0 clear
check "ps --json: no impairment again" impairment_is "$n" ""
got=$(mbit "$n")
check "clear: full speed again ($got)" test "${got:-0}" -gt 50

read -r back rtt <<<"$(echoes "$n" 1000)"
check "unimpaired: the UDP echo loses next to nothing ($back of 1000)" test "${back:-0}" -ge 990
base_rtt=$rtt
expect_output "loss=20%: exit 0" 0 "^\$" "$QBOX" link "$n" loss=20%
read -r back rtt <<<"$(echoes "$n" 1000)"
# each way 20 %: 64 % come back; 3 standard deviations are 4.6 %
check "loss=20%: about 64 % of the echoes come back, each way lost ($back of 1000)" \
	sh -c "[ '${back:-0}' -ge 590 ] && [ '${back:-0}' -le 690 ]"
expect_output "rate= on top keeps the loss" 0 "^\$" "$QBOX" link "$n" rate=20mbit
check "ps --json: both" impairment_is "$n" "rate=20mbit loss=20%"
"$QBOX" link "$n" clear
read -r back rtt <<<"$(echoes "$n" 1000)"
check "clear: the loss is gone ($back of 1000)" test "${back:-0}" -ge 990

# delay= needs netem: an error that names it, or its effect
if unshare -rn tc qdisc add dev lo root netem delay 1ms 2>/dev/null; then
	expect_output "delay=50ms: exit 0 (this kernel has netem)" 0 "^\$" \
		"$QBOX" link "$n" delay=50ms
	read -r back rtt <<<"$(echoes "$n" 100)"
	check "delay=50ms: the round trip grows by 100 ms ($base_rtt -> $rtt ms)" \
		test "${rtt:-0}" -ge $((base_rtt + 95))
	"$QBOX" link "$n" clear
else
	expect_output "delay=50ms without netem: exit 2, naming the module" 2 \
		"^qbox: nic0: delay= needs the kernel's netem qdisc \\(module sch_netem\\), which this kernel does not have" \
		"$QBOX" link "$n" delay=50ms
	check "... and nothing changed" impairment_is "$n" ""
fi

# bad words: exit 2, named, the sandbox untouched
expect_output "rate=fast" 2 "^qbox: rate=fast: a rate from 8kbit to 100gbit" \
	"$QBOX" link "$n" rate=fast
expect_output "rate=1bit: too slow" 2 "rate=1bit: a rate from 8kbit" \
	"$QBOX" link "$n" rate=1bit
expect_output "loss=200%" 2 "^qbox: loss=200%: a share from 0.01% to 100%" \
	"$QBOX" link "$n" loss=200%
expect_output "loss=5 (no %)" 2 "loss=5: a share" "$QBOX" link "$n" loss=5
expect_output "delay=5 (no unit)" 2 "^qbox: delay=5: a time from 1ms to 60s" \
	"$QBOX" link "$n" delay=5
expect_output "jitter= without delay=" 2 "jitter= goes with delay=" \
	"$QBOX" link "$n" jitter=5ms
check "the sandbox is as it was" impairment_is "$n" ""
kill -TERM "$q"
wait "$q"

# at start
run_ready "$n" --net nat,rate=10mbit -- sleep 600
q=$RUN_PID
check "--net nat,rate=10mbit: ps --json shows it" impairment_is "$n" "rate=10mbit"
got=$(mbit "$n")
check "--net nat,rate=10mbit: at most 11 Mbit/s from the start ($got)" test "${got:-99}" -le 11
kill -TERM "$q"
wait "$q"
expect_output "--net nat,loss=-1%: exit 2, named" 2 \
	"^qbox: --net nat,loss=-1%: loss=-1%: a share" \
	"$QBOX" run --net nat,loss=-1% -- true
expect_output "--net bridged,rate=: exit 2" 2 "unknown option 'rate'" \
	"$QBOX" run --net bridged:qtap0,rate=1mbit -- true
no_leftovers "nothing left behind" "$n"
