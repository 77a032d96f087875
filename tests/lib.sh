# tests/lib.sh - shared by the integration and end-to-end tests
#
# A test script sources this, then calls pass/fail (or the check helpers)
# once per assertion. Output lines "PASS: ..." / "FAIL: ..." are counted by
# tests/run.sh. Servers started with start_bg are killed on exit; every
# test also asserts it left no process and no runtime file behind.
set -u
TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
QBOX=${QBOX:-build/qbox}
case $QBOX in /*) ;; *) QBOX=$TOP/$QBOX ;; esac
HELPERS=$TOP/build/tests
# Shipped policies come from the tree, not from an installed qbox's
export QBOX_POLICY_DIR=$TOP/policies
TMP=$(mktemp -d /tmp/qbox-test.XXXXXX)
chmod 0755 "$TMP"
RUNDIR=${XDG_RUNTIME_DIR:+$XDG_RUNTIME_DIR/qbox}
RUNDIR=${RUNDIR:-/tmp/qbox-$(id -u)}
BG_PIDS=()

cleanup_lib() {
	local p
	for p in "${BG_PIDS[@]}"; do
		kill "$p" 2>/dev/null
	done
	wait 2>/dev/null
	rm -rf "$TMP"
}
trap cleanup_lib EXIT

pass() { echo "PASS: $*"; }
fail() { echo "FAIL: $*"; }

# check NAME CMD... : pass when CMD succeeds
check() {
	local name=$1
	shift
	if "$@"; then pass "$name"; else fail "$name"; fi
}

# expect_output NAME WANT_STATUS PATTERN CMD... : status and grep -E in output
expect_output() {
	local name=$1 want=$2 pat=$3 out rc
	shift 3
	out=$("$@" 2>&1)
	rc=$?
	if [ "$rc" -ne "$want" ]; then
		fail "$name: exit $rc, want $want; output: $out"
	elif ! grep -qE -- "$pat" <<<"$out"; then
		fail "$name: output lacks /$pat/: $out"
	else
		pass "$name"
	fi
}

# A TCP port nobody listens on (random, checked)
free_port() {
	local p
	for _ in $(seq 50); do
		p=$((10000 + RANDOM % 22000))	# below the ephemeral range
		if ! (exec 3<>/dev/tcp/127.0.0.1/$p) 2>/dev/null; then
			echo "$p"
			return
		fi
	done
	return 1
}

# start_bg CMD... : run in the background, killed at exit; sets BG_PID
start_bg() {
	"$@" &
	BG_PID=$!
	BG_PIDS+=("$BG_PID")
}

# wait_for SECONDS CMD... : poll CMD every 50 ms until it succeeds
wait_for() {
	local limit=$1 i
	shift
	for ((i = 0; i < limit * 20; i++)); do
		"$@" 2>/dev/null && return 0
		sleep 0.05
	done
	return 1
}

port_open() { (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null; }

# http_server PORT : busybox httpd on 127.0.0.1:PORT serving $TMP/www
http_server() {
	mkdir -p "$TMP/www"
	[ -f "$TMP/www/index.html" ] || echo "host-page-$$" >"$TMP/www/index.html"
	start_bg busybox httpd -f -p "127.0.0.1:$1" -h "$TMP/www"
	wait_for 5 port_open 127.0.0.1 "$1"
}

# Processes of ours whose command line mentions qbox's marker
leftover_procs() {
	pgrep -u "$(id -u)" -f -- "$1" 2>/dev/null | grep -vx "$$" || true
}

# no_leftovers NAME MARKER : nothing of ours left running, no runtime files
no_leftovers() {
	local name=$1 marker=$2 procs files
	procs=$(leftover_procs "$marker")
	files=$(ls -A "$RUNDIR" 2>/dev/null | grep -v '^$' || true)
	if [ -n "$procs" ]; then
		fail "$name: processes left: $(ps -o pid,args -p "$(echo $procs | tr ' ' ,)" | tail -n +2)"
	elif [ -n "$files" ]; then
		fail "$name: runtime files left in $RUNDIR: $files"
	else
		pass "$name"
	fi
}

# qbox_init QPID : the sandbox's init, the supervisor's child that is not
# its NAT engine
qbox_init() {
	local p
	for p in $(pgrep -P "$1"); do
		[ "$(cat "/proc/$p/comm" 2>/dev/null)" = qbox-uplink ] || { echo "$p"; return; }
	done
}

# qbox_engine QPID : the NAT engine of a running `qbox run` (or hub)
qbox_engine() { pgrep -P "$1" -x qbox-uplink; }

# qbox_procs QPID : the processes of a running `qbox run` (pid QPID) that
# forwarded connections pass through: the supervisor, the sandbox's init
# and init's forward workers (named qbox-fwdN); not the payload, not the
# NAT engine
qbox_procs() {
	local init
	init=$(qbox_init "$1")
	echo "$1" $init $(pgrep -P "$init" '^qbox-fwd')
}

# qbox_workers QPID : the forward workers alone
qbox_workers() { pgrep -P "$(qbox_init "$1")" '^qbox-fwd'; }

# qbox_fds QPID : open fds of all of qbox's processes together
qbox_fds() {
	local p n=0
	for p in $(qbox_procs "$1"); do
		n=$((n + $(ls "/proc/$p/fd" | wc -l)))
	done
	echo "$n"
}

# cpu_ticks PID... : user + system CPU time of the processes, in clock ticks
cpu_ticks() {
	local p n=0
	for p in "$@"; do
		n=$((n + $(awk '{print $14 + $15}' "/proc/$p/stat")))
	done
	echo "$n"
}

# ---- end-to-end: the tiny guest under TCG --------------------------------
GUEST=${GUEST:-$TOP/build/guest}

# vm_start OUT SCRIPT QBOX-ARGS... [--- QEMU-ARGS...]
# Boot the guest in the background under qbox, running SCRIPT inside; the
# console goes to OUT. Sets VM_PID (qbox's pid). Bounded by a timeout.
vm_start() {
	local out=$1 script=$2 qargs=() eargs=() initrd
	shift 2
	while [ $# -gt 0 ] && [ "$1" != --- ]; do qargs+=("$1"); shift; done
	[ $# -gt 0 ] && shift
	eargs=("$@")
	initrd=$TMP/$(basename "$script").initrd
	"$TOP/tests/guest/mkinitrd-with.sh" "$GUEST/initramfs.cpio.gz" "$script" "$initrd"
	timeout -s KILL 90 "$QBOX" run "${qargs[@]}" -- qemu-system-x86_64 \
		-accel tcg -m 160 -display none -serial stdio -no-reboot \
		-nodefaults -kernel "$GUEST/vmlinuz" -initrd "$initrd" \
		-append "console=ttyS0 quiet panic=-1" "${eargs[@]}" \
		</dev/null >"$out" 2>&1 &
	VM_PID=$!
	BG_PIDS+=("$VM_PID")
}

# vm_run OUT SCRIPT QBOX-ARGS... : boot, wait for the guest to power off
vm_run() {
	vm_start "$@"
	wait "$VM_PID"
}

# vm_wait_line OUT PATTERN SECONDS : wait for the guest to print PATTERN
vm_wait_line() {
	wait_for "$3" grep -qE -- "$2" "$1"
}

# the serial console ends lines with CR LF
console_text() { tr -d '\r' <"$1"; }

# vm_check NAME OUT PATTERN : the console shows PATTERN (grep -E)
vm_check() {
	if console_text "$2" | grep -qE -- "$3"; then
		pass "$1"
	else
		fail "$1: console lacks /$3/:"
		console_text "$2" | sed 's/^/      | /'
	fi
}
