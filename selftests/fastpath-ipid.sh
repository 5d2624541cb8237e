#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The outer IP header's Identification (RFC 791): one counter per care-of
# address (kmod/coa.h), shared by every binding behind it, started at a
# random value. Two bindings to the MN's care-of address (one IPIP, one GRE)
# and one to a second care-of address are pinged at once, DF set and not, at
# 0.2 s intervals (many jiffies apart), and the outer headers are read on the
# wire:
#  - the IDs of the packets to each care-of address form one unbroken range,
#    the two bindings' packets (both encapsulations) interleaved in it; the
#    kernel's own generator (__ip_select_ident()) adds a random step to a
#    counter idle since the last jiffy, and a counter per binding or for the
#    whole namespace would skip the other's packets. A range, not capture
#    order: two CPUs may take consecutive IDs and reach the wire in turn;
#  - a datagram fragmented by the HA (DF clear, over the tunnel MTU) keeps one
#    ID in all its fragments, and the next packet to that address takes the
#    next one;
#  - the second address's object, created again after its binding went,
#    neither continues the old range nor starts at 0 (a new random start;
#    this fails by chance once in 32,768 runs).
# Topology: lib-fastpath.sh; the second care-of address is 10.9.3.3, on the
# MN's mn0 (it receives the packets; nothing answers them).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-fastpath.sh"
require_cmd miphactl tcpdump ping

tap_plan 13

HOA2=10.9.0.101 HOA3=10.9.0.102 COA2=10.9.3.3
K=8

mipha_load || tap_bail "cannot load mipha"
fp_topo || tap_bail "cannot build the topology"
fp_mn_tunnel ipip || tap_bail "cannot create the MN's ipip tunnel"
ip -n "$MN" addr add $COA2/24 dev mn0 || tap_bail "cannot add $COA2 to the MN"

tap_check "bind $HOA (ipip, reverse tunnel) and $HOA2 (gre) to $COA" sh -c "
	ip netns exec $HA miphactl kernel binding add $HOA coa $COA ha $HA_ADDR reverse-tunnel &&
	ip netns exec $HA miphactl kernel binding add $HOA2 coa $COA ha $HA_ADDR encap gre"
tap_check "bind $HOA3 to $COA2" \
	ha_ctl kernel binding add $HOA3 coa $COA2 ha $HA_ADDR

# ids COA: the outer IDs of the captured packets to COA, in order.
ids()
{
	cap_text mn -v | grep -F "$HA_ADDR > $1: " |
		sed -n 's/^[^(]*(tos [^,]*, ttl [0-9]*, id \([0-9]*\),.*/\1/p'
}

# offsets FROM: reads IDs, prints each one's distance from FROM, modulo 2^16
# and signed (-32768..32767), in numerical order.
offsets()
{
	awk -v f="$1" '{ d = ($1 - f + 65536) % 65536; print (d >= 32768 ? d - 65536 : d) }' |
		sort -n
}

# unbroken: reads IDs, prints how many steps of their sorted offsets from the
# first are not +1 (0: one unbroken range), and the first such step.
unbroken()
{
	_ids=$(cat)
	echo "$_ids" | offsets "$(echo "$_ids" | head -n 1)" |
		awk 'NR > 1 && $1 != p + 1 { bad++; if (!w) w = p " -> " $1 }
		     { p = $1 }
		     END { if (NR < 2) print "fewer than 2 IDs"
			   else printf "%d%s\n", bad, w ? " (offsets " w ")" : "" }'
}

# highest: reads IDs of one unbroken range, prints the last one taken.
highest()
{
	_ids=$(cat)
	_f=$(echo "$_ids" | head -n 1)
	echo "$_ids" | offsets "$_f" | tail -n 1 | awk -v f="$_f" '{ print (f + $1 + 65536) % 65536 }'
}

cap_start mn "$MN" mn0 "(ip proto 4 or ip proto 47) and src $HA_ADDR" ||
	tap_bail "cannot capture"
t0=$(mark)
# One DF stream and two without DF, interleaved; HOA2 and HOA3 are nobody's
# (the MN drops them), so their pings are not answered.
ip netns exec "$CN" ping -n -q -c $K -i 0.2 -W 1 -M do $HOA >/dev/null 2>&1 &
p1=$!
sleep 0.07
ip netns exec "$CN" ping -n -q -c $K -i 0.2 -W 1 -M dont $HOA2 >/dev/null 2>&1 &
p2=$!
sleep 0.07
ip netns exec "$CN" ping -n -q -c $K -i 0.2 -W 1 -M dont $HOA3 >/dev/null 2>&1 &
p3=$!
wait $p1 $p2 $p3
cap_wait mn $((3 * K)) "$HA_ADDR > 10\.9\.3\.[23]: " -v
win "$t0" "$(mark)"

expect_eq "$((2 * K)) packets to $COA (both bindings) left the HA" $((2 * K)) "$(ids $COA | wc -l)"
expect_eq "$K packets to $COA2 left the HA" $K "$(ids $COA2 | wc -l)"
expect_eq "the packets to $COA, both bindings, IPIP and GRE, DF or not: one unbroken range of IDs" 0 \
	"$(ids $COA | unbroken)"
expect_eq "the packets to $COA2: an unbroken range of their own" 0 \
	"$(ids $COA2 | unbroken)"
expect_eq "the two bindings' packets to $COA are interleaved in that one sequence" yes \
	"$(cap_text mn -v | grep -F "$HA_ADDR > $COA: " | awk '
		/> 10\.9\.0\.100: / { s = s "a" } /> 10\.9\.0\.101: / { s = s "b" }
		END { print (s ~ /ab/ && s ~ /ba/) ? "yes" : "no: " s }')"
last=$(ids $COA | highest)
last2=$(ids $COA2 | highest)

# A datagram the HA fragments: one ID in all its fragments, the next after it.
# (The window opens before the waits read it: a closed one is read once.)
t0=$(mark)
win "$t0"
expect_eq "a non-DF ping over the tunnel MTU is fragmented and answered" 1 \
	"$(pings "$CN" 1 $HOA -M dont -s 1472)"
expect_eq "then one more to $HOA2 (unanswered)" 0 "$(pings "$CN" 1 $HOA2 -M dont -W 1)"
cap_wait mn 3 "$HA_ADDR > $COA: " -v
win "$t0" "$(mark)"
expect_eq "its fragments share the next ID, $(((last + 1) % 65536)), and the next packet has the one after" \
	"2 1,1 2," "$(ids $COA | offsets "$last" | uniq -c | awk '{ printf "%d %d,", $1, $2 }')"
expect_eq "the datagram left in 2 fragments and the next packet in one" 3 \
	"$(ids $COA | wc -l)"

# The second address's object goes with its binding, and comes back new.
tap_check "delete $HOA3 and bind it again (a new object for $COA2)" sh -c "
	ip netns exec $HA miphactl kernel binding del $HOA3 &&
	ip netns exec $HA miphactl kernel binding add $HOA3 coa $COA2 ha $HA_ADDR"
t0=$(mark)
win "$t0"
pings "$CN" 1 $HOA3 -M dont -W 1 >/dev/null
cap_wait mn 1 "$HA_ADDR > $COA2: " -v
win "$t0" "$(mark)"
new=$(ids $COA2 | head -n 1)
expect_eq "its first ID ($new) neither follows the old range (last $last2) nor is 0" yes \
	"$([ -n "$new" ] && [ "$new" != $(((last2 + 1) % 65536)) ] && [ "$new" != 0 ] && echo yes)"
cap_stop mn

tap_done
