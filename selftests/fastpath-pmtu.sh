#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Path MTU discovery through a mipha tunnel. The transit router's link to the
# mobile node has MTU 1200; the correspondent and the mobile node both think
# 1500 (the MN's tunnel device is set to 1500, so both sides announce an MSS
# of 1460). A TCP transfer from the correspondent (DF on every segment) must
# complete: the transit router's frag-needed (mtu 1200) about the HA's outer
# packets is learned by the HA, which then answers the correspondent's
# oversized DF packets with frag-needed mtu 1180 (1200 - 20 of IPIP), and the
# correspondent's PMTU discovery converges. Then the same with GRE and a key
# (1200 - 28 = 1172), and non-DF packets over the small link.
# Topology: lib-fastpath.sh.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-fastpath.sh"
require_cmd miphactl tcpdump ping socat md5sum jq

tap_plan 15

mipha_load || tap_bail "cannot load mipha"
fp_topo || tap_bail "cannot build the topology"
ip -n "$TR" link set tr-mn mtu 1200 && ip -n "$MN" link set mn0 mtu 1200 ||
	tap_bail "cannot lower the MTU"
fp_mn_tunnel ipip && ip -n "$MN" link set mip0 mtu 1500 || tap_bail "cannot create the MN's tunnel"
tap_check "bind $HOA (ipip, reverse tunnel)" ha_bind $HOA reverse-tunnel

head -c 1000000 /dev/urandom >"$TMP/data"
want=$(md5sum <"$TMP/data")

# transfer NAME: TCP from the correspondent to the MN's home address; prints
# the md5sum of what arrived.
transfer()
{
	rm -f "$TMP/$1.rx"
	ip netns exec "$MN" timeout 90 socat -u TCP-LISTEN:5001,reuseaddr \
		"OPEN:$TMP/$1.rx,creat,trunc" 2>"$TMP/$1.srv" &
	_srv=$!
	_bg_pids="$_bg_pids $_srv"
	wait_until 10000 sh -c "ip netns exec $MN ss -ltn | grep -q ':5001 '"
	nsx "$CN" timeout 60 socat -u "OPEN:$TMP/data" TCP:$HOA:5001 2>"$TMP/$1.cli"
	_st=$?
	wait "$_srv"
	[ $_st -eq 0 ] || diag "socat client: exit $_st, $(cat "$TMP/$1.cli")"
	md5sum <"$TMP/$1.rx" 2>/dev/null
}

pm0=$(ha_stat pmtu_updates) tb0=$(ha_stat drop_too_big)
# One capture per interface for the whole test; each step reads its window.
cap_start cn "$CN" cn0 icmp && cap_start tr "$HA" ha-tr icmp || tap_bail "cannot capture"
t=$(now_ms) t0=$(mark)
got=$(transfer ipip)
win "$t0" "$(mark)"
diag "ipip transfer: $(($(now_ms) - t)) ms"
expect_eq "1 MB over TCP (DF) from the correspondent arrives intact through IPIP" "$want" "$got"
expect_cap "the transit router told the HA: frag-needed, mtu 1200" \
	tr 1 "IP 10\.9\.2\.2 > 10\.9\.0\.1: ICMP 10\.9\.3\.2 unreachable - need to frag \(mtu 1200\)"
expect_ge "the HA learned it (pmtu_updates)" 1 "$(delta "$(ha_stat pmtu_updates)" "$pm0")"
expect_cap "the HA told the correspondent: frag-needed, mtu 1180" \
	cn 1 "IP 10\.9\.1\.1 > 10\.9\.1\.2: ICMP 10\.9\.0\.100 unreachable - need to frag \(mtu 1180\)"
expect_ge "counted as drop_too_big" 1 "$(delta "$(ha_stat drop_too_big)" "$tb0")"
expect_match "the correspondent's route to the home address now has mtu 1180" \
	'mtu 1180' "$(ip -n "$CN" route get $HOA)"
expect_eq "a DF ping of exactly 1180 bytes passes" 1 "$(pings "$CN" 1 $HOA -M do -s 1152)"
out=$(nsx "$CN" ping -n -c 1 -W 2 -M do -s 1153 $HOA 2>&1)
expect_match "one byte more does not (mtu 1180)" 'mtu ?= ?1180' "$out"
expect_eq "a 1400-byte non-DF ping crosses the 1200-byte link (fragmented)" 1 \
	"$(pings "$CN" 1 $HOA -M dont -s 1400)"

# --- GRE with a key: 28 bytes of headers ---------------------------------------------------
phase "GRE with a key: 28 bytes of headers"
tap_check "replace: gre key 5" \
	ha_ctl kernel binding replace $HOA coa $COA ha $HA_ADDR encap gre key 5 reverse-tunnel
fp_mn_tunnel gre 5 && ip -n "$MN" link set mip0 mtu 1500 || tap_bail "cannot create the MN's tunnel"
ip -n "$CN" route flush cache
out=$(nsx "$CN" ping -n -c 2 -i 0.5 -W 2 -M do -s 1160 $HOA 2>&1)
expect_match "gre key: DF packet of 1188 bytes gets frag-needed mtu 1172 (1200 - 28)" \
	'mtu ?= ?1172' "$out"
expect_eq "gre key: a DF ping of exactly 1172 bytes passes" 1 "$(pings "$CN" 1 $HOA -M do -s 1144)"
# Both ends forget what the pings above taught them (the MN's own gre device
# learned the tunnel MTU and would announce a small MSS).
ip -n "$CN" route flush cache
ip -n "$MN" route flush cache
t=$(now_ms) t0=$(mark)
got=$(transfer gre)
win "$t0" "$(mark)"
diag "gre transfer: $(($(now_ms) - t)) ms"
expect_eq "1 MB over TCP arrives intact through GRE with a key" "$want" "$got"
expect_cap "the HA told the correspondent: frag-needed, mtu 1172" \
	cn 1 "IP 10\.9\.1\.1 > 10\.9\.1\.2: ICMP 10\.9\.0\.100 unreachable - need to frag \(mtu 1172\)"

phase "end"
tap_done
