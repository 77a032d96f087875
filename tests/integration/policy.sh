#!/usr/bin/env bash
# Seccomp policies end to end: qbox policy check|show|dump|list, --policy
# on run and exec (bad ones refused before anything exists), where a NAME
# is read from, log mode, and normal programs under default.policy.
. "$(dirname "$0")/../lib.sh"

before=$(ls -A "$RUNDIR" 2>/dev/null)

# ---- qbox policy check ----------------------------------------------------
for name in common default qemu; do
	expect_output "policy check $name" 0 "^$name: ok, [0-9]+ syscalls allowed\$" \
		"$QBOX" policy check "$name"
done
printf 'read: 1\n\nnot_a_syscall_xyz: 1\n' >"$TMP/bad.policy"
expect_output "policy check names FILE:LINE and the token, exit 2" 2 \
	"^qbox: $TMP/bad.policy:3: unknown syscall 'not_a_syscall_xyz'\$" \
	"$QBOX" policy check "$TMP/bad.policy"
(cd "$TMP" && expect_output "policy check: a relative FILE as given" 2 \
	"^qbox: bad.policy:3: unknown syscall" "$QBOX" policy check bad.policy)
expect_output "policy check: an include cycle through files" 2 \
	"cycle-b.policy:2: @include cycle: .*cycle-a.policy -> .*cycle-b.policy -> .*cycle-a.policy" \
	"$QBOX" policy check "$TOP/tests/unit/policies/bad/cycle.policy"
expect_output "policy check: several files, the worst status" 2 \
	"^qbox: .*bad.policy:3: " "$QBOX" policy check default "$TMP/bad.policy"
expect_output "policy check: an unknown NAME lists the shipped ones" 2 \
	"no policy named 'frob' \\(shipped: common, default, dnsmasq, qemu, uplink;" \
	"$QBOX" policy check frob
expect_output "policy check: a missing FILE" 2 "cannot read ./nope.policy" \
	"$QBOX" policy check ./nope.policy
expect_output "policy: unknown subcommand" 2 "unknown subcommand 'frob'" \
	"$QBOX" policy frob
expect_output "policy --help teaches the language" 0 "@include common.policy" \
	"$QBOX" policy --help

# ---- show, dump, list -----------------------------------------------------
show=$("$QBOX" policy show qemu)
check "show: one line per syscall with condition, action and origin" \
	grep -qE "^ioctl: arg1 == TUNGETIFF \\|\\| .*; allow +# $QBOX_POLICY_DIR/qemu.policy:[0-9]+\$" <<<"$show"
check "show: included lines name their file" \
	grep -qE "^read: allow +# $QBOX_POLICY_DIR/common.policy:[0-9]+\$" <<<"$show"
check "show: the default action" grep -qE "^@default kill-process +#" <<<"$show"
check "show: qbox's own rules" grep -q "clone with a CLONE_NEW\\* flag: errno EPERM" <<<"$show"
printf '%s\n' "$show" >"$TMP/flat.policy"
n1=$("$QBOX" policy check qemu)
n2=$("$QBOX" policy check "$TMP/flat.policy")
check "show prints a valid policy: the same count (${n1#*: })" \
	test "${n1#*: }" = "${n2#*: }"
expect_output "show --log: the default becomes log" 0 "^@default log " \
	"$QBOX" policy show --log default
dump=$("$QBOX" policy dump default)
check "dump: the policy's BPF, default ENOSYS" grep -q "action ERRNO(38);" <<<"$dump"
check "dump: an EPERM rule" grep -qE 'filter for syscall "ptrace"' <<<"$dump"
check "dump: and qbox's baseline" grep -q "qbox's baseline filter" <<<"$dump"
expect_output "dump --log: default LOG" 0 "action LOG;" "$QBOX" policy dump --log default
expect_output "list: the shipped policies, read from the policy dir" 0 \
	"^qemu +$QBOX_POLICY_DIR/qemu.policy\$" "$QBOX" policy list
expect_output "list: with no policy dir, the compiled-in ones" 0 \
	"^default +<built-in>\$" env QBOX_POLICY_DIR= "$QBOX" policy list
# the compiled-in copies are the tree's: the same rules, line for line
strip() { sed 's/ *#.*//; /^$/d'; }
a=$("$QBOX" policy show default | strip)
b=$(QBOX_POLICY_DIR= "$QBOX" policy show default | strip)
check "compiled-in default.policy is the tree's ($(wc -l <<<"$a") lines)" \
	test -n "$a" -a "$a" = "$b"

# ---- qbox run --policy ----------------------------------------------------
expect_output "run --policy bad: FILE:LINE, exit 2" 2 \
	"^qbox: $TMP/bad.policy:3: unknown syscall 'not_a_syscall_xyz'\$" \
	"$QBOX" run --name "pol-bad-$$" --policy "$TMP/bad.policy" -- true
expect_output "run --policy with an unknown NAME, exit 2" 2 "no policy named 'nope'" \
	"$QBOX" run --policy nope -- true
printf 'read: 1\n' >"$TMP/noexec.policy"
expect_output "run --policy that forbids execve, exit 2" 2 \
	"noexec.policy: execve is not allowed" "$QBOX" run --policy "$TMP/noexec.policy" -- true
after=$(ls -A "$RUNDIR" 2>/dev/null)
check "a refused policy creates no runtime file" test "$before" = "$after"
no_leftovers "a refused policy leaves no process" "pol-bad-$$"

expect_output "payload: baseline and policy, two filters" 0 "^Seccomp_filters:[[:space:]]+2\$" \
	"$QBOX" run -- grep Seccomp_filters /proc/self/status
# the policy directory comes before the compiled-in copy
mkdir "$TMP/pdir"
printf '@default errno ENOSYS\n@include common\ngetpgrp: return EXDEV\n' \
	>"$TMP/pdir/default.policy"
expect_output "run: NAME read from \$QBOX_POLICY_DIR first" 0 "^raw:getpgrp 18\$" \
	env QBOX_POLICY_DIR="$TMP/pdir" "$QBOX" run -- "$HELPERS/try-syscall" raw:getpgrp
# a policy directory that exists but cannot be read stops qbox, naming the
# file and both ways out (as another user when root, who reads anything)
mkdir "$TMP/locked"
cp "$TMP/pdir/default.policy" "$TMP/locked/" && chmod 0 "$TMP/locked/default.policy"
locked_run() {
	if [ "$(id -u)" -eq 0 ]; then
		as_nobody env QBOX_POLICY_DIR="$TMP/locked" "$(qbox_for_nobody)" run -- true
	else
		env QBOX_POLICY_DIR="$TMP/locked" "$QBOX" run -- true
	fi
}
expect_output "an unreadable policy directory: exit 2, the file and the remedy" 2 \
	"^qbox: cannot read $TMP/locked/default\.policy: Permission denied \(.*make it readable, or set QBOX_POLICY_DIR= to use the policies built into qbox\)\$" \
	locked_run
expect_output "run --policy FILE" 0 "^raw:getpgrp 18\$" \
	"$QBOX" run --policy "$TMP/pdir/default.policy" -- "$HELPERS/try-syscall" raw:getpgrp
expect_output "run --policy NAME" 0 "^unshare-user 1\$" \
	"$QBOX" run --policy default -- "$HELPERS/try-syscall" unshare-user

# ---- finding what a payload needs: kill, then log ------------------------
# common.policy alone (Minijail's kill-process default) is too little for ls
printf '@include common\n' >"$TMP/small.policy"
out=$("$QBOX" run --policy "$TMP/small.policy" -- ls / 2>&1)
rc=$?
check "kill-process: the payload dies of SIGSYS (exit $rc)" test "$rc" -eq 159
check "kill-process: qbox says why and what to do" \
	grep -q "'ls' was killed by SIGSYS.*small.policy.*--policy-log" <<<"$out"
if [ "$(id -u)" -eq 0 ]; then
	# the kernel prints audit records at most 10 per 5 s: a fresh window
	sleep 5
	n0=$(dmesg | grep -c 'type=1326')
fi
expect_output "--policy-log: the same payload runs to its end" 0 "^bin\$" \
	"$QBOX" run --policy "$TMP/small.policy" --policy-log -- ls /
printf '@default log\n@include common\n' >"$TMP/log.policy"
expect_output "@default log in a policy: runs to its end" 0 "^bin\$" \
	"$QBOX" run --policy "$TMP/log.policy" -- ls /
if [ "$(id -u)" -eq 0 ]; then
	# the kernel's audit records: SECCOMP_RET_LOG is code 0x7ffc0000
	new=$(dmesg | grep 'type=1326' | tail -n +"$((n0 + 1))")
	check "log mode: the kernel logged ls's calls (dmesg, audit type 1326)" \
		grep -q 'comm="ls".*syscall=[0-9]* .*code=0x7ffc0000' <<<"$new"
fi

# ---- normal programs under default.policy ---------------------------------
port=$(free_port)
http_server "$port"
page=$(cat "$TMP/www/index.html")
expect_output "default.policy: sh, pipes, subshells" 0 "^3 ok\$" \
	"$QBOX" run -- sh -c 'echo a b c | wc -w | (read n; echo "$n ok")'
expect_output "default.policy: busybox" 0 "^$page\$" \
	"$QBOX" run -- busybox wget -q -O - "http://10.0.2.2:$port/"
expect_output "default.policy: curl" 0 "^$page\$" \
	"$QBOX" run -- curl -sf "http://10.0.2.2:$port/"
expect_output "default.policy: socat over loopback" 0 "^socat-$$\$" \
	"$QBOX" run -- sh -c "socat TCP-LISTEN:7777,bind=127.0.0.1,reuseaddr EXEC:cat & \
		sleep 0.3; echo socat-$$ | socat -t 2 - TCP:127.0.0.1:7777"
expect_output "default.policy: iperf3 client and server" 0 "iperf Done" \
	"$QBOX" run -- sh -c "iperf3 -s -1 -B 127.0.0.1 -p 5299 >/dev/null & \
		sleep 0.5; iperf3 -c 127.0.0.1 -p 5299 -t 1"
expect_output "default.policy: python3 threads, subprocess, sockets" 0 "^py ok\$" \
	"$QBOX" run -- /usr/bin/python3 -c '
import socket, subprocess, threading
t = threading.Thread(target=lambda: None); t.start(); t.join()
assert subprocess.run(["true"]).returncode == 0
a, b = socket.socketpair(); a.send(b"x"); assert b.recv(1) == b"x"
print("py ok")'
expect_output "default.policy: a shell's job control and wait" 0 "^done\$" \
	"$QBOX" run -- sh -c 'sleep 0.1 & wait; echo done'

# ---- qbox exec: default.policy unless --policy -----------------------------
n=pol-exec-$$
"$QBOX" run --name "$n" -- sleep 30 &
qpid=$!
BG_PIDS+=("$qpid")
if "$QBOX" wait "$n" --timeout 20; then
	expect_output "exec: default.policy" 0 "^ptrace 1\$" \
		"$QBOX" exec "$n" -- "$HELPERS/try-syscall" ptrace
	expect_output "exec --policy FILE" 0 "^raw:getpgrp 18\$" \
		"$QBOX" exec --policy "$TMP/pdir/default.policy" "$n" -- \
		"$HELPERS/try-syscall" raw:getpgrp
	expect_output "exec --policy bad: FILE:LINE, exit 2" 2 \
		"bad.policy:3: unknown syscall" \
		"$QBOX" exec --policy "$TMP/bad.policy" "$n" -- true
	expect_output "exec: a SIGSYS death is explained" 159 "killed by SIGSYS" \
		"$QBOX" exec --policy "$TMP/small.policy" "$n" -- ls /
	expect_output "exec --policy-log: runs to its end" 0 "^bin\$" \
		"$QBOX" exec --policy "$TMP/small.policy" --policy-log "$n" -- ls /
	expect_output "the sandbox is unaffected" 0 "^$n " "$QBOX" ps
	"$QBOX" stop "$n" --timeout 2
else
	fail "sandbox $n did not come up"
fi
wait "$qpid"
no_leftovers "nothing left behind" "pol-"
