#!/usr/bin/env bash
# Tenants: a user's networks are that user's alone. Every pass checks the
# walls one user can see: the runtime directory (0700, the user's), the
# hub's socket inside it, one user namespace for the user's hubs and
# members. The root pass, where a second user exists (nobody, as in
# control.sh), checks that the other user can neither see, inspect,
# remove, forward to, exec into nor join root's network (not through the
# runtime directory, nor past it with CAP_DAC_OVERRIDE, where the hub's
# SO_PEERCRED check refuses), cannot enter the hub's namespaces, and that
# its natnet of the same name is another segment: the same sandbox names
# give the same addresses on both, and no request crosses between them.
. "$(dirname "$0")/../lib.sh"

net=t$$
mkdir -p "$TMP/own" "$TMP/nb" "$TMP/lone"
echo "page-of-$(id -un)-$$" >"$TMP/own/index.html"

# ---- the walls one user can see -----------------------------------------------
start_bg "$QBOX" run --name "srv-$$" --net "natnet:$net" --ro-bind "$TMP/own" -- \
	busybox httpd -f -p 8080 -h "$TMP/own"
q=$BG_PID
if ! A=$(member_wait "$net" "srv-$$"); then
	fail "the member never joined"
	exit 1
fi
hub=$(hub_pid "$net")
hub_init=$(qbox_init "$hub")
m_init=$(qbox_init "$q")
expect_output "the runtime directory is the user's, mode 0700" 0 "^700 $(id -u)\$" \
	stat -c '%a %u' "$RUNDIR"
check "the hub's socket is in it" test -S "$RUNDIR/net@$net.sock"
check "the hub and its member share a user namespace" \
	test "$(readlink "/proc/$hub_init/ns/user")" = "$(readlink "/proc/$m_init/ns/user")"
check "which is not the user's own: the user namespace the hub made" \
	test "$(readlink "/proc/$hub_init/ns/user")" != "$(readlink /proc/self/ns/user)"
expect_output "the member serves on the network" 0 "^page-of-$(id -un)-$$\$" \
	timeout 20 "$QBOX" exec "natnet:$net" -- busybox wget -q -O- "http://$A:8080/"

# ---- another user (only root can be one) --------------------------------------
if [ "$(id -u)" -eq 0 ]; then
	QN=$(qbox_for_nobody)
	out=$(as_nobody "$QN" net ls 2>&1)
	if grep -q "^$net " <<<"$out"; then
		fail "another user's net ls lists it: $out"
	else
		pass "another user's net ls does not list it"
	fi
	expect_output "another user cannot inspect it" 2 "no network named '$net'" \
		as_nobody "$QN" net inspect "$net"
	expect_output "another user cannot remove it" 2 "no network named '$net'" \
		as_nobody "$QN" net rm "$net" --force
	fp=$(free_port)
	expect_output "another user cannot forward to it" 2 "no network named '$net'" \
		as_nobody "$QN" fwd -n "natnet:$net" "$fp:$A:8080"
	check "and no forward listens" sh -c "! curl -s 'http://127.0.0.1:$fp/' >/dev/null"
	expect_output "another user cannot exec into it" 2 "no network named '$net'" \
		as_nobody "$QN" exec "natnet:$net" -- true
	expect_output "another user cannot open root's runtime directory" 2 \
		"Permission denied" as_nobody ls "$RUNDIR"
	# past the directory's wall (CAP_DAC_OVERRIDE), the hub's own check:
	# it answers and hangs up before it reads a request
	expect_output "another user's connection to the hub is refused (SO_PEERCRED)" 0 \
		"^err 2 .*belongs to another user" \
		setpriv --reuid 65534 --regid 65534 --clear-groups \
		--inh-caps +dac_override --ambient-caps +dac_override \
		socat -u "UNIX-CONNECT:$RUNDIR/net@$net.sock" -
	check "another user cannot enter the hub's namespaces" \
		sh -c "! setpriv --reuid 65534 --regid 65534 --clear-groups nsenter -t $hub_init -U -n true 2>/dev/null"
	check "the network is untouched: one member, the same hub" jqc \
		--argjson p "$hub" '.pid == $p and (.members | length) == 1' \
		<<<"$("$QBOX" net inspect "$net" --json)"

	# the same name is another segment: the same sandbox name gives the
	# same MAC and address on both; each user's requests stay on its own
	echo "page-of-nobody-$$" >"$TMP/nb/index.html"
	echo "lone-of-nobody-$$" >"$TMP/lone/index.html"
	as_nobody "$QN" run --name "srv-$$" --net "natnet:$net" --ro-bind "$TMP/nb" -- \
		busybox httpd -f -p 8080 -h "$TMP/nb" &
	BG_PIDS+=("$!")
	as_nobody "$QN" run --name "lone-$$" --net "natnet:$net" --ro-bind "$TMP/lone" -- \
		busybox httpd -f -p 8080 -h "$TMP/lone" &
	BG_PIDS+=("$!")
	S=$(member_wait "$net" "srv-$$" 10 as_nobody "$QN")
	B=$(member_wait "$net" "lone-$$" 10 as_nobody "$QN")
	if [ -z "$S" ] || [ -z "$B" ]; then
		fail "another user's members never joined"
	fi
	nbhub=$(hub_pid "$net" as_nobody "$QN")
	check "another user's natnet:$net is another hub, its own ($nbhub, $hub)" \
		test "$nbhub" != "$hub" -a "$(ps -o user= -p "$nbhub")" = nobody
	check "the same sandbox name has the same address there ($A)" \
		test "$S" = "$A"
	expect_output "root's request for $A reaches root's member" 0 "^page-of-root-$$\$" \
		timeout 20 "$QBOX" exec "natnet:$net" -- busybox wget -q -O- "http://$A:8080/"
	expect_output "the other user's request for $A reaches its own" 0 "^page-of-nobody-$$\$" \
		as_nobody timeout 20 "$QN" exec "natnet:$net" -- busybox wget -q -O- "http://$A:8080/"
	expect_output "the other user reaches its second member ($B)" 0 "^lone-of-nobody-$$\$" \
		as_nobody timeout 20 "$QN" exec "natnet:$net" -- busybox wget -q -O- "http://$B:8080/"
	out=$(timeout 20 "$QBOX" exec "natnet:$net" -- timeout 5 busybox wget -q -O- "http://$B:8080/" 2>&1)
	rc=$?
	if [ "$rc" -ne 0 ] && ! grep -q nobody <<<"$out"; then
		pass "root's request for the other user's member ($B) goes nowhere (wget $rc)"
	else
		fail "root reached the other user's member at $B: exit $rc, $out"
	fi
	as_nobody "$QN" stop "srv-$$"
	as_nobody "$QN" stop "lone-$$"
	nb_gone() { ! as_nobody "$QN" net ls | grep -q "^$net "; }
	check "the other user's hub ends with its members" wait_for 10 nb_gone
fi

kill -TERM "$q"
wait "$q"
sleep 0.5
no_leftovers "nothing left behind" "natnet:$net"
if [ "$(id -u)" -eq 0 ]; then
	check "nothing of the other user's left behind" \
		test -z "$(pgrep -u 65534 -f -- "natnet:$net")"
fi
