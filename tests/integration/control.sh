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
"$QBOX" run --name "$n1" --fwd "$p0:8080" --ready-fd 3 -- \
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
jqc() { jq -e "$@" >/dev/null; }
check "ps --json parses" jqc . <<<"$json"
check "ps --json: name, pid, ready" jqc --arg n "$n1" --argjson p "$q1" \
	'.[] | select(.name == $n) | .pid == $p and .ready == true and .vm == false' <<<"$json"
check "ps --json: NIC" jqc --arg n "$n1" \
	'.[] | select(.name == $n) | .nics[0] | .mode == "nat" and .address == "10.0.2.100" and .subnet == "10.0.2.0/24" and .gateway == "10.0.2.2" and (.mac | test("^52:54:00:"))' <<<"$json"
check "ps --json: forward and command" jqc --arg n "$n1" --argjson p "$p0" \
	'.[] | select(.name == $n) | .forwards[0].host_port == $p and .forwards[0].guest_port == 8080 and .forwards[0].proto == "tcp" and .command[0] == "busybox"' <<<"$json"

# fwd short form with exactly one sandbox
p1=$(free_port)
expect_output "fwd SPEC with one sandbox needs no -n" 0 "" "$QBOX" fwd "$p1:8080"
expect_output "runtime forward answers" 0 "^inside-$$\$" curl -sf "http://127.0.0.1:$p1/"
p6=$(free_port)
expect_output "runtime IPv6 forward" 0 "" "$QBOX" fwd -n "$n1" "[::1]:$p6:8080"
expect_output "runtime IPv6 forward answers" 0 "^inside-$$\$" curl -gsf "http://[::1]:$p6/"
expect_output "fwd --list shows them" 0 "tcp +\\[::1\\]:$p6 +10\\.0\\.2\\.100:8080" \
	"$QBOX" fwd -n "$n1" --list
check "fwd --list --json has three" jqc 'length == 3' <<<"$("$QBOX" fwd -n "$n1" --list --json)"

# bad requests: clear message, non-zero, sandbox unaffected
expect_output "duplicate forward refused" 2 "already forwarded" "$QBOX" fwd "$p1:8080"
http_port=$(free_port)
http_server "$http_port"
expect_output "host port in use refused" 1 "127\\.0\\.0\\.1:$http_port/tcp is already in use" \
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

# UDP at run time
"$QBOX" run --name "$n2" -- socat UDP-RECVFROM:5353,fork SYSTEM:'read x; echo pong-$x' &
q2=$!
BG_PIDS+=("$q2")
check "qbox wait returns once the second sandbox is ready" "$QBOX" wait "$n2" --timeout 10
expect_output "fwd without -n and two sandboxes lists both" 2 "2 sandboxes are running \\($n1, $n2\\)" \
	"$QBOX" fwd 1:2
pu=$(free_port)
"$QBOX" fwd -n "$n2" "udp:$pu:5353"
expect_output "a UDP port forwarded by one sandbox is in use for another" 1 \
	"127\.0\.0\.1:$pu/udp is already in use" "$QBOX" fwd -n "$n1" "udp:$pu:5353"
check "runtime UDP forward answers" sh -c "echo ping | timeout 3 socat -T2 - UDP:127.0.0.1:$pu | grep -qx pong-ping"

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
if [ "$(id -u)" -eq 0 ]; then
	cp "$QBOX" "$TMP/qbox" && chmod 755 "$TMP/qbox"
	"$QBOX" run --name "$n1" -- sleep 1000 &
	q4=$!
	"$QBOX" wait "$n1"
	out=$(as_nobody "$TMP/qbox" ps)
	if grep -q "$n1" <<<"$out"; then fail "another user's ps lists it: $out"; else pass "another user's ps does not list it"; fi
	expect_output "another user cannot stop it" 2 "no sandbox named '$n1'" as_nobody "$TMP/qbox" stop "$n1"
	expect_output "another user cannot add forwards" 2 "no sandbox named '$n1'" as_nobody "$TMP/qbox" fwd -n "$n1" 1:2
	expect_output "another user cannot exec into it" 2 "no sandbox named '$n1'" as_nobody "$TMP/qbox" exec "$n1" -- true
	check "another user cannot reach its socket" sh -c "! setpriv --reuid 65534 --regid 65534 --clear-groups socat - UNIX-CONNECT:$RUNDIR/$n1.sock </dev/null 2>/dev/null"
	# as that user, a privileged port is refused with a reason
	as_nobody "$TMP/qbox" run --name "low-$$" -- sleep 1000 &
	q5=$!
	as_nobody "$TMP/qbox" wait "low-$$"
	expect_output "privileged port: reason given" 1 "needs privilege" as_nobody "$TMP/qbox" fwd 80:80
	as_nobody "$TMP/qbox" stop "low-$$"
	"$QBOX" stop "$n1"
	wait "$q4" "$q5" 2>/dev/null
else
	p80=80
	"$QBOX" run --name "$n1" -- sleep 1000 &
	q4=$!
	"$QBOX" wait "$n1"
	expect_output "privileged port: reason given" 1 "needs privilege" "$QBOX" fwd "$p80:80"
	"$QBOX" stop "$n1"
	wait "$q4" 2>/dev/null
fi
no_leftovers "nothing left behind" "ctl[12]-$$"
