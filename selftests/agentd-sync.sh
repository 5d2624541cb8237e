#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Peer sync between two home agents on one home LAN (lib-hsrp.sh's
# topology; HA1 priority 110, HA2 100, both preempting, each the other's
# secure-home-agent): HA2, the standby, holds every binding HA1 holds, in
# its daemon and in its kernel, with its proxy ARP off; a broken connection
# resumes without a second download; a standby that restarts recovers its
# kernel's bindings and the download removes those gone meanwhile (daemon
# and kernel); deregistrations follow; when HA1 is
# killed (-9) HA2 takes over with the same table and the mobile nodes
# re-register there without one replay rejection; a home agent with
# another key is refused and counted. A planned switchover (miphactl
# redundancy switchover) waits for the standby's acknowledgement of every
# binding, hands over under traffic with a gap shorter than the hold time
# and loses nothing; it is refused while no standby is connected and at a
# router that is not active.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-hsrp.sh"

tap_plan 25

PEER_KEY=7065657273796e632d6b65792d303031
BAD_KEY=6f746865722d6b65792d6e6f742d6f6b
N=40

peer()
{
	echo "secure-home-agent \"$1\" {
	spi = 0x300
	key = \"$2\"
}
redundancy {
	keepalive = 500
	dead = 3000
}"
}

hs_setup
HS_HA_EXTRA="redundancy = yes"
hs_conf 1 110 yes "" "$(peer 10.20.0.12 $PEER_KEY)"
hs_conf 2 100 yes "" "$(peer 10.20.0.11 $PEER_KEY)"

same_tables() { [ -n "$(table 1)" ] && [ "$(table 1)" = "$(table 2)" ]; }
count2() { [ "$(table 2 | wc -l)" -eq "$1" ]; }
mns()
{
	ip netns exec "$H" mipha-mn -H $HS_VIP --coa 10.20.0.50 --home 10.20.0.100 \
		-n $N --spi $HS_MN_SPI --key $HS_MN_KEY --timeout 500 --retries 3 \
		-l 600 -j "$@"
}

hs_start 1 || tap_bail "HA1 does not start"
hs_wait 1 lan active 20000 || tap_bail "HA1 never became active"
hs_start 2 || tap_bail "HA2 does not start"
hs_wait 2 lan standby 20000
wait_until 20000 connected 1
expect_eq "HA1 active, HA2 standby, connected over TLS 1.3" "active standby true true" \
	"$(hs_state 1 lan) $(hs_state 2 lan) $(sync_field 1 .connected) $(sync_field 2 .connected)"

# --- registrations at the active, replicated ------------------------------------------
out=$(mns --once)
expect_eq "$N mobile nodes register to $HS_VIP (HA1): all accepted" "$N" \
	"$(printf '%s' "$out" | jq -r '.codes["0"] // 0')"
wait_until 20000 same_tables
expect_eq "HA2's daemon holds the same $N bindings (home, CoA, identification)" \
	"$(table 1)" "$(table 2)"
expect_eq "HA2's kernel forwards for them too" "$(ktable 1)" "$(ktable 2)"
expect_match "HA2's home link: proxy ARP off (it is not active)" "proxy-arp off" \
	"$(ip netns exec "$HA2" miphactl kernel link show lan0 2>&1)"
expect_match "miphactl redundancy at HA2: the peer, connected, its downloads" \
	"Peer 10\.20\.0\.11, node [0-9]+, active, connected, TLS_AES_128_GCM_SHA256" \
	"$(hs_ctl 2 redundancy 2>&1)"

# --- a broken connection resumes: what changed meanwhile, no second download ------------
hs_ctl 2 events redundancy >"$TMP/events2.txt" 2>&1 &
ev_pid=$!
_bg_pids="$_bg_pids $ev_pid"
subscribed() { [ "$(hs_ctl 2 -j stats | jq -r .event_subscribers)" -ge 1 ]; }
wait_until 20000 subscribed
hs_ctl 1 redundancy reconnect >/dev/null
out=$(ip netns exec "$H" mipha-mn -H $HS_VIP --coa 10.20.0.50 --home 10.20.0.$((100 + N)) \
	-n 5 --spi $HS_MN_SPI --key $HS_MN_KEY --timeout 500 --retries 3 -l 600 -j --once)
N=$((N + 5))
wait_until 20000 same_tables
wait_until 10000 connected 2
expect_eq "reconnected: 5 more registrations reach HA2 by the resumed stream, no second download" \
	"$N 1 true" "$(table 2 | wc -l) $(sync_field 2 .bulks_received) $(sync_field 2 .connected)"
wait_until 10000 grep -q "what=up" "$TMP/events2.txt"
expect_eq "miphactl events redundancy at HA2: the peer went down and came back up" "1 1" \
	"$(grep -c 'what=down' "$TMP/events2.txt") $(grep -c 'what=up' "$TMP/events2.txt")"
diag "HA2's redundancy events:" "$(cat "$TMP/events2.txt")"
kill $ev_pid 2>/dev/null

# --- a standby that restarts: recovery from its kernel, then the download --------------
# HA2 dies (-9: its kernel keeps forwarding for all $N); 5 nodes deregister at HA1
# meanwhile; the restarted HA2 recovers $N from its kernel, and the download
# from HA1 removes the 5 it did not bring, from the daemon and the kernel.
hs_stop 2 KILL
# (a standby that died and whose connection lasts until "dead" is not one
# to hand over to either: the switchover waits for a word from it)
disconnected() { ! connected 1; }
wait_until 10000 disconnected
out=$(hs_ctl 1 redundancy switchover 1 2>&1)
expect_eq "HA2 down: a switchover at HA1 times out (no standby connected), HA1 stays active" \
	"1 active" "$(echo "$out" | grep -c 'timed out: no standby peer connected') $(hs_state 1 lan)"
ip netns exec "$H" mipha-mn -H $HS_VIP --coa 10.20.0.50 --home 10.20.0.100 -n 5 \
	--spi $HS_MN_SPI --key $HS_MN_KEY --timeout 500 --retries 3 --deregister \
	>/dev/null 2>&1
N=$((N - 5))
hs_start 2 || tap_bail "HA2 does not restart"
wait_until 30000 same_tables
expect_eq "HA2 restarted: after its download it holds HA1's $N bindings, not the 5 gone meanwhile" \
	"$N $(table 1 | md5sum)" "$(table 2 | wc -l) $(table 2 | md5sum)"
expect_eq "... its kernel no longer forwards for those 5 either; one download received" \
	"$(ktable 1 | md5sum) 1" "$(ktable 2 | md5sum) $(sync_field 2 .bulks_received)"

# --- deregistrations follow ------------------------------------------------------------
ip netns exec "$H" mipha-mn -H $HS_VIP --coa 10.20.0.50 --home 10.20.0.105 -n 5 \
	--spi $HS_MN_SPI --key $HS_MN_KEY --timeout 500 --retries 3 --deregister \
	>/dev/null 2>&1
N=$((N - 5))
wait_until 20000 count2 $N
expect_eq "5 deregistrations at HA1: HA2 follows ($N left on both)" \
	"$N $N" "$(table 1 | wc -l) $(table 2 | wc -l)"
before=$(table 1)

# --- a planned switchover under traffic, and back -------------------------------------
before=$(table 1)
# the home host pings the home agent's address every 20 ms throughout
ip netns exec "$H" ping -n -i 0.02 -c 250 -W 1 $HS_VIP >"$TMP/ping.txt" 2>&1 &
ping_pid=$!
_bg_pids="$_bg_pids $ping_pid"
sleep 1
out=$(hs_ctl 1 redundancy switchover 2>&1)
st=$?
expect_eq "switchover at HA1: done once HA2 acknowledged every binding" "0 1" \
	"$st $(echo "$out" | grep -c '^Switchover done')"
diag "$out"
hs_wait 2 lan active 5000
expect_eq "HA2 active at once, HA1 out of the election" "active initial" \
	"$(hs_state 2 lan) $(hs_state 1 lan)"
expect_eq "HA2 holds HA1's table binding for binding: no binding lost" "$before" "$(table 2)"
wait $ping_pid
got=$(sed -n 's/.* \([0-9]*\) received.*/\1/p' "$TMP/ping.txt")
lost=$((250 - ${got:-0}))
diag "switchover gap: $lost of 250 pings lost at 20 ms (~$((lost * 20)) ms); hold time $HS_HOLD_MS ms"
expect_eq "the traffic gap is under a second (a quarter of the hold time)" yes \
	"$([ $((lost * 20)) -lt 1000 ] && echo yes || echo "no: $lost pings lost")"
out=$(mns --once -n 5 --home 10.20.0.110)
wait_until 20000 same_tables
expect_eq "5 nodes re-register at HA2: accepted, no replay rejection; HA1 follows" "5 0 yes" \
	"$(printf '%s' "$out" | jq -r '(.codes["0"] // 0), (.codes["133"] // 0)' | tr '\n' ' ')$(same_tables && echo yes)"
out=$(hs_ctl 1 redundancy switchover 2>&1)
expect_eq "a switchover at HA1 now is refused: it is not the active one" "1 1" \
	"$? $(echo "$out" | grep -c 'not the active one')"
hs_ctl 1 standby resume lan >/dev/null
hs_wait 1 lan active 10000
hs_wait 2 lan standby 10000
wait_until 10000 same_tables
expect_eq "switch back: HA1 resumes, preempts, and holds HA2's table" "active standby yes" \
	"$(hs_state 1 lan) $(hs_state 2 lan) $(same_tables && echo yes)"
before=$(table 1)

# --- the active dies --------------------------------------------------------------------
hs_stop 1 KILL
hs_wait 2 lan active $((HS_HOLD_MS * 3))
expect_eq "HA1 killed: HA2 active, holding the table HA1 had" "active" "$(hs_state 2 lan)"
expect_eq "... binding for binding" "$before" "$(table 2)"
out=$(mns --once -n $N --home 10.20.0.110)
expect_eq "the $N remaining nodes re-register at HA2: all accepted, no replay rejection" \
	"$N 0" \
	"$(printf '%s' "$out" | jq -r '(.codes["0"] // 0), (.codes["133"] // 0)' | tr '\n' ' ' | sed 's/ $//')"
expect_eq "HA2's kernel still forwards for every one" "$N" "$(ktable 2 | wc -l)"

# --- a home agent with another key ------------------------------------------------------
hs_conf 1 110 yes "" "$(peer 10.20.0.12 $BAD_KEY)"
hs_start 1 || tap_bail "HA1 does not restart"
auth_failed() { [ "$(sync_field 2 .auth_failures)" -ge 1 ]; }
wait_until 20000 auth_failed
expect_eq "HA1 back with another key: refused (not connected), counted at HA2" "false yes" \
	"$(sync_field 2 .connected) $(auth_failed && echo yes || echo no)"
expect_eq "... and nothing of HA1's reached HA2 (its table is its own)" "$N" \
	"$(table 2 | wc -l)"

hs_done
