#!/usr/bin/env bash
# The NAT engine: libslirp in a process of its own (qbox-uplink), confined
# before it reads a frame: no capabilities (bounding set too), no_new_privs,
# seccomp (policies/uplink.policy on qbox's baseline), a user namespace of
# its own, no filesystem but /etc/resolv.conf (Landlock), limits on fds
# (flows) and memory. NAT through it (TCP, UDP, a refused port, DNS to a
# resolver on the host's loopback), its death (reported, the payload runs
# on, nothing left), a flood of connections (bounded; another sandbox
# unaffected), a member flooding a hub's engine at line rate (bounded; the
# others served), a hub's engine, and the policy (qbox policy ... uplink).
. "$(dirname "$0")/../lib.sh"

mark=$((RANDOM + 300000))
name=up-$mark
port=$(free_port)
http_server "$port"
page=$(cat "$TMP/www/index.html")

# limit_of PID "Max open files" : "SOFT HARD" from /proc/PID/limits
limit_of() { sed -n "s/^$2  *\\([0-9a-z]*\\)  *\\([0-9a-z]*\\) .*/\\1 \\2/p" "/proc/$1/limits"; }
engine_json() {
	"$QBOX" ps --json | jq -c --arg n "$1" '.[] | select(.name == $n) | .nat_engine'
}

# ---- the engine's process and its confinement ------------------------------
run_ready "$name" -- sleep "$mark"
qpid=$RUN_PID
eng=$(qbox_engine "$qpid")
check "the engine is a child of the supervisor, named qbox-uplink ($eng)" test -n "$eng"
check "ps --json: nat_engine names it, running" jqc --argjson p "${eng:-0}" \
	'.pid == $p and .running == true and (has("ended") | not)' <<<"$(engine_json "$name")"
for f in CapInh CapPrm CapEff CapBnd CapAmb; do
	v=$(status_of "$eng" "$f")
	if [ "$v" = 0000000000000000 ]; then pass "engine: $f is 0"; else fail "engine: $f is '$v'"; fi
done
check "engine: NoNewPrivs is 1" test "$(status_of "$eng" NoNewPrivs)" = 1
check "engine: Seccomp is 2 (filter)" test "$(status_of "$eng" Seccomp)" = 2
check "engine: two filters, qbox's baseline and uplink.policy" \
	test "$(status_of "$eng" Seccomp_filters)" = 2
check "engine: in the host's network namespace (its sockets are the NAT's outside)" \
	test "$(readlink "/proc/$eng/ns/net")" = "$(readlink /proc/self/ns/net)"
check "engine: in a user namespace of its own" \
	test "$(readlink "/proc/$eng/ns/user")" != "$(readlink /proc/self/ns/user)" -a \
	"$(readlink "/proc/$eng/ns/user")" != "$(readlink "/proc/$(qbox_init "$qpid")/ns/user")"
want=4096
hard=$(ulimit -Hn)
[ "$hard" != unlimited ] && [ "$hard" -lt "$want" ] && want=$hard
check "engine: RLIMIT_NOFILE $want, soft and hard (flows)" \
	test "$(limit_of "$eng" "Max open files")" = "$want $want"
read -r dsoft dhard <<<"$(limit_of "$eng" "Max data size")"
vmdata=$(($(status_of "$eng" VmData) * 1024))
check "engine: RLIMIT_DATA soft = hard, at most 2 GiB above what it holds ($dsoft)" \
	test "$dsoft" = "$dhard" -a "$dsoft" != unlimited -a \
	$((dsoft - vmdata)) -le $((2048 << 20)) -a $((dsoft - vmdata)) -gt $((1024 << 20))
fds=$(ls "/proc/$eng/fd" | wc -l)
check "engine: five fds (stdio, its report pipe, its TAP), got $fds" test "$fds" -eq 5
check "engine: stdin and stdout are /dev/null" \
	test "$(readlink "/proc/$eng/fd/0")" = /dev/null -a "$(readlink "/proc/$eng/fd/1")" = /dev/null
check "engine: its TAP is open, the runtime directory and the lock are not" sh -c \
	"ls -l /proc/$eng/fd | grep -q /dev/net/tun && ! ls -l /proc/$eng/fd | grep -q '$RUNDIR'"

# Landlock: the engine opens /etc/resolv.conf and nothing else, not even a
# file of the user's own (QBOX_TEST_UPLINK_OPEN: the engine tries, once
# confined, and says what the kernel answered)
echo mine >"$TMP/mine"
expect_output "engine: cannot open the user's own file (Landlock: EACCES)" 0 \
	"^qbox-uplink: test: open $TMP/mine: EACCES\$" \
	env QBOX_TEST_UPLINK_OPEN="$TMP/mine" "$QBOX" run -- true
expect_output "engine: cannot open /etc/passwd" 0 "^qbox-uplink: test: open /etc/passwd: EACCES\$" \
	env QBOX_TEST_UPLINK_OPEN=/etc/passwd "$QBOX" run -- true
printf 'nameserver 127.0.0.1\n' >"$TMP/resolv"
mkdir -p "$TMP/xdg"
expect_output "engine: opens /etc/resolv.conf, the one file it may read" 0 \
	"^qbox-uplink: test: open /etc/resolv.conf: opened\$" \
	unshare -Urm sh -c "mount --bind '$TMP/resolv' /etc/resolv.conf && \
	QBOX_TEST_UPLINK_OPEN=/etc/resolv.conf XDG_RUNTIME_DIR='$TMP/xdg' '$QBOX' run -- true"

# ---- NAT through the engine -------------------------------------------------
expect_output "TCP: the host's loopback via 10.0.2.2" 0 "^$page\$" \
	"$QBOX" run -- busybox wget -q -O - "http://10.0.2.2:$port/"
expect_output "TCP: a refused port is refused" 1 "Connection refused" \
	"$QBOX" run -- busybox wget -q -O - "http://10.0.2.2:$(free_port)/"
uport=$(free_port)
start_bg socat "UDP-RECVFROM:$uport,bind=127.0.0.1,fork" SYSTEM:'read x; echo pong-$x'
wait_for 5 sh -c "ss -Hlun 'sport = :$uport' | grep -q ."
# one datagram and its answer, waited for 5 s (socat would wait only its
# half-close time after its input ends); UDP may lose one: up to three tries
udp_ping() {
	"$QBOX" run -- python3 -c "import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.settimeout(5)
s.sendto(b'ping\\n', ('10.0.2.2', $uport))
print(s.recv(64).decode().strip())" 2>/dev/null | grep -qx pong-ping
}
udp_tries() { udp_ping || udp_ping || udp_ping; }
check "UDP: a datagram to the host's loopback and its answer" udp_tries
# DNS: the guest asks 10.0.2.3, libslirp forwards to the resolver named by
# the host's /etc/resolv.conf (read under Landlock). In a network namespace
# of the test's own, where the resolver can listen on 127.0.0.1:53; the
# link-local line makes libslirp call if_nametoindex, whose AF_UNIX socket
# and ioctl the policy refuses with ENOSYS rather than killing the engine.
printf 'nameserver fe80::1%%lo\nnameserver 127.0.0.1\n' >"$TMP/resolv"
cat >"$TMP/dns.sh" <<EOS
ip link set lo up
mount --bind '$TMP/resolv' /etc/resolv.conf
python3 '$TOP/tests/helpers/dns-answer.py' 127.0.0.1 53 192.0.2.55 >'$TMP/dns.log' 2>&1 &
for i in \$(seq 50); do grep -q ready '$TMP/dns.log' && break; sleep 0.1; done
XDG_RUNTIME_DIR='$TMP/xdg' timeout 30 '$QBOX' run -- busybox nslookup probe.qbox.test 10.0.2.3
rc=\$?
kill %1
exit \$rc
EOS
expect_output "DNS: 10.0.2.3 forwards to the host's resolver on its loopback" 0 \
	"^Address: 192\\.0\\.2\\.55\$" unshare -Urnm bash "$TMP/dns.sh"

# ---- the engine killed: reported once, the payload runs on ------------------
kill -KILL "$eng"
wait_for 10 grep -q "NAT engine died" "$TMP/err"
check "its death is reported in one line naming the signal" grep -qx \
	"qbox: sandbox '$name': the NAT engine died (killed by signal 9, SIGKILL): its NAT network is down; the payload runs on" \
	"$TMP/err"
check "... once" test "$(grep -c "NAT engine died" "$TMP/err")" -eq 1
check "ps --json: the engine's end" jqc \
	'.running == false and .ended == "killed by signal 9, SIGKILL"' <<<"$(engine_json "$name")"
check "the engine was reaped" wait_for 5 sh -c "! test -d /proc/$eng"
check "the payload runs on" sh -c "pgrep -f '^sleep $mark\$' >/dev/null"
expect_output "the sandbox still answers on its control socket" 0 "^ok\$" \
	sh -c "'$QBOX' exec '$name' -- true && echo ok"
"$QBOX" stop "$name" >/dev/null
wait "$qpid"
rc=$?
check "qbox stop then ends it as usual (exit $rc)" test "$rc" -eq 143
no_leftovers "engine killed: nothing left behind" "$name"
expect_output "the next run with the same name has its NAT" 0 "^$page\$" \
	"$QBOX" run --name "$name" -- busybox wget -q -O - "http://10.0.2.2:$port/"

# the supervisor killed: the engine goes with it (PDEATHSIG)
run_ready "$name" -- sleep "$mark"
qpid=$RUN_PID
eng=$(qbox_engine "$qpid")
{ kill -KILL "$qpid" && wait "$qpid"; } 2>/dev/null
check "SIGKILL of qbox: its engine dies too" wait_for 10 sh -c "! test -d /proc/${eng:-0}"
wait_for 10 sh -c "! test -e '$RUNDIR/$name.lock'"
no_leftovers "SIGKILL of qbox: nothing left behind" "$name"

# ---- a flood: more connections than the engine may hold ---------------------
# conn-echo opens 4600 connections through the NAT (libslirp's path:
# egress=slirp; egress_path.sh floods the kernel's) to an echo server on the
# host's loopback; the engine holds at most its fd limit of them (the rest
# get ICMP unreachable from libslirp, whose socket() fails with EMFILE), its
# memory stays within its limit, and another sandbox is served meanwhile.
eport=$(free_port)
start_bg "$HELPERS/echo-server" "$eport"
wait_for 5 port_open 127.0.0.1 "$eport"
"$QBOX" run --name "flood-$mark" --net nat,egress=slirp --ro-bind "$TMP" -- \
	"$HELPERS/conn-echo" -t 90 -h "$TMP/hold" \
	10.0.2.2 "$eport" 4600 </dev/null >"$TMP/flood" 2>&1 &
fpid=$!
BG_PIDS+=("$fpid")
if wait_for 120 grep -q '^echoed' "$TMP/flood"; then
	eng=$(qbox_engine "$fpid")
	opened=$(sed -n 's/^opened \([0-9]*\) of .*/\1/p' "$TMP/flood")
	echoed=$(sed -n 's/^echoed \([0-9]*\) of .*/\1/p' "$TMP/flood")
	check "flood: the engine took at most its limit of flows (opened $opened of 4600)" \
		test "$opened" -ge 3000 -a "$opened" -le 4096
	# Every flow it took works. (CI saw "opened" run over the limit,
	# 4092 to 4109, with 4091 echoed: conn-echo counted sockets still in
	# SYN_SENT, which poll had reported with POLLERR and SO_ERROR 0 after
	# the engine's "network unreachable" met them inside connect();
	# conn-echo now asks for POLLOUT and a peer. See is_connected().)
	check "flood: every flow it took works ($echoed of $opened echoed)" \
		test "$echoed" -eq "$opened"
	fds=$(ls "/proc/$eng/fd" | wc -l)
	check "flood: the engine's fds stay within RLIMIT_NOFILE ($fds)" test "$fds" -le "$want"
	read -r dsoft _ <<<"$(limit_of "$eng" "Max data size")"
	rss=$(($(status_of "$eng" VmRSS) * 1024))
	vmdata=$(($(status_of "$eng" VmData) * 1024))
	check "flood: its memory within RLIMIT_DATA (RSS $((rss >> 20)) MiB, data $((vmdata >> 20)) MiB)" \
		test "$rss" -le "$dsoft" -a "$vmdata" -le "$dsoft"
	check "flood: the engine is alive" jqc '.running' <<<"$(engine_json "flood-$mark")"
	expect_output "flood: another sandbox passes traffic meanwhile" 0 "^$page\$" \
		timeout 30 "$QBOX" run -- busybox wget -q -O - "http://10.0.2.2:$port/"
else
	fail "flood: conn-echo never finished: $(cat "$TMP/flood")"
fi
touch "$TMP/hold"
wait "$fpid"
no_leftovers "flood: nothing left behind" "flood-$mark"

# ---- a flood at line rate ------------------------------------------------------
# A member of a network sends UDP through the hub's engine as fast as it
# can (iperf3 -u -b 0 to a server on the host's loopback). The engine's
# memory stays put (libslirp sends each datagram on or drops it, and the
# engine's fair queue is at its bound within the first second), it stays
# alive, another member of the same network is served through the same
# engine meanwhile (its frames served in turn, the flooder's dropped:
# dataplane/fairq.h), and so is another sandbox.
lnet=l$mark
iport=$(free_port)
start_bg iperf3 -s -1 -p "$iport" >/dev/null 2>&1
# not port_open: iperf3 -1 would take that connection for its one client
listening() { ss -Htln "sport = :$iport" | grep -q .; }
wait_for 5 listening
"$QBOX" run --name "lr-$mark" --net "natnet:$lnet" -- iperf3 -c 10.0.2.2 -p "$iport" \
	-u -b 0 -l 1400 -t 60 -J </dev/null >"$TMP/lr" 2>&1 &
lpid=$!
BG_PIDS+=("$lpid")
leng() { "$QBOX" net inspect "$lnet" --json 2>/dev/null | jq -r '.nat_engine.pid // empty'; }
lhub=
if wait_for 20 "$QBOX" wait "lr-$mark" --timeout 1; then
	le=$(leng)
	lhub=$("$QBOX" net inspect "$lnet" --json | jq -r '.pid // empty')
	sleep 2
	rss0=$(status_of "$le" VmRSS)
	t0=$SECONDS
	expect_output "line rate: another member is served through the same engine" 0 "^$page\$" \
		timeout 30 "$QBOX" run --net "natnet:$lnet" -- busybox wget -q -O - "http://10.0.2.2:$port/"
	expect_output "line rate: another sandbox is served meanwhile" 0 "^$page\$" \
		timeout 30 "$QBOX" run -- busybox wget -q -O - "http://10.0.2.2:$port/"
	rss1=$(status_of "$le" VmRSS)
	# The flood lasts up to 60 s and is stopped below, so these read the
	# engine while it is still under load however slow this machine is
	# (an ASan engine on two busy cores once took 13 s to serve both).
	check "line rate: both served while the flood runs ($((SECONDS - t0)) s)" kill -0 "$lpid"
	check "line rate: the engine's memory stays put (RSS $rss0 -> $rss1 KiB)" \
		test -n "$rss0" -a -n "$rss1" -a $((${rss1:-0} - ${rss0:-0})) -lt 4096
	check "line rate: the engine is alive" jqc '.nat_engine.running' <<<"$("$QBOX" net inspect "$lnet" --json)"
	# iperf3 reports what it sent when SIGTERM (qbox stop) ends it early
	"$QBOX" stop "lr-$mark" >/dev/null 2>&1
	wait "$lpid"
	sent=$(jq -r '.end.sum.bytes // 0' "$TMP/lr" 2>/dev/null)
	check "line rate: the flood was one ($((${sent:-0} >> 20)) MiB sent in $((SECONDS - t0 + 2)) s)" \
		test "${sent:-0}" -gt $((100 << 20))
else
	fail "line rate: the flooding member never came up: $(cat "$TMP/lr")"
fi
# the hub unlinks its socket, then ends: wait for the end itself
wait_for 10 sh -c "! test -e '$RUNDIR/net@$lnet.sock'"
[ -z "$lhub" ] || wait_for 10 proc_ended "$lhub"
no_leftovers "line rate: nothing left behind" "$lnet"

# ---- a hub's engine ---------------------------------------------------------
net=u$mark
"$QBOX" net create "natnet:$net" >/dev/null
hub=$("$QBOX" net inspect "$net" --json)
heng=$(jq -r '.nat_engine.pid' <<<"$hub")
hpid=$(jq -r '.pid' <<<"$hub")
check "a hub's NAT engine: its child, qbox-uplink" test "$(qbox_engine "$hpid")" = "$heng"
check "a hub's NAT engine: confined like a sandbox's" test "$(status_of "$heng" CapBnd)" = \
	0000000000000000 -a "$(status_of "$heng" Seccomp)" = 2
expect_output "a member reaches the host through the hub's engine" 0 "^$page\$" \
	timeout 30 "$QBOX" run --net "natnet:$net" -- busybox wget -q -O - "http://10.0.2.2:$port/"
mkdir -p "$TMP/a" && echo "member-a-$mark" >"$TMP/a/index.html"
start_bg "$QBOX" run --name "a-$mark" --net "natnet:$net" --ro-bind "$TMP/a" -- busybox httpd -f -p 8080 -h "$TMP/a"
A=$(member_wait "$net" "a-$mark" 20)
kill -KILL "$heng"
wait_for 10 sh -c "'$QBOX' net inspect '$net' --json | jq -e '.nat_engine.running == false' >/dev/null"
expect_output "net inspect: the network's NAT is down, and why" 0 \
	"^nat +down: its engine was killed by signal 9, SIGKILL\$" "$QBOX" net inspect "$net"
expect_output "the hub runs on: members still reach each other" 0 "^member-a-$mark\$" \
	timeout 30 "$QBOX" run --net "natnet:$net" -- timeout 10 busybox wget -q -O - "http://$A:8080/"
out=$(timeout 30 "$QBOX" run --net "natnet:$net" -- timeout 3 busybox wget -q -O - "http://10.0.2.2:$port/" 2>&1)
rc=$?
check "... but not the host (no NAT: exit $rc)" test "$rc" -eq 1 -o "$rc" -eq 124
kill -TERM "$BG_PID"
wait "$BG_PID"
"$QBOX" net rm "$net" >/dev/null
wait_for 10 sh -c "! test -e '$RUNDIR/net@$net.sock'"
wait_for 10 proc_ended "$hpid"
no_leftovers "a hub's engine killed: nothing left behind" "$net"

# ---- the engine's policy -------------------------------------------------------
expect_output "policy check uplink: the engine's, no execve needed" 0 \
	"^uplink: ok, [0-9]+ syscalls allowed \\(the NAT engine's policy\\)\$" \
	"$QBOX" policy check uplink
show=$("$QBOX" policy show uplink)
check "policy show uplink: ENOSYS for the rest" grep -qE \
	"^@default errno ENOSYS +# $QBOX_POLICY_DIR/uplink.policy:[0-9]+\$" <<<"$show"
check "policy show uplink: IPv4 TCP, UDP and ping sockets only" grep -qE \
	"^socket: arg0 == AF_INET && arg1 == SOCK_STREAM \\| SOCK_CLOEXEC && arg2 == 0 \\|\\| " <<<"$show"
if grep -E '^(execve|execveat|clone|clone3|fork|vfork|bind|listen|accept|accept4|kill|tgkill|ptrace|unlinkat|unlink|mprotect):' <<<"$show"; then
	fail "policy show uplink: allows one of exec, fork, bind, listen, accept, kill, ptrace, unlink, mprotect"
else
	pass "policy show uplink: no exec, fork, bind, listen, accept, kill, ptrace, unlink, mprotect"
fi
check "policy show uplink: names qbox's own tgkill rule" grep -q \
	"tgkill of the engine itself with SIGABRT" <<<"$show"
expect_output "policy dump uplink" 0 'filter for syscall "socket"' "$QBOX" policy dump uplink
expect_output "policy list: uplink" 0 "^uplink +$QBOX_POLICY_DIR/uplink.policy\$" "$QBOX" policy list
expect_output "--policy uplink is refused for a payload" 2 "execve is not allowed" \
	"$QBOX" run --policy uplink -- true
# an administrator's uplink.policy in the policy directory replaces it
mkdir -p "$TMP/pol"
cp "$TOP"/policies/*.policy "$TMP/pol/"
printf 'read: 1\nfrob: 1\n' >"$TMP/pol/uplink.policy"
expect_output "a broken uplink.policy fails a NAT run at once, naming FILE:LINE" 2 \
	"$TMP/pol/uplink.policy:2: unknown syscall 'frob'" \
	env QBOX_POLICY_DIR="$TMP/pol" "$QBOX" run --name "$name" -- true
expect_output "... a run without NAT does not read it" 0 "^ok\$" \
	env QBOX_POLICY_DIR="$TMP/pol" "$QBOX" run --net none -- echo ok
printf '@default kill-process\nread: 1\n' >"$TMP/pol/uplink.policy"
expect_output "an engine its policy kills while starting: the run fails, saying so" 1 \
	"starting the NAT engine: it ended, killed by signal 31, SIGSYS: a system call the policy 'uplink' does not allow" \
	env QBOX_POLICY_DIR="$TMP/pol" "$QBOX" run --name "$name" -- true
no_leftovers "an engine dead at start: nothing left behind" "$name"
