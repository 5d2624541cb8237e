#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Forged frag-needed errors (issue 12, item 12). Anyone can send the HA an
# ICMP frag-needed quoting an IPIP or GRE header from the HA address: it may
# lower a path MTU only if the quoted destination is the care-of address of
# a binding (a tunnel in use), and only if its checksum is right. The
# transit router sends, from a raw socket:
#   - frag-needed quoting HA -> 10.9.1.2 (the correspondent, not a care-of
#     address): ignored, no PMTU learned for the correspondent;
#   - frag-needed quoting HA -> the care-of address, bad ICMP checksum:
#     ignored;
#   - the same with the right checksum: learned (mtu 1300), counted;
#   - the same again, and one with mtu 1400: nothing learned, not counted;
#   - a later, lower one (mtu 1200), as a genuine path sends when it shrinks
#     again: learned and counted again.
# Topology: lib-fastpath.sh.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-fastpath.sh"
require_cmd miphactl python3 jq

tap_plan 15

mipha_load || tap_bail "cannot load mipha"
fp_topo || tap_bail "cannot build the topology"
tap_check "bind $HOA (ipip)" ha_bind $HOA

# fragneeded DEST PROTO MTU [bad]: from TR to the HA, an ICMP frag-needed
# about an outer packet HA -> DEST of protocol PROTO.
fragneeded()
{
	nsx "$TR" python3 - "$@" <<-'EOF'
	import socket, struct, sys
	dest, proto, mtu = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
	bad = len(sys.argv) > 4
	def csum(b):
	    if len(b) % 2:
	        b += b"\0"
	    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
	    s = (s >> 16) + (s & 0xFFFF)
	    s += s >> 16
	    return ~s & 0xFFFF
	ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 120, 1, 0x4000, 64, proto, 0,
	                 socket.inet_aton("10.9.0.1"), socket.inet_aton(dest))
	ip = ip[:10] + struct.pack("!H", csum(ip)) + ip[12:]
	quoted = ip + struct.pack("!BBHHHBBH", 0x45, 0, 100, 2, 0x4000, 64, 1, 0)
	icmp = struct.pack("!BBHHH", 3, 4, 0, 0, mtu) + quoted
	c = csum(icmp) ^ (0x5555 if bad else 0)
	icmp = icmp[:2] + struct.pack("!H", c) + icmp[4:]
	s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)
	s.sendto(icmp, ("10.9.0.1", 0))
	EOF
}
# pmtu_of DEST: the MTU the HA's route to DEST has learned, or "none".
pmtu_of()
{
	ip -n "$HA" route get "$1" | grep -o 'mtu [0-9]*' || echo none
}

pm0=$(ha_stat pmtu_updates)
fragneeded $CN_ADDR 4 1300 && fragneeded $CN_ADDR 47 1300
tap_result "TR sends frag-needed quoting IPIP and GRE from the HA to the correspondent" $?
sleep 0.5
expect_eq "the correspondent's path MTU is left alone" none "$(pmtu_of $CN_ADDR)"
fragneeded $COA 4 1300 bad
tap_result "TR sends one with a bad checksum about the care-of address" $?
sleep 0.5
expect_eq "a bad checksum about the care-of address is ignored" none "$(pmtu_of $COA)"
expect_eq "none of them counted" 0 "$(delta "$(ha_stat pmtu_updates)" "$pm0")"
fragneeded $COA 4 1300
tap_result "TR sends a good one about the care-of address (mtu 1300)" $?
sleep 0.5
expect_eq "a good one about the care-of address is learned" "mtu 1300" "$(pmtu_of $COA)"
expect_eq "and counted" 1 "$(delta "$(ha_stat pmtu_updates)" "$pm0")"
# Only what the route learns is counted (ipv4_update_pmtu() does not say).
fragneeded $COA 4 1300 && fragneeded $COA 4 1400
tap_result "TR sends the same again, and one with mtu 1400" $?
sleep 0.5
expect_eq "the same MTU again, and a higher one, leave the path MTU at 1300" "mtu 1300" \
	"$(pmtu_of $COA)"
expect_eq "... and are not counted as updates" 1 "$(delta "$(ha_stat pmtu_updates)" "$pm0")"
# The path shrinks again: a lower MTU is learned and counted again.
fragneeded $COA 4 1200
tap_result "TR sends a lower one about the care-of address (mtu 1200)" $?
sleep 0.5
expect_eq "the lower MTU is learned" "mtu 1200" "$(pmtu_of $COA)"
expect_eq "and counted again" 2 "$(delta "$(ha_stat pmtu_updates)" "$pm0")"
tap_done
