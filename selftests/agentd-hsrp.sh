#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# HSRP between three mipha-agentd on one home LAN (lib-hsrp.sh's topology):
# the election by priority (v2 with MD5 and v1 side by side, a follow
# group), who owns the virtual IP and MAC (macvlan, ARP answers, the home
# link's proxy ARP in mipha.ko), a mobile node registering to the virtual
# address and its traffic tunnelled by the active, registrations to a
# router that is not active left unanswered, resign and preempt, preempt
# delay sync, interface tracking, kill -9 of the active (takeover after the
# hold time, the third router from Listen to Standby, the crashed daemon's
# addresses removed when it restarts), and a clean shutdown's resign.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-hsrp.sh"

tap_plan 37

hs_setup
# HA3 runs a notify hook: each call appends its arguments.
printf '#!/bin/sh\necho "$*" >>"%s/hook.out"\n' "$TMP" >"$TMP/hook.sh"
chmod 0755 "$TMP/hook.sh"
hs_conf 3 90 no "notify = \"$TMP/hook.sh\""
# A tracked interface in HA1 (phase "tracking").
ip -n "$HA1" link add trk0 type veth peer name trk1 &&
	ip -n "$HA1" link set trk1 up && ip -n "$HA1" link set trk0 up ||
	tap_bail "cannot make HA1's tracked interface"

# --- election ------------------------------------------------------------------
ok=0
for i in 1 2 3; do hs_start $i || ok=1; done
tap_result "three home agents start" $ok
hs_wait 1 lan active 30000
hs_wait 2 lan standby 30000
hs_wait 3 lan listen 30000
expect_eq "lan (v2, MD5): HA1 active, HA2 standby, HA3 listen" \
	"active standby listen" "$(hs_states lan)"
hs_wait 1 legacy active 40000
hs_wait 2 legacy standby 40000
hs_wait 3 legacy listen 40000
expect_eq "legacy (v1, text) beside it: HA1 active, HA2 standby, HA3 listen" \
	"active standby listen" "$(hs_states legacy)"
expect_eq "follower takes lan's states" "active standby listen" "$(hs_states follower)"
expect_eq "HA3 sees HA1 active (110) and HA2 standby (100)" \
	"10.20.0.11 110 10.20.0.12 100" \
	"$(hs_field 3 lan '"\(.active_router.address) \(.active_router.priority) \(.standby_router.address) \(.standby_router.priority)"')"
expect_match "miphactl standby: state, virtual IP and MAC as IOS shows them" \
	"state is active.*Virtual IP address is 10\.20\.0\.1.*$HS_VMAC" \
	"$(hs_ctl 1 standby show lan | tr '\n' ' ')"
expect_eq "miphactl -j standby: an array of every group with the documented keys" \
	"3 true" \
	"$(hs_ctl 1 -j standby | jq -r '"\(length) \(all(.[]; has("name") and has("interface") and has("group") and has("version") and has("state") and has("virtual_ip") and has("virtual_mac") and has("priority") and has("active_router") and has("standby_router")))"')"

# --- owning the virtual addresses ----------------------------------------------
expect_eq "only HA1 holds 10.20.0.1, 10.20.0.2 and 10.20.0.3" "HA1 HA1 HA1" \
	"$(hs_holders $HS_VIP) $(hs_holders $HS_VIP1) $(hs_holders $HS_VIPF)"
expect_eq "H's ARP for 10.20.0.1 is answered by lan's virtual MAC alone" \
	"$HS_VMAC" "$(hs_arp_macs "$H" $HS_VIP)"
expect_eq "ARP for the v1 and follow groups' addresses: their own virtual MACs" \
	"$HS_VMAC1 $HS_VMACF" "$(hs_arp_macs "$H" $HS_VIP1) $(hs_arp_macs "$H" $HS_VIPF)"
expect_match "HA1's home link: mipha.ko proxy-ARPs with the virtual MAC" \
	"proxy-arp on lladdr $HS_VMAC" \
	"$(ip netns exec "$HA1" miphactl kernel link show lan0 2>&1)"
expect_match "HA2's home link: proxy ARP off (not active)" "proxy-arp off" \
	"$(ip netns exec "$HA2" miphactl kernel link show lan0 2>&1)"

# --- a mobile node through the virtual address ------------------------------------
MNHOME=10.20.0.100
mn_reg()
{
	_ns=$1 _coa=$2
	shift 2
	ip netns exec "$_ns" mipha-mn -H $HS_VIP --coa "$_coa" --home $MNHOME \
		--spi $HS_MN_SPI --key $HS_MN_KEY --timeout 400 --retries 2 \
		--once -l 120 "$@"
}
tap_check "a mobile node registers to 10.20.0.1: accepted" mn_reg "$H" 10.20.0.50
expect_eq "HA1 holds its binding, HA2 none" "1 0" \
	"$(hs_ctl 1 -j stats | jq -r .bindings) $(hs_ctl 2 -j stats | jq -r .bindings)"
expect_eq "C's ARP for the home address: proxy-answered with the virtual MAC" \
	"$HS_VMAC" "$(hs_arp_macs "$C" $MNHOME)"
ip netns exec "$H" timeout 30 tcpdump -l -n -i lan0 -c 2 \
	"ip proto 4 and src $HS_VIP" >"$TMP/tun.txt" 2>"$TMP/tun.err" &
tpid=$!
wait_until 20000 grep -q "listening on" "$TMP/tun.err"
ip netns exec "$C" ping -c 10 -i 0.3 -W 1 $MNHOME >/dev/null 2>&1
wait $tpid
expect_match "C -> home address: tunnelled by the active from 10.20.0.1 to the care-of address" \
	"IP $HS_VIP > 10\.20\.0\.50: IP 10\.20\.0\.60 > $MNHOME: ICMP echo request" \
	"$(cat "$TMP/tun.txt")"
# A request reaching a router that is not active for the address: HA2 is
# given 10.20.0.1 on its loopback so that the request is delivered to it.
na0=$(hs_ctl 2 -j stats | jq -r .not_active)
ip -n "$HA2" addr add $HS_VIP/32 dev lo
mn_reg "$HA2" 10.20.0.12 >/dev/null 2>&1
st=$?
ip -n "$HA2" addr del $HS_VIP/32 dev lo
na1=$(hs_ctl 2 -j stats | jq -r .not_active)
expect_eq "a request to the standby: not answered, counted not_active" \
	"failed counted" \
	"$([ $st -ne 0 ] && echo failed) $([ "$na1" -gt "$na0" ] && echo counted || echo "$na0 -> $na1")"

# --- resign, preempt ------------------------------------------------------------
# A follower of HA2's standby events, from before the resign.
hs_ctl 2 events standby >"$TMP/events.txt" 2>&1 &
ev_pid=$!
_bg_pids="$_bg_pids $ev_pid"
sleep 2
# clock N: HA N's daemon clock (ms); took N GROUP T0: ms from T0 (HA N's
# clock, read before the action) to HA N's last state change in GROUP
# (polling through miphactl is slower than HSRP).
clock()
{
	hs_field "$1" lan .clock_ms
}
took()
{
	echo $(($(hs_field "$1" "$2" .last_change.monotonic_ms) - $3))
}
ip netns exec "$H" ping -c 1 -W 2 $HS_VIP >/dev/null 2>&1
neigh_before=$(ip -n "$H" neigh show $HS_VIP | awk '{ print $5 }')
t0=$(clock 2)
hs_ctl 1 standby resign lan >/dev/null
hs_wait 2 lan active 6000
t=$(took 2 lan $t0)
if hs_is 2 lan active && [ $t -lt $HS_HOLD_MS ]; then
	tap_ok "resign at HA1: HA2 active at once ($t ms, hold time $HS_HOLD_MS)"
else
	tap_fail "resign at HA1: HA2 active at once" "$t ms: $(hs_states lan)"
fi
wait_until 10000 grep -q "name=lan .* state=active" "$TMP/events.txt"
ev=$(grep "^standby .*name=lan .* state=active" "$TMP/events.txt" | head -n 1)
expect_eq "miphactl events: HA2's takeover, with its reason" "yes yes" \
	"$(echo "$ev" | grep -q "old_state=standby" && echo yes) $(echo "$ev" | grep -q 'reason="active router resigned"' && echo yes)"
expect_eq "HA1 resigned is initial; HA2 holds 10.20.0.1 and the follower's" \
	"initial HA2 HA2" "$(hs_state 1 lan) $(hs_holders $HS_VIP) $(hs_holders $HS_VIPF)"
ip netns exec "$H" ping -c 1 -W 2 $HS_VIP >/dev/null 2>&1
expect_eq "H reaches 10.20.0.1 with its ARP entry unchanged" \
	"$HS_VMAC $HS_VMAC" \
	"$neigh_before $(ip -n "$H" neigh show $HS_VIP | awk '{ print $5 }')"
hs_ctl 1 standby resume lan >/dev/null
hs_wait 1 lan active 30000
expect_eq "resume: HA1 preempts (coup) and HA2 resigns" "active 1 1" \
	"$(hs_state 1 lan) $(hs_field 1 lan '.counters.coups_sent >= 1 | if . then 1 else 0 end') $(hs_field 2 lan '.counters.resigns_sent >= 1 | if . then 1 else 0 end')"
hs_wait 2 lan standby 20000
expect_eq "HA2 is standby again, the addresses back on HA1" "standby HA1 HA1" \
	"$(hs_state 2 lan) $(hs_holders $HS_VIP) $(hs_holders $HS_VIPF)"

# --- preempt delay sync, tracking ----------------------------------------------------
hs_stop 1
hs_wait 2 lan active 6000
hs_conf 1 110 yes 'preempt-delay-sync = 60
	track = "trk0 20"'
hs_start 1
hs_wait 1 lan standby 30000
sleep 2
expect_eq "delay sync: HA1 standby, not preempting before the download ends" \
	"standby active" "$(hs_state 1 lan) $(hs_state 2 lan)"
hs_ctl 1 standby sync-done lan >/dev/null
hs_wait 1 lan active 6000
expect_eq "sync-done: HA1 preempts at once" "active" "$(hs_state 1 lan)"
hs_wait 2 lan standby 20000
ip -n "$HA1" link set trk1 down
hs_wait 2 lan active 12000
expect_eq "tracked interface down: HA1 priority 90, HA2 preempts" "90 active" \
	"$(hs_field 1 lan .priority) $(hs_state 2 lan)"
ip -n "$HA1" link set trk1 up
# Having left Active, HA1 waits for a fresh download before preempting.
sleep 2
expect_eq "tracked interface up: HA1 back to 110, waiting for the download" \
	"110 not-active" "$(hs_field 1 lan .priority) $(hs_state 1 lan | sed 's/^\(standby\|speak\|listen\)$/not-active/')"
hs_ctl 1 standby sync-done lan >/dev/null
hs_wait 1 lan active 12000
expect_eq "sync-done again: HA1 active" "active" "$(hs_state 1 lan)"
hs_wait 2 lan standby 20000

# --- kill -9 of the active -------------------------------------------------------------
t0=$(clock 2)
hs_stop 1 KILL
hs_wait 2 lan active 20000
t=$(took 2 lan $t0)
# Its last hello may be a hello time (1 s) old at the kill.
if hs_is 2 lan active && [ $t -ge $((HS_HOLD_MS - 1000)) ] &&
	[ $t -le $((HS_HOLD_MS + 1500)) ]; then
	tap_ok "kill -9 HA1: HA2 active after the hold time ($t ms, hold $HS_HOLD_MS)"
else
	tap_fail "kill -9 HA1: HA2 active after the hold time" "$t ms: $(hs_states lan)"
fi
hs_wait 3 lan standby 20000
expect_eq "HA3 leaves Listen for Standby" "standby" "$(hs_state 3 lan)"
wait_until 10000 grep -q "^lan speak standby" "$TMP/hook.out"
expect_match "HA3's notify hook ran with group, old and new state, reason" \
	"^lan speak standby standby timer expired" "$(cat "$TMP/hook.out" 2>&1)"
# Restarted with a long preempt delay, so it stays standby for the check.
hs_conf 1 110 yes 'preempt-delay-reload = 60'
hs_start 1
expect_eq "HA1 restarted: its crash's macvlans and addresses are gone" \
	"HA2 HA2 0" \
	"$(hs_holders $HS_VIP) $(hs_holders $HS_VIPF) $(ip -n "$HA1" -o link show type macvlan | grep -ci -e $HS_VMAC -e $HS_VMACF)"
expect_eq "ARP for 10.20.0.1 still has one answer, the virtual MAC" \
	"$HS_VMAC" "$(hs_arp_macs "$H" $HS_VIP)"
expect_match "HA1's proxy ARP was switched off at start" "proxy-arp off" \
	"$(ip netns exec "$HA1" miphactl kernel link show lan0 2>&1)"

# --- clean shutdown ---------------------------------------------------------------------
hs_wait 1 lan standby 30000
t0=$(clock 1)
hs_stop 2
hs_wait 1 lan active 6000
t=$(took 1 lan $t0)
expect_eq "SIGTERM at the active: it resigns, HA1 active at once" "active 1" \
	"$(hs_state 1 lan) $([ $t -lt $HS_HOLD_MS ] && echo 1 || echo "0 ($t ms)")"
expect_eq "HA2 stopped holds nothing, proxy ARP off" "HA1 0 off" \
	"$(hs_holders $HS_VIP) $(ip -n "$HA2" -o link show type macvlan | wc -l) $(ip netns exec "$HA2" miphactl kernel link show lan0 2>&1 | sed -n 's/.*proxy-arp \([a-z]*\).*/\1/p')"
for i in 1 3; do hs_stop $i; done
expect_eq "every daemon stopped: no virtual address left on the LAN" "" \
	"$(hs_holders $HS_VIP)$(hs_holders $HS_VIP1)$(hs_holders $HS_VIPF)"
hs_done
