# bench/lib.sh - shared by bench/measure.sh and every bench/figures/*.sh
#
# A figure measures with these helpers and writes what it found to $RAW, one
# tab-separated line each, which bench/report.sh turns into the table:
#
#   title  FIG  TEXT                       the figure's heading
#   value  FIG  TOOL  UNIT  NUMBER         one sample (one run)
#   fail   FIG  TOOL  UNIT  WHY            the tool could not be measured
#   target FIG  TOOL  OP  LIMIT  REF  AIM  TOOL's median OP LIMIT, as a
#                                          ratio to REF's median, or as an
#                                          absolute value when REF is "-";
#                                          AIM is "goal" or "aim"
#
# Every background process goes through spawn(), so the exit trap of
# measure.sh can end it; every foreground step goes through `timeout`.
set -u

BENCH_RUNS=${BENCH_RUNS:-5}		# runs per figure (median, min, max)
BENCH_SECONDS=${BENCH_SECONDS:-5}	# one iperf3 run
BENCH_RR_SECONDS=${BENCH_RR_SECONDS:-3}	# one round-trip run
BENCH_SHORT=${BENCH_SHORT:-4000}	# connections in one run of figure 10
BENCH_STARTS=${BENCH_STARTS:-20}	# start-ups timed per tool
BENCH_SCALE=${BENCH_SCALE:-1 10 50 200}	# sandbox counts of figure 6
BENCH_VM_RUNS=${BENCH_VM_RUNS:-16}	# boots per tool in figure 7 (even: see there)

SPAWNED=()

# wait_for, port_open, free_port, ns_differs: shared with tests/lib.sh
# (bench.sh copies tests/probe.sh beside bench/ for the measuring user)
PORTS_GIVEN=$OUT/ports-given
# shellcheck source=tests/probe.sh
. "$(dirname "${BASH_SOURCE[0]}")/../tests/probe.sh"

log() { printf '%s\n' "bench: $*" >&2; }

# spawn CMD... : start CMD in the background, ended by spawn_cleanup; sets SPAWN_PID
spawn() {
	"$@" &
	SPAWN_PID=$!
	SPAWNED+=("$SPAWN_PID")
}

# spawn_stop PID... : SIGTERM, then SIGKILL after 3 s; reaps them and drops
# them from SPAWNED (a reaped pid may be reused by another process)
spawn_stop() {
	local p i alive keep=()
	for p in "$@"; do kill -TERM "$p" 2>/dev/null; done
	for ((i = 0; i < 30; i++)); do
		alive=0
		for p in "$@"; do kill -0 "$p" 2>/dev/null && alive=1; done
		[ "$alive" -eq 0 ] && break
		sleep 0.1
	done
	for p in "$@"; do kill -KILL "$p" 2>/dev/null; done
	for p in "$@"; do wait "$p" 2>/dev/null; done
	for p in "${SPAWNED[@]}"; do
		[[ " $* " == *" $p "* ]] || keep+=("$p")
	done
	SPAWNED=("${keep[@]}")
	return 0
}

spawn_cleanup() {
	[ ${#SPAWNED[@]} -eq 0 ] || spawn_stop "${SPAWNED[@]}"
	SPAWNED=()
}

# nap SECONDS : sleep without forking (a read that times out on a FIFO
# nobody writes), so a polling loop can look every few milliseconds
nap() {
	if [ -z "${NAP_FD:-}" ]; then
		mkfifo "$OUT/nap.fifo"
		exec {NAP_FD}<>"$OUT/nap.fifo"
	fi
	read -r -t "$1" -u "$NAP_FD" _ || :
}

# ms_since T0 : milliseconds since $EPOCHREALTIME was T0, 0.01 ms precision
ms_since() {
	local now=$EPOCHREALTIME
	awk -v a="$1" -v b="$now" 'BEGIN { printf "%.2f\n", (b - a) * 1000 }'
}

# settle: wait, at most 60 s, until creating a network namespace is quick
# again (under 50 ms twice in a row). The kernel tears down the namespaces
# of stopped sandboxes in a worker, after their processes are gone, holding
# the rtnl lock that a new sandbox needs: without this, the next figure
# would pay for the last one's teardown (seconds after 200 sandboxes).
settle() {
	local i t0 t1 quick=0
	for ((i = 0; i < 600 && quick < 2; i++)); do
		t0=${EPOCHREALTIME/./}
		timeout 60 unshare -Urn true 2>/dev/null || return 0
		t1=${EPOCHREALTIME/./}
		if (((10#$t1 - 10#$t0) < 50000)); then
			quick=$((quick + 1))
		else
			quick=0
			sleep 0.1
		fi
	done
}

# cpu_sample : "TOTAL STEAL", the machine's CPU time so far in clock ticks
# (/proc/stat: user nice system idle iowait irq softirq steal; guest time
# is inside user and nice already) and the part of it the hypervisor gave
# to other machines
cpu_sample() {
	awk '/^cpu / { for (i = 2; i <= 9; i++) t += $i; print t, $9; exit }' /proc/stat
}

# busy_sample : the machine's busy CPU time so far in clock ticks (user,
# nice, system, irq, softirq: every process and the kernel's packet work)
busy_sample() {
	awk '$1 == "cpu" { print $2 + $3 + $4 + $7 + $8; exit }' /proc/stat
}

# steal_pct T0 S0 T1 S1 : steal between two cpu_samples, in % of CPU time
steal_pct() {
	awk -v t="$(($3 - $1))" -v s="$(($4 - $2))" \
		'BEGIN { printf "%.0f", (t > 0 ? 100 * s / t : 0) }'
}

# tsv FIELD... : one line of $RAW (tabs and newlines in fields become spaces)
tsv() {
	local f out=
	for f in "$@"; do
		f=${f//$'\t'/ }
		out+=${out:+$'\t'}${f//$'\n'/ }
	done
	printf '%s\n' "$out" >>"$RAW"
}

fig_title() { tsv title "$1" "$2"; }
# record FIG TOOL UNIT VALUE
record() {
	tsv value "$@"
	log "  $1 $2: $4 $3"
}
# record_fail FIG TOOL UNIT WHY
record_fail() {
	tsv fail "$@"
	log "  $1 $2: failed: $4"
}
# target FIG TOOL OP LIMIT REF AIM
target() { tsv target "$@"; }

# is_number STRING
is_number() { [[ $1 =~ ^[0-9]+(\.[0-9]+)?([eE][-+]?[0-9]+)?$ ]]; }

# last_error FILE : the last non-empty line of FILE, for "failed: why"
last_error() {
	local line
	line=$(grep -v '^[[:space:]]*$' "$1" 2>/dev/null | tail -1)
	echo "${line:-no output}"
}
