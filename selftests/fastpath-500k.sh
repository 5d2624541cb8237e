#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Forwarding with 500,000 bindings installed: the mobile node of the
# lib-fastpath.sh topology is still reached (and reaches back) through its
# tunnel, every packet of a steady stream arrives, and bindings picked from
# the start, middle and end of the big table (IPIP and GRE with keys, HA
# addresses 192.0.2.1-4 owned by the HA) send their packets to their own
# care-of addresses, as seen on the transit router's side.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-fastpath.sh"
require_cmd miphactl tcpdump ping jq

N=${MIPHA_SCALE:-500000}
tap_plan 7

mipha_load || tap_bail "cannot load mipha"
fp_topo || tap_bail "cannot build the topology"
fp_mn_tunnel ipip || tap_bail "cannot create the MN's ipip tunnel"
for i in 1 2 3 4; do
	ip -n "$HA" addr add 192.0.2.$i/32 dev lo || tap_bail "cannot add HA addresses"
done
batch=$(gen_bindings_cached $N) || tap_bail "cannot generate the bindings"

t=$(now_ms)
out=$(ha_ctl -b "$batch" 2>&1)
tap_result "install $N bindings in the HA" $? "$out"
diag "install: $(($(now_ms) - t)) ms"
tap_check "and the mobile node's binding" ha_bind $HOA reverse-tunnel
expect_eq "the table holds $((N + 1)) bindings" $((N + 1)) "$(ha_stat bindings)"

cap_start mn "$MN" mn0 || tap_bail "cannot capture"
expect_eq "correspondent <-> mobile node: 10 of 10 pings answered" 10 "$(pings "$CN" 10 $HOA)"
cap_stop mn
expect_cap "they travelled in the tunnel both ways" \
	mn 20 "IP (10\.9\.0\.1 > 10\.9\.3\.2: IP 10\.9\.1\.2 > 10\.9\.0\.100: ICMP echo request|10\.9\.3\.2 > 10\.9\.0\.1: IP 10\.9\.0\.100 > 10\.9\.1\.2: ICMP echo reply)"
t=$(now_ms)
got=$(nsx "$CN" ping -n -q -c 200 -i 0.005 -W 2 $HOA 2>&1 | sed -n 's/.* \([0-9]*\) received.*/\1/p')
ms=$(($(now_ms) - t))
expect_eq "a stream of 200 pings at 200/s: every one answered" 200 "$got"
diag "200 pings in $ms ms (under TCG)"

# Three bindings of the big table: lines 6, N/2 and N of the batch file
# ("kernel binding add HOME coa COA ha HA [encap gre key K] ..."); for each,
# the home address and the regex of its packet as the transit router sees it.
for l in 6 $((N / 2)) $N; do
	set -- $(sed -n "${l}p" "$batch")
	re="IP $8 > $6: "
	[ "${10:-}" = gre ] && re="${re}GREv0, key=$(printf '0x%x' "${12}"), length [0-9]+: "
	echo "$4 $(echo "${re}IP 10.9.1.2 > $4: ICMP echo request" | sed 's/\./\\./g')"
done >"$TMP/picked"
cap_start tr "$TR" tr-ha || tap_bail "cannot capture"
while read -r home re; do
	nsx "$CN" ping -n -c 1 -W 1 "$home" >/dev/null 2>&1
done <"$TMP/picked"
cap_stop tr
found=0
while read -r home re; do
	if [ "$(cap_count tr "$re")" -ge 1 ]; then
		found=$((found + 1))
	else
		diag "not seen: $re"
	fi
done <"$TMP/picked"
if [ $found -eq 3 ]; then
	tap_ok "bindings from the start, middle and end of the table tunnel to their own CoAs"
else
	tap_fail "bindings from the start, middle and end of the table tunnel to their own CoAs" \
		"$found of 3 seen; the capture:" "$(cap_text tr | head -n 10)"
fi

phase "end"
tap_done
