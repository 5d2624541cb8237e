#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The kernel removes a binding when its lifetime runs out, on time and by
# itself, and notifies it; bindings without a lifetime stay. Then many
# bindings expiring at once: all go, in time, and the table keeps answering.
. "$(dirname "$0")/lib.sh"
require_cmd miphactl nlraw

tap_plan 13

ns=$(ns_new ha) || tap_bail "cannot create a namespace"
mon=$TMP/monitor
ip netns exec "$ns" miphactl monitor >"$mon" 2>&1 &
mon_pid=$!
_bg_pids="$_bg_pids $mon_pid"
sleep 0.5

present() { nlraw_ns "$ns" -q get home="$1" >/dev/null; }
absent() { ! present "$1"; }

t0=$(now_ms)
mipha_ns "$ns" kernel binding add 10.5.0.1 coa 198.51.100.1 ha 192.0.2.1 lifetime 2 &&
	mipha_ns "$ns" kernel binding add 10.5.0.2 coa 198.51.100.2 ha 192.0.2.1 lifetime 3 &&
	mipha_ns "$ns" kernel binding add 10.5.0.3 coa 198.51.100.3 ha 192.0.2.1
tap_result "add bindings with lifetimes 2 s, 3 s and none" $?
t1=$(now_ms)
diag "adding took $((t1 - t0)) ms"

# Not early: present until shortly before the lifetime ends (measured from
# after the add returned, so the add's own latency cannot make this flaky).
sleep_until() { _d=$(($1 - $(now_ms))); [ $_d -gt 0 ] && sleep "$(awk -v d=$_d 'BEGIN { print d / 1000 }')"; }
sleep_until $((t1 + 1500))
tap_check "2 s binding still present at 1.5 s" present 10.5.0.1
# On time: gone within a second after its expiry.
if wait_until $((t0 + 3000 - $(now_ms))) absent 10.5.0.1; then
	tap_ok "2 s binding gone within 1 s after expiring"
else
	tap_fail "2 s binding gone within 1 s after expiring" "still there at $(($(now_ms) - t0)) ms"
fi
gone1=$(now_ms)
diag "2 s binding gone at $((gone1 - t0)) ms"
if [ $((gone1 - t0)) -ge 1900 ]; then
	tap_ok "2 s binding not removed early"
else
	tap_fail "2 s binding not removed early" "gone at $((gone1 - t0)) ms"
fi
sleep_until $((t1 + 2500))
tap_check "3 s binding still present at 2.5 s" present 10.5.0.2
if wait_until $((t0 + 4000 - $(now_ms))) absent 10.5.0.2; then
	tap_ok "3 s binding gone within 1 s after expiring"
else
	tap_fail "3 s binding gone within 1 s after expiring" "still there at $(($(now_ms) - t0)) ms"
fi
diag "3 s binding gone at $(($(now_ms) - t0)) ms"
sleep_until $((t0 + 4500))
tap_check "binding without a lifetime stays" present 10.5.0.3
expect_eq "statistics: 2 expiries, 1 binding left" "2 1" \
	"$(stat_of "$ns" expiries) $(stat_of "$ns" bindings)"

sleep 0.3
kill "$mon_pid" 2>/dev/null
wait "$mon_pid" 2>/dev/null
expect_eq "monitor saw the two expiries, as expiries" "1 1 0" \
	"$(grep -i expire "$mon" | grep -c '10\.5\.0\.1\b') $(grep -i expire "$mon" | grep -c '10\.5\.0\.2\b') $(grep -i expire "$mon" | grep -c '10\.5\.0\.3\b')"
diag "monitor:" "$(cat "$mon")"

# Many at once: the module expires in batches, without holding the table
# lock for all of them; the table stays usable and every one goes on time.
n=20000
gen_bindings $n "$TMP/many"
sed -i 's/$/ lifetime 3/' "$TMP/many"
t0=$(now_ms)
mipha_ns "$ns" -b "$TMP/many"
tap_result "install $n bindings with lifetime 3 s" $?
t1=$(now_ms)
diag "installing took $((t1 - t0)) ms"
expect_eq "all $n there before expiry" $((n + 1)) "$(stat_of "$ns" bindings)"
# The last was added at t1 at the latest: all must be gone 2 s after t1 + 3 s.
if wait_until $((t1 + 5000 - $(now_ms))) sh -c "[ \"\$(ip netns exec $ns nlraw stats | tr ' ' '\n' | sed -n 's/^bindings=//p')\" = 1 ]"; then
	tap_ok "all $n expired within 2 s after their lifetime"
else
	tap_fail "all $n expired within 2 s after their lifetime" "left: $(stat_of "$ns" bindings)"
fi
diag "all expired at $(($(now_ms) - t0)) ms after the batch started"
t=$(now_ms)
present 10.5.0.3
tap_result "the permanent binding survived the mass expiry" $?
diag "a get took $(($(now_ms) - t)) ms after the mass expiry"

tap_done
