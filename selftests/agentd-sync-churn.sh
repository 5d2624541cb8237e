#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Peer sync under churn (lib-hsrp.sh's LAN, two home agents, no preemption,
# redundancy rate 2000 bindings/s): 10,000 mobile nodes on a virtual
# network; 1,000 of them renew every 6 s (lifetime 60 s) and blocks of 100 others
# deregister and register again, throughout. At random moments:
#  1. the active is killed (-9) once it says its standby acknowledged
#     everything: the new active's table, daemon and kernel, is the dead
#     one's, binding for binding (full dumps compared);
#  2. the killed one restarts and takes the table by a bulk download, and
#     the active is killed in the middle of it (churn held): the new active
#     lost none of the dead one's bindings;
#  3. the other restarts while the churn runs: once its download is done
#     and the churn held, both tables are identical, daemon and kernel.
# Every node then re-registers without a replay rejection, the renewing
# ones never saw one, and a replay of an old request is still rejected.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-hsrp.sh"

tap_plan 12

PEER_KEY=636875726e2d706565722d6b65792d31
MN_SPI=257
N=10000

conf()
{
	echo "virtual-network \"10.64.0.0/16\" {}
host \"10.64.0.1 10.64.255.254\" {
	virtual-network = \"10.64.0.0/16\"
}
secure-host \"10.64.0.1 10.64.255.254\" {
	spi = $MN_SPI
	key = \"$HS_MN_KEY\"
	algorithm = hmac-md5
}
secure-home-agent \"$1\" {
	spi = 0x330
	key = \"$PEER_KEY\"
}
redundancy {
	keepalive = 500
	dead = 3000
	rate = 2000
}"
}

hs_setup
HS_HA_EXTRA="redundancy = yes"
hs_conf 1 110 no "" "$(conf 10.20.0.12)"
hs_conf 2 100 no "" "$(conf 10.20.0.11)"

# everything HA N sent is acknowledged, and nothing is being downloaded
caught_up()
{
	[ "$(sync_field "$1" '"\(.connected) \(.lag) \(.bulk_sending)"')" = "true 0 false" ]
}
homes() { cut -d' ' -f1 | sort; }
# differ A B: the first lines by which the texts A and B differ ("" if none)
differ()
{
	printf '%s\n' "$1" >"$TMP/differ.a"
	printf '%s\n' "$2" >"$TMP/differ.b"
	diff "$TMP/differ.a" "$TMP/differ.b" | grep '^[<>]' | head -n 8
}
mn()
{
	ip netns exec "$H" mipha-mn -H $HS_VIP --coa 10.20.0.50 --spi $MN_SPI \
		--key $HS_MN_KEY --timeout 1000 --retries 6 -j "$@"
}
codes() { jq -r '"\(.codes["0"] // 0) \(.codes["133"] // 0)"'; }
# random_ms LOW HIGH
random_ms() { awk -v l="$1" -v h="$2" 'BEGIN { srand(); print int(l + rand() * (h - l)) }'; }

hs_start 1 || tap_bail "HA1 does not start"
hs_wait 1 lan active 20000 || tap_bail "HA1 never became active"
hs_start 2 || tap_bail "HA2 does not start"
hs_wait 2 lan standby 20000
wait_until 20000 connected 1 || tap_bail "HA1 and HA2 do not connect"

t0=$(now_ms)
out=$(mn --home 10.64.0.1 -n $N -l 900 -r 1000 --once)
diag "$N registrations in $(($(now_ms) - t0)) ms"
count_is() { [ "$(table "$1" | wc -l)" -eq "$2" ]; }
wait_until 60000 count_is 2 $N
expect_eq "$N mobile nodes registered at HA1; HA2 holds them all, daemon and kernel" \
	"$N 0 yes yes" \
	"$(printf '%s' "$out" | codes) $([ "$(table 1)" = "$(table 2)" ] && echo yes) $([ "$(ktable 1)" = "$(ktable 2)" ] && echo yes)"
old_id=$(table 1 | awk '$1 == "10.64.35.1" { sub(/\./, "", $3); print $3 }')

# --- the churn: its own process group, held and resumed as one -----------------------
# renewing: 10.64.0.1 and the 999 after it, lifetime 60 s, renewed at a tenth of it
# (the lifetime outlasts the churn's holds: what is compared must not expire meanwhile)
setsid sh -c "ip netns exec $H mipha-mn -H $HS_VIP --coa 10.20.0.50 --spi $MN_SPI \
	--key $HS_MN_KEY --home 10.64.0.1 -n 1000 -l 60 --renew 10 --no-dereg \
	--no-resync --timeout 1000 --retries 6 -j >$TMP/renew.json 2>$TMP/renew.err" &
renew_pid=$!
# flapping: 100 nodes of 10.64.10.1 + 100 k deregister and register again, in turn
setsid sh -c "i=0; while :; do b=10.64.\$((10 + i % 20)).1
	ip netns exec $H mipha-mn -H $HS_VIP --coa 10.20.0.50 --spi $MN_SPI \
		--key $HS_MN_KEY --timeout 1000 --retries 6 --home \$b -n 100 --deregister
	ip netns exec $H mipha-mn -H $HS_VIP --coa 10.20.0.50 --spi $MN_SPI \
		--key $HS_MN_KEY --timeout 1000 --retries 6 --home \$b -n 100 -l 900 --once
	i=\$((i + 1)); done >/dev/null 2>&1" &
flap_pid=$!
_bg_pids="$_bg_pids $renew_pid $flap_pid"
churn() { kill -"$1" -$renew_pid -$flap_pid 2>/dev/null; }

# --- 1. the active dies once its standby acknowledged everything ---------------------
ms=$(random_ms 2000 5000)
diag "round 1: churn for $ms ms"
sleep "$((ms / 1000)).$((ms % 1000 / 100))"
churn STOP
sleep 1 # what was on its way when the churn stopped reaches HA1
wait_until 20000 caught_up 1
d1=$(table 1)
k1=$(ktable 1)
hs_stop 1 KILL
hs_wait 2 lan active $((HS_HOLD_MS * 3))
expect_eq "1. HA1 killed with the churn held, all acknowledged: HA2 active" active "$(hs_state 2 lan)"
expect_eq "... HA2's daemon holds HA1's table, binding for binding ($(echo "$d1" | wc -l))" \
	"" "$(differ "$d1" "$(table 2)")"
expect_eq "... and HA2's kernel forwards exactly what HA1's kernel did" "" \
	"$(differ "$k1" "$(ktable 2)")"
churn CONT

# --- 2. HA1 restarts and downloads; HA2 dies in the middle of it ---------------------
ms=$(random_ms 2000 4000)
sleep "$((ms / 1000)).$((ms % 1000 / 100))"
hs_start 1 || tap_bail "HA1 does not restart"
part=$(random_ms 1000 5000)
diag "round 2: HA2 killed after about $part bindings of the download"
sending() { [ "$(sync_field 2 .bulk_sending_sent)" -ge "$part" ]; }
wait_until 30000 sending
churn STOP
mid=$(sync_field 2 '"\(.bulk_sending) \(.bulk_sending_sent)"')
k2=$(ktable 2)
hs_stop 2 KILL
hs_wait 1 lan active $((HS_HOLD_MS * 3))
diag "HA2's download to HA1 when killed: $mid (sending, bindings sent)"
expect_eq "2. HA2 killed in the middle of HA1's download: HA1 active" "active true" \
	"$(hs_state 1 lan) ${mid%% *}"
# What HA2 forwarded for and HA1 does not hold can only be what was
# registered while HA1 was down and not downloaded yet: no sweep without a
# complete download, so nothing HA1 held before is lost.
echo "$k2" | homes >"$TMP/k2"
echo "$d1" | homes >"$TMP/d1"
table 1 | homes >"$TMP/t1"
comm -23 "$TMP/k2" "$TMP/t1" >"$TMP/missing"
diag "HA2 forwarded for $(wc -l <"$TMP/k2") homes; HA1 holds $(wc -l <"$TMP/t1");" \
	"$(wc -l <"$TMP/missing") registered while HA1 was down were not downloaded yet"
expect_eq "... HA1 lost none of the homes it held and HA2 forwarded for (no sweep of a partial download)" \
	"" "$(comm -12 "$TMP/missing" "$TMP/d1" | head -n 5)"
expect_eq "... and its kernel forwards for what its daemon holds" "" \
	"$(differ "$(table 1 | homes)" "$(ktable 1 | homes)")"
churn CONT

# --- 3. HA2 restarts while the churn runs -------------------------------------------
hs_start 2 || tap_bail "HA2 does not restart"
downloaded() { [ "$(sync_field 2 .bulks_received)" -ge 1 ]; }
wait_until 60000 downloaded
churn STOP
sleep 1
wait_until 20000 caught_up 1
same() { [ "$(table 1)" = "$(table 2)" ]; }
wait_until 10000 same
expect_eq "3. HA2 restarted under churn: after its download both daemons' tables are identical ($(table 1 | wc -l))" \
	"" "$(differ "$(table 1)" "$(table 2)")"
expect_eq "... and both kernels' tables" "" "$(differ "$(ktable 1)" "$(ktable 2)")"
if [ -n "$(differ "$(table 1)" "$(table 2)")" ]; then
	h=$(differ "$(table 1)" "$(table 2)" | head -n 1 | cut -d' ' -f2)
	diag "HA1 on $h: $(hs_ctl 1 -j binding show "$h" 2>&1 | tr -d '\n')"
	diag "HA2 on $h: $(hs_ctl 2 -j binding show "$h" 2>&1 | tr -d '\n')"
	diag "HA2's peer: $(hs_ctl 2 -j redundancy | jq -c '.peers[0]')"
	diag "HA1's peer: $(hs_ctl 1 -j redundancy | jq -c '.peers[0]')"
	diag "sync in HA1's log: $(grep -a 'sync' "$TMP/ha1.log" | tail -n 20)"
	diag "sync in HA2's log: $(grep -a 'sync' "$TMP/ha2.log" | tail -n 20)"
fi

# --- everyone re-registers; a replay is still one ----------------------------------------
churn TERM
churn CONT
wait_until 20000 jq -e .codes "$TMP/renew.json"
expect_eq "the renewing nodes never had a request rejected as a replay" "0" \
	"$(codes <"$TMP/renew.json" | cut -d' ' -f2)"
out=$(mn --home 10.64.0.1 -n $N -l 900 -r 1000 --once)
expect_eq "all $N nodes re-register at HA1: accepted, no replay rejection" "$N 0" \
	"$(printf '%s' "$out" | codes)"
out=$(mn --home 10.64.35.1 --id "0x$old_id" --once --retries 0 -l 900)
expect_eq "a replay of 10.64.35.1's first request (identification $old_id): rejected (133)" \
	"0 1" "$(printf '%s' "$out" | codes)"

hs_done
