#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Reverse tunnelling (RFC 3024) is granted per binding and only to its care-of
# address: a spoofer elsewhere tunnelling packets with the mobile node's home
# address as source (in IPIP and in GRE), and the mobile node itself when the
# binding does not allow reverse tunnelling, are dropped and counted. Tunnels
# that are not mipha's — the kernel's own ipip and gre devices between other
# addresses — keep working while bindings exist. A tunnelled packet to the HA
# address from an unbound home address is dropped and counted.
#
# lib-fastpath.sh's topology plus a spoofer SP behind the transit router:
#   TR tr-sp 10.9.4.1/24 --- SP sp0 10.9.4.2/24 and 10.9.4.3/24
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-fastpath.sh"
require_cmd miphactl tcpdump ping jq

tap_plan 16

mipha_load || tap_bail "cannot load mipha"
fp_topo || tap_bail "cannot build the topology"
fp_mn_tunnel ipip || tap_bail "cannot create the MN's ipip tunnel"
SP=$(ns_new sp) || tap_bail "cannot create a namespace"
fp_sysctl "$SP" net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.default.rp_filter=0
fp_veth "$TR" tr-sp "$SP" sp0 &&
	ip -n "$TR" addr add 10.9.4.1/24 dev tr-sp &&
	ip -n "$SP" addr add 10.9.4.2/24 dev sp0 &&
	ip -n "$SP" addr add 10.9.4.3/24 dev sp0 &&
	ip -n "$SP" route add default via 10.9.4.1 || tap_bail "cannot attach the spoofer"

tap_check "bind $HOA (ipip, reverse tunnel)" ha_bind $HOA reverse-tunnel
expect_eq "the mobile node's reverse tunnel works: 3 of 3 pings to the correspondent" 3 \
	"$(pings "$MN" 3 $CN_ADDR)"

# --- a spoofer with the home address as inner source -------------------------------------
phase "a spoofer with the home address as inner source"
ip -n "$SP" link add name sp-ipip type ipip local 10.9.4.2 remote $HA_ADDR &&
	ip -n "$SP" link add name sp-gre type gre local 10.9.4.2 remote $HA_ADDR &&
	ip -n "$SP" link set sp-ipip up && ip -n "$SP" link set sp-gre up &&
	ip -n "$SP" addr add $HOA/32 dev sp-ipip &&
	ip -n "$SP" route add $CN_ADDR/32 dev sp-ipip src $HOA || tap_bail "cannot set up the spoofer"
sp0=$(ha_stat drop_spoof) rx0=$(ha_bstat $HOA rx_packets)
# One capture per interface for the whole test; each step reads its window.
cap_start cn "$CN" cn0 && cap_start ha "$HA" ha-tr || tap_bail "cannot capture"
t0=$(mark)
pings "$SP" 3 $CN_ADDR -W 1 >/dev/null
ip -n "$SP" route replace $CN_ADDR/32 dev sp-gre src $HOA
pings "$SP" 3 $CN_ADDR -W 1 >/dev/null
win "$t0" "$(mark)"
expect_cap "the spoofer's IPIP packets reached the HA" \
	ha 3 "IP 10\.9\.4\.2 > 10\.9\.0\.1: IP 10\.9\.0\.100 > 10\.9\.1\.2: ICMP echo request"
expect_cap "and its GRE packets" \
	ha 3 "IP 10\.9\.4\.2 > 10\.9\.0\.1: GREv0, length [0-9]+: IP 10\.9\.0\.100 > 10\.9\.1\.2: ICMP echo request"
expect_cap "none of them was let through to the correspondent" cn 0 "10\.9\.0\.100"
expect_eq "all six counted as spoofs (drop_spoof)" 6 "$(delta "$(ha_stat drop_spoof)" "$sp0")"
expect_eq "and not as the binding's reverse-tunnelled packets" "$rx0" "$(ha_bstat $HOA rx_packets)"

# --- a binding without reverse tunnelling ----------------------------------------------------
phase "a binding without reverse tunnelling"
tap_check "replace: the same binding without reverse tunnel" \
	ha_ctl kernel binding replace $HOA coa $COA ha $HA_ADDR
sp0=$(ha_stat drop_spoof)
t0=$(mark)
expect_eq "the MN's reverse-tunnelled pings are not let through" 0 "$(pings "$MN" 3 $CN_ADDR -W 1)"
win "$t0" "$(mark)"
expect_cap "nothing from the home address reached the correspondent" cn 0 "10\.9\.0\.100 >"
expect_ge "counted as spoofs (drop_spoof)" 3 "$(delta "$(ha_stat drop_spoof)" "$sp0")"
ha_ctl kernel binding replace $HOA coa $COA ha $HA_ADDR reverse-tunnel
expect_eq "reverse tunnel granted again: 3 of 3" 3 "$(pings "$MN" 3 $CN_ADDR)"

# --- an unbound inner source tunnelled to the HA address -----------------------------------
phase "an unbound inner source tunnelled to the HA address"
# A mobile node whose binding is gone (uapi: MIPHA_STATS_A_DROP_NO_BINDING).
ip -n "$SP" addr add 10.9.0.199/32 dev sp-ipip &&
	ip -n "$SP" route replace $CN_ADDR/32 dev sp-ipip src 10.9.0.199
nb0=$(ha_stat drop_no_binding)
t0=$(mark)
pings "$SP" 3 $CN_ADDR -W 1 >/dev/null
win "$t0" "$(mark)"
expect_eq "IPIP to the HA address from an unbound home address: dropped, counted as drop_no_binding" \
	"0 3" "$(cap_count cn "10\.9\.0\.199") $(delta "$(ha_stat drop_no_binding)" "$nb0")"

# --- the kernel's own tunnels, between other addresses ----------------------------------------
phase "the kernel's own tunnels, between other addresses"
ok=0
ip -n "$HA" link add name nat-ipip type ipip local 10.9.2.1 remote 10.9.4.3 &&
	ip -n "$HA" link add name nat-gre type gre local 10.9.2.1 remote 10.9.4.3 key 7 &&
	ip -n "$SP" link add name nat-ipip type ipip local 10.9.4.3 remote 10.9.2.1 &&
	ip -n "$SP" link add name nat-gre type gre local 10.9.4.3 remote 10.9.2.1 key 7 || ok=1
for l in "$HA nat-ipip 172.16.9.1/30" "$HA nat-gre 172.16.10.1/30" \
	"$SP nat-ipip 172.16.9.2/30" "$SP nat-gre 172.16.10.2/30"; do
	set -- $l
	ip -n "$1" link set "$2" up && ip -n "$1" addr add "$3" dev "$2" || ok=1
done
tap_result "native ipip and gre tunnels between 10.9.2.1 (HA) and 10.9.4.3 (SP)" $ok
sp0=$(ha_stat drop_spoof) nb0=$(ha_stat drop_no_binding)
t0=$(mark)
a=$(pings "$HA" 3 172.16.9.2) b=$(pings "$SP" 3 172.16.9.1)
c=$(pings "$HA" 3 172.16.10.2) d=$(pings "$SP" 3 172.16.10.1)
win "$t0" "$(mark)"
expect_eq "native ipip and gre tunnels keep working beside mipha (pings both ways)" \
	"3 3 3 3" "$a $b $c $d"
expect_eq "their packets really went through the tunnels, and none was counted as a drop" \
	"yes yes 0 0" "$([ "$(cap_count ha "IP 10\.9\.4\.3 > 10\.9\.2\.1: IP 172\.16\.9\.2 > 172\.16\.9\.1")" -ge 6 ] && echo yes || echo no) $([ "$(cap_count ha "IP 10\.9\.4\.3 > 10\.9\.2\.1: GREv0, key=0x7, length [0-9]+: IP 172\.16\.10\.2 > 172\.16\.10\.1")" -ge 6 ] && echo yes || echo no) $(delta "$(ha_stat drop_spoof)" "$sp0") $(delta "$(ha_stat drop_no_binding)" "$nb0")"

phase "end"
tap_done
