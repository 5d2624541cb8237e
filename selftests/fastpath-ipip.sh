#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# IP-in-IP forwarding (RFC 2003) and reverse tunnelling (RFC 3024) through a
# mipha home agent, checked on the wire: the mobile node's own kernel ipip
# device decapsulates what the HA sends and builds what it reverse tunnels.
# Router semantics at the tunnel entry: inner TTL, DF, TOS/ECN (RFC 6040),
# time exceeded, fragmentation, frag-needed. The HA's own traffic (LOCAL_OUT),
# a virtual-network home address, per-binding and namespace counters, loop
# detection, and mipha's hooks being on the packet path only while the
# namespace has bindings. Topology: lib-fastpath.sh.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-fastpath.sh"
require_cmd miphactl tcpdump ping jq

tap_plan 45

mipha_load || tap_bail "cannot load mipha"
fp_topo || tap_bail "cannot build the topology"
fp_mn_tunnel ipip || tap_bail "cannot create the MN's ipip tunnel"

# --- hooks only while there are bindings ------------------------------------------
phase "hooks only while there are bindings"
if trace_usable; then
	expect_off_path "no bindings: mipha is not on the packet path (traced calls)"
else
	tap_skip "no bindings: mipha is not on the packet path (traced calls)" "no ftrace"
fi

tap_check "bind $HOA (ipip, reverse tunnel, home link home0)" \
	ha_bind $HOA reverse-tunnel link home0

if trace_usable; then
	n=$(trace_mipha_calls pings "$CN" 5 $H1_ADDR)
	expect_ge "with a binding: mipha's hooks see forwarded packets (traced calls)" 1 "$n"
else
	tap_skip "with a binding: mipha's hooks see forwarded packets (traced calls)" "no ftrace"
fi

# --- forwarding and reverse tunnel, on the wire --------------------------------------
phase "forwarding and reverse tunnel, on the wire"
st0_tx=$(ha_stat tx_packets) st0_rx=$(ha_stat rx_packets)
# One capture per interface for the whole test; each step reads its window.
cap_start mn "$MN" mn0 && cap_start mip "$MN" mip0 && cap_start cn "$CN" cn0 ||
	tap_bail "cannot capture"
t0=$(mark)
expect_eq "correspondent -> mobile node: 5 of 5 pings answered" 5 "$(pings "$CN" 5 $HOA)"
expect_eq "TTL 2 reaches the mobile node (inner TTL decremented once, outer TTL fresh)" 1 \
	"$(pings "$CN" 1 $HOA -t 2 -s 500)"
pings "$CN" 1 $HOA -M do -s 200 >/dev/null
pings "$CN" 1 $HOA -M dont -s 300 >/dev/null
pings "$CN" 1 $HOA -Q 0xb8 -s 400 >/dev/null
pings "$CN" 1 $HOA -Q 0xba -s 401 >/dev/null
pings "$CN" 1 $HOA -Q 0xb9 -s 402 >/dev/null
pings "$CN" 1 $HOA -Q 0xbb -s 403 >/dev/null
expect_eq "a non-DF packet over the tunnel MTU is fragmented and delivered" 1 \
	"$(pings "$CN" 1 $HOA -M dont -s 1472)"
win "$t0" "$(mark)"

REQ='10\.9\.1\.2 > 10\.9\.0\.100: ICMP echo request'
OUT='proto IPIP \(4\), length [0-9]+\) 10\.9\.0\.1 > 10\.9\.3\.2: '
expect_cap "outer header: 10.9.0.1 (HA address) -> 10.9.3.2 (care-of), IPIP, inner intact" \
	mn 5 "IP 10\.9\.0\.1 > 10\.9\.3\.2: IP $REQ, id [0-9]+, seq [0-9]+, length 64$"
expect_cap "inner TTL 64 -> 63 at the mobile node (decremented by the HA)" \
	mip 5 "ttl 63, id [0-9]+, offset 0, flags \[DF\], proto ICMP \(1\), length 84\) $REQ" -v
expect_cap "DF copied to the outer header" \
	mn 1 "flags \[DF\], ${OUT}.*$REQ, id [0-9]+, seq [0-9]+, length 208$" -v
expect_cap "no DF inside: none outside" \
	mn 1 "flags \[none\], ${OUT}.*$REQ, id [0-9]+, seq [0-9]+, length 308$" -v
CAP_CTX='length 40[89]$|length 41[01]$'
expect_cap "DSCP copied to the outer header (tos 0xb8)" \
	mn 1 "IP \(tos 0xb8, ttl [0-9]+, id [0-9]+, offset 0, flags \[[A-Za-z+]*\], ${OUT}.*length 408$" -v
expect_cap "ECT(0) copied to the outer header (RFC 6040 normal mode)" \
	mn 1 "IP \(tos 0xba,ECT\(0\), ttl [0-9]+, id [0-9]+, offset 0, flags \[[A-Za-z+]*\], ${OUT}.*length 409$" -v
expect_cap "ECT(1) copied to the outer header" \
	mn 1 "IP \(tos 0xb9,ECT\(1\), ttl [0-9]+, id [0-9]+, offset 0, flags \[[A-Za-z+]*\], ${OUT}.*length 410$" -v
expect_cap "CE copied to the outer header (RFC 6040 normal mode, not reset to ECT(0))" \
	mn 1 "IP \(tos 0xbb,CE, ttl [0-9]+, id [0-9]+, offset 0, flags \[[A-Za-z+]*\], ${OUT}.*length 411$" -v
CAP_CTX=
expect_cap "the 1500-byte non-DF packet left the HA in fragments" \
	mn 1 "flags \[\+\].*10\.9\.0\.1 > 10\.9\.3\.2|10\.9\.0\.1 > 10\.9\.3\.2.*flags \[\+\]" -v
expect_cap "mobile node -> correspondent: replies reverse tunnelled by the MN's ipip device" \
	mn 5 "IP 10\.9\.3\.2 > 10\.9\.0\.1: IP 10\.9\.0\.100 > 10\.9\.1\.2: ICMP echo reply"
expect_cap "the HA decapsulates them and forwards them (ttl 63 at the correspondent)" \
	cn 5 "ttl 63, id [0-9]+, offset 0, flags \[[A-Za-z+]*\], proto ICMP \(1\), length 84\) 10\.9\.0\.100 > 10\.9\.1\.2: ICMP echo reply" -v
expect_cap "nothing encapsulated reaches the correspondent" cn 0 "IPIP|ip-proto-4" -v

tx=$(ha_bstat $HOA tx_packets) rx=$(ha_bstat $HOA rx_packets)
expect_ge "binding counters: tunnelled packets (tx_packets $tx)" 13 "$tx"
expect_ge "binding counters: reverse-tunnelled packets (rx_packets $rx)" 12 "$rx"
expect_ge "binding counters: bytes (tx_bytes)" $((13 * 84)) "$(ha_bstat $HOA tx_bytes)"
dtx=$(delta "$(ha_stat tx_packets)" "$st0_tx") drx=$(delta "$(ha_stat rx_packets)" "$st0_rx")
expect_ge "namespace counters: tx_packets grew ($dtx)" 13 "$dtx"
expect_ge "namespace counters: rx_packets grew ($drx)" 12 "$drx"
txt=$(ha_ctl kernel binding get $HOA)
expect_match "miphactl binding get shows the counters" \
	"Tunnelled [1-9][0-9]* packets [1-9][0-9]* bytes, Reverse [1-9][0-9]* packets" "$txt"

# --- frag-needed and time exceeded ---------------------------------------------------
phase "frag-needed and time exceeded"
tb0=$(ha_stat drop_too_big)
out=$(nsx "$CN" ping -n -c 2 -i 0.5 -W 2 -M do -s 1472 $HOA 2>&1)
expect_match "DF packet over the tunnel MTU: frag-needed with mtu 1480 (1500 - 20)" \
	'mtu ?= ?1480' "$out"
expect_ge "counted as drop_too_big" 1 "$(delta "$(ha_stat drop_too_big)" "$tb0")"

ttl0=$(ha_stat drop_ttl) ie0=$(ha_stat icmp_errors)
t0=$(mark)
out=$(nsx "$CN" ping -n -c 1 -W 2 -t 1 $HOA 2>&1)
win "$t0" "$(mark)"
expect_match "TTL 1: ping at the correspondent reports time exceeded from the HA" \
	'From 10\.9\.1\.1 .*[Tt]ime to live exceeded' "$out"
expect_cap "TTL 1: the ICMP time exceeded is on the wire" \
	cn 1 "IP 10\.9\.1\.1 > 10\.9\.1\.2: ICMP time exceeded in-transit"
expect_eq "TTL 1: counted once as drop_ttl and once as an ICMP error" "1 1" \
	"$(delta "$(ha_stat drop_ttl)" "$ttl0") $(delta "$(ha_stat icmp_errors)" "$ie0")"

# --- the HA's own traffic (LOCAL_OUT) ------------------------------------------------
phase "the HA's own traffic (LOCAL_OUT)"
t0=$(mark)
expect_eq "the HA's own pings to the home address are answered" 3 "$(pings "$HA" 3 $HOA)"
win "$t0" "$(mark)"
expect_cap "the HA's own packets are tunnelled from LOCAL_OUT" \
	mn 3 "IP 10\.9\.0\.1 > 10\.9\.3\.2: IP 10\.9\.0\.1 > 10\.9\.0\.100: ICMP echo request"

# --- a virtual network: the home address is on no link -------------------------------
phase "a virtual network: the home address is on no link"
ip -n "$HA" link add name vnet0 type dummy && ip -n "$HA" link set vnet0 up &&
	ip -n "$HA" route add 20.0.0.0/24 dev vnet0 &&
	ip -n "$MN" addr add 20.0.0.5/32 dev mip0
tap_check "bind 20.0.0.5 of virtual network 20.0.0.0/24 (no link)" ha_bind 20.0.0.5 reverse-tunnel
expect_eq "correspondent -> virtual-network home address: answered" 3 "$(pings "$CN" 3 20.0.0.5)"
expect_eq "the HA's own traffic to it (route over a dummy device): answered" 3 \
	"$(pings "$HA" 3 20.0.0.5)"

# --- loops ---------------------------------------------------------------------------
phase "loops"
ha_bind 10.9.0.121 && ha_ctl kernel binding add 10.9.0.120 coa 10.9.0.121 ha $HA_ADDR
tap_result "bind 10.9.0.120 with care-of address 10.9.0.121, itself a bound home address" $?
lp0=$(ha_stat drop_loop)
t0=$(mark)
pings "$CN" 2 10.9.0.120 -W 1 >/dev/null
win "$t0" "$(mark)"
expect_ge "packets for it are dropped as loops (drop_loop)" 2 "$(delta "$(ha_stat drop_loop)" "$lp0")"
expect_cap "none of them reaches the mobile node, in any encapsulation" mn 0 "10\.9\.0\.120"
# The kernel counts looping bindings as the table changes and checks packets
# only while there are some: every kind of change must keep that count right.
# loop_drops HOME: how many of 2 pings to HOME were dropped as loops.
loop_drops()
{
	_l0=$(ha_stat drop_loop)
	pings "$CN" 2 "$1" -W 1 >/dev/null
	delta "$(ha_stat drop_loop)" "$_l0"
}
ha_ctl kernel binding add 10.9.0.122 coa 10.9.0.123 ha $HA_ADDR
expect_eq "care-of address 10.9.0.123 not bound: no loop" 0 "$(loop_drops 10.9.0.122)"
ha_bind 10.9.0.123
expect_ge "10.9.0.123 bound afterwards: now 10.9.0.122 loops" 2 "$(loop_drops 10.9.0.122)"
ha_ctl kernel binding del 10.9.0.120
expect_ge "the other loop deleted: 10.9.0.122 still loops" 2 "$(loop_drops 10.9.0.122)"
ha_ctl kernel binding del 10.9.0.123
expect_eq "10.9.0.123 unbound: 10.9.0.122 loops no more" 0 "$(loop_drops 10.9.0.122)"
ha_ctl kernel binding replace 10.9.0.122 coa 10.9.0.121 ha $HA_ADDR
expect_ge "replaced with a bound care-of address: loops" 2 "$(loop_drops 10.9.0.122)"
ha_ctl kernel binding replace 10.9.0.122 coa 10.9.0.123 ha $HA_ADDR
expect_eq "replaced with an unbound one: no loop" 0 "$(loop_drops 10.9.0.122)"
ha_ctl kernel binding add 10.9.0.124 coa 10.9.0.124 ha $HA_ADDR
expect_ge "a binding whose care-of address is its own home address loops" 2 \
	"$(loop_drops 10.9.0.124)"

# --- flush: the hooks go -------------------------------------------------------------
phase "flush: the hooks go"
ha_ctl kernel binding flush >/dev/null
if trace_usable; then
	expect_off_path "after flush: mipha is off the packet path again (traced calls)"
else
	tap_skip "after flush: mipha is off the packet path again (traced calls)" "no ftrace"
fi

phase "end"
tap_done
