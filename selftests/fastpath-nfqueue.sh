#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The hooks after an NFQUEUE verdict (issue 12, item 2). nftables rules in
# the HA queue every packet of the mobile node's flows to a user-space
# consumer (nfq-accept) ahead of mipha's hooks: in PRE_ROUTING (to the home
# address), LOCAL_OUT (the HA's own packets to it) and LOCAL_IN (the
# reverse tunnel). The consumer accepts everything, and nf_reinject() then
# runs mipha's hooks in the consumer's process context with BHs on, where
# they must still tunnel, decapsulate and count correctly; the debug
# kernel's lockdep (lockdep_assert_in_softirq on the lookup path) and
# preemption checks watch for a hook running with BHs on.
#
# Topology: lib-fastpath.sh's.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-fastpath.sh"
require_cmd miphactl ping jq nft python3

tap_plan 7

mipha_load || tap_bail "cannot load mipha"
fp_topo || tap_bail "cannot build the topology"
fp_mn_tunnel ipip || tap_bail "cannot create the MN's ipip tunnel"
ha_bind $HOA reverse-tunnel || tap_bail "cannot bind $HOA"

nsx "$HA" nft -f - <<-EOF || tap_bail "cannot load the nftables rules"
	table ip mipha_nfq {
		chain pre {
			type filter hook prerouting priority -450; policy accept;
			ip daddr $HOA counter queue num 3
		}
		chain out {
			type filter hook output priority -450; policy accept;
			ip daddr $HOA counter queue num 3
		}
		chain in {
			type filter hook input priority -10; policy accept;
			ip protocol 4 counter queue num 3
		}
	}
EOF
bg_start ip netns exec "$HA" python3 "$SELFTESTS_DIR/nfq-accept" 3 "$TMP/nfq.count" \
	>"$TMP/nfq.out" 2>&1
wait_until 20000 grep -q ready "$TMP/nfq.out" || tap_bail "nfq-accept did not start: $(cat "$TMP/nfq.out")"

tx0=$(ha_bstat $HOA tx_packets) rx0=$(ha_bstat $HOA rx_packets)
# Every packet goes through a Python consumer: on a loaded machine a reply can
# come later than ping's two round trips, so each ping waits for its own.
expect_eq "correspondent to mobile node, queued in PRE_ROUTING: 5 of 5 pings" 5 \
	"$(pings_patient "$CN" 5 $HOA)"
expect_eq "mobile node to correspondent, reverse tunnel queued in LOCAL_IN: 5 of 5" 5 \
	"$(pings_patient "$MN" 5 $CN_ADDR)"
expect_eq "the HA itself to the mobile node, queued in LOCAL_OUT: 5 of 5" 5 \
	"$(pings_patient "$HA" 5 $HOA)"
# Packets each chain queued: requests and replies to the home address in
# PRE_ROUTING, the HA's own requests in LOCAL_OUT, the mobile node's requests
# and replies in LOCAL_IN.
queued=$(nsx "$HA" nft list table ip mipha_nfq |
	awk '/chain/ { c = $2 } /packets/ { for (i = 1; i < NF; i++) if ($i == "packets") printf "%s=%s ", c, $(i + 1) }')
diag "queued: $queued; the consumer accepted $(cat "$TMP/nfq.count" 2>/dev/null)"
expect_eq "every packet was queued and accepted" "pre=10 out=5 in=10 " "$queued"
expect_eq "the binding counted 15 packets tunnelled" 15 \
	"$(delta "$(ha_bstat $HOA tx_packets)" "$tx0")"
expect_eq "and 10 reverse-tunnelled" 10 "$(delta "$(ha_bstat $HOA rx_packets)" "$rx0")"
expect_eq "no drop counted" "0 0 0" \
	"$(ha_ctl -j kernel stats | jq -r '"\(.drop_error) \(.drop_spoof) \(.drop_no_route)"')"
tap_done
