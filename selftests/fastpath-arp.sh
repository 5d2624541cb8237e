#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The home link: proxy ARP for bound home addresses (answered with the link's
# configured MAC, only while enabled, only for addresses bound to that link),
# gratuitous ARP on bind, on enable and on request, paced at the link's
# announce rate and stopped when proxy ARP is turned off or the link goes
# away; a home host reaching the mobile node through the proxy-ARP MAC;
# home-link broadcasts tunnelled to bindings that asked for them ('B'), each
# link's to its own bindings only, and a link deleted under its broadcast
# bindings.
#
# lib-fastpath.sh's topology. The HA answers with MAC 02:00:5e:00:01:0a,
# which a macvlan on home0 receives (as an HSRP virtual MAC would be).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-fastpath.sh"
require_cmd miphactl tcpdump ping arping jq

tap_plan 52

VMAC=02:00:5e:00:01:0a
VMAC_RE='02:00:5e:00:01:0a'

mipha_load || tap_bail "cannot load mipha"
fp_topo || tap_bail "cannot build the topology"
fp_mn_tunnel ipip || tap_bail "cannot create the MN's ipip tunnel"
ip -n "$HA" link add link home0 name vmac0 address $VMAC type macvlan mode private &&
	fp_sysctl "$HA" net.ipv4.conf.vmac0.arp_ignore=1 &&
	ip -n "$HA" link set vmac0 up || tap_bail "cannot create the macvlan"
HOME0_MAC=$(ip netns exec "$HA" cat /sys/class/net/home0/address)

# garp_re ADDR: a gratuitous ARP for ADDR from the proxy-ARP MAC, request or
# reply form (tcpdump -e).
garp_re()
{
	_a=$(echo "$1" | sed 's/\./\\./g')
	echo "$VMAC_RE > ff:ff:ff:ff:ff:ff, ethertype ARP \(0x0806\), length [0-9]+: (Request who-has $_a tell $_a|Reply $_a is-at $VMAC_RE)"
}

# arping_from_h1 ADDR [WAIT]: arping's output (one request, WAIT seconds,
# default 2).
arping_from_h1()
{
	nsx "$H1" arping -c 1 -w "${2:-2}" -I eth0 "$1" 2>&1
}

# expect_no_arp_reply NAME ADDR
expect_no_arp_reply()
{
	if _o=$(arping_from_h1 "$2" 1); then
		tap_fail "$1" "arping got an answer:" "$_o"
	else
		tap_ok "$1"
	fi
}

ha_bind $HOA reverse-tunnel link home0 &&
	ha_bind 10.9.0.103 &&
	ha_bind 10.9.0.104 link ha-cn
tap_result "bind $HOA on home0, 10.9.0.103 on no link, 10.9.0.104 on ha-cn" $?

# --- proxy ARP -----------------------------------------------------------------------------
phase "proxy ARP"
expect_no_arp_reply "proxy ARP off: no answer for a bound home address" $HOA
# One capture of the home link for the whole test; each step reads its window.
cap_start h1 "$H1" eth0 arp || tap_bail "cannot capture"
t0=$(mark)
tap_check "link set home0 proxy-arp on lladdr $VMAC" \
	ha_ctl kernel link set home0 proxy-arp on lladdr $VMAC
# Its announcement on the wire before the questions (checked below).
win "$t0"
cap_wait h1 1 "$(garp_re $HOA)" -e
out=$(arping_from_h1 $HOA)
tap_result "proxy ARP on: a bound home address is answered" $? "$out"
expect_match "with the configured MAC" "Unicast reply from 10\.9\.0\.100 \[$VMAC_RE\]" \
	"$(echo "$out" | tr 'A-F' 'a-f')"
expect_no_arp_reply "no answer for an unbound address of the link" 10.9.0.101
expect_no_arp_reply "no answer for a home address of a virtual network (no link)" 10.9.0.103
expect_no_arp_reply "no answer for a home address bound to another link" 10.9.0.104
out=$(arping_from_h1 $HA_ADDR | tr 'A-F' 'a-f')
expect_match "the HA's own address is still answered by the kernel, with home0's MAC" \
	"Unicast reply from 10\.9\.0\.1 \[$HOME0_MAC\]" "$out"
win "$t0" "$(mark)"
expect_cap "turning proxy ARP on announced the link's binding (gratuitous ARP)" \
	h1 1 "$(garp_re $HOA)" -e
expect_cap "and no other binding" h1 0 "$VMAC_RE > ff:ff:ff:ff:ff:ff.*10\.9\.0\.10[34]" -e

out=$(ha_ctl kernel link show home0)
expect_match "link show: home0 with its settings and counters" \
	"^home0 proxy-arp on lladdr $VMAC_RE announce-rate 1000 arp-replies [1-9][0-9]* announcements [1-9]" "$out"
j=$(ha_ctl -j kernel link show)
expect_eq "link show -j: one link, proxy_arp, lladdr, rate" "1 home0 true $VMAC 1000" \
	"$(echo "$j" | jq -r '[length, .[0].link, .[0].proxy_arp, .[0].lladdr, .[0].announce_rate] | map(tostring) | join(" ")' 2>&1)"
expect_ge "namespace stats count the answers (arp_replies)" 1 "$(ha_stat arp_replies)"
out=$(ha_ctl kernel link show ha-tr 2>&1)
expect_match "link show of a link never set: refused with ENOENT" \
	"link show ha-tr: No such file or directory" "$out"

expect_eq "a home host reaches the mobile node through proxy ARP: 3 of 3 pings" 3 \
	"$(pings "$H1" 3 $HOA)"
expect_match "its neighbour entry for the home address is the configured MAC" \
	"lladdr $VMAC_RE" "$(ip -n "$H1" neigh show $HOA)"

# --- gratuitous ARP --------------------------------------------------------------------------
phase "gratuitous ARP"
an0=$(ha_stat announcements)
t0=$(mark)
tap_check "bind 10.9.0.110 on home0 (proxy ARP on)" ha_bind 10.9.0.110 link home0
win "$t0"
cap_wait h1 1 "$(garp_re 10.9.0.110)" -e
win "$t0" "$(mark)"
expect_cap "a new binding on an enabled link is announced" h1 1 "$(garp_re 10.9.0.110)" -e

t0=$(mark)
tap_check "announce home0 10.9.0.110" ha_ctl kernel announce home0 10.9.0.110
win "$t0"
cap_wait h1 1 "$(garp_re 10.9.0.110)" -e
wait_until 10000 sh -c "ip netns exec $HA miphactl -j kernel link show home0 | jq -e '.announce_pending == false'"
sleep 0.2
win "$t0" "$(mark)"
expect_eq "announce HOME_ADDR: that address only" "1 0" \
	"$(cap_count h1 "$(garp_re 10.9.0.110)" -e) $(cap_count h1 "$(garp_re $HOA)" -e)"
t0=$(mark)
tap_check "announce home0 (all its bindings)" ha_ctl kernel announce home0
wait_until 10000 sh -c "ip netns exec $HA miphactl -j kernel link show home0 | jq -e '.announce_pending == false'"
sleep 0.2
win "$t0" "$(mark)"
expect_eq "announce without address: every binding of the link, once" "1 1 0" \
	"$(cap_count h1 "$(garp_re $HOA)" -e) $(cap_count h1 "$(garp_re 10.9.0.110)" -e) $(cap_count h1 "10\.9\.0\.10[34]" -e)"
expect_ge "announcements counted" 4 "$(delta "$(ha_stat announcements)" "$an0")"

# --- off ---------------------------------------------------------------------------------------
phase "off"
tap_check "link set home0 proxy-arp off" ha_ctl kernel link set home0 proxy-arp off
expect_no_arp_reply "proxy ARP off: the home address is no longer answered" $HOA
t0=$(mark)
ha_bind 10.9.0.111 link home0
sleep 0.5
win "$t0" "$(mark)"
expect_cap "proxy ARP off: a new binding is not announced" h1 0 "$VMAC_RE" -e
tap_check_fails "announce is refused while proxy ARP is off" ha_ctl kernel announce home0

# --- pacing --------------------------------------------------------------------------------------
phase "pacing"
i=130
while [ $i -le 141 ]; do
	echo "kernel binding add 10.9.0.$i coa $COA ha $HA_ADDR link home0"
	i=$((i + 1))
done >"$TMP/more"
ha_ctl -b "$TMP/more" && ha_ctl kernel link set home0 announce-rate 4
tap_result "12 more bindings on home0 (15 in all), announce-rate 4" $?
t0=$(mark)
# Enabled and asked in one netns exec: starting a process in the namespace may take seconds on a
# slow (debug) kernel, longer than the paced announcements themselves.
pending=$(ip netns exec "$HA" sh -c 'miphactl kernel link set home0 proxy-arp on &&
	miphactl -j kernel link show home0' | jq -r .announce_pending)
wait_until 20000 sh -c "ip netns exec $HA miphactl -j kernel link show home0 | jq -e '.announce_pending == false'"
win "$t0" "$(mark)"
expect_eq "enabling announces every binding of the link (15 addresses), pending meanwhile" "15 true" \
	"$(cap_text h1 -e | grep -E "$VMAC_RE > ff:ff:ff:ff:ff:ff" | grep -oE '10\.9\.0\.[0-9]+' | sort -u | wc -l) $pending"
span=$(cap_text h1 -e | grep -E "$VMAC_RE > ff:ff:ff:ff:ff:ff" |
	awk 'NR == 1 { f = $1 } { l = $1 } END { printf "%d\n", (l - f) * 1000 }')
expect_ge "paced at 4 per second: 15 announcements span at least 2 s (${span} ms)" 2000 "$span"

i=160
while [ $i -le 199 ]; do
	echo "kernel binding add 10.9.0.$i coa $COA ha $HA_ADDR link home0"
	i=$((i + 1))
done >"$TMP/more2"
ha_ctl kernel link set home0 proxy-arp off
ha_ctl -b "$TMP/more2"
ha_ctl kernel link set home0 announce-rate 2
t0=$(mark)
ha_ctl kernel link set home0 proxy-arp on
sleep 1.5
ha_ctl kernel link set home0 proxy-arp off
t_off=$(date +%s.%N)
sleep 2
pending=$(ha_ctl -j kernel link show home0 | jq -r .announce_pending)
win "$t0" "$(mark)"
expect_eq "proxy ARP off midway: pending no more, nothing announced after" "false 0" \
	"$pending $(cap_text h1 -e | grep -E "$VMAC_RE > ff:ff:ff:ff:ff:ff" | awk -v t="$t_off" '$1 > t + 0.3' | wc -l)"
n=$(cap_text h1 -e | grep -cE "$VMAC_RE > ff:ff:ff:ff:ff:ff")
if [ "$n" -ge 1 ] && [ "$n" -lt 55 ]; then
	tap_ok "it had announced part of the link ($n of 55)"
else
	tap_fail "it had announced part of the link" "$n announcements seen"
fi

# A second home link that goes away in the middle of an announcement.
fp_veth "$HA" home1 "$H1" eth1 &&
	ip -n "$HA" addr add 10.9.6.254/24 dev home1 && i=1 &&
	while [ $i -le 10 ]; do
		echo "kernel binding add 10.9.6.$i coa $COA ha $HA_ADDR link home1"
		i=$((i + 1))
	done >"$TMP/home1" && ha_ctl -b "$TMP/home1" &&
	ha_ctl kernel link set home1 proxy-arp on lladdr 02:00:5e:00:01:0b announce-rate 2
tap_result "home1: 10 bindings, proxy ARP on at 2 per second" $?
sleep 1
ip -n "$HA" link del home1
sleep 1
out=$(ha_ctl kernel link show 2>&1)
tap_result "home1 deleted mid-announcement: link show still answers" $? "$out"

# --- broadcasts ('B') ------------------------------------------------------------------------------
phase "broadcasts ('B')"
ip -n "$MN" addr add 10.9.3.3/24 dev mn0
tap_check "bind 10.9.0.150 on home0 with broadcast, care-of address 10.9.3.3" \
	ha_ctl kernel binding add 10.9.0.150 coa 10.9.3.3 ha $HA_ADDR link home0 broadcast
bc0=$(ha_stat broadcasts)
cap_start mn "$MN" mn0 || tap_bail "cannot capture"
t0=$(mark)
nsx "$H1" ping -n -b -c 2 -i 0.3 -W 1 10.9.0.255 >/dev/null 2>&1
nsx "$H1" ping -n -b -c 2 -i 0.3 -W 1 -I eth0 255.255.255.255 >/dev/null 2>&1
nsx "$CN" ping -n -b -c 2 -i 0.3 -W 1 10.9.1.255 >/dev/null 2>&1
win "$t0" "$(mark)"
expect_cap "a subnet broadcast on the home link is tunnelled to the binding that asked" \
	mn 2 "IP 10\.9\.0\.1 > 10\.9\.3\.3: IP 10\.9\.0\.2 > 10\.9\.0\.255: ICMP echo request"
expect_cap "and a limited broadcast (255.255.255.255)" \
	mn 2 "IP 10\.9\.0\.1 > 10\.9\.3\.3: IP 10\.9\.0\.2 > 255\.255\.255\.255: ICMP echo request"
expect_cap "not to a binding without the flag, nor broadcasts of another link" \
	mn 0 "10\.9\.0\.1 > 10\.9\.3\.2: IP 10\.9\.0\.2 > (10\.9\.0\.255|255\.255\.255\.255)|10\.9\.1\.255"
expect_ge "counted (broadcasts)" 4 "$(delta "$(ha_stat broadcasts)" "$bc0")"
ha_ctl kernel binding replace 10.9.0.150 coa 10.9.3.3 ha $HA_ADDR link home0
t0=$(mark)
nsx "$H1" ping -n -b -c 2 -i 0.3 -W 1 10.9.0.255 >/dev/null 2>&1
win "$t0" "$(mark)"
expect_cap "after replacing it without the flag: no more broadcasts" mn 0 "10\.9\.0\.255"

# --- two home links with broadcast bindings --------------------------------------------------------
phase "broadcasts on two home links"
# home2 (10.9.5.0/24) to a second home host H2; 10.9.5.150 on it, care-of
# address 10.9.3.4; 10.9.0.150 back on home0 with broadcasts.
H2=$(ns_new h2) && fp_veth "$HA" home2 "$H2" eth0 &&
	ip -n "$HA" addr add 10.9.5.1/24 dev home2 &&
	ip -n "$H2" addr add 10.9.5.2/24 dev eth0 &&
	ip -n "$MN" addr add 10.9.3.4/24 dev mn0 || tap_bail "cannot add home2"
tap_check "10.9.0.150 on home0 with broadcast again" \
	ha_ctl kernel binding replace 10.9.0.150 coa 10.9.3.3 ha $HA_ADDR link home0 broadcast
tap_check "bind 10.9.5.150 on home2 with broadcast, care-of address 10.9.3.4" \
	ha_ctl kernel binding add 10.9.5.150 coa 10.9.3.4 ha $HA_ADDR link home2 broadcast
t0=$(mark)
nsx "$H1" ping -n -b -c 2 -i 0.3 -W 1 10.9.0.255 >/dev/null 2>&1
nsx "$H2" ping -n -b -c 2 -i 0.3 -W 1 10.9.5.255 >/dev/null 2>&1
win "$t0" "$(mark)"
expect_cap "home0's broadcast reaches home0's binding" \
	mn 2 "IP 10\.9\.0\.1 > 10\.9\.3\.3: IP 10\.9\.0\.2 > 10\.9\.0\.255: ICMP echo request"
expect_cap "home2's broadcast reaches home2's binding" \
	mn 2 "IP 10\.9\.0\.1 > 10\.9\.3\.4: IP 10\.9\.5\.2 > 10\.9\.5\.255: ICMP echo request"
expect_cap "and neither reaches the other link's binding" \
	mn 0 "10\.9\.0\.1 > 10\.9\.3\.3: IP 10\.9\.5\.2 >|10\.9\.0\.1 > 10\.9\.3\.4: IP 10\.9\.0\.2 >"
# The link goes with its broadcast binding still bound; its list stays with
# the binding, which is removed afterwards.
ip -n "$HA" link del home2
tap_check "home2 deleted under its broadcast binding: 10.9.5.150 is still bound" \
	ha_ctl kernel binding get 10.9.5.150
t0=$(mark)
nsx "$H1" ping -n -b -c 2 -i 0.3 -W 1 10.9.0.255 >/dev/null 2>&1
win "$t0" "$(mark)"
expect_cap "home0's broadcasts still reach home0's binding" \
	mn 2 "IP 10\.9\.0\.1 > 10\.9\.3\.3: IP 10\.9\.0\.2 > 10\.9\.0\.255: ICMP echo request"
expect_cap "and nothing else" mn 0 "10\.9\.0\.1 > 10\.9\.3\.4"
tap_check "10.9.5.150 removed after its link" ha_ctl kernel binding del 10.9.5.150
# A flush with a broadcast list in place; then one more, rebuilt after it.
tap_check "flush with home0's broadcast binding" ha_ctl kernel binding flush
tap_check "10.9.0.150 on home0 with broadcast after the flush" \
	ha_ctl kernel binding add 10.9.0.150 coa 10.9.3.3 ha $HA_ADDR link home0 broadcast

phase "end"
tap_done
