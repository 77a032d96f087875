#!/usr/bin/env bash
# A command payload runs with no capabilities, no_new_privs and seccomp, as
# the user's own uid, and cannot make namespaces, mount, ptrace, load code
# into the kernel or type into the terminal.
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

expect_output "unshare -Ur true fails inside" 1 "Operation not permitted" \
	"$QBOX" run -- unshare -Ur true
expect_output "unshare -n true fails inside" 1 "Operation not permitted" \
	"$QBOX" run -- unshare -n true
expect_output "threads work (glibc clone3 fallback)" 0 "^ok$" \
	"$QBOX" run -- sh -c 'sort --parallel=2 -S 1M </dev/null && echo ok'

no_leftovers "nothing left behind" "$HELPERS/try-syscall"
