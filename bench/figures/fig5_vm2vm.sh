# Figure 5: VM-to-VM throughput on one named network: iperf3 between two
# command members of one natnet (member bridge, veth pair, the hub's
# bridge, veth pair, member bridge: all in the kernel), against the veth
# pair of figures 1-3 (one veth, the kernel's limit)
FIGURES+=(fig_vm2vm)

# member_addr SANDBOX : the member's address on its network (qbox ps --json)
member_addr() {
	"$QBOX" ps --json | jq -r --arg s "$1" \
		'.[] | select(.name == $s) | .nics[0].address // empty'
}

fig_vm2vm() {
	local run k=qbox-natnet net=bench$$-n5 a=bench$$-n5a b=bench$$-n5b
	local log=$OUT/env-qbox-natnet.log addr vport members=()
	fig_title 5 "VM-to-VM on one natnet, member to member (iperf3, ${BENCH_SECONDS} s)"
	target 5 "$k" '>=' 0.8 veth goal
	envs_up
	spawn "$QBOX" run --name "$a" --net "natnet:$net" -- \
		iperf3 -s -p "$IN_IPERF" </dev/null >"$log" 2>&1
	members+=("$SPAWN_PID")
	spawn "$QBOX" run --name "$b" --net "natnet:$net" -- \
		sleep 100000 </dev/null >>"$log" 2>&1
	members+=("$SPAWN_PID")
	if timeout 40 "$QBOX" wait "$a" --timeout 30 >>"$log" 2>&1 &&
		timeout 40 "$QBOX" wait "$b" --timeout 30 >>"$log" 2>&1; then
		ENV_QNAME[$k]=$b
		addr=$(member_addr "$a")
	fi
	[ -n "${addr:-}" ] || ENV_ERR[$k]="qbox run --net natnet: $(last_error "$log")"
	if [ -z "${ENV_ERR[veth]:-}" ]; then
		vport=$(free_port)
		spawn_on veth host iperf3 -s -B "${ENV_SRV[veth]}" -p "$vport"
	fi
	for ((run = 1; run <= BENCH_RUNS; run++)); do
		log "figure 5, run $run/$BENCH_RUNS"
		for tool in "$k" veth; do
			if [ -n "${ENV_ERR[$tool]:-}" ]; then
				[ "$run" -gt 1 ] || record_fail 5 "$tool" Gbit/s "${ENV_ERR[$tool]}"
			elif [ "$tool" = veth ]; then
				iperf_measure 5 veth in "${ENV_SRV[veth]}" "$vport"
			else
				iperf_measure 5 "$k" in "$addr" "$IN_IPERF"
			fi
		done
	done
	spawn_stop "${members[@]}"
	# the hub ends on its own 10 s after its last member; do not wait
	"$QBOX" net rm --force "$net" >/dev/null 2>&1 || true
}
