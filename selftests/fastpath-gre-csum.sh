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
# The checksum is validated, not ignored: the MN then sends, from a raw
# socket, one GRE packet with a wrong checksum from the care-of address to
# the HA, carrying a UDP packet from the home address to the correspondent:
# mipha must not take it (rx_packets stays, the correspondent gets nothing);
# the same packet with the right checksum is taken and delivered.
# Topology: lib-fastpath.sh.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-fastpath.sh"
require_cmd miphactl tcpdump socat md5sum ethtool jq python3

tap_plan 12

mipha_load || tap_bail "cannot load mipha"
fp_topo || tap_bail "cannot build the topology"
ip -n "$MN" link add name mip0 type gre local $COA remote $HA_ADDR ocsum &&
	ip -n "$MN" link set mip0 up && ip -n "$MN" addr add $HOA/32 dev mip0 &&
	ip -n "$MN" route add default dev mip0 src $HOA ||
	tap_bail "cannot create the MN's gre tunnel (ocsum)"
# The MN segments (and checksums each segment) itself; the HA merges.
nsx "$MN" ethtool -K mn0 tso off gso off >/dev/null 2>&1 ||
	tap_bail "cannot turn TSO and GSO off for mn0"
nsx "$TR" ethtool -K tr-ha tso off >/dev/null 2>&1 ||
	tap_bail "cannot turn TSO off for tr-ha"
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
dropped=$(grep -o '^[0-9]* packets\{0,1\} dropped by kernel' "$TMP/tr.err" | cut -d' ' -f1)
expect_eq "tcpdump on ha-tr lost no packet (dropped by kernel)" 0 "$dropped"

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

# gre_csum_send CSUM: from the MN (care-of address) to the HA, GRE with the
# checksum bit carrying UDP from the home address to the correspondent,
# port 5002, payload CSUM; the checksum is right if CSUM is "good".
gre_csum_send()
{
	nsx "$MN" python3 - "$COA" "$HA_ADDR" "$HOA" "$CN_ADDR" "$1" <<-'EOF'
	import socket, struct, sys
	coa, ha, hoa, cn, what = sys.argv[1:6]
	def csum(b):
	    if len(b) % 2:
	        b += b"\0"
	    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
	    s = (s >> 16) + (s & 0xFFFF)
	    s += s >> 16
	    return ~s & 0xFFFF
	def ip(src, dst, proto, payload):
	    h = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(payload), 7,
	                    0x4000, 64, proto, 0, socket.inet_aton(src),
	                    socket.inet_aton(dst))
	    return h[:10] + struct.pack("!H", csum(h)) + h[12:] + payload
	data = ("mipha-gre-csum-" + what).encode()
	udp = struct.pack("!HHHH", 5002, 5002, 8 + len(data), 0) + data
	inner = ip(hoa, cn, 17, udp)
	gre = struct.pack("!HHHH", 0x8000, 0x0800, 0, 0) + inner
	c = csum(gre) ^ (0 if what == "good" else 0x5555)
	gre = gre[:4] + struct.pack("!H", c) + gre[6:]
	s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW)
	s.sendto(ip(coa, ha, 47, gre), (ha, 0))
	EOF
}
# Nothing else from the MN now: its gre device would send IPv6 (not counted,
# but quiet is clearer).
ip -n "$MN" link set mip0 down
rm -f "$TMP/udp"
nsx "$CN" timeout 30 socat -u UDP-RECV:5002 "OPEN:$TMP/udp,creat,append" 2>"$TMP/udpsrv" &
_bg_pids="$_bg_pids $!"
wait_until 10000 sh -c "ip netns exec $CN ss -lun | grep -q ':5002 '"
rx0=$(ha_stat rx_packets)
gre_csum_send bad
tap_result "the MN sends GRE with a wrong checksum (care-of address to HA, home address inside)" $?
sleep 1
rx=$(delta "$(ha_stat rx_packets)" "$rx0")
expect_eq "mipha does not take it: rx_packets does not move" 0 "$rx"
expect_eq "the correspondent does not get its payload" "" "$(cat "$TMP/udp" 2>/dev/null)"
rx0=$(ha_stat rx_packets)
gre_csum_send good
tap_result "the MN sends the same packet with the right checksum" $?
wait_until 5000 grep -q good "$TMP/udp"
rx=$(delta "$(ha_stat rx_packets)" "$rx0")
expect_eq "mipha takes that one: rx_packets moves by 1" 1 "$rx"
expect_eq "and the correspondent gets its payload (only that one)" "mipha-gre-csum-good" \
	"$(cat "$TMP/udp" 2>/dev/null)"

tap_done
