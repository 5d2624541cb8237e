#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# mipha-agentd: virtual-network routes never take the place of someone
# else's. Before the daemon starts, the operator has a static route for
# one virtual network's prefix (same metric as ours) and another, at a
# worse metric, for a second one; a third prefix is free. After start the
# static routes are still there, unchanged, none of ours (protocol 143)
# sits beside them, the conflicts are logged with the prefix and the other
# route's protocol, and the free prefix got our unreachable route.
# --flush-on-exit removes ours only.
# Topology and configuration: lib-fastpath.sh, lib-agentd.sh.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-fastpath.sh"
. "$(dirname "$0")/lib-agentd.sh"

tap_plan 9

require_cmd mipha-agentd miphactl jq
mipha_load || tap_bail "cannot load mipha"
fp_topo || tap_bail "cannot build the topology"
ad_conf 'virtual-network "10.9.50.0/24" {}
virtual-network "10.9.51.0/24" {}
virtual-network "10.9.52.0/24" {}'

# routes PREFIX: every route of the main table for PREFIX, one per line.
routes()
{
	ip -n "$HA" -4 route show table main exact "$1" 2>&1
}

ip -n "$HA" route add 10.9.50.0/24 via 10.9.0.2 proto static ||
	tap_bail "cannot add the static route"
ip -n "$HA" route add 10.9.52.0/24 via 10.9.0.2 proto static metric 50 ||
	tap_bail "cannot add the second static route"
before50=$(routes 10.9.50.0/24)
before52=$(routes 10.9.52.0/24)
diag "before: $before50 / $before52"

# ad_start, with --flush-on-exit: its stop at the end shows what it removes.
ip netns exec "$HA" mipha-agentd -f --flush-on-exit -c "$AD_CONF" >>"$TMP/agentd.log" 2>&1 &
AD_PID=$!
_bg_pids="$_bg_pids $AD_PID"
wait_until 20000 ad_running || tap_bail "mipha-agentd does not start: $(ad_log)"

expect_same "10.9.50.0/24: the static route is still there, unchanged" \
	"$before50" "$(routes 10.9.50.0/24)"
expect_same "10.9.52.0/24 (metric 50): the static route is still there, alone" \
	"$before52" "$(routes 10.9.52.0/24)"
expect_eq "no route of protocol 143 for either prefix" "" \
	"$(ip -n "$HA" route show table main proto 143 | grep -E '^unreachable 10\.9\.5[02]\.0/24')"
expect_match "the conflict on 10.9.50.0/24 is logged with protocol static (4)" \
	'virtual network 10\.9\.50\.0/24: a route of protocol 4 ' "$(cat "$TMP/agentd.log")"
expect_match "the conflict on 10.9.52.0/24 is logged too" \
	'virtual network 10\.9\.52\.0/24: a route of protocol 4 ' "$(cat "$TMP/agentd.log")"
expect_match "the free prefix 10.9.51.0/24 has our unreachable route" \
	'^unreachable 10\.9\.51\.0/24 proto (143|mipha)' "$(routes 10.9.51.0/24)"
tap_check "the daemon keeps running" ad_running

ad_stop
expect_eq "--flush-on-exit removed our route of 10.9.51.0/24" "" "$(routes 10.9.51.0/24)"
expect_same "and left the static route of 10.9.50.0/24 alone" \
	"$before50" "$(routes 10.9.50.0/24)"
ad_done
