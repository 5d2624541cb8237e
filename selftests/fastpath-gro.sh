#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The reverse tunnel's packets enter their home link through GRO: a TCP bulk
# transfer from the mobile node, sent in MTU-sized tunnel packets (no
# segmentation offload anywhere on the way, no GRO on the devices before
# the HA decapsulates), is seen entering the home link in aggregates larger
# than the MTU, and arrives whole; with GRO off on the home link it is not
# aggregated (what the capture shows is GRO's doing). A transfer runs while
# dummy devices of the HA's and the CN's namespaces go up and down 20 times
# (each down once stopped every busy GRO queue of the machine, and could
# leave one scheduled never again, dropping all that came after), and one
# after it runs too. Then, while such a transfer runs, the home link is
# deleted (its packets waiting for GRO go with it: a splat or KASAN report
# here is a packet left pointing at a freed device) and the traffic goes on,
# entering where the tunnel packets do; and the HA's namespace is deleted
# under the transfer, leaving no binding behind.
#
# lib-fastpath.sh's topology; the binding's home link is a dummy device hl0
# of the HA (home0 holds the HA address, which the tunnel needs). The runner
# fails the script on any kernel splat, and the debug kernel's run checks
# kmemleak.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-fastpath.sh"
require_cmd miphactl tcpdump socat ethtool jq

tap_plan 15

PORT=5001

mipha_load || tap_bail "cannot load mipha"
slab0=$(mipha_slab_objects)
fp_topo || tap_bail "cannot build the topology"
fp_mn_tunnel ipip || tap_bail "cannot create the MN's ipip tunnel"
# MTU-sized packets on the wire: the MN segments in TCP, nobody aggregates
# before the HA's decapsulation. The home link does GRO (its default, set
# for certain).
nsx "$MN" ethtool -K mip0 tso off gso off >/dev/null 2>&1
nsx "$MN" ethtool -K mn0 tso off gso off >/dev/null 2>&1
for _d in tr-mn tr-ha; do
	nsx "$TR" ethtool -K $_d gro off >/dev/null 2>&1
done
nsx "$HA" ethtool -K ha-tr gro off >/dev/null 2>&1
ip -n "$HA" link add hl0 type dummy && ip -n "$HA" link set hl0 up &&
	nsx "$HA" ethtool -K hl0 gro on >/dev/null 2>&1 || tap_bail "cannot set up hl0"
tap_check "bind $HOA on hl0 with reverse tunnel" ha_bind $HOA link hl0 reverse-tunnel

# send BYTES: a bulk transfer MN -> CN over the reverse tunnel; prints the
# bytes the CN received.
send()
{
	rm -f "$TMP/rx"
	nsx "$CN" socat -u TCP-LISTEN:$PORT,reuseaddr OPEN:"$TMP/rx",creat,trunc &
	_l=$!
	_bg_pids="$_bg_pids $_l"
	wait_until 10000 sh -c "ip netns exec $CN ss -ltn | grep -q :$PORT"
	head -c "$1" /dev/zero | timeout 120 ip netns exec "$MN" socat -u - TCP:$CN_ADDR:$PORT
	wait_until 20000 sh -c "! kill -0 $_l"
	stat -c %s "$TMP/rx" 2>/dev/null || echo 0
}

# max_seg: the largest TCP payload from the home address entering hl0.
max_seg()
{
	cap_text home | sed -n 's/.* length \([0-9]*\)$/\1/p' | sort -n | tail -n 1
}

phase "a bulk transfer through the reverse tunnel"
cap_start home "$HA" hl0 src host $HOA and tcp || tap_bail "cannot capture"
rx0=$(ha_bstat $HOA rx_packets)
t0=$(mark)
expect_eq "4 MB from the mobile node arrive whole at the correspondent" 4000000 "$(send 4000000)"
win "$t0" "$(mark)"
m=$(max_seg)
expect_ge "its packets enter hl0 aggregated: a TCP payload of $m > 1440 bytes" 1441 "${m:-0}"
expect_ge "counted per segment (rx_packets)" 2700 "$(delta "$(ha_bstat $HOA rx_packets)" "$rx0")"

phase "GRO off on the home link"
nsx "$HA" ethtool -K hl0 gro off >/dev/null 2>&1
t0=$(mark)
expect_eq "1 MB arrive whole" 1000000 "$(send 1000000)"
win "$t0" "$(mark)"
m=$(max_seg)
expect_eq "not aggregated: no TCP payload over 1440 bytes" "yes" \
	"$([ -n "$m" ] && [ "$m" -le 1440 ] && echo yes || echo "no: ${m:-nothing captured}")"
nsx "$HA" ethtool -K hl0 gro on >/dev/null 2>&1
cap_stop home

phase "dummy devices flapped under a transfer"
ip -n "$HA" link add fl0 type dummy && ip -n "$CN" link add fl1 type dummy ||
	tap_bail "cannot add the dummy devices"
# 20 of them: 50 (200 link changes) took over 2 minutes on the debug kernel under load.
FLAPS=20
flap()
{
	for _i in $(seq $FLAPS); do
		ip -n "$HA" link set fl0 up && ip -n "$CN" link set fl1 up &&
			ip -n "$HA" link set fl0 down &&
			ip -n "$CN" link set fl1 down || return 1
	done
	touch "$TMP/flaps.done"
}
rm -f "$TMP/flaps.done"
bg_start flap
flapper=$BG_PID
expect_eq "8 MB arrive whole while they flap" 8000000 "$(send 8000000)"
wait_until 300000 sh -c "! kill -0 $flapper 2>/dev/null"
# Its exit status is lost in the background: it says it finished all $FLAPS.
[ -e "$TMP/flaps.done" ]
tap_result "$FLAPS flaps done" $?
expect_eq "afterwards 4 MB arrive whole" 4000000 "$(send 4000000)"

phase "the home link deleted under a transfer"
nsx "$CN" socat -u TCP-LISTEN:$PORT,reuseaddr OPEN:/dev/null &
_bg_pids="$_bg_pids $!"
wait_until 10000 sh -c "ip netns exec $CN ss -ltn | grep -q :$PORT"
bg_start sh -c "head -c 2000000000 /dev/zero | ip netns exec $MN socat -u - TCP:$CN_ADDR:$PORT"
sender=$BG_PID
flowing() { [ "$(delta "$(ha_bstat $HOA rx_packets)" "$1")" -ge "$2" ]; }
rx0=$(ha_bstat $HOA rx_packets)
wait_until 30000 flowing "$rx0" 2000
tap_result "the transfer runs" $?
tap_check "hl0 deleted while it does" ip -n "$HA" link del hl0
rx0=$(ha_bstat $HOA rx_packets)
wait_until 60000 flowing "$rx0" 500
tap_result "it goes on, entering where the tunnel packets do" $? \
	"rx_packets $(ha_bstat $HOA rx_packets), was $rx0"

phase "the HA's namespace deleted under the transfer"
rx0=$(ha_bstat $HOA rx_packets)
wait_until 30000 flowing "$rx0" 500
tap_result "the transfer still runs" $?
ns_del "$HA"
kill "$sender" 2>/dev/null
gone() { ! ip netns list | grep -q "$HA"; }
wait_until 10000 gone
tap_result "the HA's namespace is deleted" $?
slab_drained() { [ "$(mipha_slab_objects)" -le "$slab0" ]; }
wait_until 60000 slab_drained
tap_result "its binding is freed (mipha slab objects back to $slab0)" $? \
	"$(mipha_slab_objects) objects"

phase "end"
tap_done
