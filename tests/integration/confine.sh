#!/usr/bin/env bash
# A command payload runs with no capabilities, no_new_privs and seccomp, as
# the user's own uid, and cannot make namespaces, mount, ptrace, load code
# into the kernel or type into the terminal: default.policy's denials, each
# checked, and qbox's baseline under any policy.
. "$(dirname "$0")/../lib.sh"

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

expect_output "unshare -Ur true fails inside" 1 "Operation not permitted" \
	"$QBOX" run -- unshare -Ur true
expect_output "unshare -n true fails inside" 1 "Operation not permitted" \
	"$QBOX" run -- unshare -n true
expect_output "threads work (glibc clone3 fallback)" 0 "^ok$" \
	"$QBOX" run -- sh -c 'sort --parallel=2 -S 1M </dev/null && echo ok'

no_leftovers "nothing left behind" "$HELPERS/try-syscall"
