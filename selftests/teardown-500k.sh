#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# rmmod with 500,000 bindings installed (and some in other namespaces) frees
# everything without a kernel warning (run-in-vm.sh checks the kernel log);
# the module then loads again with empty tables. Runs last: it unloads the
# module.
. "$(dirname "$0")/lib.sh"
require_cmd miphactl nlraw

N=${MIPHA_SCALE:-500000}
tap_plan 8

mipha_load
big=$(ns_new big) || tap_bail "cannot create a namespace"
small=$(ns_new small) || tap_bail "cannot create a namespace"
batch=$(gen_bindings_cached $N) || tap_bail "cannot generate the bindings"
t=$(now_ms)
out=$(mipha_ns "$big" -b "$batch" 2>&1)
tap_result "install $N bindings" $? "$out"
diag "install: $(($(now_ms) - t)) ms"
head -n 100 "$batch" >"$TMP/small"
mipha_ns "$small" -b "$TMP/small" && miphactl -b "$TMP/small"
tap_result "and 100 in another namespace and in the initial one" $?
expect_eq "table sizes" "$N 100 100" \
	"$(stat_of "$big" bindings) $(stat_of "$small" bindings) $(nl_field "$(nlraw stats | grep '^msg')" bindings)"

t=$(now_ms)
out=$(rmmod mipha 2>&1)
tap_result "rmmod with $N bindings installed" $? "$out"
diag "rmmod: $(($(now_ms) - t)) ms"
if mipha_loaded || grep -q '^mipha' /proc/slabinfo; then
	tap_fail "module and its slab caches are gone" "$(grep '^mipha' /proc/slabinfo)"
else
	tap_ok "module and its slab caches are gone"
fi

tap_check "module loads again" mipha_load
expect_eq "tables start empty after the reload" "0 0 0" \
	"$(stat_of "$big" bindings) $(stat_of "$small" bindings) $(nl_field "$(nlraw stats | grep '^msg')" bindings)"
mipha_ns "$big" kernel binding add 10.7.0.1 coa 198.51.100.1 ha 192.0.2.1 &&
	[ "$(nl_field "$(nlraw_ns "$big" get home=10.7.0.1)" coa)" = 198.51.100.1 ]
tap_result "the reloaded module works" $?
miphactl kernel binding flush >/dev/null

tap_done
