#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Unregistering the hooks while packets are inside them (issue 12, item 1).
#
#   SRC s0 - s1 [br0] up0 ---- ha0 10.20.0.1/24  HA  dummy0 10.21.0.1/24
#                                                       (care-of 10.21.0.2)
#
# pktgen sends from s0, which is not the HA's veth peer: deleting the HA's
# namespace removes ha0 and up0 but leaves pktgen's device, so pktgen is
# never told "trying to remove a running interface" (a kernel warning the
# harness rightly counts as a failure).
#
# pktgen in SRC sends to the home address 10.30.0.1 from one kernel thread
# per CPU, so every CPU of the HA is in the PRE_ROUTING hook and its per-CPU
# route cache. Meanwhile the table is emptied and refilled in a loop (last
# delete, flush): each time the hooks are unregistered and the cached routes
# dropped. If a packet still inside a hook refills a route slot after the
# flush, or the flush releases a route a hook is using, the debug kernel's
# refcount checks, KASAN or kmemleak report it (run-in-vm.sh fails the
# script on any report). At the end the HA's namespace is deleted under the
# same load, with its table full.
. "$(dirname "$0")/lib.sh"
require_cmd miphactl jq

tap_plan 6

HOA=10.30.0.1
# The debug kernel (its release ends in -mipha-debug) is several times
# slower under TCG: at Debian's rate pktgen starved the churn there past its
# budget, and ran its skbs out of memory (KASAN's quarantine).
# (the scale may be fractional, 1.5: its integer part is compared)
if [ "$(echo "${MIPHA_TIMEOUT_SCALE:-1}" | cut -d. -f1)" -gt 1 ] 2>/dev/null ||
	case "$(uname -r)" in *-mipha-debug) true ;; *) false ;; esac; then
	ROUNDS=${MIPHA_CHURN_ROUNDS:-20} RATE=300
else
	ROUNDS=${MIPHA_CHURN_ROUNDS:-150} RATE=4000
fi

mipha_load || tap_bail "cannot load mipha"
modprobe pktgen 2>/dev/null
SRC=$(ns_new src) && HA=$(ns_new ha) || tap_bail "cannot create namespaces"
ip -n "$HA" -batch - <<-EOF || tap_bail "cannot build the topology"
	link add name ha0 type veth peer name up0 netns $SRC
	link add name dummy0 type dummy
	link set ha0 up
	link set dummy0 up
	addr add 10.20.0.1/24 dev ha0
	addr add 10.21.0.1/24 dev dummy0
EOF
# A source a router forwards from (pktgen's default, 0.0.0.0, is martian).
ip -n "$SRC" -batch - <<-EOF || tap_bail "cannot build SRC's bridge"
	link add name s0 type veth peer name s1
	link add name br0 type bridge
	link set s1 master br0
	link set up0 master br0
	link set br0 up
	link set s1 up
	link set up0 up
	link set s0 up
	addr add 10.20.0.2/24 dev s0
EOF
mac=$(ip -n "$HA" -j link show ha0 | jq -r '.[0].address')
ha() { ip netns exec "$HA" miphactl "$@"; }
bind_line="kernel binding add $HOA coa 10.21.0.2 ha 10.20.0.1"

# pg FILE CMD: one pktgen command, in SRC's pktgen instance.
pg() { ip netns exec "$SRC" sh -c "echo '$2' >/proc/net/pktgen/$1"; }
ncpu=$(nproc)
pktgen_ok=1
[ -d /proc/net/pktgen ] || pktgen_ok=0
cpu=0
while [ $pktgen_ok = 1 ] && [ $cpu -lt "$ncpu" ]; do
	dev=s0@$cpu
	pg kpktgend_$cpu rem_device_all && pg kpktgend_$cpu "add_device $dev" &&
		pg $dev "count 0" && pg $dev "pkt_size 100" && pg $dev "ratep $RATE" &&
		pg $dev "dst $HOA" && pg $dev "dst_mac $mac" &&
		pg $dev "src_min 10.20.0.2" && pg $dev "src_max 10.20.0.2" || pktgen_ok=0
	cpu=$((cpu + 1))
done
[ $pktgen_ok = 1 ] || tap_bail "cannot set up pktgen on $ncpu CPUs"
ha $bind_line || tap_bail "cannot add the binding"
ip netns exec "$SRC" sh -c 'echo start >/proc/net/pktgen/pgctrl' &
PG_PID=$!
_bg_pids="$_bg_pids $PG_PID"
# Stopped before the namespaces go, even when the script bails out.
pg_stop() { ip netns exec "$SRC" sh -c 'echo stop >/proc/net/pktgen/pgctrl'; }
trap 'pg_stop; _lib_cleanup' EXIT
tunnelled_over() { [ "$(ha -j kernel stats | jq -r .tx_packets)" -gt "$1" ]; }
wait_until 30000 tunnelled_over 100
tap_result "pktgen's packets are tunnelled on $ncpu CPUs" $? \
	"$(ha -j kernel stats)"

# Each round empties the table twice (delete, flush) and refills it.
i=0
while [ $i -lt "$ROUNDS" ]; do
	echo "kernel binding del $HOA"
	echo "$bind_line"
	echo "kernel binding flush"
	echo "$bind_line"
	i=$((i + 1))
done >"$TMP/churn"
tx0=$(ha -j kernel stats | jq -r .tx_packets)
t0=$(now_ms)
ha -b "$TMP/churn" >/dev/null
tap_result "$ROUNDS rounds of delete, add, flush, add under load" $?
diag "churn took $(($(now_ms) - t0)) ms"
st=$(ha -j kernel stats)
expect_eq "every round counted (adds, deletes, flushes)" \
	"$((ROUNDS * 2 + 1)) $ROUNDS $ROUNDS" \
	"$(echo "$st" | jq -r '"\(.adds) \(.deletes) \(.flushes)"')"
tx1=$(echo "$st" | jq -r .tx_packets)
expect_eq "packets were tunnelled during the churn" yes \
	"$([ "$tx1" -gt "$tx0" ] && echo yes || echo "no: $tx0 -> $tx1")"

out=$(ns_del "$HA" 2>&1)
tap_result "delete the HA's namespace under load, its table full" $? "$out"
pg_stop
trap _lib_cleanup EXIT
wait "$PG_PID" 2>/dev/null
other=$(ns_new other) &&
	mipha_ns "$other" kernel binding add 10.31.0.1 coa 198.51.100.1 ha 192.0.2.1 &&
	[ "$(mipha_ns "$other" -j kernel binding get 10.31.0.1 | jq -r .coa)" = 198.51.100.1 ]
tap_result "the module still works in another namespace" $?
tap_done
