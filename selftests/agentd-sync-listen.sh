#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Peer sync among three home agents (lib-hsrp.sh's LAN; HA1 priority 110,
# HA2 100, HA3 90; each the others' secure-home-agent, one key per pair):
# the active replicates to the standby and to the listen router; HA3's
# link loses 20 % of its frames both ways and reorders a quarter of them
# (tc netem) and its table still converges; when HA1 dies (-9) HA2 takes
# over, HA3 becomes standby and asks HA2 for its whole table (a binding
# information request), and the three tables end equal, daemon and kernel,
# though HA3 missed HA1's last deregistrations (the switch dropped TCP
# between HA1 and HA3 meanwhile) and HA2 did not.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-hsrp.sh"
require_cmd tc nft

tap_plan 9

KEY12=6b65792d6f662d7061697220312d3220
KEY13=6b65792d6f662d7061697220312d3320
KEY23=6b65792d6f662d7061697220322d3320
N=30

# sa ADDRESS SPI KEY: one peer.
sa()
{
	echo "secure-home-agent \"$1\" {
	spi = $2
	key = \"$3\"
}"
}
RED='redundancy {
	keepalive = 500
	dead = 3000
}'

hs_setup
HS_HA_EXTRA="redundancy = yes"
hs_conf 1 110 yes "" "$(sa 10.20.0.12 0x312 $KEY12; sa 10.20.0.13 0x313 $KEY13; echo "$RED")"
hs_conf 2 100 yes "" "$(sa 10.20.0.11 0x312 $KEY12; sa 10.20.0.13 0x323 $KEY23; echo "$RED")"
hs_conf 3 90 yes "" "$(sa 10.20.0.11 0x313 $KEY13; sa 10.20.0.12 0x323 $KEY23; echo "$RED")"

# peer_field N ADDRESS JQ: over HA N's peer at ADDRESS.
peer_field()
{
	hs_ctl "$1" -j redundancy 2>/dev/null |
		jq -r ".peers[] | select(.address == \"$2\") | $3"
}
connected_to() { [ "$(peer_field "$1" "$2" .connected)" = true ]; }
# same A B: HA A's and HA B's tables are equal and not empty.
same() { [ -n "$(table "$1")" ] && [ "$(table "$1")" = "$(table "$2")" ]; }
mns()
{
	ip netns exec "$H" mipha-mn -H $HS_VIP --coa 10.20.0.50 --home 10.20.0.100 \
		-n $N --spi $HS_MN_SPI --key $HS_MN_KEY --timeout 500 --retries 5 \
		-l 600 -j --once "$@"
}

for i in 1 2 3; do
	hs_start $i || tap_bail "HA$i does not start"
done
hs_wait 1 lan active 20000 && hs_wait 2 lan standby 20000
wait_until 20000 connected_to 1 10.20.0.13
wait_until 20000 connected_to 2 10.20.0.13
wait_until 20000 connected_to 1 10.20.0.12
expect_eq "HA1 active, HA2 standby, HA3 listen; all three connected to each other" \
	"active standby listen true true true" \
	"$(hs_state 1 lan) $(hs_state 2 lan) $(hs_state 3 lan) $(peer_field 1 10.20.0.12 .connected) $(peer_field 1 10.20.0.13 .connected) $(peer_field 2 10.20.0.13 .connected)"

# --- a lossy link to the listen router --------------------------------------------------
# both ways: HA3's own frames, and the switch's to HA3
for dev in "$HA3:lan0" "$SW:p3"; do
	tc -n "${dev%:*}" qdisc add dev "${dev#*:}" root netem loss 20% \
		delay 5ms reorder 25% 50% ||
		tap_bail "tc netem on ${dev#*:}: cannot add"
done
out=$(mns)
expect_eq "$N mobile nodes register at HA1" "$N" "$(printf '%s' "$out" | jq -r '.codes["0"] // 0')"
ip netns exec "$H" mipha-mn -H $HS_VIP --coa 10.20.0.50 --home 10.20.0.100 -n 10 \
	--spi $HS_MN_SPI --key $HS_MN_KEY --timeout 500 --retries 5 --deregister \
	>/dev/null 2>&1
N=$((N - 10))
wait_until 60000 same 1 3
wait_until 20000 same 1 2
expect_eq "20 % loss and reordering on HA3's link: HA2's and HA3's tables converge to HA1's ($N)" \
	"$N yes yes" "$(table 1 | wc -l) $(same 1 2 && echo yes) $(same 1 3 && echo yes)"
diag "HA3's link: $(tc -n "$HA3" -s qdisc show dev lan0 | tr '\n' ' ')"
for dev in "$HA3:lan0" "$SW:p3"; do
	tc -n "${dev%:*}" qdisc del dev "${dev#*:}" root
done
expect_eq "... and HA3's kernel forwards for the same homes" "$(ktable 1)" "$(ktable 3)"

# --- the active dies: the listen router becomes standby and takes the new active's table --
# HA3 misses 5 deregistrations at HA1 (no TCP between them); HA2 gets them
ip netns exec "$SW" nft -f - <<-NFT || tap_bail "nft: cannot cut HA1 from HA3"
	table bridge cut {
		chain forward {
			type filter hook forward priority 0; policy accept;
			iifname "p1" oifname "p3" meta l4proto tcp drop
			iifname "p3" oifname "p1" meta l4proto tcp drop
		}
	}
	NFT
ip netns exec "$H" mipha-mn -H $HS_VIP --coa 10.20.0.50 --home 10.20.0.110 -n 5 \
	--spi $HS_MN_SPI --key $HS_MN_KEY --timeout 500 --retries 5 --deregister \
	>/dev/null 2>&1
N=$((N - 5))
count2() { [ "$(table 2 | wc -l)" -eq "$N" ]; }
wait_until 20000 count2
expect_eq "5 deregistrations at HA1 while HA3 cannot hear it: HA2 follows, HA3 does not" \
	"$N $((N + 5))" "$(table 2 | wc -l) $(table 3 | wc -l)"
bulks0=$(peer_field 3 10.20.0.12 .bulks_received)
before=$(table 1)
hs_stop 1 KILL
ip netns exec "$SW" nft delete table bridge cut
hs_wait 2 lan active $((HS_HOLD_MS * 3))
hs_wait 3 lan standby $((HS_HOLD_MS * 3))
expect_eq "HA1 killed: HA2 active, HA3 standby" "active standby" \
	"$(hs_state 2 lan) $(hs_state 3 lan)"
asked() { [ "$(peer_field 3 10.20.0.12 .bulks_received)" -gt "$bulks0" ]; }
wait_until 20000 asked
same23() { [ "$(table 3)" = "$before" ]; }
wait_until 10000 same23
sleep 1 # a second download would have started by now
expect_eq "HA3 asked HA2 for its table and received it: one download" "$((bulks0 + 1))" \
	"$(peer_field 3 10.20.0.12 .bulks_received)"
expect_eq "HA2's and HA3's tables are HA1's last, binding for binding: the download removed the 5 HA3 missed" \
	"yes yes" \
	"$([ "$(table 2)" = "$before" ] && echo yes) $([ "$(table 3)" = "$before" ] && echo yes)"

# --- and follows it ---------------------------------------------------------------------
ip netns exec "$H" mipha-mn -H $HS_VIP --coa 10.20.0.50 --home 10.20.0.115 -n 5 \
	--spi $HS_MN_SPI --key $HS_MN_KEY --timeout 500 --retries 5 --deregister \
	>/dev/null 2>&1
N=$((N - 5))
count3() { [ "$(table 3 | wc -l)" -eq "$N" ]; }
wait_until 20000 count3
expect_eq "5 deregistrations at HA2: HA3 follows ($N left), daemon and kernel" \
	"$N yes" "$(table 3 | wc -l) $([ "$(ktable 3)" = "$(ktable 2)" ] && echo yes)"

hs_done
