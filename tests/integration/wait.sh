#!/usr/bin/env bash
# qbox wait --tcp: readiness of a guest's service, without sleep loops.
# A command payload starts a server late; wait --tcp returns within about
# a second of it listening, --banner only once the server speaks; a port
# nothing listens on, a silent server and a sandbox that ends are exit 1
# naming what never answered; a network's member by ADDR:PORT; every bad
# value exit 2, named.
. "$(dirname "$0")/../lib.sh"

mkdir -p "$TMP/www" "$TMP/out"
echo "page-$$" >"$TMP/www/index.html"
chmod 0777 "$TMP/out"
n=w$$

# now_s : the time, in seconds with fractions
now_s() { date +%s.%N; }

# a server that starts 3 s late and notes when it did
start_bg "$QBOX" run --name "$n" --net nat --bind "$TMP/out" --ro-bind "$TMP/www" -- \
	sh -c "sleep 3; date +%s.%N >'$TMP/out/started'; exec busybox httpd -f -p 8080 -h '$TMP/www'"
q=$BG_PID
expect_output "wait --tcp PORT: the guest's address, once its server listens" 0 "^\$" \
	"$QBOX" wait "$n" --tcp 8080 --timeout 30
t1=$(now_s)
started=$(cat "$TMP/out/started" 2>/dev/null || echo 0)
check "... within 1.5 s of the server starting ($(echo "$t1 - $started" | bc) s)" \
	test "$(echo "$t1 - $started < 1.5" | bc)" = 1
check "... and the server answers" sh -c \
	"'$QBOX' exec '$n' -- busybox wget -q -O- http://10.0.2.100:8080/ | grep -qx 'page-$$'"
expect_output "nothing on the port: exit 1 after the timeout, naming it" 1 \
	"^qbox: wait: 10\\.0\\.2\\.100:8081 in '$n' did not accept a connection within 2 s \\(last: refused: nothing listens there\\)\$" \
	"$QBOX" wait "$n" --tcp 8081 --timeout 2
expect_output "no host at the address: exit 1, naming it" 1 \
	"10\\.0\\.2\\.99:80 in '$n' did not accept a connection within 2 s \\(last: no answer" \
	"$QBOX" wait "$n" --tcp 10.0.2.99:80 --timeout 2
kill -TERM "$q"
wait "$q"

# --banner: a server that speaks first, and one that accepts and says nothing
start_bg "$QBOX" run --name "$n" --net nat -- sh -c \
	"socat TCP-LISTEN:2222,fork,reuseaddr SYSTEM:'echo SSH-2.0-qbox' &
	 exec socat TCP-LISTEN:2223,fork,reuseaddr SYSTEM:'sleep 30'"
q=$BG_PID
expect_output "--banner: once the server's first bytes come" 0 "^\$" \
	"$QBOX" wait "$n" --tcp 2222 --banner --timeout 30
expect_output "a server that accepts: ready without --banner" 0 "^\$" \
	"$QBOX" wait "$n" --tcp 2223 --timeout 10
expect_output "... and not ready with it: exit 1" 1 \
	"^qbox: wait: 10\\.0\\.2\\.100:2223 in '$n' accepted but sent nothing within 2 s \\(--banner\\)\$" \
	"$QBOX" wait "$n" --tcp 2223 --banner --timeout 2
kill -TERM "$q"
wait "$q"

# a sandbox that ends while it is waited for
start_bg "$QBOX" run --name "$n" --net nat -- sleep 2
q=$BG_PID
expect_output "a sandbox that ends: exit 1, saying so" 1 \
	"^qbox: wait: '$n' ended before 10\\.0\\.2\\.100:80 in '$n' answered\$" \
	"$QBOX" wait "$n" --tcp 80 --timeout 30
wait "$q"

# a network's member, by ADDR:PORT from the network's namespace
net=wn$$
start_bg "$QBOX" run --name "m-$$" --net "natnet:$net" --ro-bind "$TMP/www" -- \
	busybox httpd -f -p 8080 -h "$TMP/www"
q=$BG_PID
if M=$(member_wait "$net" "m-$$" 20); then
	expect_output "a network's member: wait natnet:NAME --tcp ADDR:PORT" 0 "^\$" \
		"$QBOX" wait "natnet:$net" --tcp "$M:8080" --timeout 20
else
	fail "the member never joined"
fi
expect_output "a network without ADDR: exit 2" 2 "give ADDR:PORT for a network's member" \
	"$QBOX" wait "natnet:$net" --tcp 8080
kill -TERM "$q"
wait "$q"

# bad values
expect_output "--tcp with a port out of range: exit 2, named" 2 \
	"wait: --tcp 70000: destination port 70000 out of range" \
	"$QBOX" wait "$n" --tcp 70000 --timeout 1
expect_output "--tcp with a bad address: exit 2, named" 2 "wait: --tcp 10.0.2:80" \
	"$QBOX" wait "$n" --tcp 10.0.2:80 --timeout 1
expect_output "--banner without --tcp: exit 2" 2 "--banner goes with --tcp" \
	"$QBOX" wait "$n" --banner
expect_output "--tcp without a value: exit 2" 2 "needs a value" "$QBOX" wait "$n" --tcp
no_leftovers "nothing left behind" "$n"
