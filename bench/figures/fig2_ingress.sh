# Figure 2: forwarded-port ingress throughput, host -> a server inside the
# sandbox, through each tool's port forward (iperf3, client on the host)
FIGURES+=(fig_ingress)

fig_ingress() {
	local k run fwd
	fig_title 2 "forwarded-port ingress, host to sandbox (iperf3, ${BENCH_SECONDS} s)"
	target 2 qbox '>=' 2.5 slirp4netns-65520 goal
	target 2 qbox '>=' 0.8 veth goal
	envs_up
	for k in "${ENVS[@]}"; do
		[ -z "${ENV_ERR[$k]:-}" ] || continue
		spawn_on "$k" in iperf3 -s -p "$IN_IPERF"
	done
	for ((run = 1; run <= BENCH_RUNS; run++)); do
		log "figure 2, run $run/$BENCH_RUNS"
		for k in "${ENVS[@]}"; do
			if [ -n "${ENV_ERR[$k]:-}" ]; then
				[ "$run" -gt 1 ] || record_fail 2 "$k" Gbit/s "${ENV_ERR[$k]}"
				continue
			fi
			fwd=${ENV_FWD[$k,$IN_IPERF]}
			iperf_measure 2 "$k" host "${fwd%:*}" "${fwd##*:}"
		done
	done
}
