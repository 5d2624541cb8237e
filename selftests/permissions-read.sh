#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# What others may read (issue 12, item 9). Agent cookies hold NAIs, SPIs
# and replay state: only CAP_NET_ADMIN over the namespace reads them. Other
# users still get and dump bindings, without the cookie, and may not join
# the "bindings" multicast group, whose notifications carry cookies.
#
#   namespace "ha" (owned by the initial user namespace): one binding with
#   a cookie
#   nobody    uid 65534, no capabilities
#   userns    nobody as root of a new user namespace: not an admin of "ha",
#             an admin of a network namespace it creates itself
. "$(dirname "$0")/lib.sh"
require_cmd miphactl nlraw setpriv unshare timeout

tap_plan 10

NOBODY="setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all --bounding-set=-all"
[ -w /proc/sys/kernel/unprivileged_userns_clone ] &&
	echo 1 >/proc/sys/kernel/unprivileged_userns_clone

ns=$(ns_new ha) || tap_bail "cannot create a namespace"
nlraw_ns "$ns" -q new home=10.3.0.1 coa=198.51.100.1 ha=192.0.2.1 cookie=c0ffee01 >/dev/null ||
	tap_bail "cannot add a binding with a cookie"

# fields OUTPUT: home, coa and cookie (- if absent) of nlraw get/dump output.
fields()
{
	_m=$(printf '%s\n' "$1" | grep '^msg' | head -n 1)
	echo "$(nl_field "$_m" home) $(nl_field "$_m" coa) $(nl_field "$_m" cookie)" |
		sed 's/ $/ -/'
}

expect_eq "root: get returns the cookie" "10.3.0.1 198.51.100.1 c0ffee01" \
	"$(fields "$(nlraw_ns "$ns" get home=10.3.0.1)")"
expect_eq "root: dump returns the cookie" "10.3.0.1 198.51.100.1 c0ffee01" \
	"$(fields "$(nlraw_ns "$ns" dump)")"
expect_eq "nobody: get works, without the cookie" "10.3.0.1 198.51.100.1 -" \
	"$(fields "$(ip netns exec "$ns" $NOBODY nlraw get home=10.3.0.1)")"
expect_eq "nobody: dump works, without the cookie" "10.3.0.1 198.51.100.1 -" \
	"$(fields "$(ip netns exec "$ns" $NOBODY nlraw dump)")"
expect_eq "root of a child user namespace: no cookie in a namespace it does not own" \
	"10.3.0.1 198.51.100.1 -" \
	"$(fields "$(ip netns exec "$ns" $NOBODY unshare -Ur nlraw get home=10.3.0.1)")"

# monitor NS PREFIX...: miphactl monitor for 3 s; prints its exit status
# (124: it was listening until the timeout) and first line of output.
monitor()
{
	_n=$1
	shift
	_o=$(ip netns exec "$_n" "$@" timeout 3 miphactl monitor 2>&1)
	echo "$? $(printf '%s\n' "$_o" | head -n 1)"
}
out=$(monitor "$ns" $NOBODY)
expect_match "nobody may not listen to binding notifications (EPERM)" \
	"^[0-9]+ .*Operation not permitted" "$out"
out=$(monitor "$ns" $NOBODY unshare -Ur)
expect_match "nor root of a child user namespace" \
	"^[0-9]+ .*Operation not permitted" "$out"
out=$(monitor "$ns")
expect_match "root may (it listens until the timeout)" "^124" "$out"
out=$($NOBODY unshare -Urn sh -c 'timeout 3 miphactl monitor' 2>&1)
expect_eq "nobody may listen in a network namespace of its own user namespace" 124 "$?"
out=$($NOBODY unshare -Urn sh -c '
	nlraw -q new home=10.3.0.9 coa=198.51.100.9 ha=192.0.2.1 cookie=ab >/dev/null &&
	nlraw get home=10.3.0.9' 2>&1)
expect_eq "... and reads its own cookies there" "10.3.0.9 198.51.100.9 ab" "$(fields "$out")"
tap_done
