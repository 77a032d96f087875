#!/usr/bin/env bash
# Tenant walls between two unprivileged users. Root makes them here: uids
# 61001 (A) and 61002 (B), no passwd entries needed, no groups, each with a
# private runtime directory. A runs a sandbox with a forward, and another
# as a member of natnet:wall. B cannot list, stop, forward to or exec into A's
# sandbox, cannot see, inspect, remove, exec into or open the socket of A's
# network, and its own natnet of the same name is another segment. B
# cannot read A's runtime directory or connect to the sockets in it, enter
# A's namespaces or signal A's processes, and a runtime directory that is
# A's is refused to B. Meanwhile A's sandbox, forward and network go on
# untouched, and both users' processes and files are gone at the end.
#
# Only root can be two other users. An unprivileged pass checks what one
# user can here: a runtime directory that others may write to (all of them,
# a sticky one as /tmp is, or a group) is refused, even the user's own,
# before anything is made in it. The rest is for the root pass, which CI
# runs as it does every integration script (net_tenants.sh and control.sh
# check the walls one user can see).
. "$(dirname "$0")/../lib.sh"

# ---- any user: a runtime directory others may write to --------------------------
mkdir -m 0700 "$TMP/xdg-own"
for mode in 0777 1777 0770; do
	mkdir -p "$TMP/xdg-own/qbox"
	chmod "$mode" "$TMP/xdg-own/qbox"
	expect_output "a runtime directory of mode $mode, even the user's own, is refused (exit 2)" \
		2 "runtime directory $TMP/xdg-own/qbox has mode $mode" \
		env XDG_RUNTIME_DIR="$TMP/xdg-own" "$QBOX" run -- true
	check "... and nothing was made in it" test -z "$(ls -A "$TMP/xdg-own/qbox")"
done

# ---- two other users: root only --------------------------------------------------
[ "$(id -u)" -eq 0 ] || exit 0

UA=61001
UB=61002
Q=$(qbox_for_nobody)
for u in $UA $UB; do
	mkdir -m 0700 "$TMP/xdg-$u" && chown "$u:$u" "$TMP/xdg-$u"
done
# as_in DIR UID CMD... : CMD as that user, with DIR as XDG_RUNTIME_DIR
as_in() {
	local d=$1 u=$2
	shift 2
	setpriv --reuid "$u" --regid "$u" --clear-groups \
		env HOME=/ XDG_RUNTIME_DIR="$d" "$@"
}
# as UID CMD... : CMD as that user, with its own runtime directory
as() { as_in "$TMP/xdg-$1" "$@"; }
# bg_as UID CMD... : start_bg of that, with BG_PID CMD's own pid (a
# function run in the background would be a subshell of its own)
bg_as() {
	local u=$1
	shift
	start_bg setpriv --reuid "$u" --regid "$u" --clear-groups \
		env HOME=/ XDG_RUNTIME_DIR="$TMP/xdg-$u" "$@"
}
net=wall$$
a=a-$$
mkdir "$TMP/pa" "$TMP/pb"
echo "page-of-A-$$" >"$TMP/pa/index.html"
echo "page-of-B-$$" >"$TMP/pb/index.html"

# ---- A's sandbox: a web server on natnet:wall, forwarded -------------------------
PA=$(free_port)
bg_as $UA "$Q" run --name "$a" --net nat --fwd "$PA:8080" --ro-bind "$TMP/pa" -- \
	busybox httpd -f -p 8080 -h "$TMP/pa"
qa=$BG_PID
bg_as $UA "$Q" run --name "m-$$" --net "natnet:$net" --ro-bind "$TMP/pa" -- \
	busybox httpd -f -p 8080 -h "$TMP/pa"
qm=$BG_PID
if ! as $UA "$Q" wait "$a" --timeout 20 >/dev/null ||
	! as $UA "$Q" wait "m-$$" --timeout 20 >/dev/null; then
	fail "A's sandboxes never came up"
	exit 1
fi
AA=$(member_wait "$net" "m-$$" 10 as $UA "$Q")
ahub=$(hub_pid "$net" as $UA "$Q")
ainit=$(qbox_init "$qa")
expect_output "A's forward serves A's page" 0 "^page-of-A-$$\$" \
	curl -s --max-time 10 "http://127.0.0.1:$PA/"
uid_of() { ps -o uid= -p "$1" | tr -d ' '; }
check "A's sandbox runs as A ($qa, its init $ainit, its hub $ahub)" \
	test -n "$ainit" -a "$(uid_of "$qa")" = $UA -a "$(uid_of "$ahub")" = $UA

# ---- B, through qbox ----------------------------------------------------------------
out=$(as $UB "$Q" ps 2>&1)
if grep -q -- "$a" <<<"$out"; then fail "B's ps lists A's sandbox: $out"; else pass "B's ps does not list A's sandbox"; fi
check "B's ps --json is empty" test "$(as $UB "$Q" ps --json | jq length)" = 0
expect_output "B cannot stop A's sandbox" 2 "no sandbox named '$a'" as $UB "$Q" stop "$a"
PB=$(free_port)
expect_output "B cannot add a forward to it" 2 "no sandbox named '$a'" \
	as $UB "$Q" fwd -n "$a" "$PB:8080"
check "... and nothing listens on $PB" not port_open 127.0.0.1 "$PB"
expect_output "B cannot list its forwards" 2 "no sandbox named '$a'" \
	as $UB "$Q" fwd -n "$a" --list
expect_output "B cannot exec into it" 2 "no sandbox named '$a'" as $UB "$Q" exec "$a" -- true
expect_output "B waits for it in vain" 1 "no sandbox '$a' appeared within 1 s" \
	as $UB "$Q" wait "$a" --timeout 1
out=$(as $UB "$Q" net ls 2>&1)
if grep -q "^$net " <<<"$out"; then fail "B's net ls lists A's network: $out"; else pass "B's net ls does not list A's network"; fi
expect_output "B cannot inspect A's network" 2 "no network named '$net'" \
	as $UB "$Q" net inspect "$net"
expect_output "B cannot remove it" 2 "no network named '$net'" as $UB "$Q" net rm "$net" --force
expect_output "B cannot exec into it" 2 "no network named '$net'" \
	as $UB "$Q" exec "natnet:$net" -- true
expect_output "B cannot forward into it" 2 "no network named '$net'" \
	as $UB "$Q" fwd -n "natnet:$net" "$PB:$AA:8080"
expect_output "B cannot have its socket" 2 "no network named '$net'" \
	as $UB "$Q" net socket "$net"

# ---- B, around qbox -----------------------------------------------------------------
expect_output "B cannot read A's runtime directory" 2 "Permission denied" \
	as $UB ls "$TMP/xdg-$UA/qbox"
check "B cannot connect to A's sandbox socket" \
	not as $UB socat -u "UNIX-CONNECT:$TMP/xdg-$UA/qbox/$a.sock" -
check "B cannot connect to A's network socket" \
	not as $UB socat -u "UNIX-CONNECT:$TMP/xdg-$UA/qbox/net@$net.sock" -
check "A can enter its sandbox's namespaces (the control)" \
	as $UA nsenter --preserve-credentials -t "$ainit" -U -n true
check "B cannot enter A's sandbox namespaces" not as $UB nsenter --preserve-credentials -t "$ainit" -U -n true
check "B cannot enter A's hub namespaces" \
	not as $UB nsenter --preserve-credentials -t "$(qbox_init "$ahub")" -U -n true
expect_output "B cannot signal A's qbox" 1 "Operation not permitted" as $UB kill -0 "$qa"
check "B cannot read A's payload's environment" not as $UB cat "/proc/$ainit/environ"
# A's runtime directory, handed to B: not B's, refused before anything
mkdir -m 0700 "$TMP/xdg-shared" && chown $UA:$UA "$TMP/xdg-shared"
chmod 0755 "$TMP/xdg-shared"	# B may look in, as into a shared /tmp
as_in "$TMP/xdg-shared" $UA "$Q" run -- true	# makes its qbox/, A's
chmod 0755 "$TMP/xdg-shared/qbox"	# so that B gets as far as the owner
expect_output "a runtime directory of A's is refused to B (exit 2)" 2 "belongs to uid $UA" \
	as_in "$TMP/xdg-shared" $UB "$Q" run -- true
chmod 0777 "$TMP/xdg-shared/qbox"
expect_output "... and one anyone may write to, even A's own (exit 2)" 2 "mode 0777" \
	as_in "$TMP/xdg-shared" $UA "$Q" run -- true
# Without XDG_RUNTIME_DIR, B's is /tmp/qbox-UID: A made it first (a
# directory, then a symlink), and B, who cannot remove it from the sticky
# /tmp, is told whose it is and the way around it
squat=/tmp/qbox-$UB
if [ ! -e "$squat" ] && [ ! -L "$squat" ]; then
	at_exit "rm -rf '$squat'"
	mkdir -m 0700 "$squat" && chown $UA:$UA "$squat"
	expect_output "/tmp/qbox-UID of another user's: whose, and XDG_RUNTIME_DIR (exit 2)" 2 \
		"^qbox: runtime directory $squat belongs to uid $UA.*set XDG_RUNTIME_DIR to a directory of your own" \
		setpriv --reuid $UB --regid $UB --clear-groups env -u XDG_RUNTIME_DIR HOME=/ "$Q" run -- true
	rmdir "$squat"
	ln -s "$TMP" "$squat" && chown -h $UA:$UA "$squat"
	expect_output "... a symlink of another user's there: the same (exit 2)" 2 \
		"^qbox: runtime directory $squat is a symlink or not a directory, of uid $UA.*set XDG_RUNTIME_DIR" \
		setpriv --reuid $UB --regid $UB --clear-groups env -u XDG_RUNTIME_DIR HOME=/ "$Q" run -- true
	rm -f "$squat"
else
	fail "$squat exists already: this test cannot make it"
fi

# ---- B's natnet of the same name: another segment -----------------------------------
bg_as $UB "$Q" run --name "b-$$" --net "natnet:$net" --ro-bind "$TMP/pb" -- \
	busybox httpd -f -p 8080 -h "$TMP/pb"
qb=$BG_PID
as $UB "$Q" wait "b-$$" --timeout 20 >/dev/null
BA=$(member_wait "$net" "b-$$" 10 as $UB "$Q")
bhub=$(hub_pid "$net" as $UB "$Q")
check "B's natnet:$net is a hub of B's own ($bhub, A's $ahub)" \
	test -n "$bhub" -a "$bhub" != "$ahub" -a "$(uid_of "$bhub")" = $UB
check "with only B's member in it" test "$(as $UB "$Q" net inspect "$net" --json | jq '.members | length')" = 1
expect_output "B reaches its own member ($BA)" 0 "^page-of-B-$$\$" \
	as $UB timeout 20 "$Q" exec "natnet:$net" -- busybox wget -q -O- "http://$BA:8080/"
if [ "$AA" != "$BA" ]; then
	out=$(as $UB timeout 20 "$Q" exec "natnet:$net" -- timeout 5 busybox wget -q -O- "http://$AA:8080/" 2>&1)
	rc=$?
	if [ "$rc" -ne 0 ] && ! grep -q "page-of-A" <<<"$out"; then
		pass "B's request for A's member ($AA) goes nowhere (wget $rc)"
	else
		fail "B reached A's member at $AA: exit $rc, $out"
	fi
else
	fail "B's member got A's member's address $AA: the check would prove nothing"
fi
expect_output "A still reaches its own member ($AA)" 0 "^page-of-A-$$\$" \
	as $UA timeout 20 "$Q" exec "natnet:$net" -- busybox wget -q -O- "http://$AA:8080/"

# ---- A untouched; then both gone, leaving nothing -----------------------------------
ps_a=$(as $UA "$Q" ps --json)
check "A's sandboxes and the one forward are untouched" jqc --arg n "$a" --argjson port "$PA" \
	'length == 2 and ([.[] | select(.name == $n and (.forwards | length) == 1 and .forwards[0].host_port == $port)] | length) == 1' \
	<<<"$ps_a"
expect_output "A's forward still serves A's page" 0 "^page-of-A-$$\$" \
	curl -s --max-time 10 "http://127.0.0.1:$PA/"
check "A's network still has its hub and its one member" jqc --argjson h "$ahub" \
	'.pid == $h and (.members | length) == 1' <<<"$(as $UA "$Q" net inspect "$net" --json)"
as $UB "$Q" stop "b-$$" >/dev/null
as $UA "$Q" stop "$a" >/dev/null
as $UA "$Q" stop "m-$$" >/dev/null
wait "$qa" "$qb" "$qm" 2>/dev/null
gone() { [ -z "$(pgrep -u $UA,$UB)" ]; }
if wait_for 10 gone; then
	pass "no process of A's or B's is left"
else
	fail "processes left: $(ps -o pid,user,args -u $UA,$UB | tail -n +2)"
fi
left=$(find "$TMP/xdg-$UA/qbox" "$TMP/xdg-$UB/qbox" -mindepth 1 2>&1)
check "no file is left in either runtime directory $left" test -z "$left"
