# tests/lib.sh - shared by the integration and end-to-end tests
#
# A test script sources this, then calls pass/fail (or the check helpers)
# once per assertion. Output lines "PASS: ..." / "FAIL: ..." are counted by
# tests/run.sh. Servers started with start_bg are killed on exit; every
# test also asserts it left no process and no runtime file behind.
set -u
# The system's tools, not the tester's: a payload sees the system but no
# home (netns/view.h), and a pyenv or nvm shim found first in PATH would be
# bound alone, without the tree it runs
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
QBOX=${QBOX:-build/qbox}
case $QBOX in /*) ;; *) QBOX=$TOP/$QBOX ;; esac
HELPERS=$TOP/build/tests
TMP=$(mktemp -d /tmp/qbox-test.XXXXXX)
chmod 0755 "$TMP"
# Shipped policies come from the tree, not from an installed qbox's: from
# a copy in $TMP, so that the other users a test runs qbox as can read them
# wherever the checkout lies (a newcomer's /root/qbox is behind a 0700 home)
cp -r "$TOP/policies" "$TMP/policies" && chmod -R a+rX "$TMP/policies"
export QBOX_POLICY_DIR=$TMP/policies
# No curl of a test waits forever on a connection that hangs: its own
# check fails instead, and the test goes on (curl reads $CURL_HOME/.curlrc)
printf 'max-time = 30\n' >"$TMP/.curlrc"
export CURL_HOME=$TMP
RUNDIR=${XDG_RUNTIME_DIR:+$XDG_RUNTIME_DIR/qbox}
RUNDIR=${RUNDIR:-/tmp/qbox-$(id -u)}
BG_PIDS=()
# wait_for, port_open, free_port, ns_differs: shared with bench/lib.sh
PORTS_GIVEN=$TMP/ports-given
# shellcheck source=tests/probe.sh
. "$TOP/tests/probe.sh"
AT_EXIT=()

cleanup_lib() {
	local p c
	for p in "${BG_PIDS[@]}"; do
		kill "$p" 2>/dev/null
	done
	wait 2>/dev/null
	for c in "${AT_EXIT[@]}"; do
		eval "$c"
	done
	rm -rf "$TMP"
}
trap cleanup_lib EXIT

# at_exit SHELL-COMMAND : run it when the test ends, however it ends (after
# the background processes are killed; the last one added runs first)
at_exit() { AT_EXIT=("$1" "${AT_EXIT[@]}"); }

pass() { echo "PASS: $*"; }
fail() { echo "FAIL: $*"; }

# check NAME CMD... : pass when CMD succeeds
check() {
	local name=$1
	shift
	if "$@"; then pass "$name"; else fail "$name"; fi
}

# not CMD... : succeed when CMD fails (its output discarded)
not() { ! "$@" >/dev/null 2>&1; }

# expect_output NAME WANT_STATUS PATTERN CMD... : status and grep -E in output
expect_output() {
	local name=$1 want=$2 pat=$3 out rc
	shift 3
	out=$("$@" 2>&1)
	rc=$?
	if [ "$rc" -ne "$want" ]; then
		fail "$name: exit $rc, want $want; output: $out"
	elif ! grep -qE -- "$pat" <<<"$out"; then
		fail "$name: output lacks /$pat/: $out"
	else
		pass "$name"
	fi
}

# ---- named networks -------------------------------------------------------
# QBOX-CMD, where a helper takes one, is how to run qbox: "$QBOX" unless
# given, or e.g. `as_nobody "$QN"` for another user's network of that name.

# net_json NETWORK [QBOX-CMD...] : what `qbox net inspect --json` says of it
net_json() {
	local net=$1
	shift
	[ $# -gt 0 ] || set -- "$QBOX"
	"$@" net inspect "$net" --json
}

# hub_pid NETWORK [QBOX-CMD...] : the pid of the network's hub
hub_pid() { net_json "$@" | jq -r .pid; }

# member_addr NETWORK SANDBOX [QBOX-CMD...] : the address of that member
# of a named network (empty until it has joined); member_joined: whether
# it has
member_addr() {
	local net=$1 sandbox=$2
	shift 2
	net_json "$net" "$@" | jq -r --arg s "$sandbox" \
		'.members[] | select(.sandbox == $s) | .address'
}
member_joined() { [ -n "$(member_addr "$@")" ]; }

# members_joined NETWORK SANDBOX... : every one of them has joined
members_joined() {
	local net=$1 s
	shift
	for s in "$@"; do
		member_joined "$net" "$s" || return 1
	done
}

# member_wait NETWORK SANDBOX [SECONDS [QBOX-CMD...]] : wait, 10 s unless
# said, until that member has joined; prints its address. Fails when it
# has not joined by then, so: A=$(member_wait ...) || ...
member_wait() {
	local net=$1 sandbox=$2 limit=${3:-10}
	shift $(($# < 3 ? $# : 3))
	wait_for "$limit" member_joined "$net" "$sandbox" "$@" &&
		member_addr "$net" "$sandbox" "$@"
}

# two_members NET : on natnet:NET, member a-$$ serving "member-$$" on
# port 8080 and member b-$$ idle, in the background (killed at exit);
# sets QA and QB, their qbox pids
two_members() {
	mkdir -p "$TMP/member-www"
	echo "member-$$" >"$TMP/member-www/index.html"
	start_bg "$QBOX" run --name "a-$$" --net "natnet:$1" \
		--ro-bind "$TMP/member-www" -- \
		busybox httpd -f -p 8080 -h "$TMP/member-www"
	QA=$BG_PID
	start_bg "$QBOX" run --name "b-$$" --net "natnet:$1" -- sleep 600
	QB=$BG_PID
}

# net_gone NETWORK : qbox net ls no longer lists it (its hub has ended)
net_gone() { ! "$QBOX" net ls | grep -q "^$1 "; }

# net_link_gone SANDBOX : the sandbox's link to its network (qnv0) is gone
net_link_gone() {
	"$QBOX" exec "$1" -- sh -c '! ip link show qnv0 >/dev/null 2>&1'
}

# jqc FILTER... <JSON : whether jq's FILTER holds for the JSON on stdin
# (false for no input at all, which jq -e would take as a pass)
jqc() { local in; in=$(cat); [ -n "$in" ] && jq -e "$@" >/dev/null <<<"$in"; }

# host6_server : an HTTP server on the host's [::1] (killed at exit),
# serving HOST6_PAGE on port HOST6_PORT; a host without IPv6 loopback ends
# the test with a FAIL
host6_server() {
	HOST6_PAGE="host6-page-$$"
	HOST6_PORT=$(free_port)
	mkdir -p "$TMP/www6"
	echo "$HOST6_PAGE" >"$TMP/www6/index.html"
	start_bg busybox httpd -f -p "[::1]:$HOST6_PORT" -h "$TMP/www6"
	if ! wait_for 5 bash -c "exec 3<>/dev/tcp/::1/$HOST6_PORT"; then
		fail "no IPv6 loopback server on this host"
		exit 1
	fi
}

# start_bg CMD... : run in the background, killed at exit; sets BG_PID
start_bg() {
	"$@" &
	BG_PID=$!
	BG_PIDS+=("$BG_PID")
}

# run_ready NAME QBOX-RUN-ARGS... : `qbox run --name NAME QBOX-RUN-ARGS`
# in the background (killed at exit, its stderr in $TMP/err), once it is
# ready (qbox wait, 20 s); sets RUN_PID. A sandbox that never gets ready is a
# FAIL, with what qbox said, and ends the test: what follows needs it.
run_ready() {
	local name=$1
	shift
	"$QBOX" run --name "$name" "$@" </dev/null 2>"$TMP/err" &
	RUN_PID=$!
	BG_PIDS+=("$RUN_PID")
	if ! "$QBOX" wait "$name" --timeout 20 >/dev/null; then
		fail "the sandbox never became ready: $(cat "$TMP/err")"
		exit 1
	fi
}

# run_get NET URL : what a command on a new sandbox on NET fetches (wget's
# own message on failure), within 5 s (busybox wget -T crashes);
# run_gets NET URL WANT : that it is WANT
run_get() {
	"$QBOX" run --net "$1" -- timeout 5 busybox wget -q -O - "$2" 2>&1
}
run_gets() { [ "$(run_get "$1" "$2")" = "$3" ]; }

# http_server PORT : busybox httpd on 127.0.0.1:PORT serving $TMP/www
http_server() {
	mkdir -p "$TMP/www"
	[ -f "$TMP/www/index.html" ] || echo "host-page-$$" >"$TMP/www/index.html"
	start_bg busybox httpd -f -p "127.0.0.1:$1" -h "$TMP/www"
	wait_for 5 port_open 127.0.0.1 "$1"
}

# proc_ended PID : PID has exited: it is gone, or a zombie that holds
# nothing but its pid until its parent reaps it (a hub's parent is the
# system's reaper, not qbox)
proc_ended() {
	local st
	st=$(sed 's/.*) //' "/proc/$1/stat" 2>/dev/null) || return 0
	[ -z "$st" ] || [ "${st%% *}" = Z ]
}

# Processes of ours whose command line mentions qbox's marker and that
# still run (pgrep may meet one in its last moments: see proc_ended)
leftover_procs() {
	local p
	for p in $(pgrep -u "$(id -u)" -f -- "$1" 2>/dev/null); do
		[ "$p" = "$$" ] || proc_ended "$p" || echo "$p"
	done
}

# no_leftovers NAME MARKER : nothing of ours left running, no runtime files.
# A process in its last milliseconds is no leftover: a hub's socket and
# name go first, then it kills and reaps its init and dnsmasq, so the
# processes get 5 s to be gone.
no_procs() { [ -z "$(leftover_procs "$1")" ]; }
no_leftovers() {
	local name=$1 marker=$2 procs files
	wait_for 5 no_procs "$marker"
	procs=$(leftover_procs "$marker")
	files=$(ls -A "$RUNDIR" 2>/dev/null | grep -v '^$' || true)
	if [ -n "$procs" ]; then
		fail "$name: processes left: $(ps -o pid,args -p "$(echo $procs | tr ' ' ,)" | tail -n +2)"
	elif [ -n "$files" ]; then
		fail "$name: runtime files left in $RUNDIR: $files"
	else
		pass "$name"
	fi
}

# qbox_init QPID : the sandbox's init: the supervisor's child in a PID
# namespace of its own that is not a hub's dnsmasq (neither the NAT engine,
# a forward worker, nor the short-lived process that clones a member's init
# inside the user's networks' user namespace is in another PID namespace)
qbox_init() {
	local p own ns
	own=$(readlink "/proc/$1/ns/pid" 2>/dev/null) || return
	for p in $(pgrep -P "$1"); do
		case $(cat "/proc/$p/comm" 2>/dev/null) in
		qbox-uplink | qbox-fwd* | dnsmasq) ;;
		*)
			ns=$(readlink "/proc/$p/ns/pid" 2>/dev/null) &&
				[ "$ns" != "$own" ] && echo "$p" && return
			;;
		esac
	done
}

# qbox_engine QPID : the NAT engine of a running `qbox run` (or hub)
qbox_engine() { pgrep -P "$1" -x qbox-uplink; }

# qbox_procs QPID : the processes of a running `qbox run` (pid QPID) that
# forwarded connections pass through: the supervisor, the sandbox's init,
# the supervisor's forward workers (named qbox-fwdN, forked with the first
# forward), and a hub's stream relay (qbox-stream, init's); not the
# payload, not the NAT engine
qbox_procs() {
	local init
	init=$(qbox_init "$1")
	echo "$1" $init $(qbox_workers "$1") $(pgrep -P "$init" -x qbox-stream)
}

# dnsmasq_of QPID : a hub's dnsmasq (its DNS and DHCP server)
dnsmasq_of() { pgrep -P "$1" -x dnsmasq; }

# qbox_workers QPID : the forward workers alone
qbox_workers() { pgrep -P "$1" '^qbox-fwd'; }

# qbox_fds QPID : open fds of all of qbox's processes together;
# fds_are QPID N : whether they are N
qbox_fds() { fd_count $(qbox_procs "$1"); }
fds_are() { test "$(qbox_fds "$1")" = "$2"; }

# status_of PID FIELD : FIELD's value in /proc/PID/status (CapEff, Seccomp...)
status_of() { awk -v f="$2:" '$1 == f { print $2 }' "/proc/$1/status"; }

# sum_over CMD PID... : what `CMD PID` prints, a number, added up over the
# processes
sum_over() {
	local cmd=$1 p n=0
	shift
	for p in "$@"; do
		n=$((n + $("$cmd" "$p")))
	done
	echo "$n"
}

# fd_count PID... : open fds of these processes together (a test that
# counts often finds qbox's processes once: pgrep walks all of /proc)
fd_count() { sum_over fds_of "$@"; }
fds_of() { ls "/proc/$1/fd" | wc -l; }

# rss_kb PID... : resident memory of the processes together, in KiB
rss_kb() { sum_over rss_of "$@"; }
rss_of() { status_of "$1" VmRSS; }

# cpu_ticks PID... : user + system CPU time of the processes, in clock ticks
cpu_ticks() { sum_over ticks_of "$@"; }
ticks_of() { awk '{print $14 + $15}' "/proc/$1/stat"; }

# ---- another user, and namespaces of the test's own ----------------------

# as_nobody CMD... : run CMD as nobody (uid and gid 65534, no other groups)
# with HOME=/ and no XDG_RUNTIME_DIR; needs root. CMD must be something
# nobody may execute: see qbox_for_nobody.
as_nobody() {
	setpriv --reuid 65534 --regid 65534 --clear-groups \
		env -u XDG_RUNTIME_DIR HOME=/ "$@"
}

# for_others FILE : a copy of FILE in $TMP that every user may read (and
# execute, if FILE is executable), whatever the modes of the directories
# above the checkout; prints its path. Whatever a test hands another user
# (qbox, a guest's kernel, a helper) goes through here.
for_others() {
	local c=$TMP/shared/$(basename "$1")
	if [ ! -e "$c" ]; then
		mkdir -p "$TMP/shared" && cp "$1" "$c" && chmod a+rX "$c" || return 1
	fi
	echo "$c"
}

# qbox_for_nobody : a copy of $QBOX that nobody can execute; prints its path
qbox_for_nobody() { for_others "$QBOX"; }

# rundir_for_nobody : a private runtime directory for nobody, in $TMP;
# prints the path to give as XDG_RUNTIME_DIR (qbox's files go in its qbox/)
rundir_for_nobody() {
	local d=$TMP/xdg-nobody
	[ -d "$d" ] || { mkdir -m 0700 "$d" && chown 65534:65534 "$d"; }
	echo "$d"
}

# test_netns NAME : a network namespace of the test's own (needs root),
# deleted at exit with every link in it. Links are deleted first, so that
# none moves back to the host's namespace.
test_netns() {
	ip netns add "$1" || return 1
	at_exit "netns_remove '$1'"
	ip -n "$1" link set lo up
}

netns_remove() {
	local l
	for l in $(ip -n "$1" -o link show 2>/dev/null |
		   awk -F': ' '{ sub(/@.*/, "", $2); print $2 }'); do
		[ "$l" = lo ] || ip -n "$1" link del "$l" 2>/dev/null
	done
	ip netns del "$1" 2>/dev/null
}

# switch_start DIR : Debian's vde_switch at DIR (its pid in DIR.pid), up
# and listening; switch_stop DIR : it ends, and DIR goes
switch_start() {
	vde_switch -s "$1" -d -p "$1.pid" </dev/null >/dev/null 2>&1 &&
		wait_for 5 test -S "$1/ctl"
}
switch_stop() {
	local pid
	pid=$(cat "$1.pid" 2>/dev/null) || return 0
	kill "$pid" 2>/dev/null
	wait_for 5 not kill -0 "$pid"
	rm -rf "$1" "$1.pid"
}

# two_hosts : (root) two "hosts", network namespaces of the test's own
# joined by a veth pair, as two machines on one LAN: $HOST_A with
# 10.200.0.1/24 on $HOST_A_IF, $HOST_B with 10.200.0.2/24 on $HOST_B_IF,
# multicast routed over the pair. on_host HOST CMD... runs CMD in HOST as
# nobody, with a runtime directory of its own per host; host_qbox is the
# copy of qbox nobody runs there.
two_hosts() {
	HOST_A=qhA$$
	HOST_B=qhB$$
	HOST_A_IF=ha$$
	HOST_B_IF=hb$$
	test_netns "$HOST_A" && test_netns "$HOST_B" &&
		hosts_link "$HOST_A" "$HOST_B" "$HOST_A_IF" "$HOST_B_IF" || return 1
	HOSTS_XDG=$(rundir_for_nobody)
	mkdir -m 0700 "$HOSTS_XDG/$HOST_A" "$HOSTS_XDG/$HOST_B" &&
		chown 65534:65534 "$HOSTS_XDG/$HOST_A" "$HOSTS_XDG/$HOST_B"
	host_qbox=$(qbox_for_nobody)
}
# hosts_clean NAME PATTERN : nothing of nobody's matching PATTERN runs any
# more (10 s), or a FAIL naming what does
hosts_clean() {
	local left
	wait_for 10 bash -c "! pgrep -u 65534 -f '$2' >/dev/null"
	left=$(pgrep -u 65534 -f -a "$2")
	if [ -n "$left" ]; then fail "$1: left: $left"; else pass "$1"; fi
}
on_host() {
	local ns=$1
	shift
	ip netns exec "$ns" setpriv --reuid 65534 --regid 65534 --clear-groups \
		env HOME=/ XDG_RUNTIME_DIR="$HOSTS_XDG/$ns" "$@"
}
# host_bg HOST CMD... : on_host in the background, killed at exit (its pid
# is CMD's own: the subshell execs it); sets BG_PID
host_bg() {
	(
		ns=$1
		shift
		exec ip netns exec "$ns" setpriv --reuid 65534 --regid 65534 \
			--clear-groups env HOME=/ XDG_RUNTIME_DIR="$HOSTS_XDG/$ns" "$@"
	) &
	BG_PID=$!
	BG_PIDS+=("$BG_PID")
}

# ---- the outside world: a test host of the test's own ---------------------
# outside_world "$@" : called first by a test script, runs the rest of it
# again in namespaces of its own, where "outside" is a test host:
#
#   the test's own namespaces
#     └─ "host": a user namespace (root mapped to the test's uid) and a
#        network namespace; qbox runs here, so its uplinks' sockets leave
#        from here, and its only link is o0 198.51.100.1/24 and
#        2001:db8::1/64
#          └─ "outside": a network namespace behind o0's veth peer o1,
#             198.51.100.2 ($OUTSIDE_IP, TEST-NET-2) and 2001:db8::2
#             ($OUTSIDE_IP6, the documentation prefix); busybox httpd serves
#             $OUTSIDE_PAGE at http://$OUTSIDE_IP/ and http://[$OUTSIDE_IP6]/
#             and logs each request ("IP:PORT: url:/PATH") to
#             $OUTSIDE_LOG; dnsmasq answers DNS at [$OUTSIDE_IP6]:53 for
#             $OUTSIDE_NAME (its two addresses, and nothing else: no
#             upstream), a test DNS server over IPv6 (outside_resolv),
#             logging each query to $OUTSIDE_DNS_LOG;
#             it routes 10.0.0.0/8
#             and 192.168.0.0/16 via the host, so that it can try the
#             sandboxes' addresses (outside_dial), and the host forwards
#             packets, so that where it has no route it says so at once
#             (ICMP unreachable, not rate-limited); it is also
#             169.254.169.254 ($METADATA_IP, a cloud's metadata address),
#             serving the same page there, routed to it from "host"
#
# No route leads anywhere else: every address but these two is
# unreachable. The script runs again in "host" as the test's own uid (a
# nested user namespace maps it back, so qbox sees the uid it would
# outside), with a private runtime directory, and with everything that
# lib.sh sets up set up afresh; the first run waits for it and exits with
# its status. Any test can do this; it works as root and as a plain user.
OUTSIDE_IP=198.51.100.2
OUTSIDE_IP6=2001:db8::2
OUTSIDE_NAME=outside.test
METADATA_IP=169.254.169.254
outside_world() {
	local host out uid gid ns=()
	if [ -n "${QBOX_OUTSIDE_LOG:-}" ]; then	# the second run: inside
		OUTSIDE_LOG=$QBOX_OUTSIDE_LOG
		OUTSIDE_DNS_LOG=${QBOX_OUTSIDE_LOG%/*}/outside-dns.log
		OUTSIDE_PAGE=$(cat "$QBOX_OUTSIDE_WWW/index.html")
		echo "nameserver $OUTSIDE_IP6" >"$TMP/resolv6.conf"
		OUTSIDE_RESOLV+=("$TMP/resolv6.conf")
		return 0
	fi
	start_bg unshare -Urn sleep 3600
	host=$BG_PID
	ns=(nsenter -t "$host" -U -n --preserve-credentials)
	if ! wait_for 5 ns_differs "$host" $$; then
		fail "outside_world: no namespace for the host"
		exit 1
	fi
	start_bg "${ns[@]}" unshare -n sleep 3600
	out=$BG_PID
	if ! wait_for 5 ns_differs "$out" "$host"; then
		fail "outside_world: no namespace for the outside test host"
		exit 1
	fi
	mkdir -p "$TMP/outside-www/cgi-bin" "$TMP/xdg"
	chmod 0700 "$TMP/xdg"
	echo "outside-page-$$" >"$TMP/outside-www/index.html"
	outside_dialer >"$TMP/outside-www/cgi-bin/dial"
	chmod 0755 "$TMP/outside-www/cgi-bin/dial"
	if ! "${ns[@]}" sh -ec "ip link set lo up
		ip link add o0 type veth peer name o1 netns $out
		ip addr add 198.51.100.1/24 dev o0
		ip addr add 2001:db8::1/64 dev o0 nodad
		ip link set o0 up
		ip route add $METADATA_IP/32 via $OUTSIDE_IP
		echo 1 >/proc/sys/net/ipv4/ip_forward
		echo 0 >/proc/sys/net/ipv4/icmp_ratelimit" ||
	   ! nsenter -t "$out" -U -n --preserve-credentials sh -ec "
		ip link set lo up
		ip addr add $OUTSIDE_IP/24 dev o1
		ip addr add $OUTSIDE_IP6/64 dev o1 nodad
		ip addr add $METADATA_IP/32 dev lo
		ip link set o1 up
		ip route add 10.0.0.0/8 via 198.51.100.1
		ip route add 192.168.0.0/16 via 198.51.100.1"; then
		fail "outside_world: the veth pair to the outside test host"
		exit 1
	fi
	start_bg nsenter -t "$out" -U -n --preserve-credentials \
		busybox httpd -f -vv -p "$OUTSIDE_IP:80" -h "$TMP/outside-www" \
		2>>"$TMP/outside.log"
	start_bg nsenter -t "$out" -U -n --preserve-credentials \
		busybox httpd -f -vv -p "$METADATA_IP:80" -h "$TMP/outside-www" \
		2>>"$TMP/outside.log"
	start_bg nsenter -t "$out" -U -n --preserve-credentials \
		busybox httpd -f -vv -p "[$OUTSIDE_IP6]:80" -h "$TMP/outside-www" \
		2>>"$TMP/outside.log"
	# -d: in the foreground as the test's uid (root here; no "nobody"
	# and no setgroups in this user namespace), queries logged
	start_bg nsenter -t "$out" -U -n --preserve-credentials \
		"${QBOX_DNSMASQ:-/usr/sbin/dnsmasq}" -d --log-queries \
		--conf-file=/dev/null --pid-file= --no-resolv --no-hosts \
		--listen-address="$OUTSIDE_IP6" --bind-interfaces \
		--address="/$OUTSIDE_NAME/$OUTSIDE_IP6" \
		--address="/$OUTSIDE_NAME/$OUTSIDE_IP" 2>>"$TMP/outside-dns.log"
	if ! wait_for 10 "${ns[@]}" bash -c "exec 3<>/dev/tcp/$OUTSIDE_IP/80" ||
	   ! wait_for 10 "${ns[@]}" bash -c "exec 3<>/dev/tcp/$METADATA_IP/80" ||
	   ! wait_for 10 "${ns[@]}" bash -c "exec 3<>/dev/tcp/$OUTSIDE_IP6/80" ||
	   ! wait_for 10 "${ns[@]}" bash -c "exec 3<>/dev/tcp/$OUTSIDE_IP6/53"; then
		fail "outside_world: the outside test host does not serve"
		exit 1
	fi
	uid=$(id -u)
	gid=$(id -g)
	"${ns[@]}" unshare -U --map-user="$uid" --map-group="$gid" \
		env QBOX_OUTSIDE_LOG="$TMP/outside.log" \
		QBOX_OUTSIDE_WWW="$TMP/outside-www" XDG_RUNTIME_DIR="$TMP/xdg" \
		bash "$0" "$@"
	exit $?
}

# "${OUTSIDE_RESOLV[@]}" CMD... : run CMD with /etc/resolv.conf naming
# the outside test host's DNS server alone ([$OUTSIDE_IP6]), in a mount
# namespace of its own (a user namespace's root: the test's uid), so that
# a NAT's DNS forwarder (libslirp, which asks the host's resolver of the
# query's family) sends a guest's IPv6 queries there. A command prefix,
# not a function, so that VM_AS can be it.
OUTSIDE_RESOLV=(unshare -Urm sh -c
	'mount --bind "$0" /etc/resolv.conf && exec "$@"')

# outside_hits PATH : requests for http://$OUTSIDE_IP/PATH the outside
# test host has seen
outside_hits() { grep -c ": url:/$1\$" "$OUTSIDE_LOG"; }

# outside_dial HOST:PORT/PATH : the outside test host fetches
# http://HOST:PORT/PATH itself (outside to VM); prints "rc=STATUS BODY" of
# its wget, STATUS 0 when it got the page
outside_dial() { busybox wget -q -O- "http://$OUTSIDE_IP/cgi-bin/dial?$1" 2>&1; }

# the outside test host's CGI script behind outside_dial
outside_dialer() {
	cat <<'EOS'
#!/bin/sh
printf 'Content-Type: text/plain\r\n\r\n'
out=$(timeout 5 busybox wget -q -O- "http://$QUERY_STRING" 2>&1)
echo "rc=$? $out"
EOS
}

# ---- end-to-end: the tiny guest under TCG --------------------------------
GUEST=${GUEST:-$TOP/build/guest}

# vm_start OUT SCRIPT QBOX-ARGS... [--- QEMU-ARGS...]
# Boot the guest in the background under qbox, running SCRIPT inside; the
# console goes to OUT. Sets VM_PID (qbox's pid). Bounded by a timeout:
# $QBOX_VM_TIMEOUT seconds, 90 unless set. Set VM_AS to a command prefix
# to run qbox through it (e.g. as another user, in another network
# namespace; the guest's files are then copied where that user can read).
VM_AS=()
VM_PROGRAMS=()	# host programs the guest gets too (mkinitrd-with.sh)
vm_start() {
	local out=$1 script=$2 qargs=() eargs=() initrd kernel=$GUEST/vmlinuz
	shift 2
	# qemu as another user reads a copy it surely may read
	[ ${#VM_AS[@]} -eq 0 ] || kernel=$(for_others "$kernel")
	while [ $# -gt 0 ] && [ "$1" != --- ]; do qargs+=("$1"); shift; done
	[ $# -gt 0 ] && shift
	eargs=("$@")
	initrd=$TMP/$(basename "$script").initrd
	"$TOP/tests/guest/mkinitrd-with.sh" "$GUEST/initramfs.cpio.gz" "$script" \
		"$initrd" "${VM_PROGRAMS[@]}"
	timeout -s KILL "${QBOX_VM_TIMEOUT:-90}" "${VM_AS[@]}" "$QBOX" run "${qargs[@]}" -- qemu-system-x86_64 \
		-accel tcg -m 160 -display none -serial stdio -no-reboot \
		-nodefaults -kernel "$kernel" -initrd "$initrd" \
		-append "console=ttyS0 quiet panic=-1" "${eargs[@]}" \
		</dev/null >"$out" 2>&1 &
	VM_PID=$!
	BG_PIDS+=("$VM_PID")
}

# member_httpd NET : a command member srv-$$ of natnet:NET serving
# "member-$$" at port 8080 (started in the background, killed at exit; its
# pid in MEMBER_PID); sets MEMBER_ADDR, its address, or FAILs and ends the
# test when it never joins
member_httpd() {
	mkdir -p "$TMP/m" && echo "member-$$" >"$TMP/m/index.html"
	start_bg "$QBOX" run --name "srv-$$" --net "natnet:$1" --ro-bind "$TMP/m" -- \
		busybox httpd -f -p 8080 -h "$TMP/m"
	MEMBER_PID=$BG_PID
	if ! MEMBER_ADDR=$(member_wait "$1" "srv-$$" 30); then
		fail "the command member never joined natnet:$1"
		exit 1
	fi
}

# plain_qemu OUT SCRIPT NETDEV MAC [SECONDS] : the test guest, running
# SCRIPT, in a qemu as anyone would run it (no qbox around it), its one
# NIC -netdev NETDEV with MAC; console to OUT; killed after SECONDS (120).
# Sets PLAIN_PID: timeout's pid, whose child is qemu (killed at exit).
plain_qemu() {
	local out=$1 script=$2 netdev=$3 mac=$4 secs=${5:-120}
	local initrd=$TMP/$(basename "$script").initrd
	"$TOP/tests/guest/mkinitrd-with.sh" "$GUEST/initramfs.cpio.gz" \
		"$script" "$initrd"
	timeout -s KILL "$secs" qemu-system-x86_64 -accel tcg -m 160 \
		-display none -serial stdio -no-reboot -nodefaults \
		-kernel "$GUEST/vmlinuz" -initrd "$initrd" \
		-append "console=ttyS0 quiet panic=-1" -netdev "$netdev" \
		-device "virtio-net-pci,netdev=n0,romfile=,mac=$mac" \
		</dev/null >"$out" 2>&1 &
	PLAIN_PID=$!
	BG_PIDS+=("$PLAIN_PID")
}

# vm_run OUT SCRIPT QBOX-ARGS... : boot, wait for the guest to power off
vm_run() {
	vm_start "$@"
	wait "$VM_PID"
}

# vm_wait_line OUT PATTERN SECONDS : wait for the guest to print PATTERN
vm_wait_line() {
	wait_for "$3" grep -qE -- "$2" "$1"
}

# the serial console ends lines with CR LF
console_text() { tr -d '\r' <"$1"; }

# vm_ready OUT NAME : wait, 90 s at most, for the guest to print
# QBOX-READY; if it never does, FAIL with its console, and end the test
vm_ready() {
	if ! vm_wait_line "$1" QBOX-READY 90; then
		fail "$2 never got ready"
		console_text "$1" | sed 's/^/      | /'
		exit 1
	fi
}

# vm_check NAME OUT PATTERN : the console shows PATTERN (grep -E)
vm_check() {
	if console_text "$2" | grep -qE -- "$3"; then
		pass "$1"
	else
		fail "$1: console lacks /$3/:"
		console_text "$2" | sed 's/^/      | /'
	fi
}
