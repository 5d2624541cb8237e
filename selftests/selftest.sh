#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The module's randomized self-test (the binding table against a naive
# reference, as WireGuard checks allowedips) runs when the module is loaded
# with selftest=1; it logs "mipha: selftest: ... pass" and fails the load if
# it fails.
. "$(dirname "$0")/lib.sh"

tap_plan 4

# autoload.sh (or run-in-vm.sh -i) loaded it.
mipha_loaded && mipha_unload
tap_result "module was loaded and unloads" $? "$(lsmod | grep mipha)"

marker="mipha-selftest-marker-$$"
echo "$marker" >/dev/kmsg
out=$(mipha_load selftest=1 2>&1)
tap_result "loading with selftest=1 succeeds (init fails if the self-test fails)" $? "$out"

log=$(dmesg | sed -n "/$marker/,\$p")
if ! printf '%s\n' "$log" | grep -qE 'mipha: selftest: .*pass'; then
	tap_fail "dmesg reports the self-test passed, and no failure" "$log"
elif printf '%s\n' "$log" | grep -iE 'mipha: selftest: .*fail'; then
	tap_fail "dmesg reports the self-test passed, and no failure" "$log"
else
	tap_ok "dmesg reports the self-test passed, and no failure"
fi
diag "$(printf '%s\n' "$log" | grep 'mipha:' | cut -c1-200)"

mipha_unload && mipha_load
tap_result "module reloads without the self-test" $? "$(lsmod | grep mipha)"

tap_done
