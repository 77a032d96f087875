#!/usr/bin/env bash
# Replies that wait for a MAC nobody answers, in a running NAT engine.
#
# libslirp holds a packet for the guest until ARP tells it the MAC of the
# packet's destination, and drops it when no answer has come within a
# second. The frames fuzz target found that what still waits at
# slirp_cleanup() is lost (libslirp's leak, suppressed there: see
# tests/fuzz/fuzz_frames.c); this shows that while an engine runs the same
# packets cost nothing lasting. The test plays the guest's root in a
# command's sandbox (tests/helpers/netns-caps: the sandbox's owner may):
# it gives the payload's interface 100 more addresses, drops every ARP
# request that reaches it (so libslirp never learns their MACs), and sends
# UDP from all of them to an echo server on the host's loopback as fast as
# it can, three times over the same flows. Every echo waits in libslirp
# for a MAC nobody answers; the engine's memory after the third flood is
# what it was after the first.
. "$(dirname "$0")/../lib.sh"

mark=$((RANDOM + 400000))
name=pend-$mark
NSCAPS=$HELPERS/netns-caps
NFT=$(PATH=$PATH:/usr/sbin:/sbin command -v nft)	# a plain user's PATH lacks sbin

uport=$(free_port)
start_bg "$HELPERS/echo-server" -u "$uport"
run_ready "$name" -- sleep "$mark"
qpid=$RUN_PID
init=$(qbox_init "$qpid")
eng=$(qbox_engine "$qpid")
srcs=()
for h in $(seq 150 249); do srcs+=("10.0.2.$h"); done
# the gateway's MAC is libslirp's fixed one (52:55 and its IPv4 address),
# set by hand so that the payload's kernel never asks for it from one of
# these addresses (libslirp would learn that address's MAC from the ask)
printf 'addr add %s/24 dev qbr0\n' "${srcs[@]}" |
	"$NSCAPS" "$init" ip -b - &&
	"$NSCAPS" "$init" ip neigh replace 10.0.2.2 lladdr 52:55:0a:00:02:02 \
		nud permanent dev qbr0 &&
	printf '%s\n' 'table arp pending {' ' chain input {' \
		'  type filter hook input priority 0; policy accept;' \
		'  arp operation request counter drop' ' }' '}' |
	"$NSCAPS" "$init" "$NFT" -f -
check "the guest's side: 100 more addresses, ARP requests dropped" test $? -eq 0

# flood : one flood of 4 s; prints the datagrams sent, then waits 2 s, so
# that what still waits in libslirp has expired (1 s). The engine's RSS is
# sampled meanwhile, its highest in $TMP/peak (KiB).
flood() {
	local p
	"$NSCAPS" "$init" python3 "$TOP/tests/helpers/udp-spray.py" \
		10.0.2.2 "$uport" 4 40000 "${srcs[@]}" &
	p=$!
	while kill -0 "$p" 2>/dev/null; do
		status_of "$eng" VmRSS >>"$TMP/rss"
		sleep 0.1
	done
	wait "$p"
	sort -n "$TMP/rss" | tail -1 >"$TMP/peak"
	sleep 2
}
sent1=$(flood)
rss1=$(status_of "$eng" VmRSS)
data1=$(status_of "$eng" VmData)
sent2=$(flood)
: >"$TMP/rss"
sent3=$(flood)
peak=$(cat "$TMP/peak")
rss3=$(status_of "$eng" VmRSS)
data3=$(status_of "$eng" VmData)
asked=$("$NSCAPS" "$init" "$NFT" list table arp pending |
	sed -n 's/.*counter packets \([0-9]*\) .*/\1/p')
total=$((${sent1:-0} + ${sent2:-0} + ${sent3:-0}))
check "three floods of UDP from the 100 addresses ($sent1, $sent2, $sent3 datagrams of 1000 bytes)" \
	test "${sent1:-0}" -gt 50000 -a "${sent2:-0}" -gt 50000 -a "${sent3:-0}" -gt 50000
check "libslirp asked for MACs nobody answers ($asked ARP requests dropped)" \
	test "${asked:-0}" -ge 100
check "the engine's RSS after the third flood is what it was after the first ($rss1 -> $rss3 KiB)" \
	test -n "$rss1" -a -n "$rss3" -a $((${rss3:-0} - ${rss1:-0})) -lt 1024
check "... and while it ran, the engine's RSS stayed within 8 MiB of that ($peak KiB at most)" \
	test -n "$peak" -a $((${peak:-0} - ${rss1:-0})) -lt 8192
check "... and its data segment ($data1 -> $data3 KiB)" \
	test -n "$data1" -a -n "$data3" -a $((${data3:-0} - ${data1:-0})) -lt 1024
check "the engine is alive, the payload too" kill -0 "$eng" "$qpid"
"$QBOX" stop "$name" >/dev/null
wait "$qpid"
no_leftovers "nothing left behind" "$name"
