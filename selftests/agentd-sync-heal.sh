#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Partition and heal (lib-hsrp.sh's LAN; HA1 priority 110, HA2 100, both
# preempting, peer sync): the switch drops every frame between HA1 and HA2
# (nft, bridge family), so each is active and each takes registrations,
# the home host reaching one or the other as the switch's forwarding entry
# for the virtual MAC says. When the link comes back HA2 gives way, the
# two streams merge what each accepted (the newer registration of a node
# wins), nothing is dropped, the two tables are one, and HA1, still
# active, announces every bound home address again: gratuitous ARP from
# the virtual MAC for addresses that never changed hands too.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-hsrp.sh"
require_cmd nft bridge

tap_plan 8

PEER_KEY=6865616c2d706565722d6b65792d3031

peer()
{
	echo "secure-home-agent \"$1\" {
	spi = 0x360
	key = \"$PEER_KEY\"
}
redundancy {
	keepalive = 500
	dead = 3000
}"
}

hs_setup
HS_HA_EXTRA="redundancy = yes"
hs_conf 1 110 yes "" "$(peer 10.20.0.12)"
hs_conf 2 100 yes "" "$(peer 10.20.0.11)"

id_of() { table "$1" | awk -v h="$2" '$1 == h { print $3 }'; }
# mn FIRST COUNT: registers COUNT nodes from FIRST to the virtual IP; prints
# how many were accepted.
mn()
{
	ip netns exec "$H" mipha-mn -H $HS_VIP --coa 10.20.0.50 --home "$1" -n "$2" \
		--spi $HS_MN_SPI --key $HS_MN_KEY --timeout 500 --retries 4 -l 600 \
		-j --once | jq -r '.codes["0"] // 0'
}
# to N: the switch sends what is for the virtual MAC to HA N's port
to() { ip netns exec "$SW" bridge fdb replace $HS_VMAC dev p"$1" master static; }

hs_start 1 || tap_bail "HA1 does not start"
hs_wait 1 lan active 20000 || tap_bail "HA1 never became active"
hs_start 2 || tap_bail "HA2 does not start"
hs_wait 2 lan standby 20000
wait_until 20000 connected 1 || tap_bail "no peer sync"
n=$(mn 10.20.0.100 20)
count2() { [ "$(table 2 | wc -l)" -eq 20 ]; }
wait_until 20000 count2
expect_eq "20 nodes (10.20.0.100-119) register at HA1, HA2 holds them" "20 20" \
	"$n $(table 2 | wc -l)"
id_before=$(id_of 1 10.20.0.100)

# --- the partition ---------------------------------------------------------------------
ip netns exec "$SW" nft -f - <<-NFT || tap_bail "nft: cannot partition the switch"
	table bridge partition {
		chain forward {
			type filter hook forward priority 0; policy accept;
			iifname "p1" oifname "p2" drop
			iifname "p2" oifname "p1" drop
		}
	}
	NFT
hs_wait 2 lan active $((HS_HOLD_MS * 3))
not_connected() { ! connected 1 && ! connected 2; }
wait_until 15000 not_connected
expect_eq "partitioned: both active, peer sync down on both" "active active false false" \
	"$(hs_state 1 lan) $(hs_state 2 lan) $(sync_field 1 .connected) $(sync_field 2 .connected)"
to 2
b=$(mn 10.20.0.100 10)
b2=$(mn 10.20.0.120 10)
to 1
c=$(mn 10.20.0.130 10)
c2=$(mn 10.20.0.110 5)
ip netns exec "$SW" bridge fdb del $HS_VMAC dev p1 master static
expect_eq "meanwhile HA2 takes 10 renewals and 10 new nodes, HA1 10 new nodes and 5 renewals" \
	"10 10 10 5 30 30" "$b $b2 $c $c2 $(table 1 | wc -l) $(table 2 | wc -l)"
id_partition=$(id_of 2 10.20.0.100)

# --- the heal ----------------------------------------------------------------------------
ip netns exec "$H" tcpdump -n -l -e -i lan0 arp >"$TMP/arp.txt" 2>/dev/null &
_bg_pids="$_bg_pids $!"
sleep 1
ip netns exec "$SW" nft delete table bridge partition
hs_wait 2 lan standby $((HS_HOLD_MS * 3))
same() { [ -n "$(table 1)" ] && [ "$(table 1)" = "$(table 2)" ]; }
wait_until 20000 same
expect_eq "healed: HA1 active, HA2 standby, one table of all 40 nodes" "active standby 40 yes" \
	"$(hs_state 1 lan) $(hs_state 2 lan) $(table 1 | wc -l) $(same && echo yes)"
expect_eq "... 10.20.0.100's registration at HA2 during the partition is the one kept" \
	"$id_partition yes" \
	"$(id_of 1 10.20.0.100) $([ "$id_partition" != "$id_before" ] && echo yes)"
healed() { [ "$(sync_field 1 .heals)" -ge 1 ]; }
wait_until 10000 healed
expect_eq "HA1 saw HA2, active meanwhile, give way (counted)" 1 "$(sync_field 1 .heals)"
# 10.20.0.115-119 never changed hands: only the heal announces them
announced()
{
	for _h in 115 116 117 118 119; do
		grep -qi "$HS_VMAC .*Request who-has 10.20.0.$_h tell 10.20.0.$_h" "$TMP/arp.txt" ||
			return 1
	done
}
wait_until 20000 announced
expect_eq "HA1 announces every bound home address again from the virtual MAC (gratuitous ARP)" \
	yes "$(announced && echo yes || echo "no: $(grep -c 'Request who-has' "$TMP/arp.txt") seen")"
out=$(ip netns exec "$H" mipha-mn -H $HS_VIP --coa 10.20.0.50 --home 10.20.0.100 -n 40 \
	--spi $HS_MN_SPI --key $HS_MN_KEY --timeout 500 --retries 4 -l 600 -j --once)
expect_eq "all 40 nodes 10.20.0.100-139 re-register at HA1: accepted, no replay rejection" "40 0" \
	"$(printf '%s' "$out" | jq -r '"\(.codes["0"] // 0) \(.codes["133"] // 0)"')"

hs_done
