#!/usr/bin/env bash
# qbox link and link=down, for command payloads: a NAT command's NIC
# unplugged loses its carrier (NO-CARRIER) and its way to the host's
# loopback, keeps its address, and gets both back once plugged in; ps
# --json shows each NIC's link_up; link=down starts it unplugged; a
# network's member cut off by `qbox link MODE:NET MEMBER down` is
# unreachable from another member until plugged back in; stop --force;
# every bad value exit 2, named, nothing left behind.
. "$(dirname "$0")/../lib.sh"

hport=$(free_port)
http_server "$hport"
page=$(cat "$TMP/www/index.html")
n=lk$$

# carrier NAME : 1 or 0, as the command sees its bridge qbr0 (its link
# layer up, LOWER_UP, or NO-CARRIER)
carrier() {
	local l
	l=$("$QBOX" exec "$1" -- ip -o link show qbr0 2>/dev/null) || return 1
	case $l in
	*NO-CARRIER*) echo 0 ;;
	*LOWER_UP*) echo 1 ;;
	esac
}
# fetch NAME URL : the page, through the sandbox's NIC (3 s at most;
# busybox wget -T crashes)
fetch() { timeout 3 "$QBOX" exec "$1" -- busybox wget -q -O- "$2" 2>/dev/null; }
reaches() { [ "$(fetch "$1" "$2")" = "$3" ]; }
link_up_is() {	# NAME NIC true|false
	"$QBOX" ps --json | jqc --arg n "$1" --argjson i "$2" --argjson v "$3" \
		'.[] | select(.name == $n) | .nics[$i].link_up == $v'
}

run_ready "$n" --net nat -- sleep 600
q=$RUN_PID
check "ps --json: the NIC is plugged in (link_up)" link_up_is "$n" 0 true
check "its bridge has a carrier" test "$(carrier "$n")" = 1
check "the host's loopback answers through 10.0.2.2" \
	reaches "$n" "http://10.0.2.2:$hport/" "$page"
expect_output "qbox link NAME down: exit 0, nothing said" 0 "^\$" \
	"$QBOX" link "$n" down
check "ps --json: link_up false" link_up_is "$n" 0 false
check "ps: the NIC marked (down)" sh -c "'$QBOX' ps | grep -q '^$n\s.*nat:10\.0\.2\.100(down)'"
check "its bridge has no carrier (NO-CARRIER)" test "$(carrier "$n")" = 0
check "... its address stays" sh -c \
	"'$QBOX' exec '$n' -- ip -4 -o addr show qbr0 | grep -q ' 10\\.0\\.2\\.100/24 '"
check "... and so does its default route" sh -c \
	"'$QBOX' exec '$n' -- ip -4 route show default | grep -q 'via 10\\.0\\.2\\.2'"
check "nothing passes: the host's loopback is out of reach" \
	not reaches "$n" "http://10.0.2.2:$hport/" "$page"
expect_output "down again: still exit 0" 0 "^\$" "$QBOX" link "$n" nic0 down
expect_output "qbox link NAME nic0 up: exit 0" 0 "^\$" "$QBOX" link "$n" nic0 up
check "ps --json: link_up true again" link_up_is "$n" 0 true
carrier_is() { [ "$(carrier "$1")" = "$2" ]; }
check "the carrier is back" wait_for 5 carrier_is "$n" 1
check "the host's loopback answers again" wait_for 10 \
	reaches "$n" "http://10.0.2.2:$hport/" "$page"
check "the NAT engine lived through it" kill -0 "$(qbox_engine "$q")"

# bad values, against a running sandbox: exit 2, named
expect_output "a state that is neither up nor down" 2 \
	"^qbox: link: 'sideways': use up, down, clear, rate=, loss=, delay= or jitter=" \
	"$QBOX" link "$n" sideways
expect_output "a NIC it has not" 2 "^qbox: '$n' has no nic3 \\(see qbox ps --json\\)" \
	"$QBOX" link "$n" nic3 down
expect_output "no NIC but a word" 2 "^qbox: link: 'eth0': use up, down" \
	"$QBOX" link "$n" eth0 down
expect_output "no sandbox of that name" 2 "no sandbox named 'nosuch$$' is running" \
	"$QBOX" link "nosuch$$" down
expect_output "a network it is not a member of" 2 \
	"^qbox: '$n' is not a member of network natnet:other$$" \
	"$QBOX" link "natnet:other$$" "$n" down
expect_output "a network without its member" 2 "name the member of natnet:x" \
	"$QBOX" link natnet:x down
expect_output "a network that is not one" 2 "'nat:x' is no network" \
	"$QBOX" link nat:x "$n" down
expect_output "no state at all" 2 "give NAME .nicN. up.down" "$QBOX" link "$n"
check "the sandbox runs on, plugged in" link_up_is "$n" 0 true
expect_output "stop --force: exit 0" 0 "^\$" "$QBOX" stop --force "$n"
wait "$q"
check "the run ends as the payload did (SIGTERM)" test $? = 143
no_leftovers "stop --force: nothing left behind" "$n"

# link=down at start
run_ready "$n" --net nat,link=down -- sleep 600
q=$RUN_PID
check "link=down: ps --json says so" link_up_is "$n" 0 false
check "link=down: no carrier from the start" test "$(carrier "$n")" = 0
check "link=down: the host's loopback is out of reach" \
	not reaches "$n" "http://10.0.2.2:$hport/" "$page"
"$QBOX" link "$n" up
check "plugged in: the host's loopback answers" wait_for 10 \
	reaches "$n" "http://10.0.2.2:$hport/" "$page"
kill -TERM "$q"
wait "$q"

expect_output "link=sideways: exit 2, named" 2 \
	"^qbox: --net nat,link=sideways: link=sideways: use up or down" \
	"$QBOX" run --net nat,link=sideways -- true
expect_output "none takes no link=" 2 "mode 'none' takes no options" \
	"$QBOX" run --net none,link=down -- true

# a network's member cut off the segment
net=lkn$$
two_members "$net"
if A=$(member_wait "$net" "a-$$" 20) && member_wait "$net" "b-$$" 20 >/dev/null; then
	check "member b reaches member a" wait_for 10 \
		reaches "b-$$" "http://$A:8080/" "member-$$"
	expect_output "qbox link natnet:NET MEMBER down: exit 0" 0 "^\$" \
		"$QBOX" link "natnet:$net" "a-$$" down
	check "... member a's NIC is down (ps --json)" link_up_is "a-$$" 0 false
	check "... and net inspect --json says so of member a, not of b" sh -c \
		"'$QBOX' net inspect '$net' --json | jq -e '[.members[] | select(.sandbox == \"a-$$\") | .link_up] == [false] and [.members[] | select(.sandbox == \"b-$$\") | .link_up] == [true]' >/dev/null"
	check "member b no longer reaches member a" \
		not reaches "b-$$" "http://$A:8080/" "member-$$"
	check "member b still reaches the host's loopback" \
		reaches "b-$$" "http://10.0.2.2:$hport/" "$page"
	"$QBOX" link "natnet:$net" "a-$$" up loss=5%
	check "net inspect --json: member a's impairment" sh -c \
		"'$QBOX' net inspect '$net' --json | jq -e '.members[] | select(.sandbox == \"a-$$\") | .link_up == true and .impairment == \"loss=5%\"' >/dev/null"
	"$QBOX" link "natnet:$net" "a-$$" clear
	check "plugged back in: member b reaches member a" wait_for 10 \
		reaches "b-$$" "http://$A:8080/" "member-$$"
	expect_output "hostonly:NET for a natnet member: not a member of it" 2 \
		"is not a member of network hostonly:$net" \
		"$QBOX" link "hostonly:$net" "a-$$" down
else
	fail "the members never joined"
fi
kill -TERM "$QA" "$QB"
wait "$QA" "$QB"
no_leftovers "nothing left behind" "lk[n]*$$|[ab]-$$"
