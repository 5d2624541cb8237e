#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The module is installed but not loaded (run-in-vm.sh); the first use of the
# "mipha" generic netlink family must load it, through the module alias
# net-pf-16-proto-16-family-mipha that MODULE_ALIAS_GENL_FAMILY declares.
. "$(dirname "$0")/lib.sh"
require_cmd miphactl nlraw genl modprobe

tap_plan 6

if [ "${MIPHA_LOAD_MODE:-}" = insmod ]; then
	tap_skip_rest "module loaded with insmod (run-in-vm.sh -i), not installed"
fi

expect_eq "module installed under /lib/modules resolves the family alias" \
	mipha "$(modprobe -R net-pf-16-proto-16-family-mipha 2>&1)"

if mipha_loaded; then
	tap_fail "module not loaded before the first use" "$(lsmod | grep mipha)"
else
	tap_ok "module not loaded before the first use"
fi

out=$(miphactl kernel stats 2>&1)
st=$?
tap_result "first miphactl use succeeds" $st "$out"

if mipha_loaded; then
	tap_ok "first miphactl use loaded the module"
else
	tap_fail "first miphactl use loaded the module" "lsmod: $(lsmod | head -n 5)"
fi

family=$(genl ctrl get name mipha 2>&1)
expect_match "family mipha is version 1 with multicast group bindings" \
	'Version: 0x1 .*name: bindings' "$(echo "$family" | tr '\n\t' '  ')"

ns=$(ns_new fresh)
expect_eq "a new namespace starts with an empty table" 0 "$(stat_of "$ns" bindings)"

tap_done
