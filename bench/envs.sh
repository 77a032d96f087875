# bench/envs.sh - the network environments the throughput and latency
# figures compare: one per tool, brought up once and shared by figures
# 1-3 (sourced by measure.sh after lib.sh).
#
# Each environment is a "sandbox side", where a sandboxed program runs
# (env_in), and a "host side" (env_host), with:
#   ENV_GW[K]        the address the sandbox side dials to reach a server
#                    on the host side's loopback (the NAT's host alias)
#   ENV_SRV[K]       the address a host-side server binds
#   ENV_FWD[K,PORT]  ADDR:PORT the host side dials to reach sandbox-side
#                    port PORT (a port forward; plain routing for veth)
#   ENV_ERR[K]       why the environment could not be brought up
#
#   qbox               `qbox run --net nat --fwd ...` at its defaults (a
#                      command payload's MTU: 65520; TCP out through the
#                      kernel's path)
#   qbox-1500          the same with `--net nat,mtu=1500` (figure 1 only)
#   qbox-slirp         `--net nat,egress=slirp`: TCP out through libslirp
#   qbox-slirp-1500    the same at MTU 1500 (figures 1 and 10 only)
#   slirp4netns-MTU    `unshare -Urn` + `slirp4netns --configure
#                      --enable-ipv6 --mtu=MTU` (host loopback allowed:
#                      its 10.0.2.2, fd00::2), forwards through its API
#                      socket's add_hostfwd
#   pasta              `unshare -Urn` + `pasta --config-net -t ...` (MTU
#                      65520); this passt maps the default gateway's
#                      address to the host's loopback
#   pasta-1500         the same with `--mtu 1500` (figure 1 only)
#   veth               two namespaces joined by a veth pair: no user-mode
#                      network stack at all, the kernel's limit

ENVS=(qbox slirp4netns-1500 slirp4netns-65520 pasta veth)
# figure 1 measures every tool at MTU 1500 and at its best
FIG1_ENVS=(qbox qbox-1500 qbox-slirp qbox-slirp-1500 slirp4netns-1500
	   slirp4netns-65520 pasta pasta-1500 veth)
# sandbox-side ports of the servers the figures start there
IN_IPERF=5201
IN_RR=5300

declare -A ENV_GW ENV_SRV ENV_FWD ENV_ERR ENV_NS ENV_HOSTNS ENV_QNAME
ENVS_DONE=

# prefix K SIDE : sets PREFIX to the argv prefix that runs a command on
# K's SIDE, "in" (the sandbox side) or "host" (an array, so that `timeout`
# can run it)
prefix() {
	PREFIX=()
	if [ "$2" = in ] && [ -n "${ENV_QNAME[$1]:-}" ]; then
		PREFIX=("$QBOX" exec "${ENV_QNAME[$1]}" --)
	elif [ "$2" = in ]; then
		PREFIX=(nsenter --preserve-credentials -U -n -t "${ENV_NS[$1]}" --)
	elif [ -n "${ENV_HOSTNS[$1]:-}" ]; then
		PREFIX=(nsenter --preserve-credentials -U -n -t "${ENV_HOSTNS[$1]}" --)
	fi
}

# env_in K CMD... : run CMD on K's sandbox side
env_in() {
	prefix "$1" in
	shift
	"${PREFIX[@]}" "$@"
}

# env_host K CMD... : run CMD on K's host side
env_host() {
	prefix "$1" host
	shift
	"${PREFIX[@]}" "$@"
}

# spawn_on K SIDE CMD... : a server in the background on K's SIDE, its output
# discarded (through spawn, so that it is ended at exit)
spawn_on() {
	prefix "$1" "$2"
	shift 2
	spawn "${PREFIX[@]}" "$@" </dev/null >/dev/null 2>&1
}

# iperf_measure FIG K SIDE ADDR PORT : one iperf3 run of BENCH_SECONDS from
# SIDE (in or host) of K to ADDR:PORT, recorded in Gbit/s. A server
# behind a forward may still be starting: a failed attempt is retried.
iperf_measure() {
	local fig=$1 k=$2 side=$3 addr=$4 port=$5 out=$OUT/iperf.json bps why
	local b0 b1 bytes
	prefix "$k" "$side"
	for _ in 1 2 3 4 5; do
		b0=$(busy_sample)
		timeout -k 3 $((BENCH_SECONDS + 20)) "${PREFIX[@]}" iperf3 -c "$addr" \
			-p "$port" -t "$BENCH_SECONDS" -J >"$out" 2>&1
		b1=$(busy_sample)
		bps=$(jq -r '.end.sum_received.bits_per_second // empty' "$out" 2>/dev/null)
		bytes=$(jq -r '.end.sum_received.bytes // empty' "$out" 2>/dev/null)
		if is_number "$bps"; then
			record "$fig" "$k" Gbit/s "$(awk -v b="$bps" 'BEGIN { printf "%.3f", b / 1e9 }')"
			# the whole machine's CPU time (both sides, the tool,
			# iperf3's two ends) per GiB moved: figure 1c
			[ "$fig" != 1 ] || ! is_number "$bytes" ||
				record 1c "$k" "CPU s/GiB" "$(awk -v t=$((b1 - b0)) \
					-v hz="$(getconf CLK_TCK)" -v b="$bytes" \
					'BEGIN { printf "%.2f", t / hz / (b / 1073741824) }')"
			return 0
		fi
		sleep 1
	done
	why=$(jq -r '.error // empty' "$out" 2>/dev/null)
	record_fail "$fig" "$k" Gbit/s "iperf3: ${why:-$(last_error "$out")}"
}

# tcp_rr_run FIG K SIDE UNIT ARG... : one tcp_rr run with ARGs from SIDE
# (in or host) of K, its last line recorded in UNIT
tcp_rr_run() {
	local fig=$1 k=$2 side=$3 unit=$4 out=$OUT/rr.out rate
	shift 4
	prefix "$k" "$side"
	timeout -k 3 $((BENCH_RR_SECONDS + 60)) "${PREFIX[@]}" "$TCP_RR" "$@" \
		-w 15 >"$out" 2>&1
	rate=$(tail -1 "$out")
	if is_number "$rate"; then
		record "$fig" "$k" "$unit" "$rate"
	else
		record_fail "$fig" "$k" "$unit" "tcp_rr: $(last_error "$out")"
	fi
}

# short_measure FIG K ADDR PORT : BENCH_SHORT short connections (tcp_rr -s)
# from K's sandbox side to ADDR:PORT
short_measure() {
	tcp_rr_run "$1" "$2" in connections/s -s "$3" "$4" -n "$BENCH_SHORT"
}

# rr_measure FIG K SIDE ADDR PORT : one round-trip run from SIDE of K
rr_measure() {
	tcp_rr_run "$1" "$2" "$3" "round trips/s" -c "$4" "$5" \
		-t "$BENCH_RR_SECONDS"
}

# holder CMD... : a process whose namespaces an environment lives in;
# prints nothing, sets HOLDER
holder() {
	spawn "$@" </dev/null
	HOLDER=$SPAWN_PID
	wait_for 10 ns_differs "$HOLDER" $$	# unshare is done
}

has_addr() { env_in "$1" ip -4 -o addr show | grep -q "$2"; }
has_default() { env_in "$1" ip -4 route show default | grep -q via; }

env_up_qbox() {
	local k=$1 p1 p2 log=$OUT/env-$1.log net=nat rest=${1#qbox}
	p1=$(free_port) && p2=$(free_port) || return 1
	case $rest in -slirp*) net+=,egress=slirp; rest=${rest#-slirp} ;; esac
	[ -z "$rest" ] || net+=,mtu=${rest#-}
	ENV_QNAME[$k]=bench$$-$k
	spawn "$QBOX" run --name "${ENV_QNAME[$k]}" --net "$net" \
		--fwd "127.0.0.1:$p1:$IN_IPERF" --fwd "127.0.0.1:$p2:$IN_RR" \
		-- sleep 100000 </dev/null >"$log" 2>&1
	if ! timeout 40 "$QBOX" wait "${ENV_QNAME[$k]}" --timeout 30 \
		>>"$log" 2>&1; then
		ENV_ERR[$k]="qbox run: $(last_error "$log")"
		return 1
	fi
	ENV_GW[$k]=10.0.2.2
	ENV_SRV[$k]=127.0.0.1
	ENV_FWD[$k,$IN_IPERF]=127.0.0.1:$p1
	ENV_FWD[$k,$IN_RR]=127.0.0.1:$p2
}

# slirp_hostfwd SOCKET HOSTPORT GUESTPORT : add_hostfwd over the API socket
slirp_hostfwd() {
	local req
	req=$(printf '{"execute": "add_hostfwd", "arguments": {"proto": "tcp", "host_addr": "127.0.0.1", "host_port": %d, "guest_port": %d}}' "$2" "$3")
	printf '%s' "$req" | timeout 5 socat - "UNIX-CONNECT:$1" | grep -q '"return"'
}

env_up_slirp4netns() {
	local k=$1 mtu=${1#slirp4netns-} p1 p2 log=$OUT/env-$1.log
	local sock=$OUT/env-$1.sock
	p1=$(free_port) && p2=$(free_port) || return 1
	holder unshare -Urn sleep 100000 || { ENV_ERR[$k]="unshare -Urn failed"; return 1; }
	ENV_NS[$k]=$HOLDER
	spawn slirp4netns --configure --enable-ipv6 --mtu="$mtu" --api-socket "$sock" \
		"$HOLDER" tap0 </dev/null >"$log" 2>&1
	if ! wait_for 15 has_addr "$k" 10.0.2.100; then
		ENV_ERR[$k]="slirp4netns: $(last_error "$log")"
		return 1
	fi
	if ! slirp_hostfwd "$sock" "$p1" "$IN_IPERF" ||
		! slirp_hostfwd "$sock" "$p2" "$IN_RR"; then
		ENV_ERR[$k]="slirp4netns: add_hostfwd refused"
		return 1
	fi
	ENV_GW[$k]=10.0.2.2
	ENV_SRV[$k]=127.0.0.1
	ENV_FWD[$k,$IN_IPERF]=127.0.0.1:$p1
	ENV_FWD[$k,$IN_RR]=127.0.0.1:$p2
}

env_up_pasta() {
	local k=$1 p1 p2 log=$OUT/env-$1.log mtu=()
	p1=$(free_port) && p2=$(free_port) || return 1
	[ "$k" = pasta ] || mtu=(--mtu "${k#pasta-}")
	holder unshare -Urn sleep 100000 || { ENV_ERR[$k]="unshare -Urn failed"; return 1; }
	ENV_NS[$k]=$HOLDER
	spawn pasta -q -f --config-net "${mtu[@]}" -t "$p1:$IN_IPERF" -t "$p2:$IN_RR" \
		"$HOLDER" </dev/null >"$log" 2>&1
	if ! wait_for 15 has_default "$k"; then
		if kill -0 "$SPAWN_PID" 2>/dev/null; then
			ENV_ERR[$k]="pasta gave the namespace no default route (it copies the host's: the host needs one)"
		else
			ENV_ERR[$k]="pasta exited: $(last_error "$log")"
		fi
		return 1
	fi
	ENV_GW[$k]=$(env_in "$k" ip -4 route show default | awk '{ print $3; exit }')
	ENV_SRV[$k]=127.0.0.1
	ENV_FWD[$k,$IN_IPERF]=127.0.0.1:$p1
	ENV_FWD[$k,$IN_RR]=127.0.0.1:$p2
}

env_up_veth() {
	local k=$1 a b
	holder unshare -Urn sleep 100000 || { ENV_ERR[$k]="unshare -Urn failed"; return 1; }
	a=$HOLDER
	ENV_HOSTNS[$k]=$a
	holder nsenter --preserve-credentials -U -n -t "$a" -- \
		unshare -n sleep 100000 || { ENV_ERR[$k]="second netns failed"; return 1; }
	b=$HOLDER
	ENV_NS[$k]=$b
	if ! env_host "$k" ip link add vA type veth peer name vB netns "$b" ||
		! env_host "$k" ip addr add 10.0.9.1/24 dev vA ||
		! env_host "$k" ip link set vA up ||
		! env_host "$k" ip link set lo up ||
		! env_in "$k" ip addr add 10.0.9.2/24 dev vB ||
		! env_in "$k" ip link set vB up ||
		! env_in "$k" ip link set lo up; then
		ENV_ERR[$k]="creating the veth pair failed"
		return 1
	fi
	ENV_GW[$k]=10.0.9.1
	ENV_SRV[$k]=10.0.9.1
	ENV_FWD[$k,$IN_IPERF]=10.0.9.2:$IN_IPERF
	ENV_FWD[$k,$IN_RR]=10.0.9.2:$IN_RR
}

# envs_up: bring every environment up once (figure 1's list holds them
# all); failures land in ENV_ERR
envs_up() {
	local k
	[ -z "$ENVS_DONE" ] || return 0
	ENVS_DONE=1
	for k in "${FIG1_ENVS[@]}"; do
		log "environment $k"
		case $k in
		qbox*) env_up_qbox "$k" ;;
		slirp4netns-*) env_up_slirp4netns "$k" ;;
		pasta*) env_up_pasta "$k" ;;
		veth) env_up_veth "$k" ;;
		esac || ENV_ERR[$k]=${ENV_ERR[$k]:-setup failed}
		[ -z "${ENV_ERR[$k]:-}" ] || log "  $k: ${ENV_ERR[$k]}"
	done
}
