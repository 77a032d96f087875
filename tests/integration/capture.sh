#!/usr/bin/env bash
# qbox capture and pcap=FILE, read back with tcpdump: a command's first
# frames (its ARP and TCP handshake to the host alias) are in the pcap=
# file from its start; a live capture keeps only what its filter names,
# stops after -c COUNT, writes to a pipe, ends with the sandbox; a
# network's whole segment shows one member's connection to another; a bad
# filter, a NIC that is not there and a terminal are exit 2; another user
# cannot capture; nothing left behind.
. "$(dirname "$0")/../lib.sh"

hport=$(free_port)
http_server "$hport"
n=cap$$

# frames PCAP [FILTER...] : tcpdump's lines for the file
frames() { local f=$1; shift; tcpdump -nn -r "$f" "$@" 2>/dev/null; }
count_is() { [ "$(frames "$1" | wc -l)" = "$2" ]; }

# pcap=FILE: the command fetches at once, so its first frames are there
run_ready "$n" --net "nat,pcap=$TMP/start.pcap" -- sh -c \
	"busybox wget -q -O /dev/null http://10.0.2.2:$hport/; exec sleep 600"
q=$RUN_PID
check "pcap= file: mode 0600" test "$(stat -c %a "$TMP/start.pcap")" = 600
check "pcap=: the command's ARP for the gateway, from the start" wait_for 10 \
	sh -c "tcpdump -nn -r '$TMP/start.pcap' 2>/dev/null | grep -q 'ARP, Request who-has 10\\.0\\.2\\.2 tell 10\\.0\\.2\\.100'"
check "pcap=: its TCP handshake to the host alias" wait_for 10 \
	sh -c "tcpdump -nn -r '$TMP/start.pcap' 2>/dev/null | grep -q '10\\.0\\.2\\.100\\.[0-9]* > 10\\.0\\.2\\.2\\.$hport: Flags \\[S\\]'"
check "pcap=: the answer, from the host alias" \
	sh -c "tcpdump -nn -r '$TMP/start.pcap' 2>/dev/null | grep -q '10\\.0\\.2\\.2\\.$hport > 10\\.0\\.2\\.100\\.[0-9]*: Flags \\[S\\.\\]'"

# a live capture: filter and count
"$QBOX" capture "$n" -w "$TMP/live.pcap" -c 3 udp port 5555 2>"$TMP/cap.err" &
c=$!
check "capture says where it listens" wait_for 10 \
	grep -q "^qbox: capture: listening on qbr0 in '$n'\$" "$TMP/cap.err"
for i in 1 2 3 4 5; do
	"$QBOX" exec "$n" -- bash -c "echo ping-$i >/dev/udp/10.0.2.2/5555" >/dev/null 2>&1
	"$QBOX" exec "$n" -- busybox wget -q -O /dev/null "http://10.0.2.2:$hport/"
done
check "-c 3: it ends after three frames" wait_for 10 proc_ended "$c"
kill -TERM "$c" 2>/dev/null	# only if it did not
wait "$c"
check "... with status 0" test $? = 0
check "the file holds the three, all UDP to port 5555 (the filter)" sh -c \
	"[ \"\$(tcpdump -nn -r '$TMP/live.pcap' 2>/dev/null | grep -c 'UDP, length')\" = 3 ] &&
	 [ \"\$(tcpdump -nn -r '$TMP/live.pcap' 2>/dev/null | grep -vc '10\\.0\\.2\\.2\\.5555: UDP')\" = 0 ]"

# one that sees nothing: an empty file, but a pcap file
"$QBOX" capture "$n" -w "$TMP/empty.pcap" udp port 9 2>"$TMP/empty.err" &
c=$!
wait_for 10 grep -q "listening on" "$TMP/empty.err"
kill -INT "$c"
wait "$c"
check "SIGINT: status 0" test $? = 0
check "a capture that saw nothing is a pcap file with no frame" sh -c \
	"tcpdump -nn -r '$TMP/empty.pcap' >/dev/null 2>&1 &&
	 [ -z \"\$(tcpdump -nn -r '$TMP/empty.pcap' 2>/dev/null)\" ]"

# to a pipe, until the sandbox ends
"$QBOX" capture "$n" tcp 2>"$TMP/pipe.err" >"$TMP/pipe.pcap" &
c=$!
wait_for 10 grep -q "listening on" "$TMP/pipe.err"
"$QBOX" exec "$n" -- busybox wget -q -O /dev/null "http://10.0.2.2:$hport/"
kill -TERM "$q"
wait "$q"
check "the capture ends with the sandbox" wait_for 10 proc_ended "$c"
kill -TERM "$c" 2>/dev/null
wait "$c"
check "... saying so, with status 0" sh -c \
	"[ $? = 0 ] && grep -q \"^qbox: capture: '$n' ended\$\" '$TMP/pipe.err'"
check "... and what went to its stdout is pcap with the connection" sh -c \
	"tcpdump -nn -r '$TMP/pipe.pcap' 2>/dev/null | grep -q '> 10\\.0\\.2\\.2\\.$hport: Flags \\[S\\]'"

# a network's whole segment
net=capn$$
two_members "$net"
if A=$(member_wait "$net" "a-$$" 20) && B=$(member_wait "$net" "b-$$" 20); then
	"$QBOX" capture "natnet:$net" -w "$TMP/seg.pcap" tcp port 8080 2>"$TMP/seg.err" &
	c=$!
	wait_for 10 grep -q "listening on qbr0 in 'natnet:$net'" "$TMP/seg.err"
	expect_output "member b fetches from member a" 0 "^member-$$\$" \
		"$QBOX" exec "b-$$" -- busybox wget -q -O - "http://$A:8080/"
	kill -INT "$c"
	wait "$c"
	check "the segment's capture saw b's connection to a (promiscuous bridge)" sh -c \
		"tcpdump -nn -r '$TMP/seg.pcap' 2>/dev/null | grep -q '$B\\.[0-9]* > $A\\.8080: Flags \\[S\\]'"
	check "... and a's answer" sh -c \
		"tcpdump -nn -r '$TMP/seg.pcap' 2>/dev/null | grep -q '$A\\.8080 > $B\\.[0-9]*: Flags \\[S\\.\\]'"
else
	fail "the members never joined"
fi
kill -TERM "$QA" "$QB"
wait "$QA" "$QB"

# bad values: exit 2, nothing started
run_ready "$n" --net nat -- sleep 600
q=$RUN_PID
expect_output "a bad filter: exit 2, named" 2 \
	"^qbox: capture: filter 'tcp port banana': " \
	"$QBOX" capture "$n" -w "$TMP/x.pcap" tcp port banana
expect_output "a NIC it has not: exit 2" 2 "'$n' has no nic3 to capture on" \
	"$QBOX" capture "$n" nic3 -w "$TMP/x.pcap"
expect_output "nic9: exit 2" 2 "nic9: no such NIC" "$QBOX" capture "$n" nic9
expect_output "-c 0: exit 2" 2 "-c 0: not a number of frames" "$QBOX" capture -c 0 "$n"
echo "keep-me" >"$TMP/keep.pcap"
expect_output "no sandbox of that name: exit 2" 2 "no sandbox named 'nosuch$$'" \
	"$QBOX" capture "nosuch$$" -w "$TMP/keep.pcap"
check "... and the -w file is left as it was" grep -qx keep-me "$TMP/keep.pcap"
expect_output "pcap= on a run refused (its name is in use): exit 2" 2 "a sandbox of that name is already running" \
	"$QBOX" run --name "$n" --net "nat,pcap=$TMP/keep.pcap" -- true
check "... and the pcap= file is left as it was" grep -qx keep-me "$TMP/keep.pcap"
expect_output "an unwritable file: exit 2, named" 2 "-w /nonexistent/x.pcap: No such file" \
	"$QBOX" capture "$n" -w /nonexistent/x.pcap
expect_output "pcap= to an unwritable file: exit 2, named" 2 \
	"^qbox: --net nat,pcap=/nonexistent/y.pcap: pcap=/nonexistent/y.pcap: No such file" \
	"$QBOX" run --net nat,pcap=/nonexistent/y.pcap -- true
expect_output "pcap= on bridged: exit 2" 2 "unknown option 'pcap'" \
	"$QBOX" run --net bridged:qtap0,pcap=x -- true
expect_output "pcap= to net create: a member's" 2 "pcap= belongs to a member" \
	"$QBOX" net create "natnet:x$$,pcap=$TMP/z.pcap"
if [ "$(id -u)" -eq 0 ]; then
	QN=$(qbox_for_nobody)
	expect_output "another user cannot capture it" 2 "no sandbox named '$n'" \
		as_nobody "$QN" capture "$n" -w /tmp/nobody-$$.pcap
	rm -f /tmp/nobody-$$.pcap
fi
kill -TERM "$q"
wait "$q"
no_leftovers "nothing left behind" "cap$$|[ab]-$$"
