#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Changes need CAP_NET_ADMIN in the user namespace that owns the network
# namespace; reading does not.
#
#   namespace "ha" (owned by the initial user namespace): one binding
#   nobody     uid 65534, no capabilities: may read, may not change
#   no-admin   root without CAP_NET_ADMIN: may not change
#   userns     nobody in a new user namespace with its own network namespace:
#              may change that namespace, not "ha" nor the initial one
. "$(dirname "$0")/lib.sh"
require_cmd miphactl nlraw setpriv capsh unshare

tap_plan 18

ns=$(ns_new ha) || tap_bail "cannot create a namespace"
tap_check "root adds a binding" mipha_ns "$ns" kernel binding add 10.3.0.1 \
	coa 198.51.100.1 ha 192.0.2.1
before=$(nlraw_ns "$ns" dump | grep '^msg')

# A command prefix: run as nobody with no capabilities at all.
NOBODY="setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all --bounding-set=-all"
errno_of()
{
	nl_field "$(printf '%s\n' "$1" | grep '^status' | tail -n 1)" errno
}

ok="coa=198.51.100.2 ha=192.0.2.1"
expect_eq "nobody: add refused with EPERM" 1 \
	"$(errno_of "$(ip netns exec "$ns" $NOBODY nlraw new home=10.3.0.2 $ok)")"
expect_eq "nobody: replace refused with EPERM" 1 \
	"$(errno_of "$(ip netns exec "$ns" $NOBODY nlraw new replace home=10.3.0.1 $ok)")"
expect_eq "nobody: delete refused with EPERM" 1 \
	"$(errno_of "$(ip netns exec "$ns" $NOBODY nlraw del home=10.3.0.1)")"
expect_eq "nobody: flush refused with EPERM" 1 \
	"$(errno_of "$(ip netns exec "$ns" $NOBODY nlraw flush)")"
expect_eq "nobody: a bulk install refused with EPERM" 1 \
	"$(errno_of "$(ip netns exec "$ns" $NOBODY nlraw bulk \
		raw:$((0x8000 | A_BINDINGS))="$(nl_hex_entry 10.3.0.2 198.51.100.2 192.0.2.1)")")"
out=$(ip netns exec "$ns" $NOBODY miphactl kernel binding add 10.3.0.2 \
	coa 198.51.100.2 ha 192.0.2.1 2>&1)
st=$?
if [ $st -ne 0 ] && echo "$out" | grep -q 'Operation not permitted'; then
	tap_ok "nobody: miphactl add fails with Operation not permitted"
else
	tap_fail "nobody: miphactl add fails with Operation not permitted" "exit $st: $out"
fi
expect_eq "nobody: get works" "10.3.0.1 198.51.100.1" \
	"$(g=$(ip netns exec "$ns" $NOBODY nlraw get home=10.3.0.1); echo "$(nl_field "$g" home) $(nl_field "$g" coa)")"
expect_eq "nobody: miphactl list works" "10.3.0.1" \
	"$(ip netns exec "$ns" $NOBODY miphactl -j kernel binding list | jq -r '.[].home_addr')"
expect_eq "nobody: stats work" 1 \
	"$(nl_field "$(ip netns exec "$ns" $NOBODY nlraw stats | grep '^msg')" bindings)"

expect_eq "root without CAP_NET_ADMIN: add refused with EPERM" 1 \
	"$(errno_of "$(ip netns exec "$ns" capsh --drop=cap_net_admin -- -c \
		"nlraw new home=10.3.0.3 $ok")")"

expect_same "the refused changes changed nothing" "$before" \
	"$(nlraw_ns "$ns" dump | grep '^msg')"

# User namespaces: CAP_NET_ADMIN counts in the user namespace that owns the
# network namespace (GENL_UNS_ADMIN_PERM), not in the initial one.
[ -w /proc/sys/kernel/unprivileged_userns_clone ] &&
	echo 1 >/proc/sys/kernel/unprivileged_userns_clone
out=$($NOBODY unshare -Urn sh -c '
	miphactl kernel binding add 10.3.0.10 coa 198.51.100.10 ha 192.0.2.1 &&
	nlraw get home=10.3.0.10' 2>&1)
expect_eq "nobody in its own user+network namespace may add" \
	"10.3.0.10 198.51.100.10" "$(nl_field "$out" home) $(nl_field "$out" coa)"
out=$($NOBODY unshare -Urn sh -c '
	nlraw new home=10.3.0.10 coa=198.51.100.10 ha=192.0.2.1 >/dev/null &&
	nlraw del home=10.3.0.10 && nlraw flush' 2>&1)
expect_eq "... and delete and flush there" "0" "$(errno_of "$out")"
expect_eq "root in a child user namespace may not change a namespace it does not own" 1 \
	"$(errno_of "$(ip netns exec "$ns" unshare -Ur nlraw new home=10.3.0.4 $ok)")"
expect_eq "nobody in a child user namespace may not change the initial namespace" 1 \
	"$(errno_of "$($NOBODY unshare -Ur nlraw new home=10.3.0.5 $ok)")"
expect_same "the namespace-owner test changed nothing here" "$before" \
	"$(nlraw_ns "$ns" dump | grep '^msg')"
expect_eq "... nor in the initial namespace" "0" \
	"$(dump_matching "" 'home=10\.3\.0\.')"

tap_done
