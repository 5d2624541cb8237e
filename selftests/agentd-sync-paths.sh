#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# One peer on two links (seed 001's two-network example): HA1 and HA2 share
# the home LAN (lib-hsrp.sh's) and a second link of their own, sync0
# (10.21.0.0/24), and each names the other on both with one SPI and key,
# the two addresses together in redundancy paths: one peer, two paths. Sync runs on the first; when the LAN stops carrying
# it (nft on HA2 drops TCP port 434 there, HSRP still runs) HA1 moves to
# sync0 and the stream resumes: no download, no resync, and what changed
# meanwhile arrives; when sync0 goes down it moves back. Daemon and kernel
# tables stay equal throughout.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-hsrp.sh"
require_cmd nft

tap_plan 9

KEY=6b65792d6f662d7061697220312d3220

# sas ADDRESS...: one peer, one secure-home-agent per address, one SPI and key.
sas()
{
	for _a in "$@"; do
		echo "secure-home-agent \"$_a\" {
	spi = 0x312
	key = \"$KEY\"
}"
	done
	echo "redundancy {
	keepalive = 500
	dead = 3000
	paths = { \"$*\" }
}"
}

hs_setup
ip -n "$HA1" link add sync0 type veth peer name sync0 netns "$HA2" &&
	ip -n "$HA1" addr add 10.21.0.11/24 dev sync0 &&
	ip -n "$HA2" addr add 10.21.0.12/24 dev sync0 &&
	ip -n "$HA1" link set sync0 up && ip -n "$HA2" link set sync0 up ||
	tap_bail "cannot link HA1 and HA2 directly"
HS_HA_EXTRA="redundancy = yes"
hs_conf 1 110 yes "" "$(sas 10.20.0.12 10.21.0.12)"
hs_conf 2 100 yes "" "$(sas 10.20.0.11 10.21.0.11)"

# view N JQ: over HA N's only peer.
view() { hs_ctl "$1" -j redundancy 2>/dev/null | jq -r "$2"; }
peer() { view "$1" ".peers[0] | $2"; }
# on N ADDRESS: HA N is connected to its peer over ADDRESS.
on() { [ "$(peer "$1" '"\(.connected) \(.address)"')" = "true $2" ]; }
same() { [ -n "$(table 1)" ] && [ "$(table 1)" = "$(table 2)" ]; }
mns()
{
	ip netns exec "$H" mipha-mn -H $HS_VIP --coa 10.20.0.50 --spi $HS_MN_SPI \
		--key $HS_MN_KEY --timeout 500 --retries 5 -l 600 -j --once "$@"
}
registered() { printf '%s' "$1" | jq -r '.codes["0"] // 0'; }

# HA2 first: HA1 calls (its addresses are the lower), and its first call, on the LAN, is
# answered (a call refused moves it to the next path, and it stays on the one that works)
for i in 2 1; do
	hs_start $i || tap_bail "HA$i does not start"
done
hs_wait 1 lan active 20000 && hs_wait 2 lan standby 20000
wait_until 20000 on 1 10.20.0.12
expect_eq "one peer on two paths each side, connected over the first (the LAN)" \
	"1 1 10.20.0.12,10.21.0.12 10.20.0.11,10.21.0.11 true true" \
	"$(view 1 '.peers | length') $(view 2 '.peers | length') $(peer 1 '.addresses | join(",")') $(peer 2 '.addresses | join(",")') $(peer 1 .connected) $(peer 2 .connected)"

# HSRP runs on the LAN only: HA1's group hears HA2 there, not on sync0 (a call goes first to
# a path whose group hears the peer)
heard_lan() { [ "$(peer 1 '.heard | join(",")')" = 10.20.0.12 ]; }
wait_until 20000 heard_lan
expect_eq "HA1's HSRP group hears HA2 on the LAN path, not on sync0" \
	"10.20.0.12" "$(peer 1 '.heard | join(",")')"

n=$(registered "$(mns --home 10.20.0.100 -n 30)")
wait_until 20000 same
expect_eq "30 mobile nodes register at HA1; HA2 holds them, daemon and kernel" \
	"30 30 yes" "$n $(table 2 | wc -l) $([ "$(ktable 1)" = "$(ktable 2)" ] && echo yes)"
bulks=$(peer 2 .bulks_received) resyncs=$(peer 1 .resyncs)

# --- the LAN stops carrying sync: HA1 moves to sync0 ------------------------------------
ip netns exec "$HA2" nft -f - <<-NFT || tap_bail "nft: cannot cut sync on the LAN"
	table inet cut {
		chain in {
			type filter hook input priority 0; policy accept;
			iifname "lan0" tcp dport 434 drop
		}
		chain out {
			type filter hook output priority 0; policy accept;
			oifname "lan0" tcp sport 434 drop
		}
	}
	NFT
# while it moves: 10 more register, 5 of the first deregister
n=$(registered "$(mns --home 10.20.0.130 -n 10)")
mns --home 10.20.0.100 -n 5 --deregister >/dev/null 2>&1
wait_until 20000 on 1 10.21.0.12
wait_until 20000 same
expect_eq "sync cut on the LAN: HA1 is on sync0 and so is HA2, HSRP unchanged" \
	"10 true 10.21.0.12 true 10.21.0.11 active standby" \
	"$n $(peer 1 '"\(.connected) \(.address)"') $(peer 2 '"\(.connected) \(.address)"') $(hs_state 1 lan) $(hs_state 2 lan)"
expect_eq "the stream resumed there: what changed meanwhile arrived (35), no download, no resync" \
	"35 35 $bulks $resyncs" \
	"$(table 1 | wc -l) $(table 2 | wc -l) $(peer 2 .bulks_received) $(peer 1 .resyncs)"
pc=$(peer 1 .path_changes)
expect_eq "the move is counted (path_changes $pc)" yes "$([ "${pc:-0}" -ge 1 ] && echo yes)"

# --- sync0 goes down, the LAN carries sync again: back to the LAN -----------------------
ip netns exec "$HA2" nft delete table inet cut
ip -n "$HA2" link set sync0 down
mns --home 10.20.0.105 -n 5 --deregister >/dev/null 2>&1
wait_until 20000 on 1 10.20.0.12
wait_until 20000 same
expect_eq "sync0 down: back on the LAN, the stream resumed again (30 bindings), still no download" \
	"true 10.20.0.12 30 30 $bulks $resyncs" \
	"$(peer 1 '"\(.connected) \(.address)"') $(table 1 | wc -l) $(table 2 | wc -l) $(peer 2 .bulks_received) $(peer 1 .resyncs)"
expect_eq "HA2's kernel forwards for exactly HA1's homes" "$(ktable 1)" "$(ktable 2)"
expect_match "HA1 logged both moves" \
	"now on its path 10\.21\.0\.12.*now on its path 10\.20\.0\.12" \
	"$(grep -o 'now on its path [0-9.]*' "$TMP/ha1.log" | tr '\n' ' ')"

hs_done
