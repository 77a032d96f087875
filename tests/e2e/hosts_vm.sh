#!/usr/bin/env bash
# One natnet across two "hosts", with real guests (root: the hosts are
# network namespaces of the test's own joined by a veth pair, each running
# qbox as nobody; an outside test host hangs off host A).
#
# For each of vxlan:// and vxvde://: host A creates natnet:NAME linked to
# the VDE network, host B the same with serve=off. A VM on each host; B's
# guest leases (busybox udhcpc) from A's dnsmasq over the link, reaches
# A's guest, and reaches the outside test host through A's NAT; A's side
# (its hub's namespace) reaches B's guest. Nothing of nobody's is left.
. "$(dirname "$0")/../lib.sh"

[ "$(id -u)" -eq 0 ] || exit 0
two_hosts || { fail "two hosts"; exit 1; }

# the outside test host, behind host A: 198.51.100.2 serves a page
OUT=qhO$$
test_netns "$OUT"
ip link add oa$$ netns "$HOST_A" type veth peer name ob$$ netns "$OUT"
ip -n "$HOST_A" addr add 198.51.100.1/24 dev oa$$
ip -n "$OUT" addr add 198.51.100.2/24 dev ob$$
ip -n "$HOST_A" link set oa$$ up
ip -n "$OUT" link set ob$$ up
mkdir -p "$TMP/outside" && echo "outside-page-$$" >"$TMP/outside/index.html"
start_bg ip netns exec "$OUT" busybox httpd -f -p 198.51.100.2:80 -h "$TMP/outside"
check "the outside test host serves (from host A)" wait_for 10 \
	ip netns exec "$HOST_A" bash -c "exec 3<>/dev/tcp/198.51.100.2/80"

QBOX_TEST=$QBOX
QBOX=$host_qbox	# nobody's copy, for vm_start through VM_AS
vm_on() {	# HOST OUT SCRIPT NAME NET : a VM as nobody on HOST
	VM_AS=(ip netns exec "$1" setpriv --reuid 65534 --regid 65534
	       --clear-groups env HOME=/ XDG_RUNTIME_DIR="$HOSTS_XDG/$1")
	vm_start "$2" "$3" --name "$4" --net "natnet:$5"
	VM_AS=()
}

n=0
for loc in "vxlan://239.1.8.1/vni=81" "vxvde://239.1.8.2"; do
	n=$((n + 1))
	kind=${loc%%://*}
	net=hv$n$$
	check "$kind: host A's network (serving)" on_host "$HOST_A" "$QBOX" \
		net create "natnet:$net,link=$loc/if=$HOST_A_IF"
	check "$kind: host B's network (serve=off)" on_host "$HOST_B" "$QBOX" \
		net create "natnet:$net,serve=off,link=$loc/if=$HOST_B_IF"

	cat >"$TMP/a$n.sh" <<EOS
udhcpc -i eth0 -n -q -t 10
mkdir -p /www && echo "vm-a-$$" >/www/index.html
httpd -p 80 -h /www
echo QBOX-SERVING
sleep 120
EOS
	vm_on "$HOST_A" "$TMP/console-a$n" "$TMP/a$n.sh" "va$n-$$" "$net"
	vma=$VM_PID
	if ! vm_wait_line "$TMP/console-a$n" QBOX-SERVING 90; then
		fail "$kind: host A's VM never served"
		console_text "$TMP/console-a$n" | sed 's/^/      | /'
		exit 1
	fi
	A_IP=$(console_text "$TMP/console-a$n" |
		sed -n 's/^QBOX-LEASE: eth0 \([0-9.]*\)\/24 .*/\1/p' | head -n 1)

	cat >"$TMP/b$n.sh" <<EOS
udhcpc -i eth0 -n -q -t 10
mkdir -p /www && echo "vm-b-$$" >/www/index.html
httpd -p 80 -h /www
i=0
until a=\$(timeout 5 wget -q -O - http://$A_IP/) || [ \$i -ge 30 ]; do
	sleep 1; i=\$((i + 1))
done
echo "VM-A: \$a"
echo "OUTSIDE: \$(timeout 10 wget -q -O - http://198.51.100.2/)"
echo QBOX-READY
sleep 60
EOS
	vm_on "$HOST_B" "$TMP/console-b$n" "$TMP/b$n.sh" "vb$n-$$" "$net"
	vmb=$VM_PID
	vm_ready "$TMP/console-b$n" "$kind: host B's VM"
	B_IP=$(console_text "$TMP/console-b$n" |
		sed -n 's/^QBOX-LEASE: eth0 \([0-9.]*\)\/24 router \([0-9.]*\) dns \([0-9.]*\).*/\1 \2 \3/p' |
		head -n 1)
	check "$kind: B's guest leased from A's network over the link, router .2, DNS .1 ($B_IP)" \
		grep -qE '^10\.0\.2\.[0-9]+ 10\.0\.2\.2 10\.0\.2\.1$' <<<"$B_IP"
	check "$kind: ... a lease of A's table" bash -c "$(declare -f on_host); \
		HOSTS_XDG='$HOSTS_XDG'; on_host '$HOST_A' '$QBOX' net inspect '$net' --json |
		jq -e --arg a '${B_IP%% *}' '[.leases[] | select(.address == \$a)] | length == 1' >/dev/null"
	vm_check "$kind: B's guest reaches A's guest ($A_IP)" "$TMP/console-b$n" "^VM-A: vm-a-$$"
	vm_check "$kind: B's guest reaches the outside test host through A's NAT" \
		"$TMP/console-b$n" "^OUTSIDE: outside-page-$$"
	# A's guest reaches B's: a fetch made from inside A's network, at
	# its hub (qbox exec) rather than a second boot of A's guest
	out=$(on_host "$HOST_A" timeout 20 "$QBOX" exec "natnet:$net" -- \
		busybox wget -q -O - "http://${B_IP%% *}/" 2>&1)
	check "$kind: host A's side reaches B's guest (got: $out)" \
		test "$out" = "vm-b-$$"
	on_host "$HOST_A" "$QBOX" stop --force "va$n-$$" >/dev/null 2>&1
	on_host "$HOST_B" "$QBOX" stop --force "vb$n-$$" >/dev/null 2>&1
	wait "$vma" "$vmb" 2>/dev/null
	on_host "$HOST_A" "$QBOX" net rm --force "$net" >/dev/null 2>&1
	on_host "$HOST_B" "$QBOX" net rm --force "$net" >/dev/null 2>&1
done
QBOX=$QBOX_TEST
hosts_clean "hosts: nothing of nobody's qbox left" "$TMP|qbox-vde|hv[12]$$"
