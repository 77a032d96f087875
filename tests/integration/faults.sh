#!/usr/bin/env bash
# Faults: each of qbox's processes dies by SIGKILL at each stage of
# start-up (QBOX_TEST_FAULT=ROLE:STAGE, common/util.h fault_point), and
# the payload dies by SIGKILL while running. Every time: a clear exit, no
# process, no socket (the forward's listener closed), no runtime file
# left, and the next run with the same name works. A sandbox's init dies
# by a real SIGKILL too (the message says "killed by signal 9"), though a
# PID namespace's init cannot kill itself (common/util.c fault_die).
# tests/e2e/faults_vm.sh kills a VM's QEMU while it boots and once booted.
. "$(dirname "$0")/../lib.sh"

mark=$((RANDOM + 200000))
name=fault-$mark
net=fn$mark
gone() { [ -z "$(leftover_procs "$mark")" ] && [ -z "$(ls -A "$RUNDIR" 2>/dev/null)" ]; }

# fault ROLE:STAGE WANT-RC WANT-REGEX QBOX-RUN-OPTIONS... : one run of
# PAYLOAD (default: sleep $mark) that dies at ROLE:STAGE, then the checks
# above; WANT-RC may be a choice, e.g. 0|1
PAYLOAD=(sleep "$mark")
fport=$(free_port)
fault() {
	local where=$1 rc=$2 re=$3 out got
	shift 3
	out=$(QBOX_TEST_FAULT=$where timeout --foreground 30 "$QBOX" run --name "$name" "$@" -- "${PAYLOAD[@]}" 2>&1)
	got=$?
	if [[ $got =~ ^($rc)$ ]] && [[ $out =~ $re ]]; then
		pass "$where: exit $rc${re:+, \"$re\"}"
	else
		fail "$where: exit $got, want $rc and /$re/; output: $out"
	fi
	wait_for 10 gone
	no_leftovers "$where: nothing left behind" "$mark"
	if [[ " $* " == *" --fwd "* ]]; then
		check "$where: the forward's port $fport is closed" not port_open 127.0.0.1 "$fport"
	fi
	expect_output "$where: the next run with the name works" 0 "^again$" \
		timeout --foreground 30 "$QBOX" run --name "$name" "$@" -- echo again
	wait_for 10 gone
}

# ---- a sandbox with NAT and a forward: its supervisor, then its init -------
fwd=(--fwd "127.0.0.1:$fport:80")
for stage in spawned named listening uplinks started; do
	fault "sup:$stage" 137 "" "${fwd[@]}"
done
for stage in links net-ready go running; do
	fault "init:$stage" 1 \
		"sandbox '$name': its init died \\(killed by signal 9, SIGKILL\\) before the payload ended" \
		"${fwd[@]}"
done
# a forward worker (the supervisor forks them with the first forward),
# killed before it is confined: at start, the run fails saying so; at run
# time, that `qbox fwd` fails and the sandbox runs on without the forward
fault "fwd:spawned" 1 \
	"--fwd 127.0.0.1:$fport:80: forward worker 0 ended while starting \\(killed by signal 9, SIGKILL\\)" \
	"${fwd[@]}"
start_bg env QBOX_TEST_FAULT=fwd:spawned "$QBOX" run --name "$name" -- sleep "$mark"
qpid=$BG_PID
"$QBOX" wait "$name" --timeout 10 >/dev/null
expect_output "fwd:spawned at run time: qbox fwd fails, saying why" 1 \
	"forward worker 0 ended while starting \\(killed by signal 9, SIGKILL\\)" \
	"$QBOX" fwd -n "$name" "127.0.0.1:$fport:80"
check "fwd:spawned at run time: the sandbox runs on, without the forward" \
	jqc '.[0].forwards == []' <<<"$("$QBOX" ps --json)"
check "fwd:spawned at run time: no worker is left" test -z "$(qbox_workers "$qpid")"
check "fwd:spawned at run time: the port is closed" not port_open 127.0.0.1 "$fport"
"$QBOX" stop "$name" >/dev/null
wait "$qpid"
wait_for 10 gone
no_leftovers "fwd:spawned at run time: nothing left behind" "$mark"
# the NAT engine: forked, with libslirp on its TAPs, confined (the
# kernel's SIGKILL at its CPU limit: it may not kill itself), all before
# it reported ready; then its parent kills it once it did
for stage in spawned slirp confined; do
	fault "uplink:$stage" 1 "starting the NAT engine: it ended, killed by signal 9, SIGKILL" \
		"${fwd[@]}"
done
PAYLOAD=(sh -c "sleep 1.$mark; echo ran on")
fault "uplink:ready" 0 \
	"the NAT engine died \\(killed by signal 9, SIGKILL\\): its NAT network is down; the payload runs on.*ran on" \
	"${fwd[@]}"
PAYLOAD=(sleep "$mark")

# ---- a member of a network: its hub (supervisor, then init), and itself ----
for stage in spawned named listening uplinks started; do
	fault "hub:$stage" 1 "network natnet:$net: its hub ended while starting" \
		--net "natnet:$net"
done
for stage in links net-ready go; do
	fault "hub-init:$stage" 1 "network natnet:$net: its hub ended while starting" \
		--net "natnet:$net"
done
for stage in spawned slirp confined; do
	fault "uplink:$stage" 1 \
		"natnet:$net: starting the NAT engine: it ended, killed by signal 9, SIGKILL" \
		--net "natnet:$net"
done
# the hub's engine killed once it reported ready: the hub runs on without
# its way out, and says so in net inspect
nat_down() {
	"$QBOX" net inspect "$net" --json 2>/dev/null |
		jq -e '.nat_engine.running == false and .nat_engine.ended == "killed by signal 9, SIGKILL"' >/dev/null
}
start_bg env QBOX_TEST_FAULT=uplink:ready "$QBOX" run --name "$name" --net "natnet:$net" -- sleep "$mark"
qpid=$BG_PID
started() { "$QBOX" wait "$1" --timeout 20 >/dev/null; }
check "uplink:ready (a hub's): its member starts" started "$name"
check "uplink:ready (a hub's): net inspect shows its engine killed" wait_for 10 nat_down
check "uplink:ready (a hub's): its member runs on" kill -0 "$qpid"
if "$QBOX" stop "$name" >/dev/null; then
	pass "uplink:ready (a hub's): qbox stop ends its member"
else
	fail "uplink:ready (a hub's): qbox stop ends its member"
	kill "$qpid"
fi
wait "$qpid"
wait_for 10 gone
no_leftovers "uplink:ready (a hub's): nothing left behind" "$mark"
expect_output "uplink:ready (a hub's): the next run with the name works" 0 "^again$" \
	timeout --foreground 30 "$QBOX" run --name "$name" --net "natnet:$net" -- echo again
wait_for 10 gone
# after the hub reported ready: the member meets the dead hub while it
# joins (exit 1), or joins, hears of the death and runs on (its payload,
# a short sleep, then ends it with 0); either way it says which
PAYLOAD=(sleep "1.$mark")
fault "hub-init:running" "0|1" \
	"hub ended while this sandbox joined it|network '$net' ended \\(its hub is gone\\)" \
	--net "natnet:$net"
PAYLOAD=(sleep "$mark")
fault "sup:joined" 137 "" --net "natnet:$net"

# ---- the payload (a VM's qemu, here a command) killed while it runs -------
start_bg "$QBOX" run --name "$name" -- sleep "$mark"
qpid=$BG_PID
if wait_for 10 pgrep -f "^sleep $mark\$" >/dev/null; then
	kill -KILL "$(pgrep -f "^sleep $mark\$")"
	wait "$qpid"
	check "SIGKILL of the payload: qbox exits 137" test $? -eq 137
else
	fail "SIGKILL of the payload: it never started"
fi
wait_for 10 gone
no_leftovers "SIGKILL of the payload: nothing left behind" "$mark"
