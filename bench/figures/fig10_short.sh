# Figure 10: short connections out of the sandbox, one at a time: connect
# to an echo server on the host's loopback through the NAT's host alias,
# 1 KiB each way, close (tcp_rr -s, the client closing first), per
# second, BENCH_SHORT connections a run (each leaves a TIME_WAIT in the
# sandbox for a minute: five runs stay within its 28,000 ports); qbox on
# the kernel's path,
# whose every SYN waits in a queue for the host's connect, against its
# own egress=slirp and slirp4netns
FIGURES+=(fig_short)
FIG10_ENVS=(qbox qbox-slirp qbox-1500 qbox-slirp-1500 slirp4netns-1500
	    slirp4netns-65520 veth)

fig_short() {
	local k run
	declare -A port
	fig_title 10 "Short connections out, sandbox to host loopback (connect, 1 KiB each way, close; ${BENCH_SHORT} a run)"
	target 10 qbox '>=' 1.0 qbox-slirp goal
	target 10 qbox '>=' 1.0 slirp4netns-65520 goal
	envs_up
	for k in "${FIG10_ENVS[@]}"; do
		[ -z "${ENV_ERR[$k]:-}" ] || continue
		port[$k]=$(free_port)
		spawn_on "$k" host "$TCP_RR" -l "${ENV_SRV[$k]}" "${port[$k]}"
	done
	for ((run = 1; run <= BENCH_RUNS; run++)); do
		log "figure 10, run $run/$BENCH_RUNS"
		for k in "${FIG10_ENVS[@]}"; do
			if [ -n "${ENV_ERR[$k]:-}" ]; then
				[ "$run" -gt 1 ] || record_fail 10 "$k" connections/s "${ENV_ERR[$k]}"
				continue
			fi
			short_measure 10 "$k" "${ENV_GW[$k]}" "${port[$k]}"
		done
	done
}
