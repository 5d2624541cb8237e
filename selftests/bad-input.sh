#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Bad input gets a precise errno and an extack message that points at the
# offending attribute (bad-attribute offset, or the missing attribute's type),
# and changes nothing. The requests are crafted by nlraw, below miphactl's own
# checks, so the kernel's validation is what is tested.
. "$(dirname "$0")/lib.sh"
require_cmd miphactl nlraw

tap_plan 51

ns=$(ns_new ha) || tap_bail "cannot create a namespace"
ok="coa=198.51.100.1 ha=192.0.2.1"

tap_check "a valid binding to protect" nlraw_ns "$ns" new home=10.2.0.1 \
	coa=198.51.100.1 ha=192.0.2.1 encap=2 key=7 flags=1 lifetime=3600 cookie=c0ffee
orig=$(nl_binding "$(nlraw_ns "$ns" get home=10.2.0.1)")
stats_before=$(stats_line "$ns" | sed 's/ lookup_[a-z]*=[0-9]*//g; s/ memory=[0-9]*//; s/ buckets=[0-9]*//')

# bad NAME ERRNO ATTR NLRAW-ARGS...
bad()
{
	_n=$1 _e=$2 _a=$3
	shift 3
	expect_nlerr "$_n" "$_e" "$_a" "$(nlraw_ns "$ns" "$@")"
}

# Wrong attribute lengths and types (the netlink core's strict policy checks).
bad "home address of 3 bytes: EINVAL at HOME_ADDR" 22 $A_HOME_ADDR new raw:2=0a0200 $ok
bad "care-of address of 8 bytes: EINVAL at COA" 22 $A_COA new home=10.2.0.2 u64:3=1 ha=192.0.2.1
bad "encap as u32: EINVAL at ENCAP" 22 $A_ENCAP new home=10.2.0.2 $ok u32:5=1
bad "flags as u8: EINVAL at FLAGS" 22 $A_FLAGS new home=10.2.0.2 $ok u8:7=1
bad "lifetime as u64: EINVAL at LIFETIME" 22 $A_LIFETIME new home=10.2.0.2 $ok u64:9=30
bad "unknown attribute type 99: EINVAL at it" 22 99 new home=10.2.0.2 $ok u32:99=1
# Values the policies or the command refuse.
bad "unknown flag bit 0x4: EINVAL at FLAGS" 22 $A_FLAGS new home=10.2.0.2 $ok flags=4
bad "unknown flag bit 0x80000000: EINVAL at FLAGS" 22 $A_FLAGS new home=10.2.0.2 $ok flags=0x80000000
bad "encap 0: ERANGE at ENCAP" 34 $A_ENCAP new home=10.2.0.2 $ok encap=0
bad "encap 3: ERANGE at ENCAP" 34 $A_ENCAP new home=10.2.0.2 $ok encap=3
bad "home address 0.0.0.0: EINVAL at HOME_ADDR" 22 $A_HOME_ADDR new home=0.0.0.0 $ok
bad "home address 224.0.0.1: EINVAL at HOME_ADDR" 22 $A_HOME_ADDR new home=224.0.0.1 $ok
bad "home address 255.255.255.255: EINVAL at HOME_ADDR" 22 $A_HOME_ADDR new home=255.255.255.255 $ok
bad "home address 127.0.0.1: EINVAL at HOME_ADDR" 22 $A_HOME_ADDR new home=127.0.0.1 $ok
bad "care-of address 0.0.0.0: EINVAL at COA" 22 $A_COA new home=10.2.0.2 coa=0.0.0.0 ha=192.0.2.1
bad "home link that does not exist: ENODEV at LINK" 19 $A_LINK new home=10.2.0.2 $ok link=9999
bad "cookie of 513 bytes: ERANGE at COOKIE" 34 $A_COOKIE new home=10.2.0.2 $ok cookielen=513
bad "GRE key with IPIP: EINVAL at GRE_KEY" 22 $A_GRE_KEY new home=10.2.0.2 $ok encap=1 key=5
bad "GRE key without encap (IPIP by default): EINVAL at GRE_KEY" 22 $A_GRE_KEY new home=10.2.0.2 $ok key=5
bad "lifetime 0: ERANGE at LIFETIME" 34 $A_LIFETIME new home=10.2.0.2 $ok lifetime=0
bad "lifetime over one year: ERANGE at LIFETIME" 34 $A_LIFETIME new home=10.2.0.2 $ok lifetime=31536001
bad "missing care-of address: EINVAL, names COA" 22 $A_COA new home=10.2.0.2 ha=192.0.2.1
bad "missing home agent address: EINVAL, names HA_ADDR" 22 $A_HA_ADDR new home=10.2.0.2 coa=198.51.100.1
bad "missing home address: EINVAL, names HOME_ADDR" 22 $A_HOME_ADDR new $ok
bad "replace with a bad flag: EINVAL at FLAGS" 22 $A_FLAGS new replace home=10.2.0.1 $ok flags=8
# Unknown bindings.
bad "delete of an unknown binding: ENOENT at HOME_ADDR" 2 $A_HOME_ADDR del home=10.2.0.99
bad "get of an unknown binding: ENOENT at HOME_ADDR" 2 $A_HOME_ADDR get home=10.2.0.99
bad "delete without a home address: EINVAL, names HOME_ADDR" 22 $A_HOME_ADDR del

# Nothing changed.
expect_same "the protected binding is unchanged" "$orig" \
	"$(nl_binding "$(nlraw_ns "$ns" get home=10.2.0.1)")"
expect_eq "the table holds only the protected binding" "1 10.2.0.1" \
	"$(nlraw_ns "$ns" dump | grep -c '^msg') $(nl_field "$(nlraw_ns "$ns" dump | grep '^msg')" home)"
expect_same "statistics unchanged by the refused requests" "$stats_before" \
	"$(stats_line "$ns" | sed 's/ lookup_[a-z]*=[0-9]*//g; s/ memory=[0-9]*//; s/ buckets=[0-9]*//')"

# miphactl passes the kernel's extack message on to the operator.
msg=$(nl_msg "$(nlraw_ns "$ns" del home=10.2.0.99)")
out=$(mipha_ns "$ns" kernel binding del 10.2.0.99 2>&1)
case $out in
*"$msg"*) tap_ok "miphactl prints the kernel's extack message" ;;
*) tap_fail "miphactl prints the kernel's extack message" "extack: $msg" "miphactl: $out" ;;
esac

# The boundary: a cookie of exactly MIPHA_COOKIE_MAX bytes is stored unchanged.
nlraw_ns "$ns" new home=10.2.0.3 $ok cookielen=512 >/dev/null
want=$(awk 'BEGIN { for (i = 0; i < 512; i++) printf "%02x", i % 256 }')
expect_eq "a 512-byte cookie is stored and returned unchanged" "$want" \
	"$(nl_field "$(nlraw_ns "$ns" get home=10.2.0.3)" cookie)"

# ---- BINDING_NEW_BULK: one entry's failure ends the message where it says -----
# (a namespace of its own: the checks above want theirs unchanged)
bns=$(ns_new bulk) || tap_bail "cannot create a namespace"
E=nl_hex_entry
ha=192.0.2.1 coa=198.51.100.1
# bulk_st NAME ERRNO OFFSET NLRAW-ARGS...: errno and extack offset exactly
bulk_st()
{
	_n=$1 _e=$2 _o=$3
	shift 3
	_st=$(nlraw_ns "$bns" bulk "$@" | grep '^status')
	if [ "$(nl_field "$_st" errno)" = "$_e" ] &&
		[ "$(nl_field "$_st" offset)" = "$_o" ] &&
		{ [ "$_e" = 0 ] || [ -n "$(nl_msg "$_st")" ]; }; then
		tap_ok "$_n"
		diag "$_st"
	else
		tap_fail "$_n" "expected errno $_e offset $_o: $_st"
	fi
}
bulk_homes() { nlraw_ns "$bns" dump | grep '^msg' | sed -n 's/.* home=\([0-9.]*\).*/\1/p' | sort | tr '\n' ' '; }
L=$((0x8000 | A_BINDINGS))
bulk_st "bulk: three entries installed" 0 "" \
	raw:$L="$($E 10.2.1.1 $coa $ha)$($E 10.2.1.2 $coa $ha)$($E 10.2.1.3 $coa $ha)"
# entries start at 24 (headers 20, the list's 4), 28 bytes each: the second
# entry's home address is at 24 + 28 + 4
bulk_st "bulk: a multicast home address in entry 2: EINVAL at its offset (56)" 22 56 \
	raw:$L="$($E 10.2.1.11 $coa $ha)$($E 224.0.0.9 $coa $ha)$($E 10.2.1.13 $coa $ha)"
expect_eq "bulk: the entry before it is installed, the one after it not tried" \
	"10.2.1.1 10.2.1.11 10.2.1.2 10.2.1.3 " "$(bulk_homes)"
bulk_st "bulk: an entry already bound: EEXIST at its home address (24 + 4)" 17 28 \
	raw:$L="$($E 10.2.1.1 $coa $ha)"
bulk_st "bulk: with REPLACE it replaces (errno 0)" 0 "" raw:$A_REPLACE= \
	raw:$L="$($E 10.2.1.1 198.51.100.9 $ha)"
bulk_st "bulk: REPLACE is a flag: a u8 is refused (ERANGE)" 34 20 u8:$A_REPLACE=1 \
	raw:$L="$($E 10.2.1.21 $coa $ha)"
expect_eq "bulk: the replaced binding has its new care-of address" 198.51.100.9 \
	"$(nl_field "$(nlraw_ns "$bns" get home=10.2.1.1)" coa)"
bulk_st "bulk: an entry missing its care-of address: EINVAL at the entry (24)" 22 24 \
	raw:$L="$(nl_hex_attr $((0x8000 | 1)) "$(nl_hex_attr $A_HOME_ADDR "$(nl_hex_ip 10.2.1.31)")$(nl_hex_attr $A_HA_ADDR "$(nl_hex_ip $ha)")")"
bulk_st "bulk: an entry holding BINDINGS again: EINVAL inside it (24 + 28)" 22 52 \
	raw:$L="$($E 10.2.1.32 $coa $ha "$(nl_hex_attr $L "")")"
bulk_st "bulk: an entry without NLA_F_NESTED: EINVAL at it (24)" 22 24 \
	raw:$L="$(nl_hex_attr 1 "$(nl_hex_attr $A_HOME_ADDR "$(nl_hex_ip 10.2.1.33)")")"
bulk_st "bulk: two stray bytes after the last entry: EINVAL at the list (20), nothing tried" 22 20 \
	raw:$L="$($E 10.2.1.34 $coa $ha)0000"
# an entry of 33 bytes ending in a one-byte ENCAP: the list ends before its padding
bulk_st "bulk: an entry whose last attribute is unpadded is taken (errno 0)" 0 "" \
	raw:$L="21000180$(nl_hex_attr $A_HOME_ADDR "$(nl_hex_ip 10.2.1.4)")$(
		nl_hex_attr $A_COA "$(nl_hex_ip $coa)")$(nl_hex_attr $A_HA_ADDR "$(nl_hex_ip $ha)")0500050001"
expect_nlerr "bulk: without BINDINGS: EINVAL, names BINDINGS" 22 $A_BINDINGS \
	"$(nlraw_ns "$bns" bulk)"
expect_nlerr "BINDING_NEW with BINDINGS: refused, at BINDINGS" 22 $A_BINDINGS \
	"$(nlraw_ns "$bns" new home=10.2.1.35 $ok raw:$L="$($E 10.2.1.36 $coa $ha)")"
expect_nlerr "BINDING_NEW with REPLACE: refused, at REPLACE" 22 $A_REPLACE \
	"$(nlraw_ns "$bns" new home=10.2.1.37 $ok raw:$A_REPLACE=)"
expect_eq "bulk: nothing else was installed by the refused ones" \
	"10.2.1.1 10.2.1.11 10.2.1.2 10.2.1.3 10.2.1.4 " "$(bulk_homes)"

# The policy dump tells a client the limit (6.1 reports a binary's maximum
# length for a range policy only, not for NLA_POLICY_MAX).
name="the policy dump gives COOKIE's maximum length, 512 (genl ctrl policy)"
if pol=$(ip netns exec "$ns" genl ctrl policy name mipha 2>&1); then
	expect_match "$name" "attr\\[$A_COOKIE\\]: type=BINARY.*max len:512" "$pol"
else
	tap_skip "$name" "genl ctrl policy failed: $pol"
fi

tap_done
