#!/usr/bin/env bash
# QEMU killed by SIGKILL right after it starts, before the guest has
# booted, and again once the guest runs: each time qbox exits with 137
# (128+9, as for any payload killed by signal 9) and no message of its
# own, leaves no process, no socket (the forward's listener is closed)
# and no runtime file, and the same name runs again (the second case
# boots under it, and a last guest powers off under it with status 0).
# tests/integration/faults.sh kills qbox's own processes.
. "$(dirname "$0")/../lib.sh"

name=e2e-fault-$$
port=$(free_port)
fwd=(--fwd "127.0.0.1:$port:22")
# the guest's QEMU (not qbox or timeout, whose command lines name it too)
qemu_pid() { pgrep -f "^qemu-system-x86_64 .*$TMP/" | grep -m 1 .; }
gone() { [ -z "$(leftover_procs "$name|$TMP/")" ] && [ -z "$(ls -A "$RUNDIR" 2>/dev/null)" ]; }

cat >"$TMP/boot.sh" <<'EOS'
echo "BOOTED"
sleep 60
EOS

# killed WHEN CONSOLE : after QEMU was killed, its end as qbox tells it
killed() {
	local when=$1 console=$2 rc
	wait "$VM_PID"
	rc=$?
	check "$when: qbox exits 137, 128+SIGKILL (exit $rc)" test "$rc" -eq 137
	if console_text "$console" | grep -q '^qbox: '; then
		fail "$when: qbox has nothing to say of its own: $(console_text "$console" | grep '^qbox: ')"
	else
		pass "$when: qbox has nothing to say of its own"
	fi
	wait_for 10 gone
	no_leftovers "$when: nothing left behind" "$name|$TMP/"
	check "$when: the forward's port $port is closed" not port_open 127.0.0.1 "$port"
}

# ---- right after QEMU starts, before the guest booted ----------------------
vm_start "$TMP/c1" "$TMP/boot.sh" --name "$name" "${fwd[@]}"
if wait_for 20 qemu_pid >/dev/null; then
	q=$(qemu_pid)
	kill -KILL "$q"
	up=$(console_text "$TMP/c1" | grep -c 'QBOX-GUEST: up')
	check "QEMU ($q) killed before the guest booted" test "$up" -eq 0
else
	fail "QEMU never started: $(console_text "$TMP/c1")"
fi
killed "killed while booting" "$TMP/c1"

# ---- once the guest runs -----------------------------------------------------
vm_start "$TMP/c2" "$TMP/boot.sh" --name "$name" "${fwd[@]}"
if vm_wait_line "$TMP/c2" '^BOOTED' 60; then
	pass "the same name boots again"
	kill -KILL "$(qemu_pid)"
else
	fail "the guest never booted: $(console_text "$TMP/c2")"
fi
killed "killed once booted" "$TMP/c2"
got_further() { console_text "$1" | grep -q 'QBOX-GUEST: test.sh exit'; }
check "killed once booted: the guest got no further" not got_further "$TMP/c2"

# ---- and the name still works ---------------------------------------------------
echo 'echo "AGAIN"' >"$TMP/again.sh"
vm_run "$TMP/c3" "$TMP/again.sh" --name "$name" "${fwd[@]}"
rc=$?
check "the same name runs a guest to its end again (exit $rc)" test "$rc" -eq 0
vm_check "... which ran its script" "$TMP/c3" '^AGAIN$'
no_leftovers "nothing left behind" "$name|$TMP/"
