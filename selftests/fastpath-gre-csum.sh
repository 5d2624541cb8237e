#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# GRE with checksums (RFC 2784 'C' bit) in the reverse tunnel, merged by GRO
# on the home agent's ingress (issue 12, item 6). The mobile node's kernel gre
# device sends checksummed GRE (ocsum) and segments in software (no TSO on
# mn0), so every packet on the wire carries its own, correct checksum; the
# HA's ha-tr has GRO on (veth runs NAPI then; the transit router's tr-ha has
# TSO off, or veth would not use GRO for what it sends), so a TCP stream arrives there
# as merged packets whose GRE checksum field is the first segment's and whose
# payload is CHECKSUM_PARTIAL. The HA must trust the checksum state GRO left
# (as gre_parse_header() does) rather than sum the merged packet in software:
# every packet must be decapsulated, none left to the kernel's own GRE (which,
# with no tunnel of its own for it, answers unreachable and drops it). Before
# the fix not even the SYN got through: veth hands the peer CHECKSUM_PARTIAL
# packets, whose GRE checksum (computed with local checksum offload) only
# holds once the inner TCP checksum is filled in.
# Topology: lib-fastpath.sh.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-fastpath.sh"
require_cmd miphactl tcpdump socat md5sum ethtool jq

tap_plan 5

mipha_load || tap_bail "cannot load mipha"
fp_topo || tap_bail "cannot build the topology"
ip -n "$MN" link add name mip0 type gre local $COA remote $HA_ADDR ocsum &&
	ip -n "$MN" link set mip0 up && ip -n "$MN" addr add $HOA/32 dev mip0 &&
	ip -n "$MN" route add default dev mip0 src $HOA ||
	tap_bail "cannot create the MN's gre tunnel (ocsum)"
# The MN segments (and checksums each segment) itself; the HA merges.
nsx "$MN" ethtool -K mn0 tso off gso off >/dev/null 2>&1
nsx "$TR" ethtool -K tr-ha tso off >/dev/null 2>&1
nsx "$HA" ethtool -K ha-tr gro on >/dev/null 2>&1 ||
	tap_bail "cannot turn GRO on for ha-tr"
tap_check "bind $HOA (gre, no key, reverse tunnel)" ha_bind $HOA encap gre reverse-tunnel

head -c 4000000 /dev/urandom >"$TMP/data"
want=$(md5sum <"$TMP/data")

rx0=$(ha_stat rx_packets)
cap_start tr "$HA" ha-tr -s 96 'ip proto 47 and src 10.9.3.2' || tap_bail "cannot capture"
rm -f "$TMP/rx"
nsx "$CN" timeout 50 socat -u TCP-LISTEN:5001,reuseaddr "OPEN:$TMP/rx,creat,trunc" \
	2>"$TMP/srv" &
srv=$!
_bg_pids="$_bg_pids $srv"
wait_until 10000 sh -c "ip netns exec $CN ss -ltn | grep -q ':5001 '"
t=$(now_ms)
nsx "$MN" timeout 45 socat -u "OPEN:$TMP/data" TCP:$CN_ADDR:5001,bind=$HOA 2>"$TMP/cli"
st=$?
wait "$srv"
diag "transfer: $(($(now_ms) - t)) ms, socat exit $st $(cat "$TMP/cli")"
cap_stop tr

expect_eq "4 MB over TCP from the mobile node (GRE with checksums) arrive intact" \
	"$want" "$(md5sum <"$TMP/rx" 2>/dev/null)"
# tcpdump sees what GRO made of the stream: packets longer than the MTU.
merged=$(tcpdump -r "$TMP/tr.pcap" -n -v 2>/dev/null |
	awk '/proto GRE/ { if (match($0, /length [0-9]+\)/)) { l = substr($0, RSTART + 7, RLENGTH - 8); if (l + 0 > 1500) n++ } } END { print n + 0 }')
# (IPv4 from the home address: the MN's gre device also sends IPv6, not ours.)
all=$(tcpdump -r "$TMP/tr.pcap" -n 2>/dev/null | grep -cE 'GREv0, .*: IP 10\.9\.0\.100\.')
diag "GRE packets at the HA's ingress: $all, merged by GRO: $merged"
expect_ge "GRO on ha-tr merged checksummed GRE packets (longer than the 1500 MTU)" 1 "$merged"
expect_match "the MN's GRE carries checksums" 'GREv0, Flags \[checksum present\]' \
	"$(tcpdump -r "$TMP/tr.pcap" -n -v 2>/dev/null | head -n 4)"
rx=$(delta "$(ha_stat rx_packets)" "$rx0")
expect_ge "every GRE packet the HA received (GRO-merged or not) was decapsulated by mipha, none left to the kernel (rx_packets moved by $rx, $all captured)" \
	"$all" "$rx"

tap_done
