#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The daemon's kernel-facing code against the real module, each in a fresh
# network namespace (they flush what they find): agentd/build/tests/
# kernel_live (kernel.c: non-blocking sockets, the notification socket and
# its removals-only filter, dump abort and restart, batch error mapping with
# the kernel's own answers) and hsrp_vmac_live (HSRP's virtual MAC: the
# macvlan, its addresses and gratuitous ARP over rtnetlink). Both print TAP;
# their cases are this script's, named after the program, plus one each for
# its exit status and its plan. Built by `make -C agentd live-test` (the
# build group of scripts/run-tests).
. "$(dirname "$0")/lib.sh"

LIVE="kernel_live hsrp_vmac_live"
for p in $LIVE; do
	[ -x "$TOPDIR/agentd/build/tests/$p" ] ||
		tap_bail "agentd/build/tests/$p is missing: make -C agentd live-test"
done
mipha_load || tap_bail "cannot load mipha"

# Run both first: the plan is what they ran, and two cases each of our own.
n=0
for p in $LIVE; do
	unshare -n sh -c "ip link set lo up; exec '$TOPDIR/agentd/build/tests/$p'" \
		>"$TMP/$p.tap" 2>"$TMP/$p.err"
	echo $? >"$TMP/$p.status"
	n=$((n + 2 + $(grep -cE '^(not )?ok [0-9]+' "$TMP/$p.tap")))
done
tap_plan $n

for p in $LIVE; do
	planned=$(sed -n 's/^1\.\.\([0-9]*\)$/\1/p' "$TMP/$p.tap")
	seen=0
	# (read from a file, not a pipe: the counters must outlive the loop)
	while IFS= read -r line; do
		case $line in
		"ok "*)
			seen=$((seen + 1))
			tap_ok "$p: $(echo "$line" | sed -E 's/^ok [0-9]+ - //')"
			;;
		"not ok "*)
			seen=$((seen + 1))
			tap_fail "$p: $(echo "$line" | sed -E 's/^not ok [0-9]+ - //')" \
				"$(grep -A 8 -F -x -- "$line" "$TMP/$p.tap" | sed 1d | grep '^ *#' | head -n 8)"
			;;
		esac
	done <"$TMP/$p.tap"
	st=$(cat "$TMP/$p.status")
	if [ "$st" -eq 0 ]; then
		tap_ok "$p: exits 0"
	else
		tap_fail "$p: exits 0" "exit $st" "$(tail -n 10 "$TMP/$p.err")"
	fi
	if [ -n "$planned" ] && [ "$planned" -eq "$seen" ]; then
		tap_ok "$p: ran its plan ($seen cases)"
	else
		tap_fail "$p: ran its plan" "planned '${planned}', ran $seen" \
			"$(tail -n 10 "$TMP/$p.err")"
	fi
done
tap_done
