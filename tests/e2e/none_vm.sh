#!/usr/bin/env bash
# --net none (VirtualBox "not attached"): QEMU gets -nic none, the guest has
# no NIC and no route out.
. "$(dirname "$0")/../lib.sh"

cat >"$TMP/guest.sh" <<'EOS'
echo "LINKS: $(ls /sys/class/net | tr '\n' ' ')"
echo "ROUTES: $(ip route | wc -l)"
timeout 5 wget -q -O - http://10.0.2.2:1/ >/dev/null 2>&1
echo "WGET: $?"
EOS
vm_run "$TMP/console" "$TMP/guest.sh" --net none
rc=$?
check "qbox exits 0 when the guest powers off" test $rc -eq 0
vm_check "guest has only lo" "$TMP/console" "^LINKS: lo \$"
vm_check "guest has no route" "$TMP/console" "^ROUTES: 0\$"
vm_check "guest cannot reach 10.0.2.2" "$TMP/console" "^WGET: [1-9]"
no_leftovers "nothing left behind" "qemu-system"
