#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# GRE forwarding (RFC 2784) with and without a key (RFC 2890), both ways,
# read and written by the mobile node's own kernel gre device; the tunnel MTU
# GRE leaves (24 bytes of headers, 28 with a key); a live switch of a binding
# from one encapsulation to another; ipip and gre bindings side by side.
# Topology: lib-fastpath.sh.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-fastpath.sh"
require_cmd miphactl tcpdump ping jq

tap_plan 17

mipha_load || tap_bail "cannot load mipha"
fp_topo || tap_bail "cannot build the topology"
fp_mn_tunnel gre || tap_bail "cannot create the MN's gre tunnel"

REQ='IP 10\.9\.1\.2 > 10\.9\.0\.100: ICMP echo request'
REP='IP 10\.9\.0\.100 > 10\.9\.1\.2: ICMP echo reply'

# --- GRE without a key -----------------------------------------------------------------
phase "GRE without a key"
tap_check "bind $HOA (gre, no key, reverse tunnel)" ha_bind $HOA encap gre reverse-tunnel
# One capture of mn0 for the whole test; each step reads its window.
cap_start mn "$MN" mn0 && cap_start mip "$MN" mip0 || tap_bail "cannot capture"
t0=$(mark)
expect_eq "gre: correspondent <-> mobile node, 5 of 5 pings answered" 5 "$(pings "$CN" 5 $HOA)"
win "$t0" "$(mark)"
cap_stop mip
expect_cap "gre: HA address -> care-of address, GRE without key, inner intact" \
	mn 5 "IP 10\.9\.0\.1 > 10\.9\.3\.2: GREv0, length [0-9]+: $REQ"
expect_cap "gre: the MN's replies come back in GRE (reverse tunnel) and were accepted" \
	mn 5 "IP 10\.9\.3\.2 > 10\.9\.0\.1: GREv0, length [0-9]+: $REP"
expect_cap "gre: inner TTL decremented by the HA (63 at the MN)" \
	mip 5 "ttl 63, id [0-9]+, offset 0, flags \[DF\], proto ICMP \(1\), length 84\) 10\.9\.1\.2 > 10\.9\.0\.100: ICMP echo request" -v
out=$(nsx "$CN" ping -n -c 2 -i 0.5 -W 2 -M do -s 1472 $HOA 2>&1)
expect_match "gre: DF packet over the tunnel MTU gets frag-needed mtu 1476 (1500 - 24)" \
	'mtu ?= ?1476' "$out"

# --- GRE with a key ----------------------------------------------------------------------
phase "GRE with a key"
tap_check "replace: gre with key 42" \
	ha_ctl kernel binding replace $HOA coa $COA ha $HA_ADDR encap gre key 42 reverse-tunnel
fp_mn_tunnel gre 42 || tap_bail "cannot create the MN's keyed gre tunnel"
ip -n "$CN" route flush cache
t0=$(mark)
expect_eq "gre key 42: 5 of 5 pings answered" 5 "$(pings "$CN" 5 $HOA)"
win "$t0" "$(mark)"
expect_cap "gre key 42: key=0x2a in what the HA sends" \
	mn 5 "IP 10\.9\.0\.1 > 10\.9\.3\.2: GREv0, key=0x2a, length [0-9]+: $REQ"
expect_cap "gre key 42: keyed GRE from the MN accepted as reverse tunnel" \
	mn 5 "IP 10\.9\.3\.2 > 10\.9\.0\.1: GREv0, key=0x2a, length [0-9]+: $REP"
out=$(nsx "$CN" ping -n -c 2 -i 0.5 -W 2 -M do -s 1460 $HOA 2>&1)
expect_match "gre key: DF packet over the tunnel MTU gets frag-needed mtu 1472 (1500 - 28)" \
	'mtu ?= ?1472' "$out"

# The key is what the MN's device checks: with another key it sees nothing.
fp_mn_tunnel gre 43 || tap_bail "cannot create the MN's gre tunnel"
expect_eq "the MN's gre device keyed 43 takes none of the HA's key-42 packets" 0 \
	"$(pings "$CN" 2 $HOA -W 1)"

# --- switching encapsulation live, and both side by side -------------------------------
phase "switching encapsulation live, and both side by side"
tx0=$(ha_bstat $HOA tx_packets)
tap_check "replace: back to ipip, counters carried over" \
	ha_ctl kernel binding replace $HOA coa $COA ha $HA_ADDR reverse-tunnel
fp_mn_tunnel ipip || tap_bail "cannot create the MN's ipip tunnel"
ip -n "$CN" route flush cache
expect_eq "ipip after gre: 3 of 3 pings answered" 3 "$(pings "$CN" 3 $HOA)"
expect_ge "per-binding tx_packets kept across the replaces ($tx0 before)" $((tx0 + 3)) \
	"$(ha_bstat $HOA tx_packets)"

# A second home address on a GRE tunnel of the same MN, with its own routing.
ip -n "$MN" link add name mip1 type gre local $COA remote $HA_ADDR key 7 &&
	ip -n "$MN" link set mip1 up && ip -n "$MN" addr add 10.9.0.101/32 dev mip1 &&
	ip -n "$MN" rule add from 10.9.0.101 table 101 &&
	ip -n "$MN" route add default dev mip1 table 101
tap_check "bind 10.9.0.101 (gre key 7) beside $HOA (ipip)" \
	ha_bind 10.9.0.101 encap gre key 7 reverse-tunnel
t0=$(mark)
a=$(pings "$CN" 3 $HOA) b=$(pings "$CN" 3 10.9.0.101)
win "$t0" "$(mark)"
expect_eq "ipip and gre bindings side by side: 3 and 3 pings answered, each in its own encapsulation" \
	"3 3 yes yes" "$a $b $([ "$(cap_count mn "IP 10\.9\.0\.1 > 10\.9\.3\.2: $REQ")" -ge 3 ] && echo yes || echo no) $([ "$(cap_count mn "GREv0, key=0x7, length [0-9]+: IP 10\.9\.1\.2 > 10\.9\.0\.101")" -ge 3 ] && echo yes || echo no)"

phase "end"
tap_done
