# Figure 8: figures 1 and 2 over IPv6, in the environments of figures 1-3
# (bench/envs.sh): 8a NAT egress to a server on the host's [::1] through
# each tool's IPv6 host alias, 8b forwarded-port ingress from the host's
# [::1] to a server inside. Each tool at its best MTU; veth is the
# kernel's limit, over a /64 of its own.
#
#   qbox               its NAT NIC's IPv6: the gateway fd71:6278:a00:200::2
#                      (the host's [::1]), a forward [::1]:PORT to the
#                      command's ::100 added at run time (qbox fwd)
#   slirp4netns-65520  --enable-ipv6: fd00::2 is the host's [::1]; its API
#                      socket's add_hostfwd takes IPv4 host addresses
#                      only (1.2.0: "bad arguments.host_addr" for ::1),
#                      so 8b records that it cannot forward IPv6
#   pasta              its default IPv6 gateway, which it maps to the
#                      host's [::1] (the host needs an IPv6 default route);
#                      its -t forward of figure 2's port takes IPv6 too
#   veth               fd00:9::1 and fd00:9::2 on the pair
FIGURES+=(fig_ipv6)
FIG8_ENVS=(qbox slirp4netns-65520 pasta veth)
IN_IPERF6=5202
declare -A E6_GW E6_SRV E6_FWD E6_IN E6_ERR E6_FWD_ERR

# slirp_hostfwd6 SOCKET HOSTPORT GUESTPORT : an IPv6 add_hostfwd
slirp_hostfwd6() {
	local req
	req=$(printf '{"execute": "add_hostfwd", "arguments": {"proto": "tcp", "host_addr": "::1", "host_port": %d, "guest_addr": "fd00::100", "guest_port": %d}}' "$2" "$3")
	printf '%s' "$req" | timeout 5 socat - "UNIX-CONNECT:$1" | grep -q '"return"'
}

# env6_up K : K's IPv6 host alias and server address, or E6_ERR; its
# forward and the port it reaches inside (IN_IPERF6 unless E6_IN says),
# or E6_FWD_ERR
env6_up() {
	local k=$1 p gw
	p=$(free_port) || return 1
	case $k in
	qbox)
		E6_GW[$k]=fd71:6278:a00:200::2
		E6_SRV[$k]=::1
		if "$QBOX" fwd -n "${ENV_QNAME[$k]}" \
			"[::1]:$p:[fd71:6278:a00:200::100]:$IN_IPERF6" >/dev/null 2>&1; then
			E6_FWD[$k]="::1 $p"
		else
			E6_FWD_ERR[$k]="qbox fwd: an IPv6 forward refused"
		fi
		;;
	slirp4netns-*)
		E6_GW[$k]=fd00::2
		E6_SRV[$k]=::1
		if slirp_hostfwd6 "$OUT/env-$k.sock" "$p" "$IN_IPERF6"; then
			E6_FWD[$k]="::1 $p"
		else
			E6_FWD_ERR[$k]="slirp4netns: add_hostfwd refused an IPv6 host address"
		fi
		;;
	pasta)
		gw=$(env_in "$k" ip -6 route show default | awk '{ print $3; exit }')
		[ -n "$gw" ] || { E6_ERR[$k]="pasta gave the namespace no IPv6 default route (it copies the host's: the host needs one)"; return 1; }
		# a link-local gateway is reached through its link
		[[ $gw != fe80:* ]] ||
			gw+=%$(env_in "$k" ip -6 route show default | awk '{ print $5; exit }')
		E6_GW[$k]=$gw
		E6_SRV[$k]=::1
		# its -t forward of figure 2's port listens on [::1] too
		p=${ENV_FWD[$k,$IN_IPERF]}
		E6_FWD[$k]="::1 ${p##*:}"
		E6_IN[$k]=$IN_IPERF
		;;
	veth)
		env_host "$k" ip -6 addr add fd00:9::1/64 dev vA nodad &&
			env_in "$k" ip -6 addr add fd00:9::2/64 dev vB nodad ||
			{ E6_ERR[$k]="veth: IPv6 addresses refused"; return 1; }
		E6_GW[$k]=fd00:9::1
		E6_SRV[$k]=fd00:9::1
		E6_FWD[$k]="fd00:9::2 $IN_IPERF6"
		;;
	esac
}

fig_ipv6() {
	local k run fwd
	declare -A port
	fig_title 8a "NAT egress over IPv6, sandbox to host [::1] (iperf3, ${BENCH_SECONDS} s)"
	fig_title 8b "forwarded-port ingress over IPv6, host [::1] to sandbox (iperf3, ${BENCH_SECONDS} s)"
	# figures 1 and 2's targets
	target 8a qbox '>=' 1.0 slirp4netns-65520 goal
	target 8b qbox '>=' 2.5 slirp4netns-65520 goal
	target 8b qbox '>=' 0.8 veth goal
	envs_up
	for k in "${FIG8_ENVS[@]}"; do
		E6_ERR[$k]=${ENV_ERR[$k]:-}
		[ -n "${E6_ERR[$k]}" ] || env6_up "$k" || E6_ERR[$k]=${E6_ERR[$k]:-setup failed}
		[ -z "${E6_ERR[$k]}" ] || { log "  $k (IPv6): ${E6_ERR[$k]}"; continue; }
		port[$k]=$(free_port)
		spawn_on "$k" host iperf3 -s -B "${E6_SRV[$k]}" -p "${port[$k]}"
		# (pasta's reaches figure 2's port: a second server there, if
		# figure 2 started one, fails and leaves that one serving)
		spawn_on "$k" in iperf3 -s -p "${E6_IN[$k]:-$IN_IPERF6}"
	done
	for ((run = 1; run <= BENCH_RUNS; run++)); do
		log "figure 8, run $run/$BENCH_RUNS"
		for k in "${FIG8_ENVS[@]}"; do
			if [ -n "${E6_ERR[$k]}" ]; then
				[ "$run" -gt 1 ] || {
					record_fail 8a "$k" Gbit/s "${E6_ERR[$k]}"
					record_fail 8b "$k" Gbit/s "${E6_ERR[$k]}"
				}
				continue
			fi
			iperf_measure 8a "$k" in "${E6_GW[$k]}" "${port[$k]}"
			if [ -n "${E6_FWD_ERR[$k]:-}" ]; then
				[ "$run" -gt 1 ] ||
					record_fail 8b "$k" Gbit/s "${E6_FWD_ERR[$k]}"
				continue
			fi
			read -r -a fwd <<<"${E6_FWD[$k]}"
			iperf_measure 8b "$k" host "${fwd[0]}" "${fwd[1]}"
		done
	done
}
