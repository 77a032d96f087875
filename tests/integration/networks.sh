#!/usr/bin/env bash
# Named networks with command payloads: one segment per network and user,
# the hub's life, qbox net ls/inspect/create/rm, forwards and exec on a
# network (a member's own --fwd too), a natnet on a subnet of its own, the
# host-only and internal walls, net rm --force and a killed hub.
. "$(dirname "$0")/../lib.sh"

mkdir -p "$TMP/a" && echo "member-a-$$" >"$TMP/a/index.html"
hp=$(free_port)
http_server "$hp"	# the host's loopback service: $TMP/www on 127.0.0.1
net=n$$
# serving MODE:NETWORK SANDBOX : a member serving $TMP/a over HTTP on port
# 8080, in the background; sets SERVING_PID and, once it has joined,
# SERVING_ADDR
serving() {
	local net=${1#*:}

	net=${net%%,*}
	start_bg "$QBOX" run --name "$2" --net "$1" --ro-bind "$TMP/a" -- busybox httpd -f -p 8080 -h "$TMP/a"
	SERVING_PID=$BG_PID
	SERVING_ADDR=$(member_wait "$net" "$2")
}
# unreachable NAME URL QBOX-RUN-ARGS... : wget fails (no route: 1, or no
# answer: 124), rather than crashing or getting through, and qbox itself
# ran (its own failure would be a 1 too)
unreachable() {
	local name=$1 url=$2 rc out
	shift 2
	out=$(timeout 30 "$QBOX" run "$@" -- timeout 5 busybox wget -q -O- "$url" 2>&1)
	rc=$?
	case $rc in
	1 | 124)
		if grep -q '^qbox: ' <<<"$out"; then
			fail "$name: qbox failed: $out"
		else
			pass "$name"
		fi
		;;
	*) fail "$name: exit $rc, want 1 or 124; output: $out" ;;
	esac
}

# ---- natnet: members reach each other and the host -----------------------
start_bg "$QBOX" run --name "a-$$" --net "natnet:$net" --ro-bind "$TMP/a" -- \
	busybox httpd -f -p 8080 -h "$TMP/a"
qa=$BG_PID
if ! A=$(member_wait "$net" "a-$$"); then
	fail "natnet: first member never joined"
	exit 1
fi
check "natnet: command member leased in 10.0.2.0/24 ($A)" grep -qE '^10\.0\.2\.([0-9]+)$' <<<"$A"
expect_output "natnet: a second member fetches from the first" 0 "^member-a-$$\$" \
	timeout 20 "$QBOX" run --name "b-$$" --net "natnet:$net" -- busybox wget -q -O- "http://$A:8080/"
expect_output "natnet: a member reaches the host's loopback via 10.0.2.2" 0 "^host-page-$$\$" \
	timeout 20 "$QBOX" run --name "b-$$" --net "natnet:$net" -- busybox wget -q -O- "http://10.0.2.2:$hp/"
json=$("$QBOX" net ls --json)
check "net ls --json: the network with one member" jqc --arg n "$net" \
	'.[] | select(.name == $n) | .mode == "natnet" and .subnet == "10.0.2.0/24" and (.members | length) == 1' <<<"$json"
expect_output "net ls: table row" 0 "^$net +natnet +10\\.0\\.2\\.0/24 +1 " "$QBOX" net ls
expect_output "net inspect: member row" 0 "^a-$$ +52:54:00:[0-9a-f:]+ +$A +command" "$QBOX" net inspect "$net"
check "ps --json: the member's NIC names its network and address" jqc \
	--arg s "a-$$" --arg n "$net" --arg a "$A" \
	'.[] | select(.name == $s) | .nics[0] | .mode == "natnet" and .network == $n and .address == $a and .subnet == "10.0.2.0/24"' \
	< <("$QBOX" ps --json)
expect_output "ps: the member's NETWORKS column" 0 "^a-$$ .* natnet:$net@$A " "$QBOX" ps

# ---- forwards and exec on a network ---------------------------------------
fp=$(free_port)
expect_output "fwd -n natnet:NAME names the guest" 0 "" "$QBOX" fwd -n "natnet:$net" "$fp:$A:8080"
expect_output "the network's forward reaches the member" 0 "^member-a-$$\$" curl -sf "http://127.0.0.1:$fp/"
# fwd_listed PORT GUEST : net inspect --json has the one TCP forward
fwd_listed() {
	"$QBOX" net inspect "$net" --json | jqc --argjson p "$1" --arg g "$2" \
		'[.forwards[] | select(.proto == "tcp" and .host == "127.0.0.1" and .host_port == $p and .guest == $g and .guest_port == 8080 and .spec == "\($p):\($g):8080")] | length == 1'
}
check "net inspect --json lists the network's forward" fwd_listed "$fp" "$A"
expect_output "net inspect lists it under FORWARD TO" 0 "^$fp:$A:8080 +$A:8080\$" \
	"$QBOX" net inspect "$net"

# a member's --fwd is the hub's, for as long as the member runs
mp=$(free_port)
start_bg "$QBOX" run --name "m-$$" --net "natnet:$net" --fwd "$mp:$A:8080" -- sleep 300
qm=$BG_PID
expect_output "a member with --fwd H:GUESTADDR:P joins" 0 "" "$QBOX" wait "m-$$" --timeout 20
# br_netfilter, where loaded, hands bridged frames to iptables, per network
# namespace; qbox's namespaces have no iptables rules and turn it off
brnf() { cat /proc/sys/net/bridge/bridge-nf-call-*tables 2>/dev/null | paste -sd,; }
brnf_off() {	# NAME : no bridge-nf-call-* reads 1 in NAME's namespace
	local out
	out=$("$QBOX" exec "$1" -- sh -c \
		'cat /proc/sys/net/bridge/bridge-nf-call-*tables 2>/dev/null; echo end') &&
		grep -qx end <<<"$out" && ! grep -qx 1 <<<"$out"
}
host_brnf=$(brnf)
check "bridged frames skip iptables in a member's namespace (the host's: ${host_brnf:-no br_netfilter})" \
	brnf_off "m-$$"
# ... but for IPv4 on the hub of a network whose NAT's TCP goes out by
# the kernel's path (netns/egress.c: its rules see bridged frames there)
brnf_v4_only() {	# NAME : iptables 1, ip6tables and arptables 0
	local out
	out=$("$QBOX" exec "$1" -- sh -c \
		'cd /proc/sys/net/bridge && echo $(cat bridge-nf-call-iptables bridge-nf-call-ip6tables bridge-nf-call-arptables)')
	[ "$out" = "1 0 0" ] || [ -z "$host_brnf" ]
}
check "... and in the hub's but IPv4's, which the kernel's egress path takes" \
	brnf_v4_only "natnet:$net"
check "... and the host's own setting is left as it was" test "$(brnf)" = "$host_brnf"
expect_output "the member's --fwd reaches the guest it names" 0 "^member-a-$$\$" \
	curl -sf --max-time 10 "http://127.0.0.1:$mp/"
check "net inspect --json lists the member's forward" fwd_listed "$mp" "$A"
expect_output "... and lists it under FORWARD TO" 0 "^$mp:$A:8080 +$A:8080\$" \
	"$QBOX" net inspect "$net"
expect_output "a member's --fwd on a port the network forwards: refused, named" 2 \
	"^qbox: --net natnet:$net: --fwd $fp:$A:8080: that host port is already forwarded" \
	timeout 20 "$QBOX" run --name "m2-$$" --net "natnet:$net" --fwd "$fp:$A:8080" -- true
check "... and that member is not left in the network" \
	test -z "$(member_addr "$net" "m2-$$")"
kill -TERM "$qm"
wait "$qm"
check "the member gone, its forward goes" wait_for 10 not port_open 127.0.0.1 "$mp"
check "... from net inspect too" not fwd_listed "$mp" "$A"
check "the network's own forward stays" fwd_listed "$fp" "$A"
expect_output "... and still reaches the member" 0 "^member-a-$$\$" curl -sf "http://127.0.0.1:$fp/"
# a bridge takes its lowest port's MAC unless one is set: the hub's must
# not move as members come and go (plan.h, hub_bridge_mac())
check "the hub's bridge keeps its MAC, 52:55 and its address, as members come and go" \
	sh -c '"$0" exec "natnet:$1" -- ip -br link show qbr0 | grep -q " 52:55:0a:00:02:01 "' \
	"$QBOX" "$net"
expect_output "fwd to a network without a guest address: the rule" 2 "names the guest's address" \
	"$QBOX" fwd -n "natnet:$net" "$(free_port):8080"
# fwd -n --remove takes the forward out of the hub's record too: its
# slot comes back (MAX_FWDS is 64), and a member that leaves takes only
# forwards of its own, not one added later on the port it once had
cp=$(free_port)
cycles=0
for i in $(seq 70); do
	"$QBOX" fwd -n "natnet:$net" "$cp:$A:8080" >/dev/null 2>&1 &&
		"$QBOX" fwd -n "natnet:$net" --remove "$cp" >/dev/null 2>&1 &&
		cycles=$((cycles + 1))
done
check "70 forwards added and removed, one after another ($cycles)" test "$cycles" -eq 70
rp=$(free_port)
start_bg "$QBOX" run --name "m3-$$" --net "natnet:$net" --fwd "$rp:$A:8080" -- sleep 300
qm3=$BG_PID
"$QBOX" wait "m3-$$" --timeout 20 >/dev/null
"$QBOX" fwd -n "natnet:$net" --remove "$rp" >/dev/null
"$QBOX" fwd -n "natnet:$net" "$rp:$A:8080" >/dev/null
kill -TERM "$qm3"
wait "$qm3"
expect_output "a member's leaving leaves a forward added later on its old port" 0 \
	"^member-a-$$\$" curl -sf --max-time 10 "http://127.0.0.1:$rp/"
"$QBOX" fwd -n "natnet:$net" --remove "$rp" >/dev/null
expect_output "exec natnet:NAME reaches a member directly" 0 "^member-a-$$\$" \
	timeout 20 "$QBOX" exec "natnet:$net" -- busybox wget -q -O- "http://$A:8080/"
expect_output "exec with the wrong mode is refused" 2 "is a natnet network, not hostonly" \
	"$QBOX" exec "hostonly:$net" -- true
expect_output "--net with the wrong mode is refused" 2 "is a natnet network, not internal" \
	"$QBOX" run --net "internal:$net" -- true
expect_output "--net with another subnet is refused" 2 "runs on 10.0.2.0/24, not the subnet= given" \
	"$QBOX" run --net "natnet:$net,subnet=10.0.9.0/24" -- true

# ---- another network is another segment -------------------------------------
# A probe on natnet:o$$ whose address (from a hash of its MAC, which
# comes from its name) were A's would fail against itself and prove
# nothing: it says its address first, and another name is tried
for k in 1 2 3; do
	out=$(timeout 30 "$QBOX" run --name "o$k-$$" --net "natnet:o$$" -- sh -c \
		'ip -4 -o addr show dev qbr0; exec timeout 5 busybox wget -q -O- "$0"' \
		"http://$A:8080/" 2>&1)
	rc=$?
	O=$(sed -n 's/.* inet \([0-9.]*\)\/.*/\1/p' <<<"$out")
	[ "$O" != "$A" ] && break
done
check "natnet:other's probe is at another address ($O; A is at $A)" \
	sh -c "[ -n '$O' ] && [ '$O' != '$A' ]"
case $rc in
1 | 124)
	if grep -q "^qbox: \|member-a-$$" <<<"$out"; then
		fail "natnet:other cannot reach a member of natnet:$net: $out"
	else
		pass "natnet:other cannot reach a member of natnet:$net (wget $rc)"
	fi
	;;
*) fail "natnet:other cannot reach a member of natnet:$net: exit $rc, want 1 or 124; output: $out" ;;
esac

# ---- members that start one network at once all join it -------------------------
for i in 1 2 3; do
	for j in 1 2 3; do
		{ timeout 30 "$QBOX" run --net "internal:r$$-$i" -- true ||
			echo "exit $?"; } >"$TMP/race-$i-$j" 2>&1 &
		BG_PIDS+=("$!")
	done
	wait "${BG_PIDS[@]: -3}"
done
expect_output "3 x 3 members starting a network at once: all joined" 0 "^\$" \
	cat "$TMP"/race-*

# ---- rm refuses while members run; stop ends the hub ------------------------
expect_output "net rm refuses while members run" 2 "has 1 member \\(a-$$\\)" "$QBOX" net rm "$net"
kill -TERM "$qa"
wait "$qa"
check "the hub ends with its last member" wait_for 10 net_gone "$net"

# ---- net rm --force under running members -----------------------------------
# the members are told, as of a killed hub, and run on; nothing of the
# network stays (its processes: the hub's supervisor, init, forward
# workers, stream relay and NAT engine; its files)
for m in 1 2; do
	start_bg bash -c 'exec "$@" 2>"$0"' "$TMP/err-f$m" "$QBOX" run \
		--name "f$m-$$" --net "natnet:f$$" -- sleep 300
	qf[m]=$BG_PID
done
# joined is not yet running: a member's init builds its link to the hub
# after the hub has counted it, and a hub gone before that fails its start
check "net rm --force: two members join" wait_for 15 members_joined "f$$" "f1-$$" "f2-$$"
check "... and run" sh -c '"$0" wait "$1" --timeout 20 && "$0" wait "$2" --timeout 20' \
	"$QBOX" "f1-$$" "f2-$$"
fhub=$(hub_pid "f$$")
# the hub's forward workers start with its first forward
"$QBOX" fwd -n "natnet:f$$" "127.0.0.1:$(free_port):10.0.2.200:80" >/dev/null
fprocs="$fhub $(pgrep -P "$fhub" | tr '\n' ' ')$(pgrep -P "$(qbox_init "$fhub")" | tr '\n' ' ')"
check "the hub has its init, NAT engine, forward workers and relay ($fprocs)" \
	test "$(wc -w <<<"$fprocs")" -ge 6 -a -n "$(qbox_workers "$fhub")"
expect_output "net rm --force with members running" 0 "^\$" "$QBOX" net rm "f$$" --force
procs_gone() { local p; for p in $fprocs; do proc_ended "$p" || return 1; done; }
check "... the hub's processes are gone" wait_for 10 procs_gone
check "... and its runtime files" test -z "$(ls "$RUNDIR" | grep "^net@f$$\.")"
check "... net ls does not list it" not grep -q "^f$$ " < <("$QBOX" net ls)
for m in 1 2; do
	check "member f$m reports the network's end" wait_for 10 grep -qx \
		"qbox: network 'f$$' ended (its hub is gone): f$m-$$'s link to it is down" \
		"$TMP/err-f$m"
	check "member f$m's link to the network is gone" wait_for 10 net_link_gone "f$m-$$"
done
# a member that ended says why: its stderr and exit status
for m in 1 2; do
	if kill -0 "${qf[m]}" 2>/dev/null; then
		pass "member f$m runs on"
	else
		wait "${qf[m]}"
		fail "member f$m runs on: it ended (exit $?): $(tr '\n' ' ' <"$TMP/err-f$m")"
	fi
done
kill -TERM "${qf[1]}" "${qf[2]}" 2>/dev/null
wait "${qf[1]}" "${qf[2]}"
check "once they stop, no process of theirs or the network's is left" \
	test -z "$(leftover_procs "f$$")"
check "... nor a runtime file" test -z "$(ls "$RUNDIR" | grep -E "^(net@f$$|f[12]-$$)\.")"

# ---- natnet on a subnet of its own ------------------------------------------
serving "natnet:s$$,subnet=10.0.5.0/24" "s1-$$"
qs=$SERVING_PID
S=$SERVING_ADDR
check "natnet,subnet=10.0.5.0/24: the member's address is in it ($S)" \
	grep -qE '^10\.0\.5\.([0-9]+)$' <<<"$S"
expect_output "net ls: the network's subnet" 0 "^s$$ +natnet +10\.0\.5\.0/24 +1 " "$QBOX" net ls
# a second member (no subnet= needed to join): its address, then the first's page
expect_output "a second member, in 10.0.5.0/24 too, reaches the first" 0 \
	"^10\.0\.5\.[0-9]+ member-a-$$\$" timeout 20 "$QBOX" run --net "natnet:s$$" -- \
	sh -c 'echo "$(ip -4 -o addr show dev qbr0 | sed -n "s/.* inet \([0-9.]*\)\/.*/\1/p") $(busybox wget -q -O- "$0")"' \
	"http://$S:8080/"
expect_output "a member reaches the host's loopback via 10.0.5.2" 0 "^host-page-$$\$" \
	timeout 20 "$QBOX" run --net "natnet:s$$" -- busybox wget -q -O- "http://10.0.5.2:$hp/"
kill -TERM "$qs"
wait "$qs"

# ---- net create / rm, linger ------------------------------------------------------
expect_output "net create hostonly" 0 "" "$QBOX" net create "hostonly:h$$"
expect_output "net create twice" 2 "already exists" "$QBOX" net create "hostonly:h$$"
expect_output "net create: bad spec" 2 "net create nat:x: mode 'nat' takes no network name" "$QBOX" net create nat:x
expect_output "a created network lingers without members" 0 "^h$$ +hostonly +192\\.168\\.56\\.0/24 +0 " "$QBOX" net ls
expect_output "hostonly: a member reaches the host via 192.168.56.1" 0 "^host-page-$$\$" \
	timeout 20 "$QBOX" run --net "hostonly:h$$" -- busybox wget -q -O- "http://192.168.56.1:$hp/"
unreachable "hostonly: the NAT's other addresses are dropped" "http://192.168.56.2:$hp/" --net "hostonly:h$$"
expect_output "hostonly: no DNS forwarder" 1 "" \
	timeout 20 "$QBOX" run --net "hostonly:h$$" -- busybox nslookup -timeout=2 localhost 192.168.56.3
serving "hostonly:h$$" "h1-$$"
qh=$SERVING_PID
H=$SERVING_ADDR
check "hostonly: a member's address is from 192.168.56.101 on ($H)" \
	grep -qE '^192\.168\.56\.(10[1-9]|1[1-9][0-9]|2[0-9][0-9])$' <<<"$H"
expect_output "hostonly: members reach each other" 0 "^member-a-$$\$" \
	timeout 20 "$QBOX" run --net "hostonly:h$$" -- busybox wget -q -O- "http://$H:8080/"
expect_output "hostonly: exec hostonly:NAME reaches a member" 0 "^member-a-$$\$" \
	timeout 20 "$QBOX" exec "hostonly:h$$" -- busybox wget -q -O- "http://$H:8080/"
hf=$(free_port)
expect_output "hostonly: a forward to a member is added" 0 "" \
	"$QBOX" fwd -n "hostonly:h$$" "$hf:$H:8080"
expect_output "hostonly: a forward reaches a member" 0 "^member-a-$$\$" \
	curl -sf --max-time 10 "http://127.0.0.1:$hf/"
kill -TERM "$qh"
wait "$qh"
expect_output "net rm of an idle network" 0 "" "$QBOX" net rm "h$$"
"$QBOX" net create "internal:s$$"
kill -TERM "$(hub_pid "s$$")"
check "a hub ends on SIGTERM, its files with it" wait_for 10 \
	sh -c "! ls '$RUNDIR' | grep -q '^net@s$$\\.'"
expect_output "net rm of a network that does not run" 2 "no network named 'h$$'" "$QBOX" net rm "h$$"
expect_output "net inspect of a network that does not run" 2 "no network named 'nope$$'" "$QBOX" net inspect "nope$$"

# ---- internal: members only ---------------------------------------------------
start_bg bash -c 'exec "$@" 2>"$0"' "$TMP/err-i1" "$QBOX" run --name "i1-$$" \
	--net "internal:i$$" --ro-bind "$TMP/a" -- busybox httpd -f -p 8080 -h "$TMP/a"
qi=$BG_PID
I=$(member_wait "i$$" "i1-$$")
expect_output "internal: members reach each other ($I)" 0 "^member-a-$$\$" \
	timeout 20 "$QBOX" run --net "internal:i$$" -- busybox wget -q -O- "http://$I:8080/"
unreachable "internal: there is no host alias" "http://192.168.100.1:$hp/" --net "internal:i$$"
expect_output "internal: exec internal:NAME runs, but without DHCP the hub has no address there" \
	1 "unreachable" timeout 20 "$QBOX" exec "internal:i$$" -- busybox wget -q -O- "http://$I:8080/"
expect_output "internal: forwards are refused" 2 "cannot be reached from the host" \
	"$QBOX" fwd -n "internal:i$$" "$(free_port):$I:8080"

# ---- several networks at once, and two first members racing ----------------
# (a hub's init once kept the runtime directory's lock: the user's next hub
# then waited for ever)
expect_output "a second network starts while another runs" 0 "" \
	timeout 15 "$QBOX" net create "natnet:c$$"
start_bg "$QBOX" run --name "r1-$$" --net "natnet:r$$" -- sleep 60
r1=$BG_PID
start_bg "$QBOX" run --name "r2-$$" --net "natnet:r$$" -- sleep 60
r2=$BG_PID
check "two members starting at once both join one fresh network" \
	wait_for 15 members_joined "r$$" "r1-$$" "r2-$$"
check "...with distinct addresses" test "$(member_addr "r$$" "r1-$$")" != "$(member_addr "r$$" "r2-$$")"
kill -TERM "$r1" "$r2"
wait "$r1" "$r2"
expect_output "net rm of the second network" 0 "" "$QBOX" net rm "c$$"
check "the raced network ends with its last member" wait_for 15 net_gone "r$$"

# ---- a killed hub: the member says so, nothing leaks, a new hub starts -------
hub=$(hub_pid "i$$")
kill -KILL "$hub"
check "a member reports its hub's death" wait_for 10 grep -q "network 'i$$' ended (its hub is gone)" "$TMP/err-i1"
check "the member runs on without its network" kill -0 "$qi"
expect_output "after a hub's death, the next member starts a fresh hub" 0 "^ok\$" \
	timeout 20 "$QBOX" run --net "internal:i$$" -- echo ok
kill -TERM "$qi"
wait "$qi"
sleep 0.5
no_leftovers "nothing left behind" "natnet:$net"
