#!/usr/bin/env bash
# NAT for a command payload: addressing, the host loopback alias, several
# NICs, --net none, and forwards (TCP, UDP, IPv6 host side).
. "$(dirname "$0")/../lib.sh"

port=$(free_port)
http_server "$port"
page=$(cat "$TMP/www/index.html")

expect_output "command reaches host 127.0.0.1 via 10.0.2.2" 0 "^$page\$" \
	"$QBOX" run --net nat -- busybox wget -q -O - "http://10.0.2.2:$port/"
expect_output "default is nat too" 0 "^$page\$" \
	"$QBOX" run -- busybox wget -q -O - "http://10.0.2.2:$port/"
expect_output "command address 10.0.2.100/24" 0 "inet 10\\.0\\.2\\.100/24" \
	"$QBOX" run -- ip -4 -o addr show qbr0
expect_output "default route via 10.0.2.2" 0 "^default via 10\\.0\\.2\\.2 dev qbr0" \
	"$QBOX" run -- ip -4 route show default
# mtu=: the sandbox's links and libslirp take it; a bulk transfer works
head -c 3000000 /dev/urandom >"$TMP/www/big"
sum=$(sha256sum <"$TMP/www/big" | cut -d' ' -f1)
# "MTU of qbr0, MTU of qup0, the big file's sum", inside a sandbox
mtus='echo $(ip -o link show qbr0 | grep -o "mtu [0-9]*") $(ip -o link show qup0 | grep -o "mtu [0-9]*")'
big="busybox wget -q -O - http://10.0.2.2:$port/big | sha256sum | cut -d' ' -f1"
expect_output "a command's NIC has MTU 65520 by default" 0 "^mtu 65520 mtu 65520\$" \
	"$QBOX" run -- sh -c "$mtus"
expect_output "mtu=1500: bridge and uplink TAP at 1500, 3 MB arrive intact" 0 \
	"^mtu 1500 mtu 1500 $sum\$" "$QBOX" run --net nat,mtu=1500 -- sh -c "$mtus \$($big)"
expect_output "mtu=9000 too" 0 "^mtu 9000 mtu 9000 $sum\$" \
	"$QBOX" run --net nat,mtu=9000 -- sh -c "$mtus \$($big)"
expect_output "mtu= out of range names it" 2 "^qbox: --net nat,mtu=1279: mtu=1279 out of range \\(1280-65520\\)\$" \
	"$QBOX" run --net nat,mtu=1279 -- true
expect_output "mac= sets the NIC's MAC" 0 "link/ether 52:54:00:12:34:56" \
	"$QBOX" run --net nat,mac=52:54:00:12:34:56 -- ip -o link show qbr0
expect_output "--mac sets the first NIC's MAC" 0 "link/ether 52:54:00:ab:cd:ef" \
	"$QBOX" run --mac 52:54:00:ab:cd:ef -- ip -o link show qbr0
a=$("$QBOX" run --name "macs-$$" -- ip -o link show qbr0 | grep -o 'link/ether [^ ]*')
b=$("$QBOX" run --name "macs-$$" -- ip -o link show qbr0 | grep -o 'link/ether [^ ]*')
check "MAC stable per sandbox name ($a)" test -n "$a" -a "$a" = "$b"

# two NAT NICs: two subnets, two slirp instances, both reach the host
out=$("$QBOX" run --net nat --net nat -- sh -c \
	"ip -4 -o addr show; busybox wget -q -O - http://10.0.3.2:$port/" 2>&1)
check "two NICs: 10.0.2.100 on qbr0" grep -q "qbr0 .*inet 10.0.2.100/24" <<<"$out"
check "two NICs: 10.0.3.100 on qbr1" grep -q "qbr1 .*inet 10.0.3.100/24" <<<"$out"
check "second NIC reaches the host via 10.0.3.2" grep -qx "$page" <<<"$out"
expect_output "subnet= moves the network" 0 "^$page\$" \
	"$QBOX" run --net nat,subnet=10.0.5.0/24 -- sh -c \
	"ip -4 -o addr show qbr0 | grep -q 10.0.5.100/24 && busybox wget -q -O - http://10.0.5.2:$port/"

# a host whose resolver is on its loopback (systemd-resolved): a command
# payload is pointed at the NAT's DNS forwarder instead, search kept
printf 'search example.test\nnameserver 127.0.0.53\n' >"$TMP/resolv"
mkdir -p "$TMP/xdg"
out=$(unshare -Urm sh -c "mount --bind '$TMP/resolv' /etc/resolv.conf && XDG_RUNTIME_DIR='$TMP/xdg' '$QBOX' run -- cat /etc/resolv.conf" 2>&1)
check "loopback resolver: payload gets nameserver 10.0.2.3" grep -qx "nameserver 10.0.2.3" <<<"$out"
check "loopback resolver: search line kept" grep -qx "search example.test" <<<"$out"
if grep -q 127.0.0.53 <<<"$out"; then fail "loopback resolver still listed: $out"; else pass "loopback resolver gone"; fi
check "loopback resolver: no file left behind" test -z "$(ls -A "$TMP/xdg/qbox")"
check "host resolver not on loopback: resolv.conf untouched" \
	sh -c "'$QBOX' run -- cat /etc/resolv.conf | cmp -s - /etc/resolv.conf"

# --net none: only lo, nothing reachable
expect_output "--net none: only lo" 0 "^1: lo:" "$QBOX" run --net none -- ip -o link
expect_output "--net none: no link besides lo" 0 "^1\$" \
	"$QBOX" run --net none -- sh -c 'ip -o link | wc -l'
expect_output "--net none: host unreachable" 1 "unreachable" \
	"$QBOX" run --net none -- busybox wget -q -O - "http://10.0.2.2:$port/"

# hostloop=off: the host alias no longer leads to the host's loopback
hostloop_refused() {	# name, qbox --net value
	local out rc
	out=$(timeout 30 "$QBOX" run --net "$2" -- timeout 5 busybox wget -q -O - \
		"http://10.0.2.2:$port/" 2>&1)
	rc=$?
	if [ "$rc" -ne 0 ] && ! grep -q "$page" <<<"$out" && ! grep -q '^qbox:' <<<"$out"; then
		pass "$1"
	else
		fail "$1: exit $rc: $out"
	fi
}
hostloop_refused "nat,hostloop=off: 10.0.2.2 does not reach the host's loopback" nat,hostloop=off
expect_output "... while hostloop=on does" 0 "^$page\$" \
	"$QBOX" run --net nat,hostloop=on -- busybox wget -q -O - "http://10.0.2.2:$port/"
"$QBOX" net create "natnet:hl$$,hostloop=off"
hostloop_refused "natnet,hostloop=off (net create): a member does not reach it either" "natnet:hl$$"
"$QBOX" net rm "hl$$"
"$QBOX" net create "natnet:hm$$"
expect_output "hostloop=off from a member of a network that runs without: exit 2" 2 \
	"network 'hm$$' runs with hostloop=on: the host's loopback is reachable" \
	"$QBOX" run --net "natnet:hm$$,hostloop=off" -- true
"$QBOX" net rm "hm$$"
expect_output "hostloop= on a host-only network: exit 2" 2 "unknown option 'hostloop'" \
	"$QBOX" run --net hostonly:h,hostloop=off -- true
expect_output "hostloop=maybe: exit 2" 2 "hostloop='maybe': use on or off" \
	"$QBOX" run --net nat,hostloop=maybe -- true

# forwards into the sandbox
mkdir -p "$TMP/inside" && echo "inside-$$" >"$TMP/inside/index.html"
serve_inside() {	# qbox flags...; runs an httpd on 8080 inside
	start_bg "$QBOX" run "$@" --ro-bind "$TMP/inside" -- busybox httpd -f -p 8080 -h "$TMP/inside"
}
fwd_case() {	# name, url, qbox flags...
	local name=$1 url=$2 hp
	shift 2
	serve_inside "$@"
	if wait_for 10 curl -gsf -o /dev/null "$url"; then
		expect_output "$name" 0 "^inside-$$\$" curl -gsf "$url"
	else
		fail "$name: $url never answered"
	fi
	kill -TERM "$BG_PID"
	wait "$BG_PID"
}
p1=$(free_port)
fwd_case "--fwd HOSTPORT:GUESTPORT reaches a server inside" \
	"http://127.0.0.1:$p1/" --fwd "$p1:8080"
p2=$(free_port)
fwd_case "--fwd with guest address 10.0.2.100" \
	"http://127.0.0.1:$p2/" --fwd "127.0.0.1:$p2:10.0.2.100:8080"
p3=$(free_port)
fwd_case "--fwd with IPv6 host [::1]" \
	"http://[::1]:$p3/" --fwd "[::1]:$p3:8080"
p4=$(free_port)
fwd_case "--fwd 0.0.0.0 reached over loopback" \
	"http://127.0.0.1:$p4/" --fwd "0.0.0.0:$p4:8080"
p5=$(free_port)
fwd_case "--fwd on the second NIC" \
	"http://127.0.0.1:$p5/" --net nat --net nat --fwd "$p5:10.0.3.100:8080"
p6=$(free_port)
fwd_case "--fwd into a sandbox with hostloop=off" \
	"http://127.0.0.1:$p6/" --net nat,hostloop=off --fwd "$p6:8080"

# UDP forward: a reply comes back from inside
pu=$(free_port)
start_bg "$QBOX" run --fwd "udp:$pu:5353" --fwd "udp:[::1]:$pu:5353" -- \
	socat UDP-RECVFROM:5353,fork SYSTEM:'read x; echo pong-$x'
udp_ping() { echo ping | timeout 2 socat -T1 - "UDP:127.0.0.1:$pu" 2>/dev/null | grep -qx pong-ping; }
udp6_ping() { echo ping6 | timeout 2 socat -T1 - "UDP6:[::1]:$pu" 2>/dev/null | grep -qx pong-ping6; }
check "udp forward answers" wait_for 10 udp_ping
check "udp forward from IPv6 [::1] answers" wait_for 10 udp6_ping
kill -TERM "$BG_PID"
wait "$BG_PID"

# tftp=DIR: libslirp's TFTP server at 10.0.2.2, read-only, nothing of the
# host beyond DIR (busybox's tftp is the client)
mkdir -p "$TMP/tftp/sub" "$TMP/tftp-out"
echo "tftp-$$" >"$TMP/tftp/sub/f.txt"
echo secret >"$TMP/tftp-out/secret"
ln -s "$TMP/tftp-out/secret" "$TMP/tftp/link"
ln -s ../tftp-out "$TMP/tftp/dirlink"
tftp_get() {	# NAME... : fetch each from the sandbox, print it or why not
	"$QBOX" run --net "nat,tftp=$TMP/tftp" -- sh -c '
		for f; do busybox tftp -g -r "$f" -l /tmp/got 10.0.2.2 2>&1 &&
			cat /tmp/got; done' sh "$@"
}
expect_output "tftp=DIR: a file in it, by its path within" 0 "^tftp-$$\$" \
	tftp_get sub/f.txt
expect_output "... '..' out of it: refused" 1 "Access violation" tftp_get ../tftp-out/secret
expect_output "... a symlink in it to a file outside: not served (Landlock)" 1 \
	"File not found" tftp_get link
expect_output "... nor through a symlinked directory" 1 "File not found" \
	tftp_get dirlink/secret
outside_unseen() { ! { tftp_get link; tftp_get dirlink/secret; } | grep -qx secret; }
check "... and nothing of the outside came through" outside_unseen
expect_output "... a relative DIR is the caller's" 0 "^tftp-$$\$" \
	sh -c "cd '$TMP' && '$QBOX' run --net nat,tftp=tftp -- busybox tftp -g -r sub/f.txt -l - 10.0.2.2"
expect_output "tftp=DIR that is not there: exit 2 naming it" 2 \
	"^qbox: --net nat,tftp=$TMP/nope: tftp=$TMP/nope: No such file or directory\$" \
	"$QBOX" run --net "nat,tftp=$TMP/nope" -- true
expect_output "tftp=FILE: not a directory" 2 "tftp=$TMP/tftp/sub/f.txt: not a directory" \
	"$QBOX" run --net "nat,tftp=$TMP/tftp/sub/f.txt" -- true
expect_output "bootfile= not in DIR: exit 2 naming it" 2 \
	"bootfile=pxe.0: $TMP/tftp/pxe.0: No such file or directory" \
	"$QBOX" run --net "nat,tftp=$TMP/tftp,bootfile=pxe.0" -- true
expect_output "bootfile= a directory" 2 "bootfile=sub: $TMP/tftp/sub is not a file" \
	"$QBOX" run --net "nat,tftp=$TMP/tftp,bootfile=sub" -- true

no_leftovers "nothing left behind" "httpd -f -p 8080"
