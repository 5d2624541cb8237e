#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Tunnelled traffic passes the router's own protections (kmod/firewall.h):
#  - a martian source (loopback, multicast, broadcast, or one of the home
#    agent's own addresses from outside) is never tunnelled, counted;
#  - rp_filter on the ingress device applies: a spoofed home-network
#    source is tunnelled with rp_filter off and dropped (and counted) with
#    it strict;
#  - an nftables rule in the documented place (a prerouting chain of
#    priority filter) drops a flow to a mobile node;
#  - conntrack sees mobile flows as established both ways: with a rule that
#    lets the mobile node's packets through only when established, the
#    correspondent's pings are answered and the node's own new flows are
#    not; the outer flow of the reverse tunnel is one confirmed entry
#    (not an unconfirmed one per packet), established once answered;
#  - strict rp_filter everywhere on the home agent: the reverse tunnel still
#    works (its packets re-enter on the home link, where the home address
#    routes).
# Topology: lib-fastpath.sh (CN - HA - TR - MN, MN's ipip tunnel).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-fastpath.sh"
require_cmd miphactl ping jq nft python3

tap_plan 18

mipha_load || tap_bail "cannot load mipha"
fp_topo || tap_bail "cannot build the topology"
fp_mn_tunnel ipip || tap_bail "cannot create the MN's ipip tunnel"
tap_check "bind $HOA (ipip, reverse tunnel, home link home0)" ha_bind $HOA reverse-tunnel link home0
expect_eq "baseline: 3 of 3 pings from the correspondent" 3 "$(pings "$CN" 3 $HOA)"

# raw_send NS SRC DST [PROTO] [DPORT]: one IPv4 packet with any source, an
# ICMP echo request (or a UDP datagram to DPORT when PROTO is udp).
raw_send()
{
	ip netns exec "$1" python3 - "$2" "$3" "${4:-icmp}" "${5:-0}" <<-'EOF'
		import socket, struct, sys
		src, dst, proto, dport = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
		def csum(b):
		    if len(b) % 2: b += b"\0"
		    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
		    s = (s >> 16) + (s & 0xffff); s += s >> 16
		    return ~s & 0xffff
		if proto == "udp":
		    p = 17; body = struct.pack("!HHHH", 40000, dport, 12, 0) + b"mipha"[:4]
		else:
		    p = 1; icmp = struct.pack("!BBHHH", 8, 0, 0, 4242, 1) + b"mipha-fw"
		    body = icmp[:2] + struct.pack("!H", csum(icmp)) + icmp[4:]
		hdr = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(body), 1, 0, 64, p, 0,
		                  socket.inet_aton(src), socket.inet_aton(dst))
		hdr = hdr[:10] + struct.pack("!H", csum(hdr)) + hdr[12:]
		s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW)
		s.sendto(hdr + body, (dst, 0))
	EOF
}
# What reaches the mobile node through the tunnel, and what reaches the HA.
cap_start mn "$MN" mip0 && cap_start ha "$HA" ha-cn || tap_bail "cannot capture"

# --- martian sources -------------------------------------------------------------
phase "martian sources"
m0=$(ha_stat drop_martian)
t0=$(mark)
raw_send "$CN" 127.0.0.1 $HOA && raw_send "$CN" 224.0.0.5 $HOA &&
	raw_send "$CN" 255.255.255.255 $HOA && raw_send "$CN" $HA_ADDR $HOA
wait_until 3000 sh -c "[ \$(ip netns exec $HA miphactl -j kernel stats | jq .drop_martian) -ge $((m0 + 4)) ]"
win "$t0" "$(mark)"
CAP_CTX="> 10.9.0.100"
expect_cap "the four packets reached the home agent" ha 4 \
	"IP (127\.0\.0\.1|224\.0\.0\.5|255\.255\.255\.255|10\.9\.0\.1) > 10\.9\.0\.100: ICMP echo request"
expect_cap "sources 127.0.0.1, 224.0.0.5, 255.255.255.255 and the home agent's own 10.9.0.1: none tunnelled to the mobile node" mn 0 \
	"IP (127\.0\.0\.1|224\.0\.0\.5|255\.255\.255\.255|10\.9\.0\.1) >"
expect_eq "... all four counted as drop_martian" 4 "$(delta "$(ha_stat drop_martian)" "$m0")"

# --- rp_filter --------------------------------------------------------------------
phase "rp_filter on the ingress device"
t0=$(mark)
raw_send "$CN" 10.9.0.50 $HOA
wait_until 3000 sh -c "tcpdump -r $TMP/mn.pcap -n 2>/dev/null | grep -q 'IP 10.9.0.50 > 10.9.0.100'"
win "$t0" "$(mark)"
expect_cap "rp_filter off: a home-network source from the correspondent's side is tunnelled" mn 1 \
	"IP 10\.9\.0\.50 > 10\.9\.0\.100: ICMP echo request"
fp_sysctl "$HA" net.ipv4.conf.ha-cn.rp_filter=1
r0=$(ha_stat drop_rpfilter)
t0=$(mark)
raw_send "$CN" 10.9.0.51 $HOA
wait_until 3000 sh -c "[ \$(ip netns exec $HA miphactl -j kernel stats | jq .drop_rpfilter) -gt $r0 ]"
win "$t0" "$(mark)"
expect_cap "strict rp_filter on ha-cn: the spoofed source is not tunnelled" mn 0 "IP 10\.9\.0\.51 >"
expect_eq "... and counted as drop_rpfilter" 1 "$(delta "$(ha_stat drop_rpfilter)" "$r0")"
expect_eq "... while the correspondent's own pings still go through (3 of 3)" 3 "$(pings "$CN" 3 $HOA)"

# --- an operator's rule -----------------------------------------------------------
phase "an nftables rule in a prerouting chain of priority filter"
ip netns exec "$HA" nft -f - <<-EOF || tap_bail "nft: cannot add the test's table"
	table ip mfw {
		chain pre {
			type filter hook prerouting priority filter;
			ip daddr $HOA udp dport 7777 counter drop
		}
	}
EOF
t0=$(mark)
raw_send "$CN" $CN_ADDR $HOA udp 7777
raw_send "$CN" $CN_ADDR $HOA udp 7778
wait_until 3000 sh -c "tcpdump -r $TMP/mn.pcap -n 2>/dev/null | grep -q '10.9.0.100.7778'"
win "$t0" "$(mark)"
expect_cap "UDP to $HOA port 7777 is dropped by the rule, not tunnelled" mn 0 "10\.9\.0\.100\.7777:"
expect_cap "... port 7778 is tunnelled" mn 1 "10\.9\.0\.100\.7778:"
tap_check "the rule counted the datagram" sh -c "ip netns exec $HA nft list chain ip mfw pre | grep -q 'packets 1 '"
cap_stop mn
cap_stop ha

# --- conntrack --------------------------------------------------------------------
phase "conntrack: mobile flows established both ways"
ip netns exec "$HA" nft -f - <<-EOF || tap_bail "nft: cannot add the conntrack rules"
	table ip mct {
		chain pre {
			type filter hook prerouting priority filter;
			ip daddr $HOA ct state established counter
			ip saddr $HOA ct state established counter accept
			ip saddr $HOA counter drop
		}
		chain in {
			type filter hook input priority filter;
			ip protocol 4 ct state established counter
			ip protocol 4 ct state new counter
		}
		chain out {
			type filter hook output priority filter;
			ip protocol 4 ct direction reply counter
			ip protocol 4 ct direction original counter
		}
	}
EOF
# The mobile node speaks first: the tunnel's outer flow starts with it.
expect_eq "the mobile node's own new flow is dropped by the rule (0 of 3 pings)" 0 \
	"$(pings "$MN" 3 $CN_ADDR -W 1)"
expect_eq "the correspondent's pings are answered through the reverse tunnel as established (5 of 5)" \
	5 "$(pings "$CN" 5 $HOA)"
rules=$(ip netns exec "$HA" nft list table ip mct)
# counter of the rule whose text matches $1
nft_count() { printf '%s\n' "$rules" | grep -E -- "$1" | sed -n 's/.*packets \([0-9]*\) .*/\1/p' | head -n 1; }
expect_eq "conntrack saw the requests (after the first) and the replies as established" \
	"yes yes" \
	"$([ "$(nft_count 'ip daddr 10.9.0.100 ct state established')" -ge 4 ] && echo yes || echo no) $([ "$(nft_count 'ip saddr 10.9.0.100 ct state established')" -ge 5 ] && echo yes || echo no)"
# Stolen before the confirm hook, the mobile node's tunnel packets used to
# leave no entry: the home agent's own tunnel packets then started a flow
# of their own. Confirmed, the node's entry is the flow both ways.
expect_eq "the reverse tunnel's outer flow is the mobile node's entry: the home agent's tunnel packets are its reply direction (reply >= 5, original 0)" \
	"yes 0" \
	"$([ "$(nft_count 'ip protocol (4|ipencap) ct direction reply')" -ge 5 ] && echo yes || echo no) $(nft_count 'ip protocol (4|ipencap) ct direction original')"
expect_eq "... and the node's tunnel packets are established once answered (>= 5)" yes \
	"$([ "$(nft_count 'ip protocol (4|ipencap) ct state established')" -ge 5 ] && echo yes || echo no)"
ip netns exec "$HA" nft delete table ip mct

# --- strict rp_filter everywhere --------------------------------------------------
phase "strict rp_filter on every interface of the home agent"
fp_sysctl "$HA" net.ipv4.conf.all.rp_filter=1 net.ipv4.conf.ha-tr.rp_filter=1 \
	net.ipv4.conf.home0.rp_filter=1
got=$(pings "$MN" 3 $CN_ADDR)
expect_eq "the mobile node's reverse-tunnelled pings to the correspondent (3 of 3)" 3 "$got"
[ "$got" = 3 ] || diag "HA: $(ip netns exec "$HA" nstat -az 2>/dev/null | grep -E 'ReversePath|InNoRoutes|InAddrErrors|InDiscards' | tr -s ' ' | tr '\n' ';')" \
	"mipha: $(ha_ctl -j kernel stats | jq -c '{rx_packets, tx_packets, drop_rpfilter, drop_martian, drop_spoof, drop_error}')"

phase "end"
tap_done
