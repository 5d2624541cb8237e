#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Each network namespace has its own binding table, statistics and
# notifications: two home agents side by side in one kernel.
#
#   namespace "a": 10.4.0.1 -> 198.51.100.1, 10.4.0.2 -> 198.51.100.2
#   namespace "b": 10.4.0.1 -> 203.0.113.1 (same home address, other CoA)
#   the initial namespace: none of them
. "$(dirname "$0")/lib.sh"
require_cmd miphactl nlraw

tap_plan 13

a=$(ns_new a) || tap_bail "cannot create a namespace"
b=$(ns_new b) || tap_bail "cannot create a namespace"

mon=$TMP/monitor-b
ip netns exec "$b" miphactl monitor >"$mon" 2>&1 &
mon_pid=$!
_bg_pids="$_bg_pids $mon_pid"
monitor_wait "$b"

tap_check "add 10.4.0.1 in a" mipha_ns "$a" kernel binding add 10.4.0.1 coa 198.51.100.1 ha 192.0.2.1
tap_check "add 10.4.0.2 in a" mipha_ns "$a" kernel binding add 10.4.0.2 coa 198.51.100.2 ha 192.0.2.1
tap_check "add the same home address 10.4.0.1 in b" \
	mipha_ns "$b" kernel binding add 10.4.0.1 coa 203.0.113.1 ha 192.0.2.9
expect_eq "a sees its own care-of address" 198.51.100.1 \
	"$(nl_field "$(nlraw_ns "$a" get home=10.4.0.1)" coa)"
expect_eq "b sees its own care-of address" 203.0.113.1 \
	"$(nl_field "$(nlraw_ns "$b" get home=10.4.0.1)" coa)"
expect_eq "table sizes: a 2, b 1" "2 1" "$(stat_of "$a" bindings) $(stat_of "$b" bindings)"
expect_eq "b does not see a's 10.4.0.2" 2 \
	"$(nl_field "$(nlraw_ns "$b" get home=10.4.0.2 | tail -n 1)" errno)"
expect_eq "the initial namespace sees none of them" "0" \
	"$(dump_matching "" 'home=10\.4\.0\.')"

tap_check "flush a" mipha_ns "$a" kernel binding flush
expect_eq "flushing a left b alone" "203.0.113.1 1" \
	"$(nl_field "$(nlraw_ns "$b" get home=10.4.0.1)" coa) $(stat_of "$b" bindings)"
expect_eq "b's statistics count only b's changes" "adds=1 flushes=0" \
	"adds=$(stat_of "$b" adds) flushes=$(stat_of "$b" flushes)"

# b's own change printed, and half a second more for anything of a's that leaked.
wait_until 10000 grep -q '203\.0\.113\.1' "$mon"
sleep 0.5
kill "$mon_pid" 2>/dev/null
wait "$mon_pid" 2>/dev/null
expect_eq "b's monitor saw only b's change" "1 0" \
	"$(grep -c '203\.0\.113\.1' "$mon") $(grep -cE '198\.51\.100\.|flush' "$mon")"

ns_del "$a"
expect_eq "deleting namespace a left b's binding" 203.0.113.1 \
	"$(nl_field "$(nlraw_ns "$b" get home=10.4.0.1)" coa)"

tap_done
