#!/usr/bin/env bash
# Names, locks and cleanup: nothing is left behind however qbox ends.
. "$(dirname "$0")/../lib.sh"

mark=$((RANDOM + 100000))

# SIGKILL of the supervisor: the payload, its children and the lock go too
"$QBOX" run --name "lc-$mark" -- sh -c "sleep $mark & sleep $((mark + 1))" &
pid=$!
if wait_for 10 pgrep -f "^sleep $((mark + 1))" >/dev/null; then
	check "lock file exists while running" test -f "$RUNDIR/lc-$mark.lock"
	check "lock file holds the supervisor's pid" grep -qx "$pid" "$RUNDIR/lc-$mark.lock"
	kill -KILL $pid
	wait $pid 2>/dev/null
	wait_for 5 sh -c "! pgrep -f '^sleep $mark' >/dev/null && ! test -e '$RUNDIR/lc-$mark.lock'"
	no_leftovers "SIGKILL of qbox: payload, its children and the lock are gone" "^sleep $mark"
else
	fail "payload never started"
fi
check "runtime dir is 0700" test "$(stat -c %a "$RUNDIR")" = 700

# SIGTERM: same, through the normal path
"$QBOX" run --name "lc-$mark" -- sh -c "sleep $mark & sleep $((mark + 1))" &
pid=$!
wait_for 10 pgrep -f "^sleep $((mark + 1))" >/dev/null
kill -TERM $pid
wait $pid
rc=$?
check "SIGTERM: qbox exits 143" test $rc -eq 143
no_leftovers "SIGTERM of qbox: nothing left" "^sleep $mark"

# a name in use is refused; it is free again afterwards
"$QBOX" run --name "dup-$mark" -- sleep "$mark" &
pid=$!
wait_for 10 test -f "$RUNDIR/dup-$mark.lock"
sleep 0.2
expect_output "a running name is refused with exit 2" 2 \
	"--name dup-$mark: a sandbox of that name is already running \\(pid $pid\\)" \
	"$QBOX" run --name "dup-$mark" -- true
kill -TERM $pid
wait $pid
expect_output "the name is free after the sandbox ends" 0 '^again$' \
	"$QBOX" run --name "dup-$mark" -- echo again

# default names are unique: two at once
"$QBOX" run -- sleep "$mark" &
p1=$!
"$QBOX" run -- sleep "$mark" &
p2=$!
wait_for 10 sh -c "[ \$(pgrep -c -f '^sleep $mark') -ge 2 ]"
check "two unnamed sandboxes run side by side" test "$(ls "$RUNDIR" | grep -c '^qbox-.*\.lock$')" -eq 2
kill -TERM $p1 $p2
wait $p1 $p2
no_leftovers "unnamed sandboxes leave nothing" "^sleep $mark"

# files a sandbox leaves when it is killed together with its init (a
# machine going down): a lock nobody holds, a socket nobody serves. ps and
# net ls reap them; a running sandbox's files stay.
"$QBOX" run --name "live-$mark" -- sleep "$((mark + 4))" &
lpid=$!
"$QBOX" wait "live-$mark" --timeout 10 >/dev/null
echo 4242 >"$RUNDIR/gone-$mark.lock"
python3 -c 'import socket, sys; socket.socket(socket.AF_UNIX).bind(sys.argv[1])' "$RUNDIR/gone-$mark.sock"
check "ps lists the running sandbox, not the dead one" \
	test "$("$QBOX" ps --json | jq -r --arg l "live-$mark" --arg g "gone-$mark" '[.[] | select(.name == $l or .name == $g) | .name] | join(" ")')" = "live-$mark"
check "ps reaped the dead one's files" \
	test ! -e "$RUNDIR/gone-$mark.lock" -a ! -e "$RUNDIR/gone-$mark.sock"
echo 4243 >"$RUNDIR/net@gone$mark.lock"
"$QBOX" net ls >/dev/null
check "net ls reaped a dead network's lock" test ! -e "$RUNDIR/net@gone$mark.lock"
check "the running sandbox's files stay" \
	test -e "$RUNDIR/live-$mark.lock" -a -S "$RUNDIR/live-$mark.sock"
kill -TERM "$lpid"
wait "$lpid"

# the runtime directory is checked, never followed through a symlink
mkdir -p "$TMP/xdg1" "$TMP/elsewhere" && chmod 700 "$TMP/elsewhere"
ln -s "$TMP/elsewhere" "$TMP/xdg1/qbox"
expect_output "symlinked runtime dir refused (exit 2)" 2 "symlink" \
	env XDG_RUNTIME_DIR="$TMP/xdg1" "$QBOX" run -- true
mkdir -p "$TMP/xdg2/qbox" && chmod 755 "$TMP/xdg2/qbox"
expect_output "runtime dir with mode 0755 refused (exit 2)" 2 "mode 0755" \
	env XDG_RUNTIME_DIR="$TMP/xdg2" "$QBOX" run -- true
mkdir -p "$TMP/xdg3"
env XDG_RUNTIME_DIR="$TMP/xdg3" "$QBOX" run -- true
check "XDG_RUNTIME_DIR/qbox is created 0700" test "$(stat -c %a "$TMP/xdg3/qbox")" = 700
check "and left empty" test -z "$(ls -A "$TMP/xdg3/qbox")"

# kill -9 at any moment of the start leaves nothing: not before the name
# is taken, not while links are built, not once the payload runs
for delay in 0 0.005 0.01 0.02 0.04 0.08 0.15 0.3; do
	"$QBOX" run --name "k9-$mark" -- sleep "$((mark + 2))" &
	pid=$!
	sleep "$delay"
	kill -KILL $pid
	wait $pid 2>/dev/null
	wait_for 5 sh -c "! pgrep -f '^sleep $((mark + 2))' >/dev/null && ! test -e '$RUNDIR/k9-$mark.lock'"
	no_leftovers "kill -9 after ${delay}s leaves nothing" "^sleep $((mark + 2))"
done
