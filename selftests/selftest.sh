#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The binding table's tests (kmod/binding_table_test.c, as WireGuard checks
# allowedips): a randomized run against a naive reference, and the same churn
# with a concurrent RCU reader during resizes. They are a KUnit suite where
# the kernel has KUnit; Debian's 6.1 and the debug kernel do not, and there
# mipha_table_test.ko runs them at load and logs KTAP, failing the load if a
# case failed. This script loads it and checks its KTAP in the kernel log.
# The module prints each case's seed; MIPHA_TABLE_TEST_SEED=N passes it back
# (insmod ... seed=N) to rerun a failing case.
. "$(dirname "$0")/lib.sh"

tap_plan 5

ko=${MIPHA_TABLE_TEST_KO:-$SELFTESTS_DIR/../mipha_table_test.ko}
[ -f "$ko" ] || tap_bail "no $ko: build it with make"
grep -q '^CONFIG_KUNIT=[ym]' "/boot/config-$(uname -r)" 2>/dev/null &&
	diag "this kernel has KUnit: the suite also runs through it"

marker="mipha-table-test-marker-$$"
echo "$marker" >/dev/kmsg
out=$(insmod "$ko" ${MIPHA_TABLE_TEST_SEED:+seed=$MIPHA_TABLE_TEST_SEED} 2>&1)
tap_result "mipha_table_test.ko loads (its init fails if a case fails)" $? "$out"
rmmod mipha_table_test 2>/dev/null

log=$(dmesg | sed -n "/$marker/,\$p" | grep 'mipha_table_test: ' | sed 's/.*mipha_table_test: //')
diag "$(printf '%s\n' "$log" | grep '#')"
expect_match "random_vs_reference passed (KTAP)" '^    ok [0-9]+ random_vs_reference$' "$log"
if printf '%s\n' "$log" | grep -qE '^    ok [0-9]+ reader_during_resize # SKIP'; then
	tap_skip "reader_during_resize passed (KTAP)" "$(nproc) CPU online: the reader needs its own"
else
	expect_match "reader_during_resize passed (KTAP): walks during resizes saw every stable key once, lookups found them, no wrong key" \
		'^    ok [0-9]+ reader_during_resize$' "$log"
fi
expect_match "colliding_keys passed (KTAP): keys of one bucket make the table draw a new hash seed" \
	'^    ok [0-9]+ colliding_keys$' "$log"
if printf '%s\n' "$log" | grep -q 'not ok'; then
	tap_fail "the suite passed (KTAP), no case failed" "$log"
else
	expect_match "the suite passed (KTAP), no case failed" '^ok 1 mipha_binding_table$' "$log"
fi

tap_done
