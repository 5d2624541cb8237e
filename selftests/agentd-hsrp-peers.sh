#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# HSRP against peers that are not mipha (lib-hsrp.sh's topology, HA3 not
# started): an HSRP speaker written with scapy (selftests/hsrp-peer, none
# of our code) with a higher priority takes over our v1 group with a coup,
# and ours takes it back when it goes quiet; messages failing
# authentication (wrong text, wrong MD5 key, a flipped digest bit, text
# where MD5 is configured) are counted and never acted on; datagrams that
# are not HSRP of a link (unicast, TTL above 1, truncated, another group)
# are counted; what we send (v1, v2 with MD5: hello, coup, resign) decodes
# in tshark with no malformed packet and no expert warning; equal
# priorities elect the higher address.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-hsrp.sh"

tap_plan 15

PY=/usr/bin/python3
hs_setup
$PY -c 'import scapy.layers.hsrp' 2>/dev/null || tap_skip_rest "python3-scapy missing"
peer()
{
	ip netns exec "$C" $PY "$SELFTESTS_DIR/hsrp-peer" -i lan0 -s 10.20.0.60 "$@" \
		>>"$TMP/peer.log" 2>&1
}

# Capture what the LAN carries from the start (tshark reads it at the end).
ip netns exec "$C" tcpdump -n -i lan0 -w "$TMP/lan.pcap" udp port 1985 \
	>/dev/null 2>&1 &
cap_pid=$!
_bg_pids="$_bg_pids $cap_pid"
ok=0
for i in 1 2; do hs_start $i || ok=1; done
tap_result "two home agents start" $ok
hs_wait 1 legacy active 40000
hs_wait 1 lan active 30000
hs_wait 2 legacy standby 30000
hs_wait 2 lan standby 30000
expect_eq "HA1 active in both groups, HA2 standby" "active active standby standby" \
	"$(hs_state 1 lan) $(hs_state 1 legacy) $(hs_state 2 lan) $(hs_state 2 legacy)"

# --- a scapy speaker with priority 200 -------------------------------------------------
# (scapy takes seconds to start under TCG: the peer speaks for 12 s once
# it has.)
peer -g 1 -V $HS_VIP1 -p 200 --coup -t 12 &
ppid=$!
wait_until 40000 sh -c "[ \"\$(ip netns exec $HA1 miphactl -socket $TMP/ha1.sock -j standby show legacy | jq -r '.[0].active_router.address')\" = 10.20.0.60 ]"
# and (a loaded CI run read HA1 "active", holding the address, just after that) the state
# and the address, read until they agree or 10 s pass
gave_up() { [ "$(hs_state 1 legacy | grep -cvx active) $(hs_holders $HS_VIP1)" = "1 " ]; }
wait_until 10000 gave_up
expect_eq "scapy's coup (priority 200): HA1 gives up legacy, its address goes" \
	"1 " "$(hs_state 1 legacy | grep -cvx active) $(hs_holders $HS_VIP1)"
expect_eq "HA1 sees the scapy router as the active one" "10.20.0.60 200" \
	"$(hs_field 1 legacy '"\(.active_router.address) \(.active_router.priority)"')"
wait $ppid
hs_wait 1 legacy active 15000
expect_eq "scapy quiet: HA1 takes legacy back after the hold time" "active HA1" \
	"$(hs_state 1 legacy) $(hs_holders $HS_VIP1)"

# --- authentication ----------------------------------------------------------------
af()
{
	hs_field 1 "$1" .counters.auth_failures
}
# auth_case NAME GROUP PEER-ARGS...: the peer (priority 250, a coup, then
# hellos as active) changes nothing at HA1 and each message is counted.
auth_case()
{
	_name=$1 _g=$2
	shift 2
	_a0=$(af $_g)
	peer -p 250 --coup "$@"
	_a1=$(af $_g)
	if [ "$(hs_state 1 $_g)" = active ] && [ $((_a1 - _a0)) -ge 3 ]; then
		tap_ok "$_name"
	else
		tap_fail "$_name" "state $(hs_state 1 $_g), auth_failures $_a0 -> $_a1"
	fi
}
auth_case "v1 with the wrong text: ignored, counted" legacy \
	-g 1 -V $HS_VIP1 --text wrong -t 2.5
auth_case "v2 MD5 with the wrong key: ignored, counted" lan \
	-v 2 -g 7 -V $HS_VIP --md5 not-the-key --hello 300 -t 1
auth_case "v2 MD5, the right key, one digest bit flipped: ignored, counted" lan \
	-v 2 -g 7 -V $HS_VIP --md5 "$HS_KEY" --bad-digest --hello 300 -t 1
auth_case "v2 text where MD5 is configured: ignored, counted" lan \
	-v 2 -g 7 -V $HS_VIP --hello 300 -t 1
auth_case "v2 MD5 signed as another router (TLV sender not the source): ignored, counted" lan \
	-v 2 -g 7 -V $HS_VIP --md5 "$HS_KEY" --md5-sender 10.20.0.11 --hello 300 -t 1

# --- not HSRP of this link ---------------------------------------------------------
st()
{
	hs_ctl 1 -j stats | jq -r ".standby.$1"
}
u0=$(st not_multicast) t0=$(st bad_ttl) m0=$(st malformed) g0=$(st unknown_group)
ha1_mac=$(ip -n "$HA1" -o link show lan0 | sed -n 's/.*link\/ether \([^ ]*\).*/\1/p')
ip netns exec "$C" $PY - <<-PYEOF >>"$TMP/peer.log" 2>&1
	from scapy.all import *
	from scapy.layers.hsrp import HSRP
	me = get_if_hwaddr("lan0")
	e = Ether(src=me, dst="01:00:5e:00:00:02")
	h = HSRP(opcode=1, state=16, priority=255, group=1, virtualIP="$HS_VIP1")
	u = UDP(sport=1985, dport=1985)
	sendp(Ether(src=me, dst="$ha1_mac") / IP(src="10.20.0.60", dst="10.20.0.11") / u / h, iface="lan0")
	sendp(e / IP(src="10.20.0.60", dst="224.0.0.2", ttl=2) / u / h, iface="lan0")
	sendp(e / IP(src="10.20.0.60", dst="224.0.0.2", ttl=1) / u / bytes(h)[:12], iface="lan0")
	sendp(e / IP(src="10.20.0.60", dst="224.0.0.2", ttl=1) / u / HSRP(group=99), iface="lan0")
PYEOF
# the daemon may read them later than scapy sent them (a loaded machine)
all_four_counted()
{
	[ "$(st not_multicast)" -gt "$u0" ] && [ "$(st bad_ttl)" -gt "$t0" ] &&
		[ "$(st malformed)" -gt "$m0" ] && [ "$(st unknown_group)" -gt "$g0" ]
}
wait_until 10000 all_four_counted
sleep 0.2 # (and nothing more than one each)
expect_eq "unicast, TTL 2, truncated, group 99: each counted, none acted on" \
	"$((u0 + 1)) $((t0 + 1)) $((m0 + 1)) $((g0 + 1)) active" \
	"$(st not_multicast) $(st bad_ttl) $(st malformed) $(st unknown_group) $(hs_state 1 legacy)"

# --- what we send, in tshark ---------------------------------------------------------
hs_ctl 1 standby resign lan >/dev/null
hs_wait 2 lan active 6000
hs_ctl 1 standby resume lan >/dev/null
hs_wait 1 lan active 30000
sleep 1
kill $cap_pid 2>/dev/null
wait $cap_pid 2>/dev/null
if command -v tshark >/dev/null 2>&1; then
	# One pass (tshark starts slowly under TCG): per packet of ours, the
	# v1 and v2 op codes, v2 group, virtual IP and digest, and whether
	# tshark found it malformed or worth an expert warning (6291456 and
	# up; the Note that TTL 1 to 224.0.0.x gets is not one).
	tshark -r "$TMP/lan.pcap" -Y "ip.src == 10.20.0.11 || ip.src == 10.20.0.12" \
		-T fields -e hsrp.opcode -e hsrp2.opcode -e hsrp2.group -e hsrp2.virt_ip \
		-e hsrp2.md5_auth_data -e _ws.malformed -e _ws.expert.severity \
		>"$TMP/ts.txt" 2>/dev/null
	expect_eq "tshark: our v2 hello, coup and resign, and v1 hello" \
		"hello coup resign v1-hello" \
		"$(awk -F'\t' '$2 == "0" { h = 1 } $2 == "1" { c = 1 } $2 == "2" { r = 1 }
			$1 == "0" { v = 1 }
			END { print (h ? "hello" : "-") " " (c ? "coup" : "-") " " \
				(r ? "resign" : "-") " " (v ? "v1-hello" : "-") }' "$TMP/ts.txt")"
	expect_eq "tshark: v2 messages carry the MD5 TLV, group 7, virtual IP 10.20.0.1" \
		"7 10.20.0.1" \
		"$(awk -F'\t' '$5 != "" && $3 == 7 { print $3, $4 }' "$TMP/ts.txt" | sort -u | head -n 1)"
	expect_eq "tshark: no malformed packet, no expert warning" "0" \
		"$(awk -F'\t' '{ n = split($7, sv, ","); bad = $6 != ""
			for (i = 1; i <= n; i++) if (sv[i] + 0 >= 6291456) bad = 1 }
			bad { c++ } END { print c + 0 }' "$TMP/ts.txt")"
else
	for n in 1 2 3; do tap_skip "tshark check $n" "tshark missing"; done
fi

# --- equal priorities: the higher address ---------------------------------------------
hs_stop 1
hs_stop 2
hs_conf 1 100 no
hs_conf 2 100 no
hs_start 1 && hs_start 2
hs_wait 2 lan active 30000
hs_wait 1 lan standby 30000
expect_eq "equal priority 100: HA2 (10.20.0.12) active, HA1 standby" \
	"active standby" "$(hs_state 2 lan) $(hs_state 1 lan)"
hs_done
