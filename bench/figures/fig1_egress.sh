# Figure 1: NAT egress throughput, sandbox -> a server on the host's
# loopback, dialled through the NAT's host alias (iperf3, client inside),
# each tool at MTU 1500 and at its best
FIGURES+=(fig_egress)

fig_egress() {
	local k run
	declare -A port
	fig_title 1 "NAT egress, sandbox to host loopback (iperf3, ${BENCH_SECONDS} s)"
	target 1 qbox '>=' 1.0 slirp4netns-65520 goal
	target 1 qbox '>=' 1.5 slirp4netns-65520 aim
	envs_up
	for k in "${FIG1_ENVS[@]}"; do
		[ -z "${ENV_ERR[$k]:-}" ] || continue
		port[$k]=$(free_port)
		spawn_on "$k" host iperf3 -s -B "${ENV_SRV[$k]}" -p "${port[$k]}"
	done
	for ((run = 1; run <= BENCH_RUNS; run++)); do
		log "figure 1, run $run/$BENCH_RUNS"
		for k in "${FIG1_ENVS[@]}"; do
			if [ -n "${ENV_ERR[$k]:-}" ]; then
				[ "$run" -gt 1 ] || record_fail 1 "$k" Gbit/s "${ENV_ERR[$k]}"
				continue
			fi
			iperf_measure 1 "$k" in "${ENV_GW[$k]}" "${port[$k]}"
		done
	done
}
