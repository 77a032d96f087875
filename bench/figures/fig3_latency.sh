# Figure 3: TCP request/response round trips per second (bench/tcp_rr.c,
# one byte in flight): 3a sandbox -> host through the NAT, 3b host ->
# sandbox through a port forward
FIGURES+=(fig_latency)

fig_latency() {
	local k run fwd
	declare -A port
	fig_title 3a "TCP round trips/s, sandbox to host through the NAT (${BENCH_RR_SECONDS} s)"
	fig_title 3b "TCP round trips/s, host to sandbox through a port forward (${BENCH_RR_SECONDS} s)"
	envs_up
	for k in "${ENVS[@]}"; do
		[ -z "${ENV_ERR[$k]:-}" ] || continue
		port[$k]=$(free_port)
		spawn_on "$k" host "$TCP_RR" -l "${ENV_SRV[$k]}" "${port[$k]}"
		spawn_on "$k" in "$TCP_RR" -l 0.0.0.0 "$IN_RR"
	done
	for ((run = 1; run <= BENCH_RUNS; run++)); do
		log "figure 3, run $run/$BENCH_RUNS"
		for k in "${ENVS[@]}"; do
			if [ -n "${ENV_ERR[$k]:-}" ]; then
				if [ "$run" -eq 1 ]; then
					record_fail 3a "$k" "round trips/s" "${ENV_ERR[$k]}"
					record_fail 3b "$k" "round trips/s" "${ENV_ERR[$k]}"
				fi
				continue
			fi
			rr_measure 3a "$k" in "${ENV_GW[$k]}" "${port[$k]}"
			fwd=${ENV_FWD[$k,$IN_RR]}
			rr_measure 3b "$k" host "${fwd%:*}" "${fwd##*:}"
		done
	done
}
