#!/usr/bin/env bash
# Runtime control: ps, fwd add/list/remove, stop, wait, exec, --ready-fd,
# bad requests that leave the sandbox unaffected, and other users walled off.
. "$(dirname "$0")/../lib.sh"

mkdir -p "$TMP/www" && echo "inside-$$" >"$TMP/www/index.html"
serve() { busybox httpd -f -p 8080 -h "$TMP/www"; }
n1=ctl1-$$
n2=ctl2-$$
p0=$(free_port)

# --ready-fd: "ready", then end of file while the sandbox runs on; then
# the forward answers without any sleep
mkfifo "$TMP/ready"
t_before=$(date +%s)
"$QBOX" run --name "$n1" --fwd "$p0:8080" --ready-fd 3 --ro-bind "$TMP/www" -- \
	busybox httpd -f -p 8080 -h "$TMP/www" 3>"$TMP/ready" &
q1=$!
BG_PIDS+=("$q1")
expect_output "--ready-fd: 'ready' and end of file" 0 "^ready\$" timeout 10 cat "$TMP/ready"
expect_output "--ready-fd: forward answers as soon as ready is written" 0 "^inside-$$\$" \
	curl -sf "http://127.0.0.1:$p0/"

# ps and ps --json
expect_output "ps lists the sandbox with its address and forward" 0 \
	"^$n1 +$q1 .* nat:10\\.0\\.2\\.100 +$p0:8080 +busybox httpd" "$QBOX" ps
json=$("$QBOX" ps --json)
t_after=$(date +%s)
me() { jq -e --arg n "$n1" ".[] | select(.name == \$n) | $1" >/dev/null <<<"$json"; }
check "ps --json parses" jqc . <<<"$json"
check "ps --json: exactly the documented fields (qbox.1, JSON)" me \
	'keys == (["name", "pid", "started", "started_unix", "ready", "vm", "command", "nics", "forwards", "nat_engine"] | sort)'
check "ps --json: name, pid, ready, vm" jqc --arg n "$n1" --argjson p "$q1" \
	'.[] | select(.name == $n) | .pid == $p and .ready == true and .vm == false' <<<"$json"
check "ps --json: started_unix within the test's window ($t_before..$t_after: $(jq --arg n "$n1" '.[] | select(.name == $n) | .started_unix' <<<"$json"))" \
	me "(.started_unix | type == \"number\") and .started_unix >= $t_before and .started_unix <= $t_after"
check "ps --json: started, the same second in UTC ($(jq -r --arg n "$n1" '.[] | select(.name == $n) | .started' <<<"$json"))" \
	me '(.started | test("^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z$")) and .started == (.started_unix | todate)'
check "ps --json: command as given" me \
	".command == $(jq -cn --arg w "$TMP/www" '["busybox", "httpd", "-f", "-p", "8080", "-h", $w]')"
check "ps --json: NIC, every field" me \
	'.nics == [.nics[0]] and (.nics[0] | (keys == (["index", "mode", "egress", "subnet", "gateway", "dns", "address", "mac", "link", "link_up", "impairment", "ipv6"] | sort)) and .index == 0 and .mode == "nat" and .egress == "kernel" and .address == "10.0.2.100" and .subnet == "10.0.2.0/24" and .gateway == "10.0.2.2" and .dns == "10.0.2.3" and .link == "qbr0" and .link_up == true and .impairment == "" and (.mac | test("^52:54:00(:[0-9a-f]{2}){3}$")) and .ipv6 == {prefix: "fd71:6278:a00:200::/64", gateway: "fd71:6278:a00:200::2", dns: "fd71:6278:a00:200::3", address: "fd71:6278:a00:200::100"})'
check "ps --json: forward" me \
	".forwards == [{proto: \"tcp\", host: \"127.0.0.1\", host_port: $p0, guest: \"10.0.2.100\", guest_port: 8080, spec: \"$p0:8080\"}]"
check "ps --json: the NAT engine, running" me \
	".nat_engine == {pid: $(qbox_engine "$q1"), running: true}"

# fwd short form with exactly one sandbox
p1=$(free_port)
expect_output "fwd SPEC with one sandbox needs no -n" 0 "" "$QBOX" fwd "$p1:8080"
expect_output "runtime forward answers" 0 "^inside-$$\$" curl -sf "http://127.0.0.1:$p1/"
p6=$(free_port)
expect_output "runtime IPv6 forward" 0 "" "$QBOX" fwd -n "$n1" "[::1]:$p6:8080"
expect_output "runtime IPv6 forward answers" 0 "^inside-$$\$" curl -gsf "http://[::1]:$p6/"
expect_output "fwd --list shows them" 0 "tcp +\\[::1\\]:$p6 +10\\.0\\.2\\.100:8080" \
	"$QBOX" fwd -n "$n1" --list
list=$("$QBOX" fwd -n "$n1" --list --json)
check "fwd --list --json has three" jqc 'length == 3' <<<"$list"
# every field of each (qbox.1, JSON), in the order they were added
check "fwd --list --json: proto, host, ports, guest and spec of each" \
	jqc --argjson a "$p0" --argjson b "$p1" --argjson c "$p6" '. == [
	{proto: "tcp", host: "127.0.0.1", host_port: $a, guest: "10.0.2.100", guest_port: 8080, spec: "\($a):8080"},
	{proto: "tcp", host: "127.0.0.1", host_port: $b, guest: "10.0.2.100", guest_port: 8080, spec: "\($b):8080"},
	{proto: "tcp", host: "::1", host_port: $c, guest: "10.0.2.100", guest_port: 8080, spec: "[::1]:\($c):8080"}]' <<<"$list"

# bad requests: clear message, non-zero, sandbox unaffected
expect_output "duplicate forward refused" 2 "already forwarded" "$QBOX" fwd "$p1:8080"
http_port=$(free_port)
http_server "$http_port"
expect_output "host port in use refused, address and port named" 1 \
	"^qbox: fwd $http_port:8080: 127\\.0\\.0\\.1:$http_port/tcp is already in use\$" \
	"$QBOX" fwd "$http_port:8080"
expect_output "malformed spec named" 2 "99999" "$QBOX" fwd 99999:80
expect_output "guest outside the subnets named" 2 "10\\.9\\.9\\.9 is in no subnet" \
	"$QBOX" fwd "$(free_port):10.9.9.9:80"
expect_output "unknown sandbox named" 2 "no sandbox named 'nope-$$' is running" \
	"$QBOX" fwd -n "nope-$$" 1:2
expect_output "removing a forward that is not there" 2 "no forward on 127\\.0\\.0\\.1:1/tcp" \
	"$QBOX" fwd -n "$n1" --remove 1
expect_output "sandbox unaffected by the bad requests" 0 "^inside-$$\$" \
	curl -sf "http://127.0.0.1:$p0/"

# remove: new connections refused, an open one finishes
exec 5<>"/dev/tcp/127.0.0.1/$p1"
expect_output "fwd --remove" 0 "" "$QBOX" fwd -n "$n1" --remove "$p1"
check "removed forward refuses new connections" sh -c "! curl -s 'http://127.0.0.1:$p1/' >/dev/null"
printf 'GET / HTTP/1.0\r\n\r\n' >&5
check "open connection finishes after removal" timeout 5 grep -q "inside-$$" <&5
exec 5>&-
expect_output "fwd --remove of an IPv6 forward" 0 "" "$QBOX" fwd -n "$n1" --remove "[::1]:$p6"
curl -gs "http://[::1]:$p6/" >/dev/null
rc=$?
check "removed IPv6 forward refuses new connections (curl exit $rc, 7: refused)" test "$rc" -eq 7
expect_output "the sandbox runs on: its first forward answers" 0 "^inside-$$\$" \
	curl -sf "http://127.0.0.1:$p0/"
check "... and it is the only forward left" jqc --argjson a "$p0" '[.[].host_port] == [$a]' \
	<<<"$("$QBOX" fwd -n "$n1" --list --json)"

# UDP at run time
"$QBOX" run --name "$n2" -- socat UDP-RECVFROM:5353,fork SYSTEM:'read x; echo pong-$x' &
q2=$!
BG_PIDS+=("$q2")
check "qbox wait returns once the second sandbox is ready" "$QBOX" wait "$n2" --timeout 10
expect_output "fwd without -n and two sandboxes lists both" 2 "2 sandboxes are running \\($n1, $n2\\)" \
	"$QBOX" fwd 1:2
# forward workers are forked with the first forward, by the supervisor
check "a sandbox without forwards runs no forward worker" test -z "$(qbox_workers "$q2")"
expect_output "a forward whose port is in use" 1 "127\.0\.0\.1:$p0/tcp is already in use" \
	"$QBOX" fwd -n "$n2" "$p0:8080"
check "... starts none either" test -z "$(qbox_workers "$q2")"
pu=$(free_port)
"$QBOX" fwd -n "$n2" "udp:$pu:5353"
want=$(nproc)
[ "$want" -ge 2 ] || want=2
check "the first forward starts them, one per CPU and at least two ($(qbox_workers "$q2" | wc -l) of $want)" \
	test "$(qbox_workers "$q2" | wc -l)" -eq "$want"
check "... in the sandbox's user and network namespaces, not its PID namespace" sh -c '
	i=$1; shift
	for w in "$@"; do
		for ns in user net; do
			[ "$(readlink /proc/$w/ns/$ns)" = "$(readlink /proc/$i/ns/$ns)" ] || exit 1
		done
		[ "$(readlink /proc/$w/ns/pid)" = "$(readlink /proc/self/ns/pid)" ] || exit 1
	done' - "$(qbox_init "$q2")" $(qbox_workers "$q2")
expect_output "a UDP port forwarded by one sandbox is in use for another" 1 \
	"127\.0\.0\.1:$pu/udp is already in use" "$QBOX" fwd -n "$n1" "udp:$pu:5353"
check "runtime UDP forward answers" sh -c "echo ping | timeout 3 socat -T2 - UDP:127.0.0.1:$pu | grep -qx pong-ping"
pu6=$(free_port)
expect_output "runtime UDP forward on an IPv6 host address" 0 "" "$QBOX" fwd -n "$n2" "udp:[::1]:$pu6:5353"
check "runtime IPv6 UDP forward answers" sh -c "echo ping6 | timeout 3 socat -T2 - UDP6:[::1]:$pu6 | grep -qx pong-ping6"
check "fwd --list --json of UDP forwards: proto, host, ports, guest and spec" \
	jqc --argjson a "$pu" --argjson b "$pu6" '. == [
	{proto: "udp", host: "127.0.0.1", host_port: $a, guest: "10.0.2.100", guest_port: 5353, spec: "udp:\($a):5353"},
	{proto: "udp", host: "::1", host_port: $b, guest: "10.0.2.100", guest_port: 5353, spec: "udp:[::1]:\($b):5353"}]' \
	<<<"$("$QBOX" fwd -n "$n2" --list --json)"
# removed: nothing listens, so the host answers a datagram with ICMP port
# unreachable, which socat's connected socket reads as ECONNREFUSED
expect_output "fwd --remove of a UDP forward" 0 "" "$QBOX" fwd -n "$n2" --remove "udp:$pu"
expect_output "removed UDP forward: datagrams refused" 1 "Connection refused" \
	sh -c "echo ping | timeout 3 socat -T2 - UDP:127.0.0.1:$pu"
check "the IPv6 UDP forward still answers" sh -c "echo ping6 | timeout 3 socat -T2 - UDP6:[::1]:$pu6 | grep -qx pong-ping6"
expect_output "fwd --remove of an IPv6 UDP forward" 0 "" "$QBOX" fwd -n "$n2" --remove "udp:[::1]:$pu6"
expect_output "removed IPv6 UDP forward: datagrams refused" 1 "Connection refused" \
	sh -c "echo ping6 | timeout 3 socat -T2 - UDP6:[::1]:$pu6"
check "the sandbox runs on, its forwards gone" jqc --arg n "$n2" \
	'[.[] | select(.name == $n) | .ready and .forwards == []] == [true]' <<<"$("$QBOX" ps --json)"
expect_output "... and its payload still answers inside" 0 "^pong-inside\$" \
	"$QBOX" exec "$n2" -- sh -c "echo inside | timeout 3 socat -T2 - UDP:10.0.2.100:5353"

# exec: inside the namespaces, confined, status passed through
expect_output "exec reaches the payload's server" 0 "^inside-$$\$" \
	"$QBOX" exec "$n1" -- busybox wget -q -O - http://10.0.2.100:8080/
expect_output "exec is confined" 0 "CapEff:.0000000000000000" \
	"$QBOX" exec "$n1" -- grep CapEff /proc/self/status
expect_output "exec cannot make namespaces" 1 "Operation not permitted" \
	"$QBOX" exec "$n1" -- unshare -n true
"$QBOX" exec "$n1" -- sh -c 'exit 9'
check "exec passes the status through" test $? -eq 9
expect_output "exec into an unknown sandbox" 2 "no sandbox named 'nope-$$'" \
	"$QBOX" exec "nope-$$" -- true
expect_output "exec without --" 2 "usage: qbox exec NAME -- COMMAND" "$QBOX" exec "$n1" true

# stop: returns when all is gone
"$QBOX" stop "$n1"
wait "$q1"
rc=$?
check "stop: qbox run ends with the payload's SIGTERM status ($rc)" test "$rc" -eq 143
check "stop: no files of the sandbox left" sh -c "! ls '$RUNDIR' | grep -q '^$n1\\.'"
check "stop: its forward is closed" sh -c "! curl -s 'http://127.0.0.1:$p0/' >/dev/null"
expect_output "stop of a stopped sandbox" 2 "no sandbox named '$n1'" "$QBOX" stop "$n1"
"$QBOX" stop "$n2"
wait "$q2" 2>/dev/null

# a payload that ignores SIGTERM is killed after --timeout
"$QBOX" run --name "$n2" -- sh -c 'trap "" TERM; while :; do sleep 1; done' &
q3=$!
"$QBOX" wait "$n2"
start=$(date +%s)
"$QBOX" stop "$n2" --timeout 1
wait "$q3"
rc=$?
check "stop --timeout: SIGKILL after the timeout (qbox exit $rc)" test "$rc" -eq 137
check "stop --timeout: took about the timeout" test $(($(date +%s) - start)) -le 4
expect_output "wait for a sandbox that never comes" 1 "no sandbox 'never-$$' appeared within 1 s" \
	"$QBOX" wait "never-$$" --timeout 1

# another user sees none of this (needs root to be another user)
privileged='^qbox: fwd 80:80: 127\.0\.0\.1:80/tcp: binding a port this low needs privilege \(see sysctl net\.ipv4\.ip_unprivileged_port_start\)$'
if [ "$(id -u)" -eq 0 ]; then
	QN=$(qbox_for_nobody)
	"$QBOX" run --name "$n1" -- sleep 1000 &
	q4=$!
	"$QBOX" wait "$n1"
	out=$(as_nobody "$QN" ps)
	if grep -q "$n1" <<<"$out"; then fail "another user's ps lists it: $out"; else pass "another user's ps does not list it"; fi
	expect_output "another user cannot stop it" 2 "no sandbox named '$n1'" as_nobody "$QN" stop "$n1"
	expect_output "another user cannot add forwards" 2 "no sandbox named '$n1'" as_nobody "$QN" fwd -n "$n1" 1:2
	expect_output "another user cannot exec into it" 2 "no sandbox named '$n1'" as_nobody "$QN" exec "$n1" -- true
	check "another user cannot reach its socket" sh -c "! setpriv --reuid 65534 --regid 65534 --clear-groups socat - UNIX-CONNECT:$RUNDIR/$n1.sock </dev/null 2>/dev/null"
	# as that user, a privileged port is refused with a reason, and the
	# sandbox is unaffected
	pw=$(free_port)
	as_nobody "$QN" run --name "low-$$" --fwd "$pw:8080" --ro-bind "$TMP/www" -- \
		busybox httpd -f -p 8080 -h "$TMP/www" &
	q5=$!
	as_nobody "$QN" wait "low-$$"
	expect_output "privileged port: reason given" 1 "$privileged" as_nobody "$QN" fwd 80:80
	expect_output "after the refusal its forward still answers" 0 "^inside-$$\$" \
		curl -sf "http://127.0.0.1:$pw/"
	expect_output "after the refusal ps still lists it, with its one forward" 0 \
		"^low-$$ +[0-9]+ .* $pw:8080 +busybox httpd" as_nobody "$QN" ps
	as_nobody "$QN" stop "low-$$"
	"$QBOX" stop "$n1"
	wait "$q4" "$q5" 2>/dev/null
else
	pw=$(free_port)
	"$QBOX" run --name "$n1" --fwd "$pw:8080" --ro-bind "$TMP/www" -- busybox httpd -f -p 8080 -h "$TMP/www" &
	q4=$!
	"$QBOX" wait "$n1"
	expect_output "privileged port: reason given" 1 "$privileged" "$QBOX" fwd 80:80
	expect_output "after the refusal its forward still answers" 0 "^inside-$$\$" \
		curl -sf "http://127.0.0.1:$pw/"
	expect_output "after the refusal ps still lists it, with its one forward" 0 \
		"^$n1 +$q4 .* $pw:8080 +busybox httpd" "$QBOX" ps
	check "... and fwd --list has that forward alone" jqc --argjson a "$pw" '[.[].host_port] == [$a]' \
		<<<"$("$QBOX" fwd -n "$n1" --list --json)"
	"$QBOX" stop "$n1"
	wait "$q4" 2>/dev/null
fi
no_leftovers "nothing left behind" "ctl[12]-$$"
