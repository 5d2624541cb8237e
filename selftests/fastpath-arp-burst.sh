#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Announcement bursts (issue 12, item 7). At a high announce rate one tick
# sends a large burst of gratuitous ARPs; a full transmit queue drops some,
# and those must not be counted as announcements. home0 gets a tiny token
# bucket qdisc, 400 bindings on it, and proxy ARP is turned on at 100000
# announcements a second: the qdisc drops most of the burst, and the
# announcements counter must equal what the qdisc accepted.
# Topology: lib-fastpath.sh (home link home0 to H1).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-fastpath.sh"
require_cmd miphactl jq tc

tap_plan 4

mipha_load || tap_bail "cannot load mipha"
fp_topo || tap_bail "cannot build the topology"
fp_sysctl "$HA" net.ipv6.conf.home0.disable_ipv6=1
i=1
while [ $i -le 400 ]; do
	echo "kernel binding add 10.9.$((100 + i / 250)).$((i % 250 + 1)) coa $COA ha $HA_ADDR link home0"
	i=$((i + 1))
done >"$TMP/bindings"
ha_ctl -b "$TMP/bindings" || tap_bail "cannot add the bindings"
# The debug kernel's config has no sch_tbf: skip there.
nsx "$HA" tc qdisc add dev home0 root tbf rate 64kbit burst 1600 limit 1600 ||
	tap_skip_rest "this kernel has no tbf qdisc (CONFIG_NET_SCH_TBF)"

# qdisc_stat sent|dropped: packets the qdisc of home0 sent or dropped.
qdisc_stat()
{
	nsx "$HA" tc -s -j qdisc show dev home0 | jq -r ".[0].$1"
}
an0=$(ha_stat announcements) sent0=$(qdisc_stat packets) drop0=$(qdisc_stat drops)
ha_ctl kernel link set home0 proxy-arp on lladdr 02:00:5e:00:01:0a announce-rate 100000
tap_result "proxy ARP on at 100000 announcements a second" $?
pending() { [ "$(ha_ctl -j kernel link show home0 | jq -r .announce_pending)" = false ]; }
wait_until 20000 pending
tap_result "the announcement finished" $?
sleep 2 # the qdisc drains what it queued
an=$(delta "$(ha_stat announcements)" "$an0")
sent=$(delta "$(qdisc_stat packets)" "$sent0")
dropped=$(delta "$(qdisc_stat drops)" "$drop0")
diag "announcements $an, qdisc sent $sent, dropped $dropped"
expect_eq "the qdisc dropped part of the burst" yes \
	"$([ "$dropped" -gt 0 ] && echo yes || echo "no: $dropped")"
expect_eq "announcements count only what was queued: 400 minus drops" \
	$((400 - dropped)) "$an"
tap_done
