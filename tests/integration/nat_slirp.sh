#!/usr/bin/env bash
# tests/integration/nat.sh again, with libslirp's path as the NAT's default egress
# (QBOX_TEST_EGRESS=slirp, plan/plan.c): what it checks holds on both
# paths (the kernel's is the default; tests/integration/egress_path.sh)
QBOX_TEST_EGRESS=slirp exec bash "$(dirname "$0")/nat.sh" "$@"
