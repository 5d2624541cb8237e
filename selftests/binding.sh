#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Binding add / get / replace / delete / flush through miphactl, with every
# field read back from the kernel by nlraw (independent of miphactl's output),
# the table statistics and the notifications each change sends.
#
#   namespace "ha": home0 (dummy, the home link), the binding table
. "$(dirname "$0")/lib.sh"
require_cmd miphactl nlraw jq

tap_plan 35

ns=$(ns_new ha) || tap_bail "cannot create a namespace"
ip -n "$ns" link add home0 type dummy
ip -n "$ns" link set home0 up
ip -n "$ns" addr add 192.0.2.1/24 dev home0
ifindex=$(ip netns exec "$ns" cat /sys/class/net/home0/ifindex)

mon=$TMP/monitor
ip netns exec "$ns" miphactl monitor >"$mon" 2>&1 &
mon_pid=$!
_bg_pids="$_bg_pids $mon_pid"
monitor_wait "$ns" # it listens before the first change

# --- add: every field comes back exactly ---------------------------------------
tap_check "add with every field" mipha_ns "$ns" kernel binding add 10.1.0.1 \
	coa 198.51.100.7 ha 192.0.2.1 encap gre key 4242 lifetime 3600 \
	reverse-tunnel link home0 cookie 00deadbeef
got=$(nlraw_ns "$ns" get home=10.1.0.1)
expect_eq "get returns every field as added" \
	"10.1.0.1 198.51.100.7 192.0.2.1 2 4242 1 $ifindex 00deadbeef" "$(nl_binding "$got")"
exp=$(nl_field "$got" expires_ms)
if [ -n "$exp" ] && [ "$exp" -gt 3580000 ] && [ "$exp" -le 3600000 ]; then
	tap_ok "expires_ms counts down from the lifetime"
else
	tap_fail "expires_ms counts down from the lifetime" "expires_ms=$exp in: $got"
fi

j=$(mipha_ns "$ns" -j kernel binding get 10.1.0.1)
expect_eq "miphactl -j get shows the same fields" \
	"10.1.0.1 198.51.100.7 192.0.2.1 gre 4242 reverse-tunnel home0 $ifindex 00deadbeef" \
	"$(printf '%s' "$j" | jq -r '[.home_addr, .coa, .ha_addr, .encap, .gre_key,
		(.flags | join(",")), .link, .ifindex, .cookie] | map(tostring) | join(" ")' 2>&1)"
txt=$(mipha_ns "$ns" kernel binding get 10.1.0.1)
if echo "$txt" | grep -qx '10\.1\.0\.1:' &&
	echo "$txt" | grep -q '^ *Care-of Addr 198\.51\.100\.7, HA Addr 192\.0\.2\.1'; then
	tap_ok "miphactl get shows the binding as a show ip mobile binding block"
else
	tap_fail "miphactl get shows the binding as a show ip mobile binding block" "$txt"
fi

tap_check "add a minimal binding (defaults)" mipha_ns "$ns" kernel binding add \
	10.1.0.2 coa 198.51.100.8 ha 192.0.2.1
got=$(nlraw_ns "$ns" get home=10.1.0.2)
expect_eq "defaults: ipip, no key, no flags, no link, no cookie" \
	"10.1.0.2 198.51.100.8 192.0.2.1 1 - 0 0 -" "$(nl_binding "$got")"
exp=$(nl_field "$got" expires_ms)
expect_eq "no lifetime: no expiry" "10.1.0.2 none" "$(nl_field "$got" home) ${exp:-none}"

# --- duplicates ----------------------------------------------------------------
out=$(nlraw_ns "$ns" new home=10.1.0.1 coa=198.51.100.9 ha=192.0.2.1)
expect_eq "duplicate add: EEXIST" 17 "$(nl_field "$(echo "$out" | tail -n 1)" errno)"
out=$(mipha_ns "$ns" kernel binding add 10.1.0.1 coa 198.51.100.9 ha 192.0.2.1 2>&1)
st=$?
if [ $st -ne 0 ] && echo "$out" | grep -q 'File exists'; then
	tap_ok "miphactl duplicate add fails with File exists"
else
	tap_fail "miphactl duplicate add fails with File exists" "exit $st: $out"
fi
expect_eq "duplicate add changed nothing" "198.51.100.7" \
	"$(nl_field "$(nlraw_ns "$ns" get home=10.1.0.1)" coa)"

# --- replace ---------------------------------------------------------------------
# Counters only move when packets are tunnelled. Send some towards the home
# address; if nothing counts them (no fast path in this module), the
# carry-over cannot be observed and is skipped, not passed.
ip -n "$ns" route add 198.51.100.0/24 dev home0
ip -n "$ns" route add 10.1.0.0/16 dev home0
ip netns exec "$ns" ping -c 3 -i 0.2 -W 1 10.1.0.1 >/dev/null 2>&1
before=$(nlraw_ns "$ns" get home=10.1.0.1)
tx_before=$(nl_field "$before" tx_packets)
tap_check "replace" mipha_ns "$ns" kernel binding replace 10.1.0.1 \
	coa 203.0.113.5 ha 192.0.2.1 encap ipip lifetime 600
got=$(nlraw_ns "$ns" get home=10.1.0.1)
expect_eq "replace changed the fields (and dropped the key, flags, link, cookie)" \
	"10.1.0.1 203.0.113.5 192.0.2.1 1 - 0 0 -" "$(nl_binding "$got")"
exp=$(nl_field "$got" expires_ms)
if [ -n "$exp" ] && [ "$exp" -gt 590000 ] && [ "$exp" -le 600000 ]; then
	tap_ok "replace set the new lifetime"
else
	tap_fail "replace set the new lifetime" "expires_ms=$exp"
fi
if [ "${tx_before:-0}" -gt 0 ]; then
	expect_eq "replace kept the counters" \
		"$(nl_field "$before" tx_packets) $(nl_field "$before" tx_bytes)" \
		"$(nl_field "$got" tx_packets) $(nl_field "$got" tx_bytes)"
else
	tap_skip "replace kept the counters" "no packet was tunnelled (tx_packets=${tx_before:-absent}), nothing to carry over"
fi
tap_check "replace of an unbound home address creates it" mipha_ns "$ns" \
	kernel binding replace 10.1.0.3 coa 203.0.113.6 ha 192.0.2.1
expect_eq "created by replace: readable" "10.1.0.3 203.0.113.6" \
	"$(nl_field "$(nlraw_ns "$ns" get home=10.1.0.3)" home) $(nl_field "$(nlraw_ns "$ns" get home=10.1.0.3)" coa)"

# --- list ------------------------------------------------------------------------
expect_eq "list shows exactly the three bindings" "10.1.0.1 10.1.0.2 10.1.0.3" \
	"$(mipha_ns "$ns" -j kernel binding list | jq -r '.[].home_addr' | sort | tr '\n' ' ' | sed 's/ $//')"
expect_eq "list coa filter" "10.1.0.3" \
	"$(mipha_ns "$ns" -j kernel binding list coa 203.0.113.6 | jq -r '.[].home_addr' | tr '\n' ' ' | sed 's/ $//')"
tap_check "add a binding on home0" mipha_ns "$ns" kernel binding add 10.1.0.4 \
	coa 203.0.113.7 ha 192.0.2.1 link home0
expect_eq "list link filter" "10.1.0.4" \
	"$(mipha_ns "$ns" -j kernel binding list link home0 | jq -r '.[].home_addr' | tr '\n' ' ' | sed 's/ $//')"
expect_eq "text list shows the four bindings" "4" \
	"$(mipha_ns "$ns" kernel binding list | grep -cE '^10\.1\.0\.[0-9]+:')"

# --- delete ----------------------------------------------------------------------
present_before=$(nl_field "$(nlraw_ns "$ns" get home=10.1.0.2 | tail -n 1)" errno)
tap_check "delete" mipha_ns "$ns" kernel binding del 10.1.0.2
expect_eq "deleted binding is gone: get found it before, ENOENT after" "0 2" \
	"$present_before $(nl_field "$(nlraw_ns "$ns" get home=10.1.0.2 | tail -n 1)" errno)"
expect_eq "delete of an unknown binding: ENOENT" 2 \
	"$(nl_field "$(nlraw_ns "$ns" del home=10.1.0.2 | tail -n 1)" errno)"
out=$(mipha_ns "$ns" kernel binding del 10.1.0.2 2>&1)
st=$?
expect_match "miphactl delete of an unknown binding fails with No such file or directory" \
	'^1 .*No such file or directory' "$st $out"
out=$(mipha_ns "$ns" kernel binding get 10.1.0.99 2>&1)
st=$?
expect_match "miphactl get of an unknown binding fails with No such file or directory" \
	'^1 .*No such file or directory' "$st $out"

# --- flush and statistics --------------------------------------------------------
out=$(nlraw_ns "$ns" flush)
expect_eq "flush reports how many bindings it removed" 3 \
	"$(nl_field "$(echo "$out" | grep '^msg')" flush_count)"
# miphactl's exit status and error text go into what is compared: a failure
# here must say why, not just show an empty list.
out=$(mipha_ns "$ns" -j kernel binding list 2>"$TMP/list.err")
st=$?
expect_eq "table empty after flush" "[] exit 0" \
	"$(echo "$out" | jq -c . 2>&1) exit $st$(sed 's/^/ | /' "$TMP/list.err")"
tap_check "flush of an empty table succeeds" mipha_ns "$ns" kernel binding flush
st=$(stats_line "$ns")
# adds: 10.1.0.1, .2, .3 (replace that created), .4; replaces: one; deletes: one.
expect_eq "statistics count every change" \
	"bindings=0 adds=4 replaces=1 deletes=1 expiries=0 flushes=2" \
	"$(for k in bindings adds replaces deletes expiries flushes; do
		printf '%s=%s ' $k "$(nl_field "$st" $k)"; done | sed 's/ $//')"
jst=$(mipha_ns "$ns" -j kernel stats)
expect_eq "miphactl -j stats agrees" "0 4 1 1 2" \
	"$(printf '%s' "$jst" | jq -r '[.bindings, .adds, .replaces, .deletes, .flushes] | map(tostring) | join(" ")' 2>&1)"
# The data path's lookups are the three pings to 10.1.0.1 above, all hits;
# every GET (of bound addresses and of unknown ones) is a control-path read.
expect_eq "GETs are not counted as data-path lookups (lookup_hits 3: the pings, lookup_misses 0)" "3 0" \
	"$(printf '%s' "$jst" | jq -r '[.lookup_hits, .lookup_misses] | map(tostring) | join(" ")' 2>&1)"

# --- notifications ---------------------------------------------------------------
# The last change was the second flush: once the monitor printed it, it printed all.
wait_until 10000 sh -c "[ \$(grep -ci flushed '$mon') -ge 2 ]"
kill "$mon_pid" 2>/dev/null
wait "$mon_pid" 2>/dev/null
ev() { grep -ciE "$1" "$mon"; }
expect_eq "monitor: one notification per change (4 added, 1 replaced, 1 deleted, 2 flushed), none for failed ones" \
	"4 1 1 2 0" "$(ev added) $(ev replaced) $(ev deleted) $(ev flushed) $(grep -c '198\.51\.100\.9' "$mon")"
expect_match "monitor: the replace notification carries the new care-of address" \
	'replaced.*10\.1\.0\.1.*203\.0\.113\.5|10\.1\.0\.1.*203\.0\.113\.5.*replaced' \
	"$(grep -i replaced "$mon")"
diag "monitor output:" "$(cat "$mon")"

tap_done
