# Figure 4: start-up, the wall time of a sandbox that runs `true`
FIGURES+=(fig_startup)

fig_startup() {
	local i t0 ms tool out=$OUT/start.out
	declare -A cmd=(
		[qbox]="$QBOX run --net nat -- true"
		[pasta]="pasta -q --config-net -- true"
		["unshare -Urn"]="unshare -Urn true"
	)
	fig_title 4 "start-up: wall time of TOOL -- true (${BENCH_STARTS} starts)"
	target 4 qbox '<=' 0.5 pasta goal
	target 4 qbox '<=' 20 - aim
	log "figure 4: $BENCH_STARTS starts of each"
	settle
	for ((i = 1; i <= BENCH_STARTS; i++)); do
		for tool in qbox pasta "unshare -Urn"; do
			t0=$EPOCHREALTIME
			# word splitting of the command line is intended
			# shellcheck disable=SC2086
			if timeout -k 3 20 ${cmd[$tool]} </dev/null >"$out" 2>&1; then
				ms=$(ms_since "$t0")
				tsv value 4 "$tool" ms "$ms"
			else
				record_fail 4 "$tool" ms "${cmd[$tool]}: $(last_error "$out")"
			fi
		done
	done
}
