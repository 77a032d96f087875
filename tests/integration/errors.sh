#!/usr/bin/env bash
# Every bad input names its culprit, exits 2 and leaves nothing behind.
. "$(dirname "$0")/../lib.sh"

before=$(ls -A "$RUNDIR" 2>/dev/null)
bad() {	# name, pattern, args...
	local name=$1 pat=$2
	shift 2
	expect_output "$name" 2 "$pat" "$QBOX" "$@"
}
bad "unknown mode named" "bogus" run --net bogus:x -- true
bad "generic mode explained" "generic mode is vde:LOCATOR" run --net generic -- true
bad "port out of range named" "99999" run --fwd 99999:22 -- true
bad "malformed host address named" "1\\.2\\.3\\b" run --fwd 1.2.3:80:22 -- true
bad "malformed guest address named" "10\\.0\\.2\\b" run --fwd 80:10.0.2:22 -- true
bad "bare IPv6 host explained" "brackets" run --fwd ::1:80:22 -- true
bad "malformed MAC named" "52:54:00:zz" run --mac 52:54:00:zz:00:01 -- true
bad "malformed subnet named" "10.0.5.1/24" run --net nat,subnet=10.0.5.1/24 -- true
bad "missing -- named" "missing '--'" run true
bad "missing command named" "missing command" run --
bad "missing everything" "missing '--' and a command" run
bad "unknown option named" "--frobnicate" run --frobnicate -- true
bad "unknown command named" "not found in PATH" run -- no-such-command-$$
bad "non-executable path named" "$TMP/noexec" run -- "$TMP/noexec"
bad "bad name named" "--name 'a b'" run --name "a b" -- true
bad "forward without NAT explained" "need a nat NIC" run --net none --fwd 1:2 -- true
bad "unknown subcommand named" "frob" frob
expect_output "qbox with no command prints usage, exit 2" 2 "Usage: qbox" "$QBOX"
expect_output "qbox --help" 0 "Usage: qbox COMMAND" "$QBOX" --help
expect_output "qbox run --help names the default 127.0.0.1" 0 "defaults to 127.0.0.1" \
	"$QBOX" run --help

# /dev/net/tun not accessible: shadow it, in a private mount namespace,
# with a file this user cannot open
if [ "$(id -u)" -eq 0 ]; then
	# as 'nobody', from a copy that user can surely execute
	: >"$TMP/tun" && chmod 600 "$TMP/tun"
	QN=$(qbox_for_nobody)
	expect_output "/dev/net/tun not accessible: mode 0666 named" 2 \
		"/dev/net/tun.*0666" unshare -m sh -c \
		"mount --bind '$TMP/tun' /dev/net/tun && setpriv --reuid 65534 --regid 65534 --clear-groups env XDG_RUNTIME_DIR= '$QN' run -- true"
else
	expect_output "/dev/net/tun not accessible: mode 0666 named" 2 \
		"/dev/net/tun.*0666" unshare -Urm sh -c \
		"mount --bind /etc/shadow /dev/net/tun && '$QBOX' run -- true"
fi
expect_output "missing /dev/net/tun: module named" 2 "modprobe tun" \
	unshare -Urm sh -c "mount -t tmpfs none /dev/net && '$QBOX' run -- true"
# inside 'unshare -Ur' we are uid 0: keep off real root's /tmp/qbox-0
mkdir -p "$TMP/xdg"
expect_output "--net none needs no /dev/net/tun" 0 "^fine$" \
	unshare -Urm sh -c "mount -t tmpfs none /dev/net && XDG_RUNTIME_DIR='$TMP/xdg' '$QBOX' run --net none -- echo fine"

# user namespaces disabled: the limit is per user namespace, so a private
# one with max_user_namespaces=0 shows what a locked-down host shows
expect_output "user namespaces disabled: sysctl named" 2 "user\\.max_user_namespaces = 0" \
	unshare -Ur sh -c "echo 0 >/proc/sys/user/max_user_namespaces && XDG_RUNTIME_DIR='$TMP/xdg' '$QBOX' run -- true"

# a forward whose host port is taken is a runtime failure (1), named
port=$(free_port)
http_server "$port"
expect_output "taken host port: --fwd and address named, exit 1" 1 "--fwd $port:80: 127.0.0.1:$port/tcp is already in use" \
	"$QBOX" run --fwd "$port:80" -- true

after=$(ls -A "$RUNDIR" 2>/dev/null)
check "no runtime file created by any of these" test "$before" = "$after"
no_leftovers "no process left" "no-such-command-$$"
