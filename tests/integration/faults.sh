#!/usr/bin/env bash
# Faults: each of qbox's processes dies by SIGKILL at each stage of
# start-up (QBOX_TEST_FAULT=ROLE:STAGE, common/util.h fault_point), and
# the payload dies by SIGKILL while running. Every time: a clear exit, no
# process, no socket, no runtime file left, and the next run with the
# same name works.
. "$(dirname "$0")/../lib.sh"

mark=$((RANDOM + 200000))
name=fault-$mark
net=fn$mark
gone() { [ -z "$(leftover_procs "$mark")" ] && [ -z "$(ls -A "$RUNDIR" 2>/dev/null)" ]; }

# fault ROLE:STAGE WANT-RC WANT-REGEX QBOX-RUN-OPTIONS... : one run of
# PAYLOAD (default: sleep $mark) that dies at ROLE:STAGE, then the checks
# above; WANT-RC may be a choice, e.g. 0|1
PAYLOAD=(sleep "$mark")
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
	expect_output "$where: the next run with the name works" 0 "^again$" \
		timeout --foreground 30 "$QBOX" run --name "$name" "$@" -- echo again
	wait_for 10 gone
}

# ---- a sandbox with NAT and a forward: its supervisor, then its init -------
fwd=(--fwd "127.0.0.1:$(free_port):80")
for stage in spawned named listening uplinks started; do
	fault "sup:$stage" 137 "" "${fwd[@]}"
done
for stage in links workers go running; do
	fault "init:$stage" 1 "sandbox '$name': its init died \\(status 137\\)" \
		"${fwd[@]}"
done
# the NAT engine, before it is confined (confined, it may not kill)
fault "uplink:spawned" 1 "starting the NAT engine: it ended, killed by signal 9" "${fwd[@]}"

# ---- a member of a network: its hub (supervisor, then init), and itself ----
for stage in spawned named listening uplinks started; do
	fault "hub:$stage" 1 "network natnet:$net: its hub ended while starting" \
		--net "natnet:$net"
done
for stage in links workers go; do
	fault "hub-init:$stage" 1 "network natnet:$net: its hub ended while starting" \
		--net "natnet:$net"
done
fault "uplink:spawned" 1 "natnet:$net: starting the NAT engine: it ended, killed by signal 9" \
	--net "natnet:$net"
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
