#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# mipha-agentd end to end: mobile nodes (mipha-mn) register over UDP 434,
# the daemon installs the bindings in the kernel, and traffic flows both
# ways through the tunnel, checked on the wire: a static home address over
# IP-in-IP with reverse tunnelling, renewal before expiry, deregistration
# stopping the forwarding; an NAI with a dynamic address from a pool over
# GRE, keeping its address across re-registrations and releasing it at the
# end; twenty nodes at once. The mobile node's side of the data path is the
# kernel's own ipip/gre device (mipha-mn --setup-tunnel).
# Topology and configuration: lib-fastpath.sh, lib-agentd.sh.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-fastpath.sh"
. "$(dirname "$0")/lib-agentd.sh"

tap_plan 36

ad_setup

# --- static home address, IP-in-IP, reverse tunnel --------------------------------
phase "static home address, IP-in-IP, reverse tunnel"
HOME1=10.9.0.100
cap_start mn "$MN" mn0 && cap_start cn "$CN" cn0 || tap_bail "cannot capture"
t0=$(mark)
# Lifetime 8 s, renewed at 50 %: a renewal comes after 4 s.
t_reg=$(now_ms)
mn_bg reg1 --home $HOME1 -T -l 8 --renew 50 --setup-tunnel
if mn_wait_accepted reg1 1; then
	tap_ok "static $HOME1: registration accepted"
else
	tap_fail "static $HOME1: registration accepted" "$(cat "$TMP/reg1.err")" "$(ad_log)"
fi
expect_eq "daemon binding: care-of address, lifetime 8, reverse tunnel" \
	"10.9.3.2 8 true" \
	"$(ad_binding $HOME1 coa) $(ad_binding $HOME1 lifetime) $(ad_binding $HOME1 reverse_tunnel)"
expect_eq "kernel binding: coa 10.9.3.2, ha 10.9.0.1, ipip, reverse-tunnel, link home0" \
	"10.9.3.2 10.9.0.1 ipip reverse-tunnel home0" \
	"$(k_jq $HOME1 '"\(.coa) \(.ha_addr) \(.encap) \(.flags | join(",")) \(.link)"')"
expect_eq "correspondent -> mobile node: 5 of 5 pings answered" 5 "$(pings "$CN" 5 $HOME1)"
win "$t0" "$(mark)"
expect_cap "the request went from the care-of address to UDP 434 of the HA" \
	mn 1 "IP 10\.9\.3\.2\.[0-9]+ > 10\.9\.0\.1\.434: "
expect_cap "the reply came back from UDP 434" \
	mn 1 "IP 10\.9\.0\.1\.434 > 10\.9\.3\.2\.[0-9]+: "
expect_cap "HA -> care-of address: echo requests in IP-in-IP" \
	mn 5 "IP 10\.9\.0\.1 > 10\.9\.3\.2: IP 10\.9\.1\.2 > 10\.9\.0\.100: ICMP echo request"
expect_cap "care-of address -> HA: echo replies reverse tunnelled" \
	mn 5 "IP 10\.9\.3\.2 > 10\.9\.0\.1: IP 10\.9\.0\.100 > 10\.9\.1\.2: ICMP echo reply"
expect_cap "the correspondent gets them decapsulated" \
	cn 5 "IP 10\.9\.0\.100 > 10\.9\.1\.2: ICMP echo reply"

# --- renewal ---------------------------------------------------------------------
phase "renewal"
if wait_until 9000 grep -q 'renewal accepted' "$TMP/reg1.err"; then
	tap_ok "renewal accepted before the 8 s lifetime ran out"
else
	tap_fail "renewal accepted before the 8 s lifetime ran out" "$(cat "$TMP/reg1.err")"
fi
# Now past the first registration's 8 s (by the clock, 1 s to spare).
until [ "$(now_ms)" -ge $((t_reg + 9000)) ]; do
	sleep 0.1
done
tap_check "past the first lifetime, the kernel still holds the binding" k_has $HOME1
expect_eq "and it still forwards: 3 of 3 pings" 3 "$(pings "$CN" 3 $HOME1)"

# --- deregistration ----------------------------------------------------------------
phase "deregistration"
mn_stop $MN_PID
expect_match "mipha-mn deregistered at exit" "deregistration accepted" "$(cat "$TMP/reg1.err")"
tap_check_fails "the kernel binding is gone" k_has $HOME1
expect_eq "the daemon's binding is gone" "" "$(ad_binding $HOME1 coa)"
t0=$(mark)
pings "$CN" 3 $HOME1 -W 1 >/dev/null
win "$t0" "$(mark)"
expect_cap "nothing for $HOME1 reaches the care-of address any more" mn 0 "10\.9\.0\.100"
tap_check_fails "mipha-mn removed its tunnel device" ip -n "$MN" link show mip0

# --- NAI, dynamic address, GRE -----------------------------------------------------
phase "NAI, dynamic address, GRE"
t0=$(mark)
# Lifetime 20 s, renewed at 50 %: the renewal comes 10 s after the registration,
# with 10 s to spare on a loaded debug kernel (6 s left 3, and it expired there).
mn_bg nai --nai 'alice%d@dyn.example' -g -T -l 20 --renew 50 --setup-tunnel
if mn_wait_accepted nai 1; then
	tap_ok "alice1@dyn.example (home address 0.0.0.0): registration accepted"
else
	tap_fail "alice1@dyn.example (home address 0.0.0.0): registration accepted" \
		"$(cat "$TMP/nai.err")" "$(ad_log)"
fi
DYN=$(sed -n 's/.* home \([0-9.]*\) ha [0-9.]*: registration accepted.*/\1/p' "$TMP/nai.err" | head -n 1)
expect_match "the address came from pool dyn (10.9.0.200-209): $DYN" \
	'^10\.9\.0\.20[0-9]$' "$DYN"
expect_eq "daemon binding: NAI alice1@dyn.example, pool dyn" "alice1@dyn.example dyn" \
	"$(ad_binding "$DYN" nai) $(ad_binding "$DYN" pool)"
expect_eq "kernel binding: gre, care-of 10.9.3.2" "gre 10.9.3.2" \
	"$(k_jq "$DYN" '"\(.encap) \(.coa)"')"
expect_eq "correspondent -> $DYN: 5 of 5 pings answered" 5 "$(pings "$CN" 5 "$DYN")"
win "$t0" "$(mark)"
expect_cap "HA -> care-of address: echo requests in GRE" \
	mn 5 "IP 10\.9\.0\.1 > 10\.9\.3\.2: GREv0, length [0-9]+: IP 10\.9\.1\.2 > $DYN: ICMP echo request"
expect_cap "care-of address -> HA: echo replies reverse tunnelled in GRE" \
	mn 5 "IP 10\.9\.3\.2 > 10\.9\.0\.1: GREv0, length [0-9]+: IP $DYN > 10\.9\.1\.2: ICMP echo reply"
used=$(ad_ctl -j pool show | jq -r '.pools[] | select(.name == "dyn") | .used')
expect_eq "pool dyn: 1 address in use" 1 "$used"
if wait_until 30000 grep -q 'renewal accepted' "$TMP/nai.err"; then
	tap_ok "the NAI renewed"
else
	tap_fail "the NAI renewed" "$(cat "$TMP/nai.err")"
fi
expect_same "the renewal kept the address" "$DYN" \
	"$(sed -n 's/.* home \([0-9.]*\) ha [0-9.]*: renewal accepted.*/\1/p' "$TMP/nai.err" | head -n 1)"
mn_stop $MN_PID
expect_match "the NAI deregistered at exit" "deregistration accepted" "$(cat "$TMP/nai.err")"
if [ -z "$DYN" ]; then
	tap_fail "its kernel binding is gone" "no address was assigned"
else
	tap_check_fails "its kernel binding is gone" k_has "$DYN"
fi
used=$(ad_ctl -j pool show | jq -r '.pools[] | select(.name == "dyn") | "\(.used) \(.releases)"')
expect_eq "pool dyn: the address was released (used 0, 1 release)" "0 1" "$used"

# --- twenty mobile nodes -------------------------------------------------------------
phase "twenty mobile nodes"
k0=$(stat_of "$HA" bindings)
out=$(mn --once -n 20 --home 10.9.0.110 -j)
expect_eq "20 registrations accepted (mipha-mn --once)" "20 0" \
	"$(jget "$out" '.registrations.accepted') $(jget "$out" '.denied')"
expect_eq "the kernel holds 20 more bindings" 20 "$(delta "$(stat_of "$HA" bindings)" "$k0")"
expect_eq "the daemon holds 20 bindings" 20 "$(ad_count)" 
expect_match "latency percentiles in the report" \
	'^[0-9.]+ [0-9.]+ [0-9.]+ [0-9.]+$' \
	"$(jget "$out" '.latency_ms | "\(.p50) \(.p90) \(.p99) \(.max)"')"
out=$(mn --deregister -n 20 --home 10.9.0.110 -j)
expect_eq "20 deregistrations accepted" 20 "$(jget "$out" '.deregistrations.accepted')"
expect_eq "the kernel has none of them left" 0 "$(delta "$(stat_of "$HA" bindings)" "$k0")"

cap_stop mn
cap_stop cn
phase "end"
ad_done
