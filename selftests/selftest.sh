#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The module's randomized self-test (the binding table against a naive
# reference, as WireGuard checks allowedips) runs when the module is loaded
# with selftest=1; it logs "mipha: selftest: ... pass" and fails the load if
# it fails.
. "$(dirname "$0")/lib.sh"

tap_plan 5

tap_check "module unloads" mipha_unload

marker="mipha-selftest-marker-$$"
echo "$marker" >/dev/kmsg
out=$(mipha_load selftest=1 2>&1)
tap_result "loading with selftest=1 succeeds (init fails if the self-test fails)" $? "$out"

log=$(dmesg | sed -n "/$marker/,\$p")
expect_match "dmesg reports the self-test passed" 'mipha: selftest: .*pass' "$log"
if printf '%s\n' "$log" | grep -iE 'mipha: selftest: .*fail'; then
	tap_fail "dmesg reports no self-test failure" "$log"
else
	tap_ok "dmesg reports no self-test failure"
fi
diag "$(printf '%s\n' "$log" | grep 'mipha:' | cut -c1-200)"

mipha_unload && mipha_load
tap_result "module reloads without the self-test" $? "$(lsmod | grep mipha)"

tap_done
