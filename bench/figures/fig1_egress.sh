# Figure 1: NAT egress throughput, sandbox -> a server on the host's
# loopback, dialled through the NAT's host alias (iperf3, client inside),
# each tool at MTU 1500 and at its best; qbox on the kernel's path (its
# default) and on libslirp's (egress=slirp). Figure 1c: the machine's CPU
# time per GiB moved in those runs.
FIGURES+=(fig_egress)

fig_egress() {
	local k run
	declare -A port
	fig_title 1 "NAT egress, sandbox to host loopback (iperf3, ${BENCH_SECONDS} s)"
	fig_title 1c "NAT egress: the machine's CPU time per GiB moved (figure 1's runs)"
	target 1 qbox '>=' 0.8 veth goal
	target 1 qbox-1500 '>=' 3.0 qbox-slirp-1500 goal
	target 1 qbox-1500 '>=' 3.0 slirp4netns-1500 goal
	target 1c qbox '<=' 1.0 qbox-slirp goal
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
