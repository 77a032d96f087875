#!/usr/bin/env bash
# Port ranges: --fwd FIRST-LAST:FIRST-LAST at start and `qbox fwd` at run
# time, a forward per port to its counterpart (each answers with its own
# server), listed one by one, removed as a range; a range that cannot be
# added whole is not added at all; bad ranges exit 2, named.
. "$(dirname "$0")/../lib.sh"

n=fr$$
# three_ports : the first of three ports in a row that nothing listens on
three_ports() {
	local p i
	for _ in $(seq 50); do
		p=$(free_port)
		[ "$p" -lt 65000 ] || continue
		for i in 1 2; do
			port_open 127.0.0.1 $((p + i)) && continue 2
		done
		echo "$p"
		return 0
	done
	return 1
}
base=$(three_ports)
# a command serving "port-N" on 8000, 8001, 8002 and 9000..9002
serve='for p in 8000 8001 8002 9000 9001 9002; do mkdir -p /tmp/$p;
	echo port-$p >/tmp/$p/index.html; busybox httpd -p $p -h /tmp/$p; done;
	exec sleep 600'
run_ready "$n" --fwd "$base-$((base + 2)):8000-8002" -- sh -c "$serve"
q=$RUN_PID
for i in 0 1 2; do
	expect_output "--fwd range: host port $((base + i)) reaches guest port 800$i" 0 \
		"^port-800$i\$" curl -sf "http://127.0.0.1:$((base + i))/"
done
check "fwd --list: three forwards, one per port" sh -c \
	"'$QBOX' fwd -n '$n' --list --json | jq -e 'length == 3 and ([.[].guest_port] == [8000, 8001, 8002])' >/dev/null"

# at run time
r=$(three_ports)
expect_output "qbox fwd RANGE at run time: exit 0" 0 "^\$" \
	"$QBOX" fwd -n "$n" "$r-$((r + 2)):9000-9002"
for i in 0 1 2; do
	expect_output "... port $((r + i)) reaches guest port 900$i" 0 \
		"^port-900$i\$" curl -sf "http://127.0.0.1:$((r + i))/"
done
expect_output "fwd --remove RANGE: exit 0" 0 "^\$" \
	"$QBOX" fwd -n "$n" --remove "$r-$((r + 2))"
check "... all three gone" sh -c \
	"'$QBOX' fwd -n '$n' --list --json | jq -e 'length == 3 and all(.[]; .guest_port < 9000)' >/dev/null"
check "... and the host ports refuse" not curl -sf "http://127.0.0.1:$((r + 1))/"

# a range whose last port is taken: nothing of it stays
start_bg busybox httpd -f -p "127.0.0.1:$((r + 2))" -h "$TMP"
wait_for 5 port_open 127.0.0.1 $((r + 2))
expect_output "a range that cannot be added whole: exit 1, the port named" 1 \
	"^qbox: fwd $((r + 2)):9002: .*already in use" \
	"$QBOX" fwd -n "$n" "$r-$((r + 2)):9000-9002"
check "... and the ports it had added are taken back" sh -c \
	"'$QBOX' fwd -n '$n' --list --json | jq -e 'length == 3' >/dev/null"
check "... the first port refuses again" not curl -sf "http://127.0.0.1:$r/"

# bad ranges
expect_output "a last port below the first: exit 2, named" 2 \
	"^qbox: fwd: 8010-8000:9010-9000: a port range is FIRST-LAST, LAST not below FIRST" \
	"$QBOX" fwd -n "$n" 8010-8000:9010-9000
expect_output "sides of different lengths: exit 2, named" 2 \
	"8000-8002:9000: the host side has 3 ports, the guest side 1" \
	"$QBOX" fwd -n "$n" 8000-8002:9000
expect_output "--fwd: too many: exit 2" 2 \
	"^qbox: --fwd: 1000-1099:1000-1099: 100 ports, at most 64 forwards" \
	"$QBOX" run --fwd 1000-1099:1000-1099 -- true
expect_output "--fwd: sides of different lengths: exit 2" 2 \
	"^qbox: --fwd: 8000-8001:80: the host side has 2 ports, the guest side 1" \
	"$QBOX" run --fwd 8000-8001:80 -- true
kill -TERM "$q"
wait "$q"
no_leftovers "nothing left behind" "$n"
