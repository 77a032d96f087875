# Figure 6: N concurrent NAT sandboxes (command payloads), for each N in
# BENCH_SCALE: 6a start-up per sandbox (launch of all N until every one has
# passed traffic, divided by N), 6b memory per sandbox of what qbox runs
# (each supervisor, its sandbox init and NAT engine, and forward workers
# had it forwards, which these sandboxes have not; the payload is the
# user's), as RSS and as PSS, beside three idle `sleep`s (the floor for
# any three processes linked to the C library as qbox's are), 6c how
# many passed traffic. Each payload does ten round trips with a server on
# the host's loopback through 10.0.2.2, then sleeps until qbox is told to
# stop.
FIGURES+=(fig_scale)

# qbox_mem PID... : "RSS_KIB PSS_KIB PROCS" summed over what qbox runs for
# each PID (a qbox supervisor): the supervisor, its children (the sandbox
# init, the NAT engine, forward workers) and their children named qbox-*
# (a hub's stream relay), from smaps_rollup; the payload is the user's
qbox_mem() {
	local p c g files=()
	for p in "$@"; do
		files+=("/proc/$p/smaps_rollup")
		# the children files are space-separated pids
		# shellcheck disable=SC2013
		for c in $(cat "/proc/$p/task/"*/children 2>/dev/null); do
			files+=("/proc/$c/smaps_rollup")
			# shellcheck disable=SC2013
			for g in $(cat "/proc/$c/task/"*/children 2>/dev/null); do
				[[ $(cat "/proc/$g/comm" 2>/dev/null) == qbox-* ]] &&
					files+=("/proc/$g/smaps_rollup")
			done
		done
	done
	awk '/^Rss:/ { r += $2; n++ } /^Pss:/ { s += $2 }
	     END { print r + 0, s + 0, n + 0 }' "${files[@]}" 2>/dev/null
}

# scale_run N PORT : one run with N sandboxes
scale_run() {
	local n=$1 port=$2 dir=$OUT/scale i t0 ms up pids=() limit rss pss procs
	local ok=() left=() deadline
	rm -rf "$dir"
	mkdir -p "$dir"
	t0=$EPOCHREALTIME
	for ((i = 1; i <= n; i++)); do
		# the payload's view: tcp_rr and the run's directory given
		spawn "$QBOX" run --name "bench$$-s$i" --net nat \
			--ro-bind "$TCP_RR" --bind "$dir" -- sh -c \
			"\"\$0\" -c 10.0.2.2 $port -n 10 -w 60 >/dev/null && : >\"$dir/ok.$i\"; exec sleep 100000" \
			"$TCP_RR" </dev/null >"$dir/log.$i" 2>&1
		pids+=("$SPAWN_PID")
	done
	limit=$((60 + n / 2))
	shopt -s nullglob
	deadline=$((EPOCHSECONDS + limit))
	while [ "$EPOCHSECONDS" -lt "$deadline" ]; do
		ok=("$dir"/ok.*)
		[ ${#ok[@]} -lt "$n" ] || break
		nap 0.002
	done
	ok=("$dir"/ok.*)
	shopt -u nullglob
	ms=$(ms_since "$t0")
	up=${#ok[@]}
	tsv value 6c "qbox N=$n" sandboxes "$up"
	if [ "$up" -eq "$n" ]; then
		record 6a "qbox N=$n" ms/sandbox "$(awk -v m="$ms" -v n="$n" 'BEGIN { printf "%.2f", m / n }')"
	else
		for ((i = 1; i <= n; i++)); do
			[ -e "$dir/ok.$i" ] || break
		done
		record_fail 6a "qbox N=$n" ms/sandbox "only $up of $n passed traffic in $limit s; sandbox $i: $(last_error "$dir/log.$i")"
	fi
	read -r rss pss procs < <(qbox_mem "${pids[@]}")
	if [ "${procs:-0}" -ge $((2 * n)) ]; then
		record 6b "qbox N=$n RSS" MiB/sandbox "$(awk -v k="$rss" -v n="$n" 'BEGIN { printf "%.2f", k / 1024 / n }')"
		record 6b "qbox N=$n PSS" MiB/sandbox "$(awk -v k="$pss" -v n="$n" 'BEGIN { printf "%.2f", k / 1024 / n }')"
	else
		record_fail 6b "qbox N=$n RSS" MiB/sandbox "read smaps_rollup of ${procs:-0} of $((2 * n)) processes"
	fi
	spawn_stop "${pids[@]}"
	settle
	shopt -s nullglob
	left=("$RUNDIR/bench$$-s"*)
	shopt -u nullglob
	[ ${#left[@]} -eq 0 ] || record_fail 6c "qbox N=$n" sandboxes "${#left[@]} runtime files left in $RUNDIR"
}

# floor_run : the same measure of three processes that do nothing but
# sleep (coreutils' sleep, linked to the C library as qbox is): what any
# three processes of a dynamically linked program cost in RSS, for
# comparison with qbox's three per sandbox
floor_run() {
	local pids=() i rss pss procs
	for i in 1 2 3; do
		spawn sleep 100000 </dev/null
		pids+=("$SPAWN_PID")
	done
	sleep 0.2
	read -r rss pss procs < <(qbox_mem "${pids[@]}")
	if [ "${procs:-0}" -eq 3 ]; then
		record 6b "3 x sleep RSS" MiB/sandbox "$(awk -v k="$rss" 'BEGIN { printf "%.2f", k / 1024 }')"
		record 6b "3 x sleep PSS" MiB/sandbox "$(awk -v k="$pss" 'BEGIN { printf "%.2f", k / 1024 }')"
	else
		record_fail 6b "3 x sleep RSS" MiB/sandbox "read smaps_rollup of ${procs:-0} of 3 processes"
	fi
	spawn_stop "${pids[@]}"
}

fig_scale() {
	local n run port max=0
	for n in $BENCH_SCALE; do [ "$n" -le "$max" ] || max=$n; done
	fig_title 6a "scale: start-up per sandbox, N concurrent NAT sandboxes"
	fig_title 6b "scale: memory per sandbox of qbox's processes (supervisor, init, NAT engine; no forwards, so no workers)"
	fig_title 6c "scale: sandboxes passing traffic"
	target 6b "qbox N=$max RSS" '<=' 4 - goal
	target 6c "qbox N=$max" '>=' "$max" - goal
	port=$(free_port)
	spawn "$TCP_RR" -l 127.0.0.1 "$port" </dev/null >/dev/null 2>&1
	for ((run = 1; run <= BENCH_RUNS; run++)); do
		for n in $BENCH_SCALE; do
			log "figure 6, run $run/$BENCH_RUNS, N=$n"
			scale_run "$n" "$port"
		done
		floor_run
	done
}
