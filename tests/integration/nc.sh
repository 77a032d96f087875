#!/usr/bin/env bash
# qbox nc: stdin and stdout to a TCP port inside a network (MODE:NAME) or a
# sandbox (by name): data both ways, half-close, an ssh ProxyCommand, every
# error (refused, unreachable, timeout, unknown network or sandbox, bad
# arguments), the end of the network while connected, and the hub's fds.
. "$(dirname "$0")/../lib.sh"

net=c$$
# the member's servers: an echo (cat), a byte counter that answers at EOF
# (wc -c: only a half-close lets it answer) and a fake sshd's banner
cat >"$TMP/banner.sh" <<'EOS'
#!/bin/sh
echo "SSH-2.0-qboxfake"
sleep 2
EOS
cat >"$TMP/servers.sh" <<EOS
#!/bin/sh
busybox nc -ll -p 7000 -e cat &
busybox nc -ll -p 7001 -e wc -c &
busybox nc -ll -p 7022 -e $TMP/banner.sh &
wait
EOS
chmod +x "$TMP/banner.sh" "$TMP/servers.sh"
start_bg "$QBOX" run --name "ncs-$$" --net "natnet:$net" --ro-bind "$TMP" -- "$TMP/servers.sh"
qs=$BG_PID
if ! A=$(member_wait "$net" "ncs-$$" 30); then
	fail "the server never joined natnet:$net"
	exit 1
fi
wait_for 10 sh -c "'$QBOX' exec ncs-$$ -- busybox nc -z 127.0.0.1 7022"
hub=$(hub_pid "$net")
fds0=$(qbox_fds "$hub")

# ---- data both ways, half-close -------------------------------------------------
head -c 3000000 /dev/urandom >"$TMP/in.bin"
timeout 30 "$QBOX" nc "natnet:$net" "$A" 7000 <"$TMP/in.bin" >"$TMP/out.bin"
rc=$?
check "3 MB to an echo server in natnet:$net and back, intact (exit $rc)" \
	sh -c "[ $rc -eq 0 ] && cmp -s '$TMP/in.bin' '$TMP/out.bin'"
expect_output "half-close: EOF on stdin reaches the server, its answer comes back" 0 "^5\$" \
	sh -c "printf hello | timeout 20 '$QBOX' nc natnet:$net $A 7001"
expect_output "stdin at EOF from the start: the answer still arrives" 0 "^0\$" \
	timeout 20 "$QBOX" nc "natnet:$net" "$A" 7001 </dev/null
expect_output "by sandbox name: its own loopback" 0 "^4\$" \
	sh -c "echo abc | timeout 20 '$QBOX' nc ncs-$$ 127.0.0.1 7001"
expect_output "3 MB counted by the server (half-close after a long stream)" 0 "^3000000\$" \
	timeout 30 "$QBOX" nc "natnet:$net" "$A" 7001 <"$TMP/in.bin"

# ---- an ssh ProxyCommand --------------------------------------------------------
expect_output "ssh with ProxyCommand='qbox nc natnet:$net %h %p' reaches the server" 255 \
	"remote software version qboxfake" \
	timeout 30 ssh -v -F /dev/null -o BatchMode=yes -o StrictHostKeyChecking=no \
	-o UserKnownHostsFile=/dev/null -o "ProxyCommand=$QBOX nc natnet:$net %h %p" \
	-p 7022 "root@$A" true

# ---- errors ---------------------------------------------------------------------
expect_output "a port nobody listens on: refused" 1 \
	"^qbox: nc: $A:7999 in 'natnet:$net' refused the connection" \
	timeout 20 "$QBOX" nc "natnet:$net" "$A" 7999 </dev/null
# two addresses nobody has: not the member's, which comes from a hash of
# its MAC and may be any of the pool's (CI once met it at .250)
nobody=()
for h in 250 251 252; do
	[ "10.0.2.$h" = "$A" ] || nobody+=("10.0.2.$h")
done
expect_output "an address nobody has: unreachable" 1 \
	"^qbox: nc: ${nobody[0]//./\\.}:22 in 'natnet:$net' is unreachable" \
	timeout 20 "$QBOX" nc "natnet:$net" "${nobody[0]}" 22 </dev/null
expect_output "--timeout 1: nothing answered" 1 \
	"^qbox: nc: ${nobody[1]//./\\.}:22 in 'natnet:$net' did not answer within 1 s" \
	timeout 20 "$QBOX" nc --timeout 1 "natnet:$net" "${nobody[1]}" 22 </dev/null
expect_output "outside the network's subnet: no route" 1 "is unreachable \\(no route to it" \
	timeout 20 "$QBOX" nc "natnet:$net" 192.0.2.1 22 </dev/null
expect_output "a network that does not run" 2 "^qbox: nc: no network named 'nope$$' is running" \
	"$QBOX" nc "natnet:nope$$" 10.0.2.15 22
expect_output "a sandbox that does not run" 2 "^qbox: nc: no sandbox named 'nope$$' is running" \
	"$QBOX" nc "nope$$" 10.0.2.15 22
expect_output "the network in another mode" 2 "is a natnet network, not hostonly" \
	"$QBOX" nc "hostonly:$net" "$A" 7000
expect_output "a name no member has" 2 "network '$net' has no member named 'vm1'" \
	"$QBOX" nc "natnet:$net" vm1 22
expect_output "a host name in a sandbox (names are a network's)" 2 \
	"'vm1' is not an IPv4 or IPv6 address" "$QBOX" nc "box-$$" vm1 22
expect_output "a bad port" 2 "destination port 70000 out of range" \
	"$QBOX" nc "natnet:$net" "$A" 70000
expect_output "a missing argument" 2 "usage: qbox nc" "$QBOX" nc "natnet:$net" "$A"
expect_output "a bad --timeout" 2 "--timeout 0: not a number of seconds" \
	"$QBOX" nc --timeout 0 "natnet:$net" "$A" 22
check "the hub holds no fd more than before ($fds0)" wait_for 5 fds_are "$hub" "$fds0"

# ---- the network ends while connected -----------------------------------------------
mkfifo "$TMP/hold"
timeout 30 "$QBOX" nc "natnet:$net" "$A" 7000 <"$TMP/hold" >/dev/null 2>"$TMP/ended" &
ncp=$!
exec 7>"$TMP/hold"	# stdin stays open: the connection idles
wait_for 10 sh -c "'$QBOX' exec ncs-$$ -- busybox netstat -tn | grep -q ':7000 .*ESTABLISHED'"
kill -KILL "$hub"
wait "$ncp"
rc=$?
exec 7>&-
check "nc ends with status 1 when its network does (exit $rc)" test "$rc" -eq 1
check "... and says so" grep -q "^qbox: nc: 'natnet:$net' ended" "$TMP/ended"
kill -TERM "$qs"
wait "$qs"
sleep 0.5
no_leftovers "nothing left behind" "natnet:$net"
