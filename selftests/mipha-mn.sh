#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# mipha-mn itself, against its own reflector (mipha-mn --reflector, a
# trivial responder) so that what is checked is the emulator, decoded on
# the wire: the request's fields (flags D G T, care-of address of a
# co-located node and of an emulated FA, lifetime, deregistration), a new
# identification on each retransmission with the timeout doubling, the
# rate limit, renewals and deregistration at exit in hold mode, NAIs, the
# report (text and JSON) and its exit status, 100,000 nodes in one run, and
# bad command lines refused with a message.
#
#   mn 10.20.0.2 (+ FA 10.20.0.3) mn0 ---- ha0 10.20.0.1 ha (reflector, UDP 434)
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-fastpath.sh"
. "$(dirname "$0")/lib-agentd.sh"
require_cmd mipha-mn tcpdump jq

tap_plan 25

KEY=0123456789abcdef0123456789abcdef
HA=$(ns_new ha) && MN=$(ns_new mn) || tap_bail "cannot create namespaces"
ip -n "$HA" link add name ha0 type veth peer name mn0 netns "$MN" &&
	ip -n "$HA" link set ha0 up && ip -n "$MN" link set mn0 up &&
	ip -n "$HA" addr add 10.20.0.1/24 dev ha0 &&
	ip -n "$MN" addr add 10.20.0.2/24 dev mn0 &&
	ip -n "$MN" addr add 10.20.0.3/24 dev mn0 || tap_bail "cannot build the topology"
ip netns exec "$HA" mipha-mn --reflector 10.20.0.1 --spi 256 --key $KEY 2>"$TMP/reflector.err" &
_bg_pids="$_bg_pids $!"
wait_until 10000 grep -q listening "$TMP/reflector.err" || tap_bail "no reflector: $(cat "$TMP/reflector.err")"

m()
{
	ip netns exec "$MN" mipha-mn -H 10.20.0.1 --spi 256 --key $KEY "$@"
}

# rrq PCAP [PORT]: one line per registration request (to PORT, 434) in a
# capture:
#	flags lifetime home ha coa id
# (hex flags, decimal lifetime, dotted addresses, hex identification),
# decoded from the bytes: tcpdump has no Mobile IP decoder.
rrq()
{
	tcpdump -r "$1" -n -x "udp dst port ${2:-434}" 2>/dev/null | awk '
	function hx(s,  i, v) {
		v = 0
		for (i = 1; i <= length(s); i++)
			v = v * 16 + index("0123456789abcdef", substr(s, i, 1)) - 1
		return v
	}
	function ip(o) { return hx(substr(h, o, 2)) "." hx(substr(h, o + 2, 2)) "." hx(substr(h, o + 4, 2)) "." hx(substr(h, o + 6, 2)) }
	function out() {
		if (h == "") return
		o = 57	# IP (20) + UDP (8) header = 28 bytes = 56 hex digits
		if (substr(h, o, 2) == "01")
			print substr(h, o + 2, 2), hx(substr(h, o + 4, 4)), ip(o + 8), ip(o + 16), ip(o + 24), substr(h, o + 32, 16)
		h = ""
	}
	/^[0-9]/ { out(); next }
	/0x[0-9a-f]+:/ { for (i = 2; i <= NF; i++) h = h $i }
	END { out() }'
}

# --- the request on the wire ---------------------------------------------------------
phase "the request on the wire"
cap_start w "$MN" mn0 udp || tap_bail "cannot capture"
# Our clock (NTP seconds) read just before and just after the request that
# carries the identification: it was taken between the two.
ntp_before=$(($(date +%s) + 2208988800))
out=$(m --coa 10.20.0.2 --home 10.30.0.1 -g -T -l 300 --once -j)
st=$?
ntp_after=$(($(date +%s) + 2208988800))
expect_eq "co-located, -g -T: accepted, exit 0" "1 0" "$(jget "$out" .accepted) $st"
m --fa 10.20.0.3 --home 10.30.0.2 --once >/dev/null
m --coa 10.20.0.2 --home 10.30.0.3 --deregister >/dev/null
cap_stop w
r=$(rrq "$TMP/w.pcap")
diag "$r"
expect_match "co-located: flags D G T (0x2a), lifetime 300, home 10.30.0.1, HA 10.20.0.1, care-of 10.20.0.2" \
	'^2a 300 10\.30\.0\.1 10\.20\.0\.1 10\.20\.0\.2 [0-9a-f]{16}$' "$(echo "$r" | sed -n 1p)"
expect_match "behind an FA: no D flag, care-of address = the FA's 10.20.0.3" \
	'^00 600 10\.30\.0\.2 10\.20\.0\.1 10\.20\.0\.3 ' "$(echo "$r" | sed -n 2p)"
expect_cap "the FA's requests leave from the FA's address" w 1 "IP 10\.20\.0\.3\.[0-9]+ > 10\.20\.0\.1\.434: UDP"
expect_match "--deregister: lifetime 0" '^20 0 10\.30\.0\.3 ' "$(echo "$r" | sed -n 3p)"
id_s=$(echo "$r" | sed -n 1p | awk '{ print substr($6, 1, 8) }')
id_n=0
[ -z "$id_s" ] || id_n=$(printf '%d' "0x$id_s")
# 1 s either side for the seconds' boundaries of two clocks (ours, mipha-mn's).
expect_eq "the identification is an NTP timestamp (its seconds between our clock's before and after the request, 1 s either side)" 1 \
	"$([ "$id_n" -ge $((ntp_before - 1)) ] && [ "$id_n" -le $((ntp_after + 1)) ] && echo 1 ||
		echo "0 ($id_n, ours $ntp_before..$ntp_after)")"

# --- retransmission ----------------------------------------------------------------
phase "retransmission"
cap_start rt "$MN" mn0 udp || tap_bail "cannot capture"
out=$(m --coa 10.20.0.2 --home 10.30.0.9 --ha-port 4999 --timeout 200 --retries 3 --once -j)
st=$?
cap_stop rt
expect_eq "no answer: 4 transmissions, 1 timeout, exit 1" "4 1 1" \
	"$(jget "$out" '"\(.transmissions) \(.registrations.timeouts)"') $st"
times=$(tcpdump -r "$TMP/rt.pcap" -n -tt 'udp dst port 4999' 2>/dev/null | awk '{ print $1 }')
gaps=$(echo "$times" | awk 'NR > 1 { printf "%d ", ($1 - p) * 1000 } { p = $1 }')
diag "gaps between transmissions (ms): $gaps"
expect_eq "the timeout doubles: gaps of about 200, 400, 800 ms" "ok" \
	"$(echo "$gaps" | awk '{ print ($1 >= 190 && $2 >= 1.6 * $1 && $3 >= 1.6 * $2) ? "ok" : "no" }')"
ids=$(rrq "$TMP/rt.pcap" 4999 | awk '{ print $6 }' | sort -u | wc -l)
expect_eq "each transmission carries a new identification" 4 "$ids"

# --- rate, NAIs, the report -----------------------------------------------------------
phase "rate, NAIs, the report"
out=$(m --coa 10.20.0.2 --home 10.31.0.1 -n 300 -r 100 --once -j)
expect_eq "300 nodes at 100/s: all accepted" 300 "$(jget "$out" .accepted)"
expect_eq "... over no less than 2.9 s" 1 "$(jget "$out" '.seconds >= 2.9 | if . then 1 else 0 end')"
out=$(m --coa 10.20.0.2 --nai 'user%d@example.net' --nai-start 7 -n 3 --once -j --list)
expect_eq "NAI nodes: user7..user9@example.net, home address 0.0.0.0 asked" \
	"user7@example.net user8@example.net user9@example.net" \
	"$(jget "$out" '[.list[].nai] | join(" ")')"
out=$(m --coa 10.20.0.2 --home 10.31.0.1 -n 50 --once)
expect_match "text report: counts" "registrations +sent 50, accepted 50, denied 0, no reply 0" "$out"
expect_match "text report: latency percentiles" "latency p50 [0-9.]+ ms, p90 [0-9.]+ ms, p99 [0-9.]+ ms, max [0-9.]+ ms \(50 replies\)" "$out"
out=$(m --coa 10.20.0.2 --home 10.31.0.1 --key 00112233445566778899aabbccddeeff --once --timeout 300 --retries 1 -j)
expect_eq "wrong key: the reflector stays silent, 2 transmissions, exit 1" "2 0" \
	"$(jget "$out" '"\(.transmissions) \(.accepted)"')"

# --- hold mode: renewals, deregistration at exit, SIGUSR1 ------------------------------
phase "hold mode"
ip netns exec "$MN" mipha-mn -H 10.20.0.1 --spi 256 --key $KEY --coa 10.20.0.2 \
	--home 10.32.0.1 -n 5 -l 2 --renew 50 -j >"$TMP/hold.out" 2>"$TMP/hold.err" &
hold=$!
_bg_pids="$_bg_pids $hold"
sleep 3.5
kill -USR1 $hold
wait_until 3000 grep -q 'renewals' "$TMP/hold.err"
tap_check "SIGUSR1: a report so far on stderr, the run goes on" kill -0 $hold
kill -TERM $hold
wait $hold
st=$?
out=$(cat "$TMP/hold.out")
expect_eq "SIGTERM: the 5 nodes deregistered, exit 0" "5 0" "$(jget "$out" .deregistrations.accepted) $st"
expect_ge "renewals at 50 % of a 2 s lifetime: at least 10 in 3.5 s" 10 "$(jget "$out" .renewals.accepted)"
ip netns exec "$MN" mipha-mn -H 10.20.0.1 --spi 256 --key $KEY --coa 10.20.0.2 \
	--home 10.32.0.1 -d 1 -j >"$TMP/dur.out" 2>&1
st=$?
expect_eq "--duration 1: registers, deregisters, exits 0" "1 1 0" \
	"$(jget "$(cat "$TMP/dur.out")" '"\(.registrations.accepted) \(.deregistrations.accepted)"') $st"

# --- 100,000 nodes ---------------------------------------------------------------------
phase "100,000 nodes"
out=$(m --coa 10.20.0.2 --home 10.40.0.1 -n 100000 --once -j --timeout 3000)
expect_eq "100,000 nodes in one run: all accepted" 100000 "$(jget "$out" .accepted)"
diag "$(jget "$out" '"\(.accepted_per_s | floor) accepted/s, p50 \(.latency_ms.p50) ms, p99 \(.latency_ms.p99) ms, \(.retransmissions) retransmitted"')"

# --- bad command lines -------------------------------------------------------------------
phase "bad command lines"
bad()
{
	_name=$1 _want=$2
	shift 2
	_out=$(mipha-mn "$@" 2>&1)
	_st=$?
	if [ $_st -eq 2 ] && printf '%s\n' "$_out" | grep -q -- "$_want"; then
		tap_ok "$_name"
	else
		tap_fail "$_name" "exit $_st, expected 2 and /$_want/" "$_out"
	fi
}
bad "--count 0: refused, naming --count" "--count 0" -H 1.1.1.1 --coa 1.1.1.2 --home 2.2.2.2 --spi 256 --key 00 -n 0
bad "an odd number of key digits: refused" "odd number of hex digits" -H 1.1.1.1 --coa 1.1.1.2 --home 2.2.2.2 --spi 256 --key 001
bad "--coa with --fa: refused" "exclude each other" -H 1.1.1.1 --coa 1.1.1.2 --fa 1.1.1.3 --home 2.2.2.2 --spi 256 --key 00
bad "no --ha: refused" "--ha is needed" --coa 1.1.1.2 --home 2.2.2.2 --spi 256 --key 00
bad "a NAI format with two conversions: refused" "at most one %d" -H 1.1.1.1 --coa 1.1.1.2 --nai 'a%d%d@x' --spi 256 --key 00

tap_done
