#!/usr/bin/env bash
# A command payload runs with no capabilities, no_new_privs and seccomp, as
# the user's own uid, and cannot make namespaces, mount, ptrace, load code
# into the kernel or type into the terminal: default.policy's denials, each
# checked, and qbox's baseline under any policy. ptrace of a sibling (another
# process of the same sandbox, same uid) is refused with default.policy's
# EPERM, and kills under qemu.policy; the kernel itself would allow it.
. "$(dirname "$0")/../lib.sh"

mark=$((RANDOM + 300000))

status=$("$QBOX" run -- cat /proc/self/status)
for f in CapInh CapPrm CapEff CapBnd CapAmb; do
	v=$(awk -v f="$f:" '$1 == f { print $2 }' <<<"$status")
	if [ "$v" = 0000000000000000 ]; then pass "$f is 0"; else fail "$f is '$v'"; fi
done
check "NoNewPrivs is 1" grep -qE '^NoNewPrivs:[[:space:]]+1$' <<<"$status"
check "Seccomp is 2 (filter)" grep -qE '^Seccomp:[[:space:]]+2$' <<<"$status"

expect_output "uid inside is the user's own" 0 "^$(id -u) $(id -g)\$" \
	"$QBOX" run -- sh -c 'echo $(id -u) $(id -g)'
expect_output "pid namespace: payload's parent is the sandbox init" 0 '^1$' \
	"$QBOX" run -- sh -c 'echo $PPID'

# Each denied call must fail with exactly the errno the filter returns.
out=$("$QBOX" run -- "$HELPERS/try-syscall" unshare-user unshare-net setns \
	clone-newuser clone-newns mount ptrace keyctl bpf perf_event_open \
	init_module finit_module kexec_load tiocsti clone3 clone getpid </dev/null)
for c in unshare-user unshare-net setns clone-newuser clone-newns mount ptrace \
	keyctl bpf perf_event_open init_module finit_module kexec_load tiocsti; do
	check "$c denied with EPERM" grep -qx "$c 1" <<<"$out"
done
check "clone3 answers ENOSYS (glibc falls back to clone)" grep -qx "clone3 38" <<<"$out"
check "plain clone (fork) allowed" grep -qx "clone 0" <<<"$out"
check "ordinary calls allowed" grep -qx "getpid 0" <<<"$out"

# Every call default.policy denies by name answers exactly that errno, and
# a call it does not list answers ENOSYS (its default)
denied=$("$QBOX" policy show default |
	sed -n 's/^\([a-z0-9_]*\): errno \(EPERM\|ENOSYS\) .*/\1 \2/p')
out=$("$QBOX" run -- "$HELPERS/try-syscall" $(sed 's/^/raw:/; s/ .*//' <<<"$denied") \
	raw:modify_ldt raw:process_mrelease </dev/null)
count=0
while read -r name err; do
	want=1
	[ "$err" = ENOSYS ] && want=38
	check "default.policy: $name answers $err" grep -qx "raw:$name $want" <<<"$out"
	count=$((count + 1))
done <<<"$denied"
check "default.policy denies $count calls by name (50 or more)" test "$count" -ge 50
check "default.policy: modify_ldt, not listed, answers ENOSYS" grep -qx "raw:modify_ldt 38" <<<"$out"
check "default.policy: process_mrelease, not listed, answers ENOSYS" \
	grep -qx "raw:process_mrelease 38" <<<"$out"
# the control: with a policy that allows everything, the kernel answers
# those calls otherwise; only qbox's baseline still refuses namespaces
printf '@default allow\nread: 1\n' >"$TMP/allow.policy"
out=$("$QBOX" run --policy "$TMP/allow.policy" -- "$HELPERS/try-syscall" \
	raw:modify_ldt raw:get_robust_list raw:kcmp raw:bpf raw:unshare \
	clone-newuser clone3 tiocsti </dev/null)
check "control: modify_ldt succeeds when allowed" grep -qx "raw:modify_ldt 0" <<<"$out"
check "control: get_robust_list reaches the kernel (EFAULT)" grep -qx "raw:get_robust_list 14" <<<"$out"
check "control: kcmp reaches the kernel (ESRCH)" grep -qx "raw:kcmp 3" <<<"$out"
check "control: bpf reaches the kernel (EINVAL)" grep -qx "raw:bpf 22" <<<"$out"
check "baseline, whatever the policy: unshare EPERM" grep -qx "raw:unshare 1" <<<"$out"
check "baseline, whatever the policy: clone(CLONE_NEWUSER) EPERM" grep -qx "clone-newuser 1" <<<"$out"
check "baseline, whatever the policy: clone3 ENOSYS" grep -qx "clone3 38" <<<"$out"
check "baseline, whatever the policy: TIOCSTI EPERM" grep -qx "tiocsti 1" <<<"$out"

# ptrace of a sibling: sh's two children, sleep and try-syscall
try_siblings() {
	"$QBOX" run "$@" -- sh -c "sleep $mark & p=\$!
		'$HELPERS/try-syscall' ptrace-attach:\$p ptrace-seize:\$p ptrace-attach-child
		kill \$p" </dev/null
}
out=$(try_siblings)
check "ptrace of a sibling (PTRACE_ATTACH) denied with EPERM" grep -qE '^ptrace-attach:[0-9]+ 1$' <<<"$out"
check "ptrace of a sibling (PTRACE_SEIZE) denied with EPERM" grep -qE '^ptrace-seize:[0-9]+ 1$' <<<"$out"
check "ptrace of its own child denied with EPERM" grep -qx 'ptrace-attach-child 1' <<<"$out"
# the control: allowed by the policy, the kernel lets it (same uid, no
# Yama here; a child even under Yama's default scope)
out=$(try_siblings --policy "$TMP/allow.policy")
check "control: a sibling can be attached when the policy allows ptrace" \
	grep -qE '^ptrace-attach:[0-9]+ 0$' <<<"$out"
check "control: ... and seized" grep -qE '^ptrace-seize:[0-9]+ 0$' <<<"$out"
check "control: ... and its own child" grep -qx 'ptrace-attach-child 0' <<<"$out"
# qbox exec: another process of the sandbox, the payload, under exec's
# default.policy, and under qemu.policy, which kills on any call it does
# not list (ptrace among them)
start_bg "$QBOX" run --name "cf-$mark" --bind "$TMP" -- sh -c "echo \$\$ >'$TMP/pid'; exec sleep $mark"
qc=$BG_PID
"$QBOX" wait "cf-$mark" --timeout 20 >/dev/null
wait_for 5 test -s "$TMP/pid"
p=$(cat "$TMP/pid")
out=$("$QBOX" exec "cf-$mark" -- "$HELPERS/try-syscall" ptrace-attach:"$p" ptrace-seize:"$p" </dev/null)
check "qbox exec: ptrace of the payload (pid $p) denied with EPERM" \
	test "$(tr '\n' ' ' <<<"$out")" = "ptrace-attach:$p 1 ptrace-seize:$p 1 "
out=$("$QBOX" exec --policy qemu "cf-$mark" -- "$HELPERS/try-syscall" announce \
	ptrace-attach:"$p" getpid </dev/null 2>&1)
rc=$?
check "qemu.policy: ptrace of another process of the sandbox kills (exit $rc, 159: SIGSYS)" test "$rc" -eq 159
check "qemu.policy: ... at that call, which never returned" \
	test "$(grep -v '^qbox: ' <<<"$out")" = "try ptrace-attach:$p"
check "qemu.policy: ... and qbox names the policy" grep -q "killed by SIGSYS.*policy 'qemu'" <<<"$out"
check "the payload was left alone" kill -0 "$qc"
"$QBOX" stop "cf-$mark" >/dev/null
wait "$qc"

expect_output "unshare -Ur true fails inside" 1 "Operation not permitted" \
	"$QBOX" run -- unshare -Ur true
expect_output "unshare -n true fails inside" 1 "Operation not permitted" \
	"$QBOX" run -- unshare -n true
expect_output "threads work (glibc clone3 fallback)" 0 "^ok$" \
	"$QBOX" run -- sh -c 'sort --parallel=2 -S 1M </dev/null && echo ok'

no_leftovers "nothing left behind" "$HELPERS/try-syscall|$mark"
