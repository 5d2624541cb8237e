#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Tearing mipha down under load, without a kernel splat (run-in-vm.sh fails
# the script on any WARN/BUG/oops/lockdep/RCU report it causes):
#  - deleting the HA's namespace while pings flow through the tunnel both
#    ways and a paced gratuitous-ARP announcement is running;
#  - the route to a care-of address changing while traffic flows (the route
#    cached on the care-of address object must follow it), and the device
#    of those cached routes deleted under them (the deletion must not wait
#    for a reference: "unregister_netdevice: waiting for" fails the run);
#  - rmmod while traffic flows in another copy of the topology; the module
#    then loads again and forwards again. Runs after the other fast-path
#    tests: it unloads the module.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-fastpath.sh"
require_cmd miphactl tcpdump ping jq

tap_plan 18

# flood_start: pings both ways through the tunnel, in the background (ip
# netns exec execs ping, so the pid bg_start keeps is ping's).
flood_start()
{
	bg_start ip netns exec "$CN" ping -q -i 0.01 $HOA
	bg_start ip netns exec "$MN" ping -q -i 0.01 $CN_ADDR
}

# setup [SUFFIX]: the topology, the MN's binding and 300 bindings on the home
# link, proxy ARP announcing them at 5 per second (a minute's work).
setup()
{
	fp_topo "$@" && fp_mn_tunnel ipip && ha_bind $HOA reverse-tunnel link home0 || return 1
	_i=1
	while [ $_i -le 300 ]; do
		echo "kernel binding add 10.10.$((_i / 256)).$((_i % 256)) coa $COA ha $HA_ADDR link home0"
		_i=$((_i + 1))
	done >"$TMP/more" && ha_ctl -b "$TMP/more" &&
		ha_ctl kernel link set home0 proxy-arp on lladdr 02:00:5e:00:01:0a announce-rate 5
}

# flowing [rx]: more than 20 packets tunnelled to the MN (and, with rx, back).
flowing()
{
	tx=$(ha_bstat $HOA tx_packets) rx=$(ha_bstat $HOA rx_packets)
	[ "${tx:-0}" -gt 20 ] && { [ -z "${1:-}" ] || [ "${rx:-0}" -gt 20 ]; }
}

mipha_load || tap_bail "cannot load mipha"
setup || tap_bail "cannot build the topology"
flood_start
# Until the flood is under way (2 s on an idle machine; however long on a busy one).
wait_until 30000 flowing rx
tx=$(ha_bstat $HOA tx_packets) rx=$(ha_bstat $HOA rx_packets)
expect_eq "traffic flows both ways through the tunnel (tx, rx > 20)" "yes yes" \
	"$([ "${tx:-0}" -gt 20 ] && echo yes || echo no) $([ "${rx:-0}" -gt 20 ] && echo yes || echo no)"
expect_eq "an announcement is running" true "$(ha_ctl -j kernel link show home0 | jq -r .announce_pending)"
out=$(ns_del "$HA" 2>&1)
tap_result "delete the HA's namespace under that load" $? "$out"
sleep 2
other=$(ns_new other) &&
	mipha_ns "$other" kernel binding add 10.6.0.1 coa 198.51.100.1 ha 192.0.2.1 &&
	[ "$(mipha_ns "$other" -j kernel binding get 10.6.0.1 | jq -r .coa)" = 198.51.100.1 ]
tap_result "the module still works in another namespace" $?
for p in $_bg_pids; do kill "$p" 2>/dev/null; done
for ns in $CN $TR $MN $H1; do ns_del "$ns"; done

# --- route changes and a device deletion under cached routes ----------------------
phase "route changes and a device deletion under cached routes"
# A second way from the HA to the transit router: ha-tr2 10.9.4.1 -- tr-ha2 10.9.4.2.
# TUN: a packet of the flood, tunnelled to the care-of address.
TUN='IP 10\.9\.0\.1 > 10\.9\.3\.2: IP 10\.9\.1\.2 > 10\.9\.0\.100'
fp_topo 3 && fp_mn_tunnel ipip && ha_bind $HOA reverse-tunnel &&
	fp_veth "$HA" ha-tr2 "$TR" tr-ha2 && ip -n "$HA" addr add 10.9.4.1/24 dev ha-tr2 &&
	ip -n "$TR" addr add 10.9.4.2/24 dev tr-ha2 ||
	tap_bail "cannot build the third topology"
# More bindings behind the same care-of address share its object and route.
for i in 101 102 103; do ha_bind 10.9.0.$i || tap_bail "cannot bind 10.9.0.$i"; done
bg_start ip netns exec "$CN" ping -q -i 0.01 $HOA
wait_until 30000 flowing
cap_start a "$TR" tr-ha ip proto 4 && cap_start b "$TR" tr-ha2 ip proto 4 ||
	tap_bail "cannot capture"
t0=$(mark)
cap_wait a 20 "$TUN"
expect_cap "traffic flows to the care-of address through ha-tr" a 20 "$TUN"
# route_step NEW OLD SAYS_NEW SAYS_OLD, after a route change: let packets in
# flight land, then in a window the tunnelled packets go through capture NEW
# and none through OLD.
route_step()
{
	sleep 0.5
	t1=$(mark)
	win "$t1"
	cap_wait "$1" 20 "$TUN"
	t2=$(mark)
	win "$t1" "$t2"
	expect_cap "$3" "$1" 20 "$TUN"
	expect_cap "$4" "$2" 0 "$TUN"
}
ip -n "$HA" route add $COA/32 via 10.9.4.2 dev ha-tr2
route_step b a "a more specific route through ha-tr2: the tunnelled packets follow it" \
	"and none takes the old route any more (no stale cached route)"
ip -n "$HA" route del $COA/32
route_step a b "that route deleted: back through ha-tr" "and none through ha-tr2 any more"
# Routes through ha-tr2 cached on several care-of address objects, one of
# them carrying traffic, the others idle, then the device deleted.
ip -n "$HA" route add $COA/32 via 10.9.4.2 dev ha-tr2 &&
	ip -n "$HA" route add 10.9.5.0/24 via 10.9.4.2 dev ha-tr2
pids=
for i in 1 2 3 4 5 6 7 8; do
	ha_ctl kernel binding add 10.9.6.$i coa 10.9.5.$i ha $HA_ADDR
	nsx "$CN" ping -n -q -c 1 -W 1 10.9.6.$i >/dev/null 2>&1 &
	pids="$pids $!"
done
win "$(mark)"
cap_wait b 20 "$TUN"
wait $pids
# In the background: a device whose references never drop leaves "ip"
# sleeping uninterruptibly in netdev_wait_allrefs() for good.
start=$(now_ms)
ip -n "$HA" link del ha-tr2 >"$TMP/del.out" 2>&1 &
delpid=$!
# (the kernel logs "unregister_netdevice: waiting for" after 10 s: a failure too)
wait_until 60000 eval "! kill -0 $delpid"
rc=$?
tap_result "delete ha-tr2 under the cached routes: done in $(($(now_ms) - start)) ms" \
	$rc "$(cat "$TMP/del.out")"
sleep 0.5
t1=$(mark)
win "$t1"
cap_wait a 20 "$TUN"
expect_cap "traffic goes on through ha-tr" a 20 "$TUN"
cap_stop a
cap_stop b
win
for p in $_bg_pids; do kill "$p" 2>/dev/null; done
for ns in $CN $HA $TR $MN $H1; do ns_del "$ns"; done

# --- rmmod under load -------------------------------------------------------------------
phase "rmmod under load"
setup 2 || tap_bail "cannot build the second topology"
flood_start
wait_until 30000 flowing
tx=$(ha_bstat $HOA tx_packets)
expect_eq "second topology: traffic flows (tx > 20)" yes "$([ "${tx:-0}" -gt 20 ] && echo yes || echo no)"
out=$(rmmod mipha 2>&1)
tap_result "rmmod mipha while traffic flows and an announcement runs" $? "$out"
if mipha_loaded; then
	tap_fail "the module is gone" "/sys/module/mipha still exists"
else
	tap_ok "the module is gone"
fi
cap_start mn "$MN" mn0 || tap_bail "cannot capture"
sleep 1
cap_stop mn
# (The HA's kernel now answers the MN's reverse tunnel with ICMP
# unreachable: that is not a tunnelled packet.)
expect_cap "nothing is tunnelled any more" mn 0 "IP 10\.9\.0\.1 > 10\.9\.3\.2: (IP |GRE)"
for p in $_bg_pids; do kill "$p" 2>/dev/null; done
tap_check "the module loads again" mipha_load
expect_eq "the HA's table starts empty" 0 "$(ha_stat bindings)"
ha_bind $HOA reverse-tunnel
expect_eq "after the reload the tunnel works again: 3 of 3 pings" 3 "$(pings "$CN" 3 $HOA)"

phase "end"
tap_done
