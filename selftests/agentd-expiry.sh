#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# mipha-agentd: lifetimes. The granted lifetime is the smaller of the
# request and the host's limit; a binding nobody renews expires in the
# daemon and in the kernel at the end of its lifetime (not before), its
# pool address goes back to the pool, and traffic stops being tunnelled;
# a mobile node that keeps renewing keeps its binding. Deregistration by
# care-of address = home address removes the binding too.
# Topology and configuration: lib-fastpath.sh, lib-agentd.sh.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-fastpath.sh"
. "$(dirname "$0")/lib-agentd.sh"

tap_plan 14

ad_setup "host \"10.9.0.250 10.9.0.251\" {
	interface = home0
	lifetime = 30
}
secure-host \"10.9.0.250 10.9.0.251\" {
	spi = $AD_SPI
	key = \"$AD_KEY\"
	algorithm = hmac-md5
}"

# --- lifetime limits ------------------------------------------------------------------
phase "lifetime limits"
out=$(mn --once --home 10.9.0.250 -l 3000 -j --list)
expect_eq "3000 s asked of a host limited to 30 s: 30 granted" 30 "$(jget "$out" '.list[0].lifetime')"
expect_eq "the daemon's binding says 30" 30 "$(ad_binding 10.9.0.250 lifetime)"

# --- expiry ------------------------------------------------------------------------
phase "expiry"
e0=$(ad_ctl -j stats | jq -r '.expiries')
# carol1 first, with 15 s: its address must still be in use when the pool is
# read, however slow the VM is today (the read reads the clock too).
t1=$(now_ms)
out2=$(mn --once --nai 'carol%d@dyn.example' -l 15 -j --list)
used=$(ad_ctl -j pool show | jq -r '.pools[] | select(.name == "dyn") | .used')
el1=$(($(now_ms) - t1))
DYN=$(jget "$out2" '.list[0].home')
ka0=$(ha_stat adds)
# The binding cannot exist before t0, so it cannot expire before t0 + 10 s.
# Every check of its presence reads the clock around itself: one that ends
# before t0 + 10 s must find it; one that ends later, on a machine slow
# enough to get there, proves nothing either way and is made by the count
# of the kernel's adds instead (the binding is the only one added then).
t0=$(now_ms)
out=$(mn --once --home 10.9.0.130 -l 10 -j)
k_has 10.9.0.130
k=$? el=$(($(now_ms) - t0))
ka=$(delta "$(ha_stat adds)" "$ka0")
if [ $k -eq 0 ]; then
	tap_ok "the kernel holds 10.9.0.130"
elif [ "$el" -ge 10000 ] && [ "$ka" = 1 ]; then
	tap_ok "the kernel holds 10.9.0.130"
	diag "(gone when looked up ${el} ms after the request, past its 10 s; the kernel counted its add)"
else
	tap_fail "the kernel holds 10.9.0.130" "not there ${el} ms after the request; kernel adds: $ka"
fi
expect_eq "10.9.0.130 (10 s) and carol1@dyn.example (15 s) registered" "0 0" \
	"$(jget "$out" '.codes | keys | join(" ")') $(jget "$out2" '.codes | keys | join(" ")')"
if [ "$el1" -lt 15000 ]; then
	expect_eq "pool dyn: $DYN in use" 1 "$used"
else
	tap_skip "pool dyn: $DYN in use" "the VM took ${el1} ms to register and read the pool, past the 15 s lifetime"
fi
# Still there late in its lifetime: looked up no earlier than 7 s after the
# request, found by a look-up that ended before 10 s (a slow VM that got
# here late still checks, as long as it is not past the lifetime).
el=$(($(now_ms) - t0))
[ "$el" -ge 7000 ] || sleep "$(echo "$el" | awk '{ printf "%.3f", (7000 - $1) / 1000 }')"
k_has 10.9.0.130
k=$? el=$(($(now_ms) - t0))
if [ $k -eq 0 ]; then
	tap_ok "7 s after the request (lifetime 10 s) it is still there"
	diag "(found by a look-up that ended ${el} ms after the request)"
elif [ "$el" -ge 10000 ]; then
	tap_skip "7 s after the request (lifetime 10 s) it is still there" "the look-up ended ${el} ms after the request, past its lifetime"
else
	tap_fail "7 s after the request (lifetime 10 s) it is still there" "gone ${el} ms after the request"
fi
if wait_until 15000 sh -c "! ip netns exec $HA miphactl kernel binding get 10.9.0.130 >/dev/null 2>&1"; then
	el=$(($(now_ms) - t0))
	expect_ge "the kernel binding went at the end of its lifetime (${el} ms after the request)" 10000 "$el"
else
	tap_fail "the kernel binding went at the end of its lifetime" "still there 15 s later"
fi
wait_until 3000 sh -c "[ -z \"\$(ip netns exec $HA miphactl -socket $AD_SOCK -j binding list | jq -r '.[] | select(.home_addr == \"10.9.0.130\") | .coa')\" ]"
expect_eq "the daemon's binding went too" "" "$(ad_binding 10.9.0.130 coa)"
wait_until 20000 sh -c "! ip netns exec $HA miphactl kernel binding get $DYN >/dev/null 2>&1"
if [ -n "$DYN" ]; then
	tap_check_fails "carol1's binding expired as well" k_has "$DYN"
else
	tap_fail "carol1's binding expired as well" "carol1 got no address"
fi
expect_eq "pool dyn: the address went back" 0 \
	"$(ad_ctl -j pool show | jq -r '.pools[] | select(.name == "dyn") | .used')"
expect_ge "stats: expiries counted" 2 "$(delta "$(ad_ctl -j stats | jq -r '.expiries')" "$e0")"
expect_eq "nothing is tunnelled to the expired home address (pings lost)" 0 \
	"$(pings "$CN" 2 10.9.0.130 -W 1)"

# --- renewals keep it; deregistration with CoA = home address -----------------------
phase "renewals keep it"
mn_bg hold --home 10.9.0.131 -l 3 --renew 50 --dereg-all
# The registration and 4 renewals accepted: about 7 s, past its first two lifetimes.
if mn_wait_accepted hold 5 60000; then
	tap_check "renewing every 1.5 s, a 3 s binding is still there after 4 renewals (about 7 s)" k_has 10.9.0.131
else
	tap_fail "renewing every 1.5 s, a 3 s binding is still there after 4 renewals (about 7 s)" \
		"$(grep -c 'accepted (code 0)' "$TMP/hold.err") accepted in 60 s: $(tail -n 5 "$TMP/hold.err")"
fi
mn_stop $MN_PID
tap_check_fails "deregistered (care-of address = home address): gone" k_has 10.9.0.131

phase "end"
ad_done
