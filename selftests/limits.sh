#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# What an unprivileged user can make the kernel hold (issue 12, item 8).
# Any user may create a user namespace and a network namespace in it, and
# is CAP_NET_ADMIN there: its table gets a binding limit (smaller than the
# initial namespace's), which only the initial namespace's admin may raise,
# and everything it allocates is charged to its memory cgroup.
#
#   holder   nobody: "unshare -Urn sleep", keeps a user+network namespace
#   $U       nobody entering both: root there, the namespace's admin
#   root     the initial namespace's root, entering only the network namespace
#   cgroup   a memory cgroup the bulk add runs in
. "$(dirname "$0")/lib.sh"
require_cmd miphactl nlraw setpriv unshare nsenter

tap_plan 14

NOBODY="setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all --bounding-set=-all"
[ -w /proc/sys/kernel/unprivileged_userns_clone ] &&
	echo 1 >/proc/sys/kernel/unprivileged_userns_clone
mipha_load || tap_bail "cannot load mipha"

$NOBODY unshare -Urn sleep 300 &
holder=$!
_bg_pids="$_bg_pids $holder"
own_netns() { [ "$(readlink /proc/$holder/ns/net)" != "$(readlink /proc/self/ns/net)" ]; }
wait_until 10000 own_netns || tap_bail "the user namespace did not start"
U="$NOBODY nsenter --preserve-credentials -t $holder -U -n"
chmod 755 "$TMP" # batch files for nobody
errno_of()
{
	nl_field "$(printf '%s\n' "$1" | grep '^status' | tail -n 1)" errno
}

expect_eq "a user's namespace starts with the user-namespace limit" 16384 \
	"$(nl_field "$($U nlraw stats | grep '^msg')" max_bindings)"
expect_eq "its admin may lower it" 0 "$(errno_of "$($U nlraw config max_bindings=20)")"
i=1
while [ $i -le 20 ]; do
	echo "kernel binding add 10.40.0.$i coa 198.51.100.1 ha 192.0.2.1"
	i=$((i + 1))
done >"$TMP/twenty"
$U miphactl -b "$TMP/twenty"
tap_result "20 bindings fit" $?
out=$($U nlraw new home=10.40.1.1 coa=198.51.100.1 ha=192.0.2.1)
expect_eq "the 21st is refused with ENOSPC" 28 "$(errno_of "$out")"
expect_match "... and an extack naming the limit" "binding limit" "$(nl_msg "$out")"
out=$($U nlraw config max_bindings=5000)
expect_eq "its admin may not raise it (EPERM)" 1 "$(errno_of "$out")"
expect_eq "the initial namespace's root may" 0 \
	"$(errno_of "$(nsenter -t $holder -n nlraw config max_bindings=5000)")"
expect_eq "then the 21st fits" 0 \
	"$(errno_of "$($U nlraw new home=10.40.1.1 coa=198.51.100.1 ha=192.0.2.1)")"

# The same through miphactl, as an operator would: kernel config max-bindings N,
# and kernel stats shows it.
max_of() { "$@" miphactl kernel stats | awk '$1 == "max_bindings" { print $2 }'; }
out=$($U miphactl kernel config max-bindings 30 2>&1)
tap_result "miphactl kernel config max-bindings 30: the namespace's admin lowers it" $? "$out"
expect_eq "miphactl kernel stats shows max_bindings 30" 30 "$(max_of $U)"
out=$($U miphactl kernel config max-bindings 40 2>&1) && out="exit 0: $out"
expect_match "raising it with miphactl fails, with the kernel's reason" \
	"initial user namespace" "$out"
out=$(nsenter -t $holder -n miphactl kernel config max-bindings 5000 2>&1)
expect_eq "the initial namespace's root raises it with miphactl" "5000" \
	"$(max_of nsenter -t $holder -n)${out:+ ($out)}"

# --- memory cgroup ---------------------------------------------------------------------------
# 2000 bindings with 512-byte cookies hold over 1.3 MB of kernel memory
# (binding 144 B, cookie 512 B): all of it must be charged to the cgroup of
# the process that added them. (Past memory.max the memcg OOM killer would
# run, whose report the VM harness takes for a splat: the charge itself is
# what is checked.)
cg=/sys/fs/cgroup mounted=
if [ ! -f $cg/cgroup.controllers ]; then
	cg=$TMP/cgroup mounted=$TMP/cgroup
	mkdir -p $cg && mount -t cgroup2 none $cg || tap_bail "cannot mount cgroup2"
fi
echo +memory >$cg/cgroup.subtree_control 2>/dev/null
mkdir -p $cg/mipha-limits && [ -f $cg/mipha-limits/memory.current ] ||
	tap_bail "no memory controller"
cookie=$(head -c 512 /dev/zero | od -An -tx1 -v | tr -d ' \n' | tr 0 a)
i=0
while [ $i -lt 2000 ]; do
	echo "kernel binding add 10.41.$((i / 250)).$((i % 250 + 1)) coa 198.51.100.2 ha 192.0.2.1 cookie $cookie"
	i=$((i + 1))
done >"$TMP/bulk"
$U miphactl -b /dev/null # page cache of the tools: charged elsewhere
before=$(cat $cg/mipha-limits/memory.current)
sh -c "echo \$\$ >$cg/mipha-limits/cgroup.procs && exec $U miphactl -b $TMP/bulk"
tap_result "2000 bindings with 512-byte cookies added from the cgroup" $?
after=$(cat $cg/mipha-limits/memory.current)
diag "memory.current: $before -> $after"
expect_eq "they are charged to it (at least 1.3 MB)" yes \
	"$([ $((after - before)) -ge 1300000 ] && echo yes || echo "no: $((after - before)) bytes")"
kill $holder 2>/dev/null
wait $holder 2>/dev/null
rmdir $cg/mipha-limits 2>/dev/null
[ -z "$mounted" ] || umount "$mounted"
tap_done
