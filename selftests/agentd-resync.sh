#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# mipha-agentd after it lost kernel notifications: the kernel dropped what
# its notification socket could not hold (ENOBUFS), so the daemon rebuilds
# its table from a dump of the kernel's. What the kernel still holds stays
# (binding, pool address, replay state); only what it no longer holds goes,
# and that address goes back to its pool.
#
# Its socket takes only removals (a socket filter drops the notifications
# of added and replaced bindings in the kernel), so a flood of installs,
# such as a standby's download of a peer's table, costs it nothing: foreign
# bindings are added while it is stopped, and it does not resynchronise. Then the
# daemon is stopped (SIGSTOP) while the kernel table loses more than
# the socket holds: the foreign bindings are deleted, then a binding of
# ours behind the daemon's back (its notification comes after the socket
# is full, and is dropped).
# Resumed (SIGCONT), the daemon reads ENOBUFS and resynchronises.
# Topology and configuration: lib-fastpath.sh, lib-agentd.sh.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-fastpath.sh"
. "$(dirname "$0")/lib-agentd.sh"

tap_plan 15

ad_setup
STATIC=10.9.0.120
# Notifications of FLOOD removals: about twice the 8 MiB the daemon's
# socket holds (20,000 of some 768 bytes of buffer each); fewer would not
# overflow it.
FLOOD=${MIPHA_RESYNC_FLOOD:-20000}

ad_binding_of() { ad_ctl -j binding list | jq -r --arg n "$1" '.[] | select(.nai == $n) | .home_addr'; }
dyn_used() { ad_ctl -j pool show | jq -r '.pools[] | select(.name == "dyn") | .used'; }

phase "three mobile nodes registered"
out=$(mn --once --home $STATIC -l 600 -j)
expect_eq "$STATIC registered" 0 "$(jget "$out" '.codes | keys | join(" ")')"
mn --once --nai keep@dyn.example -g -l 600 -j >/dev/null
mn --once --nai gone@dyn.example -g -l 600 -j >/dev/null
KEEP=$(ad_binding_of keep@dyn.example)
GONE=$(ad_binding_of gone@dyn.example)
expect_eq "two pool nodes bound, two pool addresses used" "yes 2" \
	"$([ -n "$KEEP" ] && [ -n "$GONE" ] && echo yes) $(dyn_used)"

phase "a flood of installs while the daemon is stopped"
awk -v n="$FLOOD" 'BEGIN {
	for (i = 0; i < n; i++)
		printf "kernel binding add 10.200.%d.%d coa 198.19.1.1 ha 192.0.2.1\n", int(i / 200), 1 + i % 200
}' >"$TMP/add.batch"
sed 's/binding add \([0-9.]*\) .*/binding del \1/' "$TMP/add.batch" >"$TMP/del.batch"
# Stopped meanwhile, as a daemon busy with a download would be: the
# notifications of the installs would all wait in its socket.
kill -STOP "$AD_PID"
ha_ctl -b "$TMP/add.batch" >/dev/null
tap_result "$FLOOD foreign bindings added" $?
kill -CONT "$AD_PID"
# The daemon's loop has read its notification socket by the time it has
# answered two control requests after the batch.
ad_ctl -j binding list >/dev/null
ad_ctl -j binding list >/dev/null
expect_eq "the daemon lost no notification (its socket takes only removals)" "" \
	"$(grep 'kernel notifications lost' "$TMP/agentd.log")"

phase "the kernel table changes while the daemon is stopped"
kill -STOP "$AD_PID"
ha_ctl -b "$TMP/del.batch" >/dev/null
tap_result "the $FLOOD foreign bindings deleted, overflowing the socket" $?
ha_ctl kernel binding del "$GONE"
tap_result "then $GONE (gone@dyn.example) deleted behind the daemon's back" $?
kill -CONT "$AD_PID"

resynced() { grep -q 'kernel notifications lost: resynchronising' "$TMP/agentd.log" &&
	[ "$(ad_count)" = 2 ]; }
wait_until 60000 resynced
tap_result "the daemon saw the loss and resynchronised" $? "$(ad_log)"
expect_match "it logs what it found" 'kernel table: 2 bindings of ours recovered' \
	"$(cat "$TMP/agentd.log")"
expect_eq "keep@dyn.example keeps its binding and address" "$KEEP" \
	"$(ad_binding_of keep@dyn.example)"
expect_eq "$STATIC keeps its binding" "$COA" "$(ad_binding $STATIC coa)"
expect_eq "gone@dyn.example's binding is gone from the daemon" "" \
	"$(ad_binding_of gone@dyn.example)"
expect_eq "its address is back in the pool (one used)" 1 "$(dyn_used)"

phase "after the resync"
out=$(mn --once --nai keep@dyn.example -g -l 600 -j)
expect_eq "keep@dyn.example renews, with the same address" "0 $KEEP" \
	"$(jget "$out" '.codes | keys | join(" ")') $(ad_binding_of keep@dyn.example)"
tap_check "and the kernel still holds it" k_has "$KEEP"
tap_check "the daemon still runs" ad_running
ad_done
