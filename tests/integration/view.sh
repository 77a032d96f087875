#!/usr/bin/env bash
# A command payload's view of the filesystem, and its own user namespace
# (netns/view.h): the system read-only, its working directory read-write,
# a private /tmp, /proc of its own PID namespace, /dev of its own, nothing
# of the user's home; --bind, --ro-bind, --tmpfs, --chdir and --fs host;
# every bad flag refused before anything exists. A stand-in for a QEMU a
# guest has taken over (--vm): only what its argv names. Then what the
# nested user namespace walls off even with the host's whole view (--fs
# host): another member's memory, and init's. tests/helpers/fs-probe.c
# does the trying.
. "$(dirname "$0")/../lib.sh"

mark=$((RANDOM + 500000))
P=$HELPERS/fs-probe
mkdir -p "$TMP/work" "$TMP/shared" "$TMP/ro" "$TMP/other"
echo outside >"$TMP/outside.txt"
echo shared >"$TMP/shared/s.txt"
echo ro >"$TMP/ro/r.txt"
# a secret in the user's home, and its ~/.bashrc's place
secret=${HOME:-/nonexistent}/.qbox-view-$mark
if touch "$secret" 2>/dev/null; then
	at_exit "rm -f '$secret'"
else
	secret=
fi

# probe EXPECT... -- QBOX-ARGS... : run fs-probe in a sandbox from
# $TMP/work with those actions ("ACTION RESULT", RESULT an extended regex:
# a system file is EROFS to root, EACCES to a user); each must be in its
# output
probe() {
	local want=() acts=() w out
	while [ "$1" != -- ]; do want+=("$1"); acts+=("${1%% *}"); shift; done
	shift
	out=$(cd "$TMP/work" && "$QBOX" run "$@" -- "$P" "${acts[@]}" 2>&1)
	for w in "${want[@]}"; do
		if grep -qxE -- "$w" <<<"$out"; then
			pass "${w%% *}: ${w#* } ($*)"
		else
			fail "${w%% *}: want '${w#* }', got: $out"
		fi
	done
}

# ---- the default view -----------------------------------------------------
if [ -n "$secret" ]; then
	probe "read:$secret ENOENT" "write:$HOME/.bashrc ENOENT" -- --name "v-$mark"
fi
probe "read:$TMP/outside.txt ENOENT" "read:/etc/passwd ok" \
	"write:/etc/passwd (EROFS|EACCES)" "read:/usr/bin/env ok" "tun:- ENOENT" \
	"pids:- 2" "kill:$$ ESRCH" "mem:1 EACCES" -- --name "v-$mark"
expect_output "the working directory is read-write; what it writes stays" 0 "^made\$" \
	sh -c "cd '$TMP/work' && '$QBOX' run -- sh -c 'echo made >made.txt' && cat made.txt"
expect_output "its /tmp is its own" 0 "^no\$" \
	sh -c "cd '$TMP/work' && '$QBOX' run -- sh -c 'echo x >/tmp/t-$mark' && { test -e /tmp/t-$mark && echo yes || echo no; }"
expect_output "/dev holds null, zero, urandom, a pts of its own" 0 "^ok\$" \
	sh -c "cd '$TMP/work' && '$QBOX' run -- sh -c 'test -c /dev/null -a -c /dev/urandom -a -c /dev/zero -a -d /dev/pts -a ! -e /dev/sda && echo ok'"

# ---- what the user gives -------------------------------------------------
probe "read:$TMP/shared/s.txt ok" "create:$TMP/shared/new ok" \
	"read:$TMP/ro/r.txt ok" "write:$TMP/ro/r.txt EROFS" \
	"create:$TMP/ro/new EROFS" "read:/data/s.txt ok" \
	"create:/scratch/x ok" "read:$TMP/outside.txt ENOENT" \
	-- --bind "$TMP/shared" --ro-bind "$TMP/ro" --ro-bind "$TMP/shared:/data" \
	--tmpfs /scratch
check "--tmpfs left nothing on the host" test ! -e /scratch
printf '#!/bin/sh\necho ran\n' >"$TMP/ro/prog.sh"
printf '#!/bin/sh\necho ran; echo more >>"$0"\n' >"$TMP/shared/prog.sh"
chmod +x "$TMP/ro/prog.sh" "$TMP/shared/prog.sh"
expect_output "a program in a --ro-bind directory runs from there" 0 "^ran\$" \
	sh -c "cd '$TMP/work' && '$QBOX' run --ro-bind '$TMP/ro' -- '$TMP/ro/prog.sh'"
expect_output "... and one in a --bind directory may still change itself" 0 "^ran\$" \
	sh -c "cd '$TMP/work' && '$QBOX' run --bind '$TMP/shared' -- '$TMP/shared/prog.sh'"
check "... (it did)" grep -qx more "$TMP/shared/prog.sh"
expect_output "--chdir: the payload starts there, and may write it" 0 "^$TMP/other wrote\$" \
	sh -c "'$QBOX' run --chdir '$TMP/other' -- sh -c 'echo \$(pwd) wrote >o.txt; cat o.txt'"
expect_output "--chdir: the directory it left is not in the view" 0 "^read:$TMP/work/made.txt ENOENT\$" \
	sh -c "cd '$TMP/work' && '$QBOX' run --chdir '$TMP/other' -- '$P' read:$TMP/work/made.txt"
# ---- a kernel without Landlock (no-landlock makes the call ENOSYS) ------------
out=$(cd "$TMP/work" && "$HELPERS/no-landlock" "$QBOX" run -- "$P" "read:$TMP/outside.txt" 2>&1)
check "without Landlock qbox says so, once ($out)" \
	test "$(grep -c '^qbox: warning: the kernel has no Landlock: ' <<<"$out")" -eq 1
check "... and the view still holds" grep -qx "read:$TMP/outside.txt ENOENT" <<<"$out"
out=$("$HELPERS/no-landlock" "$QBOX" run --fs host --net none -- true 2>&1)
check "... nothing said where nothing would use it (--fs host, --net none: $out)" test -z "$out"
out=$("$QBOX" run -- true 2>&1)
check "with Landlock, nothing said ($out)" test -z "$out"

if [ -n "$secret" ]; then
	probe "read:$secret ok" "read:$TMP/outside.txt ok" -- --fs host
fi
out=$(cd "$TMP/work" && "$QBOX" run --fs host -- "$P" pids:-)
check "--fs host: the host's /proc ($out)" test "${out#pids:- }" -gt 5

# ---- a compromised QEMU ------------------------------------------------------
"$QBOX" run --name "h-$mark" -- sleep "$mark" &
qpid_host=$!
BG_PIDS+=("$qpid_host")
"$QBOX" wait "h-$mark" --timeout 20 >/dev/null
# fs-probe stands in for a qemu-system-x86_64 whose guest took it over: qbox
# reads its argv as QEMU's (--vm) and gives it what that names, a qcow2
# overlay (its backing file read-only, in another directory) and a QMP
# socket's directory; it then tries what such a QEMU would.
mkdir -p "$TMP/img/base" "$TMP/img/vm" "$TMP/img/io" "$TMP/hostsock"
qemu-img create -q -f qcow2 "$TMP/img/base/base.qcow2" 16M
(cd "$TMP/img/vm" && qemu-img create -q -f qcow2 -b ../base/base.qcow2 \
	-F qcow2 disk.qcow2)
qemu-img create -q -f qcow2 "$TMP/img/vm/other.qcow2" 16M
hsock=$TMP/hostsock/h.sock
start_bg socat "UNIX-LISTEN:$hsock,fork" EXEC:true
wait_for 5 test -S "$hsock"
stand_in() {
	(cd "$TMP/work" && "$QBOX" run --vm --name "q-$mark" -- "$P" "$@" \
		-drive "file=$TMP/img/vm/disk.qcow2,format=qcow2,if=virtio" \
		-qmp "unix:$TMP/img/io/qmp.sock,server=on,wait=off" 2>&1)
}
out=$(stand_in ${secret:+read:$secret} "write:$HOME/.bashrc" \
	"read:$TMP/img/vm/other.qcow2" "write:$TMP/img/vm/disk.qcow2" \
	"read:$TMP/img/base/base.qcow2" "write:$TMP/img/base/base.qcow2" \
	"listen:$TMP/img/io/qmp.sock" "connect:$hsock" "tun:-" "pids:-" \
	"kill:$$" "mem:1" "mem:$qpid_host")
qwant() {
	if grep -qxE -- "$1" <<<"$out"; then
		pass "as QEMU: $2"
	else
		fail "as QEMU: $2: want /$1/ in: $out"
	fi
}
[ -z "$secret" ] || qwant "read:$secret ENOENT" "the user's home is not there"
qwant "write:$HOME/.bashrc ENOENT" "~/.bashrc cannot be written"
qwant "read:$TMP/img/vm/other.qcow2 ENOENT" \
	"another disk image beside its own is not there"
qwant "write:$TMP/img/vm/disk.qcow2 ok" "its own disk is writable"
qwant "read:$TMP/img/base/base.qcow2 ok" "its backing file is readable"
qwant "write:$TMP/img/base/base.qcow2 EROFS" "... and not writable"
qwant "listen:$TMP/img/io/qmp.sock ok" "its QMP socket can be made"
qwant "connect:$hsock ENOENT" "a host socket its argv does not name is not there"
qwant "tun:- ENOENT" "/dev/net/tun is not there"
qwant "pids:- 2" "it sees only its sandbox's processes"
qwant "kill:$$ ESRCH" "a host process cannot be signalled"
qwant "mem:1 EACCES" "init's memory cannot be opened"
qwant "mem:$qpid_host ENOENT" "a qbox process's memory is not there"
"$QBOX" stop "h-$mark" >/dev/null
wait "$qpid_host" 2>/dev/null

# ---- refused, before anything exists ----------------------------------------
expect_output "--bind of a path that is not there" 2 \
	"^qbox: --bind $TMP/nope-$mark: No such file or directory\$" \
	"$QBOX" run --name "v-$mark" --bind "$TMP/nope-$mark" -- true
expect_output "--ro-bind with an empty source" 2 "^qbox: --ro-bind needs a path\$" \
	"$QBOX" run --ro-bind :/x -- true
expect_output "--tmpfs of a relative path" 2 "^qbox: --tmpfs rel: not an absolute path\$" \
	"$QBOX" run --tmpfs rel -- true
expect_output "--bind over the view's root" 2 "^qbox: --bind $TMP/shared:/: the view's root is qbox's" \
	"$QBOX" run --bind "$TMP/shared:/" -- true
expect_output "--fs of another kind" 2 "^qbox: --fs hosts: 'view' \\(the default" \
	"$QBOX" run --fs hosts -- true
expect_output "--fs host with --bind" 2 "^qbox: --fs host shows the payload the whole host" \
	"$QBOX" run --fs host --bind "$TMP/shared" -- true
expect_output "--chdir to a directory that is not there" 2 \
	"^qbox: --chdir $TMP/nope-$mark: No such file or directory\$" \
	"$QBOX" run --chdir "$TMP/nope-$mark" -- true
no_leftovers "nothing left behind by the refused runs" "v-$mark"

# ---- the payload's own user namespace ------------------------------------------
"$QBOX" run --name "u-$mark" -- sleep "$mark" &
qpid=$!
BG_PIDS+=("$qpid")
if "$QBOX" wait "u-$mark" --timeout 20 >/dev/null; then
	init=$(qbox_init "$qpid")
	payload=$(pgrep -P "$init" -x sleep)
	ns() { readlink "/proc/$1/ns/user"; }
	check "the payload has a user namespace of its own ($(ns "$payload"))" \
		test -n "$(ns "$payload")" -a "$(ns "$payload")" != "$(ns "$init")" \
		-a "$(ns "$payload")" != "$(ns $$)"
	check "... nested under the sandbox's (its owner is the user)" \
		test "$(stat -c %u "/proc/$payload")" = "$(id -u)"
	"$QBOX" stop "u-$mark" >/dev/null
else
	fail "the sandbox never became ready"
fi
wait "$qpid" 2>/dev/null

# ---- a working directory the user may not walk to -----------------------
# A checkout under root's home (mode 0700), run as another user: the
# payload keeps the directory it was started in, read-write, as it did
# before there was a view. Root walks anywhere, so as root the test runs
# qbox as nobody; a user takes the search right from itself.
mkdir -p "$TMP/locked/in"
echo here >"$TMP/locked/in/h.txt"
if [ "$(id -u)" -eq 0 ]; then
	chown -R 65534:65534 "$TMP/locked/in"
	as=(as_nobody env XDG_RUNTIME_DIR="$(rundir_for_nobody)" "$(qbox_for_nobody)")
	lock_mode=0700
else
	as=("$QBOX")
	lock_mode=0000
fi
locked_run() {
	local r
	(cd "$TMP/locked/in" && chmod "$lock_mode" "$TMP/locked" &&
		"${as[@]}" run -- "$@")
	r=$?
	chmod 0755 "$TMP/locked"
	return $r
}
expect_output "a working directory the user may not walk to: the payload is in it" 0 \
	"^here $TMP/locked/in\$" locked_run sh -c 'echo "$(cat h.txt) $(pwd)"'
locked_write() { locked_run sh -c 'echo w >w.txt' && cat "$TMP/locked/in/w.txt"; }
expect_output "... read-write, and what it writes stays" 0 "^w\$" locked_write

# Two members of two of the user's networks share the networks' user
# namespace; their payloads each have their own. With the host's whole view
# (--fs host) one sees the other's pid, and still cannot open its memory;
# within one payload (one user namespace), the kernel would allow it.
net_a=va$mark net_b=vb$mark
"$QBOX" run --name "ma-$mark" --net "natnet:$net_a" --fs host -- sleep "$mark" &
pa=$!
"$QBOX" run --name "mb-$mark" --net "internal:$net_b" --fs host -- sleep "$((mark + 1))" &
pb=$!
BG_PIDS+=("$pa" "$pb")
if "$QBOX" wait "ma-$mark" --timeout 30 >/dev/null &&
	"$QBOX" wait "mb-$mark" --timeout 30 >/dev/null; then
	b=$(pgrep -u "$(id -u)" -f "^sleep $((mark + 1))\$")
	expect_output "a member's payload cannot open another member's memory" 0 \
		"^mem:$b (EACCES|EPERM)\$" \
		"$QBOX" run --net "natnet:$net_a" --fs host -- "$P" "mem:$b"
	# the network's stream relay and a forward worker (a forward to the
	# member starts them): qbox's own, which a payload would borrow to
	# reach where its network may not
	"$QBOX" fwd -n "natnet:$net_a" "$(free_port):$(member_addr "$net_a" "ma-$mark"):80" >/dev/null
	hub=$(hub_pid "$net_a")
	relay=$(pgrep -P "$(qbox_init "$hub")" -x qbox-stream)
	worker=$(qbox_workers "$hub" | head -n 1)
	expect_output "... nor its network's stream relay's (pid ${relay:-none})" 0 \
		"^mem:$relay (EACCES|EPERM)\$" \
		"$QBOX" run --net "natnet:$net_a" --fs host -- "$P" "mem:${relay:-0}"
	expect_output "... nor its network's forward worker's (pid ${worker:-none})" 0 \
		"^mem:$worker (EACCES|EPERM)\$" \
		"$QBOX" run --net "natnet:$net_a" --fs host -- "$P" "mem:${worker:-0}"
	expect_output "... while within one payload the kernel allows it (the control)" 0 \
		"^mem:[0-9]+ ok\$" "$QBOX" run --net "natnet:$net_a" -- \
		sh -c "sleep 30 & '$P' mem:\$!; kill \$!"
else
	fail "the two members never became ready"
fi
"$QBOX" stop "ma-$mark" >/dev/null 2>&1
"$QBOX" stop "mb-$mark" >/dev/null 2>&1
wait "$pa" "$pb" 2>/dev/null	# not a bare wait: socat above runs till exit
for n in "$net_a" "$net_b"; do
	wait_for 10 sh -c "! test -e '$RUNDIR/net@$n.sock'"
done
no_leftovers "nothing left behind" "$mark"
