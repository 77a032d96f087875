# tests/probe.sh - what the tests (tests/lib.sh), the demo (tests/demo.sh)
# and the benchmark (bench/lib.sh) ask of the machine alike: wait until
# something holds, is a port open, a port free, has a process left our
# network namespace.
#
# Sourced, never run. The sourcing script sets PORTS_GIVEN, the path of a
# file of its own run where free_port keeps the ports it handed out.

# wait_for SECONDS CMD... : poll CMD every 50 ms until it succeeds
wait_for() {
	local limit=$1 i
	shift
	for ((i = 0; i < limit * 20; i++)); do
		"$@" 2>/dev/null && return 0
		sleep 0.05
	done
	return 1
}

# port_open HOST PORT : something accepts TCP connections there
port_open() { (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null; }

# free_port : a TCP port on 127.0.0.1 that nobody listens on and that this
# run has not handed out before (random, below the ephemeral range). The
# ports given are kept in the file $PORTS_GIVEN, not in a variable: callers
# take one as $(free_port), in a subshell whose variables die with it.
free_port() {
	local p
	for _ in $(seq 100); do
		p=$((10000 + RANDOM % 22000))
		grep -qx "$p" "$PORTS_GIVEN" 2>/dev/null && continue
		if ! port_open 127.0.0.1 "$p"; then
			echo "$p" >>"$PORTS_GIVEN"
			echo "$p"
			return 0
		fi
	done
	return 1
}

# ns_differs PID1 PID2 : the two processes are in other network namespaces
ns_differs() {
	[ "$(readlink "/proc/$1/ns/net")" != "$(readlink "/proc/$2/ns/net")" ]
}

# hosts_link A B IF_A IF_B : (root) join network namespaces A and B, two
# "hosts", with a veth pair, as two machines on one LAN: IF_A 10.200.0.1/24
# in A, IF_B 10.200.0.2/24 in B, multicast routed over it (VXLAN, vxvde)
hosts_link() {
	ip link add "$3" netns "$1" type veth peer name "$4" netns "$2" &&
		ip -n "$1" addr add 10.200.0.1/24 dev "$3" &&
		ip -n "$2" addr add 10.200.0.2/24 dev "$4" &&
		ip -n "$1" link set "$3" up && ip -n "$2" link set "$4" up &&
		ip -n "$1" route add 224.0.0.0/4 dev "$3" &&
		ip -n "$2" route add 224.0.0.0/4 dev "$4"
}
