#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# IP Pool Sharing Protocol (seed 004): the offline upgrade of a home agent.
# HA1 serves 1,000 mobile nodes (NAIs, dynamic addresses of pool p); HA2,
# configured as its secondary, is locked (130) while nothing is granted to
# it. HA1 restarts with IPSP (its bindings recovered from its kernel); 500
# nodes hand off to HA2 keeping their exact addresses (gone from HA1's
# kernel; traffic follows through HA2's tunnel), 500 new nodes at HA2 get
# addresses HA1 never held, the last 500 hand off: HA1 holds nothing, says
# so (all_free, its log, an event) and HA2 becomes primary. Then, each on a
# pair of its own: check-config reports the differing pool and changes
# nothing; a pool change on reload is refused while IPSP is on; a killed
# primary is replaced after the dead interval only by a secondary holding a
# grant; graceful termination both ways; another PSK is refused. After each
# step of the main pair no address is bound in both kernels, and each
# daemon's table is its kernel's.
#
#       SW: bridge br0, LAN 10.20.0.0/16 (the home link lan0 of every HA)
#   +--------+--------+----- ... -----+---------+---------+
#  HA1      HA2      HA3 ... HA14     C          R 10.20.0.1
#  HA N: 10.20.0.(10+N)               10.20.0.60 | 10.21.0.1/24
#                                     corresp.   MN 10.21.0.2 (mipha-mn, co-located CoA)
#
# Pairs (primary, secondary): HA1/HA2 the upgrade, HA3/HA4 check-config,
# HA5/HA6 and HA7/HA8 the primary killed (the secondary with / without a
# grant: a connected secondary asks for a block at once, so HA8 comes only
# once HA7's two addresses are bound, and its requests are denied), HA9/HA10 and HA11/HA12 graceful termination (of the primary / of
# the secondary), HA13/HA14 another PSK; each pair has a pool p of its own.
# Under TCG every process costs 0.1-0.8 s (jq the most): the tables are
# read as miphactl's text through awk, a check asks each daemon once.
#
# MIPHA_IPSP_OFF=1 leaves the ipsp sections out (daemons without IPSP): a
# check of the harness itself, where the IPSP cases fail.
. "$(dirname "$0")/lib.sh"

tap_plan 35

MN_SPI=256
MN_KEY=6d697068612d73656c66746573742d6b
PSK=697073702d7073682d6b65792d303031
BAD_PSK=6f746865722d6b65792d6e6f742d6f6b
REALM=ipsp.example
COA=10.21.0.2
N=1000
HALF=500
BLOCK=16
RANGE1="10.20.100.0 10.20.107.255" # 2048 addresses
IPSP_OFF=${MIPHA_IPSP_OFF:-0}

# ---- topology --------------------------------------------------------------------

ha_addr() { echo "10.20.0.$((10 + $1))"; }
h_ns() { eval echo "\$HA$1"; }

topo()
{
	SW=$(ns_new sw) && R=$(ns_new r) && MN=$(ns_new mn) && C=$(ns_new c) || return 1
	_i=1
	while [ $_i -le 14 ]; do
		eval "HA$_i=\$(ns_new ha$_i)" || return 1
		_i=$((_i + 1))
	done
	# every LAN port at once: pN's peer is lan0 of HA N (0: R, 99: C)
	{
		echo "link add br0 type bridge mcast_snooping 0"
		echo "link set br0 up"
		echo "link add p0 type veth peer name lan0 netns $R"
		echo "link add p99 type veth peer name lan0 netns $C"
		_i=1
		while [ $_i -le 14 ]; do
			echo "link add p$_i type veth peer name lan0 netns $(h_ns $_i)"
			_i=$((_i + 1))
		done
		for _p in 0 99 $(seq 1 14); do
			echo "link set p$_p master br0 up"
		done
	} | ip -n "$SW" -batch - || return 1
	ip -n "$R" -batch - <<-EOF || return 1
		link set lan0 up
		addr add 10.20.0.1/16 dev lan0
		link add r-mn type veth peer name mn0 netns $MN
		link set r-mn up
		addr add 10.21.0.1/24 dev r-mn
	EOF
	ip -n "$MN" -batch - <<-EOF || return 1
		link set mn0 up
		addr add $COA/24 dev mn0
		route add default via 10.21.0.1
	EOF
	ip -n "$C" -batch - <<-EOF || return 1
		link set lan0 up
		addr add 10.20.0.60/16 dev lan0
	EOF
	_i=1
	while [ $_i -le 14 ]; do
		ip -n "$(h_ns $_i)" -batch - <<-EOF || return 1
			link set lan0 up
			addr add $(ha_addr $_i)/16 dev lan0
			route add 10.21.0.0/24 via 10.20.0.1
		EOF
		_i=$((_i + 1))
	done
	# forwarding where packets pass: R, and the main pair's tunnels
	for _n in "$R" "$HA1" "$HA2"; do
		ip netns exec "$_n" sysctl -qw net.ipv4.ip_forward=1 \
			net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.lan0.rp_filter=0 >/dev/null ||
			return 1
	done
}

# ---- daemons -------------------------------------------------------------------

# h_conf N ROLE PEER MODE DEAD KEY RANGES [EXTRA]: HA N's configuration.
# ROLE is the PEER's role (primary: N is PEER's secondary), "none" for no
# ipsp section; pool p has RANGES ("A B;C D"); EXTRA is appended.
h_conf()
{
	_ipsp=
	[ "$2" = none ] || [ "$IPSP_OFF" = 1 ] || _ipsp="ipsp {
	$2 = $3
	mode = $4
	dead-interval = $5
	port = 4434
	block = $BLOCK
}"
	cat >"$TMP/ha$1.conf" <<-EOF
		home-agent {
			address = $(ha_addr "$1")
			lifetime = 600
		}
		home-link "lan0" {}
		host "nai @$REALM" {
			interface = lan0
			pool = p
		}
		pool "p" {
			range = { "$(echo "$7" | sed 's/;/", "/g')" }
		}
		secure-host "nai @$REALM" {
			spi = $MN_SPI
			key = "$MN_KEY"
			algorithm = hmac-md5
		}
		secure-home-agent "$3" {
			spi = 0x300
			key = "$6"
		}
		control-socket = "$TMP/ha$1.sock"
		log {
			target = stderr
		}
		${8:-}
		$_ipsp
	EOF
}

h_ctl()
{
	_n=$1
	shift
	ip netns exec "$(h_ns "$_n")" miphactl -socket "$TMP/ha$_n.sock" "$@"
}

# h_launch N: starts HA N's daemon (log $TMP/haN.log); sets H_PIDn.
h_launch()
{
	ip netns exec "$(h_ns "$1")" mipha-agentd -f -c "$TMP/ha$1.conf" \
		>>"$TMP/ha$1.log" 2>&1 &
	eval "H_PID$1=$!"
	_bg_pids="$_bg_pids $!"
}

# h_up N: HA N answers on its control socket (30 s at most).
h_up()
{
	wait_until 30000 h_ctl "$1" stats ||
		{ diag "HA$1 did not come up:" "$(tail -n 20 "$TMP/ha$1.log")"; return 1; }
}
h_start() { h_launch "$1" && h_up "$1"; }

# h_stop N [SIGNAL]
h_stop()
{
	eval "_p=\$H_PID$1"
	kill -"${2:-TERM}" "$_p" 2>/dev/null
	wait "$_p" 2>/dev/null
}

# ipsp N JQ: a jq expression over HA N's "miphactl -j ipsp" ("" if none);
# pp is its pool p ({} if none).
ipsp()
{
	h_ctl "$1" -j ipsp 2>/dev/null |
		jq -r "def pp: ([.pools[]? | select(.name == \"p\")][0] // {}); $2" 2>/dev/null
}
ipsp_is() { [ "$(ipsp "$1" "$2")" = "$3" ]; }
# ipsp_diag N: the whole view, for a failure's diagnostics.
ipsp_diag() { echo "HA$1: $(h_ctl "$1" -j ipsp 2>&1 | tr -d '\n\t' | cut -c1-1500)"; }

# khomes N / dhomes N: the home addresses bound in HA N's kernel / daemon,
# sorted (text output: "HOME:" starts each binding's block).
khomes()
{
	ip netns exec "$(h_ns "$1")" miphactl kernel binding list 2>/dev/null |
		awk -F: '/^[0-9.]+:$/ { print $1 }' | sort
}
dhomes()
{
	h_ctl "$1" binding list 2>/dev/null | awk -F: '/^[0-9.]+:$/ { print $1 }' | sort
}
# dnai N: "nai home" of HA N's daemon bindings, sorted.
dnai()
{
	h_ctl "$1" binding list 2>/dev/null |
		awk -F: '/^[0-9.]+:$/ { h = $1 }
			/^    NAI / { n = $0; sub(/^    NAI /, "", n); sub(/,.*/, "", n); print n, h }' |
		sort
}
dcount() { h_ctl "$1" -j stats 2>/dev/null | jq -r '.bindings'; }
dcount_is() { [ "$(dcount "$1")" = "$2" ]; }
# kbound N HOME: "bound" if HA N's kernel has a binding for HOME, else "none".
kbound()
{
	ip netns exec "$(h_ns "$1")" miphactl kernel binding get "$2" >/dev/null 2>&1 &&
		echo bound || echo none
}

# invariant NAME N M: one case: no home address bound in both kernels of
# HA N and HA M, and each daemon's table is its kernel's.
invariant()
{
	khomes "$2" >"$TMP/k$2"
	khomes "$3" >"$TMP/k$3"
	dhomes "$2" >"$TMP/d$2"
	dhomes "$3" >"$TMP/d$3"
	_dup=$(sort "$TMP/k$2" "$TMP/k$3" | uniq -d)
	if [ -n "$_dup" ]; then
		tap_fail "$1" "$(echo "$_dup" | wc -l) bound in both kernels: $(echo "$_dup" | head -n 5 | tr '\n' ' ')"
	elif ! cmp -s "$TMP/k$2" "$TMP/d$2" || ! cmp -s "$TMP/k$3" "$TMP/d$3"; then
		tap_fail "$1" "a daemon and its kernel differ:" \
			"HA$2 kernel $(wc -l <"$TMP/k$2") daemon $(wc -l <"$TMP/d$2"): $(diff "$TMP/k$2" "$TMP/d$2" | grep '^[<>]' | head -n 4 | tr '\n' ' ')" \
			"HA$3 kernel $(wc -l <"$TMP/k$3") daemon $(wc -l <"$TMP/d$3"): $(diff "$TMP/k$3" "$TMP/d$3" | grep '^[<>]' | head -n 4 | tr '\n' ' ')"
	else
		tap_ok "$1"
		diag "HA$2: $(wc -l <"$TMP/k$2") bindings, HA$3: $(wc -l <"$TMP/k$3")"
	fi
}

# ---- checks ----------------------------------------------------------------------------

# expect_eqd NAME EXPECTED ACTUAL DIAGNOSTIC...: expect_eq, saying more on failure.
expect_eqd()
{
	if [ "$2" = "$3" ]; then
		tap_ok "$1"
	else
		_n=$1 _e=$2 _a=$3
		shift 3
		tap_fail "$_n" "expected: $_e" "got:      $_a" "$@"
	fi
}

# expect_lines NAME EXPECTED-FILE ACTUAL-FILE: two sorted lists are equal
# (and not empty); on failure their sizes and first differences.
expect_lines()
{
	if [ -s "$2" ] && cmp -s "$2" "$3"; then
		tap_ok "$1"
	else
		tap_fail "$1" "expected $(wc -l <"$2") lines, got $(wc -l <"$3"); first differences (< expected, > got):" \
			"$(diff "$2" "$3" | grep '^[<>]' | head -n 6)"
	fi
}

# num V: V if it is a number, else "?" (arithmetic on a missing field must
# not end the script, and a comparison with it must fail).
num() { case $1 in '' | *[!0-9]*) echo "?" ;; *) echo "$1" ;; esac; }
# ge A B: "yes" if A is a number >= B, else "no: A".
ge() { [ "$(num "$1")" != "?" ] && [ "$1" -ge "$2" ] && echo yes || echo "no: ${1:-none}"; }
# le A B: "yes" if A is a number <= B, else "no: A".
le() { [ "$(num "$1")" != "?" ] && [ "$1" -le "$2" ] && echo yes || echo "no: ${1:-none}"; }

# ---- mobile nodes --------------------------------------------------------------------

# mn_run N ARGS...: mipha-mn registers nodes once at HA N; its JSON report,
# with the per-node list, on stdout. A node unanswered gives up after 7.5 s
# (500 ms, doubled, 3 retransmissions; $MN_TIMEOUT ms for the first).
MN_TIMEOUT=500
mn_run()
{
	_n=$1
	shift
	ip netns exec "$MN" mipha-mn -H "$(ha_addr "$_n")" --coa $COA --spi $MN_SPI \
		--key $MN_KEY --timeout $MN_TIMEOUT --retries 3 -l 600 --once -j --list "$@" 2>/dev/null
}

# codes JSON: the report's reply codes as "CODE:COUNT ...".
codes() { printf '%s\n' "$1" | jq -r '.codes | to_entries | map("\(.key):\(.value)") | join(" ")' 2>/dev/null; }

# reg_code N NAI: the reply code to one new node at HA N ("none": no answer).
reg_code()
{
	mn_run "$1" --nai "$2" | jq -r '.list[0].code // "none"' 2>/dev/null
}

# handoff N FIRST LAST OUT: nodes userFIRST..userLAST register at HA N with
# the address HA1 gave each ($TMP/orig: "number address"). mipha-mn numbers
# NAIs (--nai-start) and addresses (--home) alike: each run of consecutive
# numbers with consecutive addresses is one mipha-mn (a single one when the
# pool handed the addresses out in order), up to 8 at a time. OUT gets each
# node's result as "nai home code", sorted.
handoff()
{
	awk -v f="$2" -v l="$3" '$1 >= f && $1 <= l' "$TMP/orig" | sort -n |
		awk 'function ip(a, p) { split(a, p, "."); return ((p[1] * 256 + p[2]) * 256 + p[3]) * 256 + p[4] }
		{
			v = ip($2)
			if (NR > 1 && $1 == pn + 1 && v == pv + 1) {
				c++
			} else {
				if (NR > 1)
					print s, sh, c
				s = $1; sh = $2; c = 1
			}
			pn = $1; pv = v
		}
		END { if (NR) print s, sh, c }' >"$TMP/runs"
	diag "handoff of user$2..user$3: $(wc -l <"$TMP/runs") mipha-mn run(s)"
	rm -f "$TMP"/ho.*.json
	_k=0 _pids=
	# (each waits for HA2 to ask HA1: a first retransmission after 1 s)
	MN_TIMEOUT=1000
	while read -r _s _h _c; do
		mn_run "$1" --nai "user%d@$REALM" --nai-start "$_s" --home "$_h" -n "$_c" \
			>"$TMP/ho.$_k.json" &
		_pids="$_pids $!"
		_k=$((_k + 1))
		if [ $((_k % 8)) -eq 0 ]; then
			for _p in $_pids; do wait "$_p"; done
			_pids=
		fi
	done <"$TMP/runs"
	for _p in $_pids; do wait "$_p"; done
	MN_TIMEOUT=500
	cat "$TMP"/ho.*.json 2>/dev/null |
		jq -r '.list[] | "\(.nai) \(.home) \(.code)"' | sort >"$4"
}

# expected FIRST LAST: "userK@realm address" of HA1's grants, sorted.
expected()
{
	awk -v f="$1" -v l="$2" -v r="$REALM" '$1 >= f && $1 <= l { print "user" $1 "@" r, $2 }' \
		"$TMP/orig" | sort
}

# pair_up N M: each sees the other up.
pair_up() { ipsp_is "$1" .peer_up true && ipsp_is "$2" .peer_up true; }

h_done()
{
	if [ "$_tap_failed" -ne 0 ]; then
		for _i in 1 2; do
			diag "HA$_i's log:" "$(tail -n 25 "$TMP/ha$_i.log" 2>/dev/null)"
		done
	fi
	tap_done
}

T0=$(now_ms)
phase() { _ms=$(($(now_ms) - T0)); diag "$((_ms / 1000)).$((_ms % 1000 / 100)) s: $*"; }

# ==== set-up ==========================================================================
require_cmd mipha-agentd mipha-mn miphactl jq ping
mipha_load || tap_bail "cannot load mipha"
topo || tap_bail "cannot build the topology"
A1=$(ha_addr 1)
A2=$(ha_addr 2)
h_conf 1 none "$A2" active 30 $PSK "$RANGE1"
h_start 1 || tap_bail "HA1 does not start"

# ==== 1. HA1 with 1,000 nodes; HA2 locked ============================================
phase "1. $N nodes at HA1"
out=$(mn_run 1 --nai "user%d@$REALM" -n $N)
printf '%s\n' "$out" |
	jq -r '.list[] | "\(.nai | ltrimstr("user") | split("@")[0]) \(.home) \(.code)"' |
	awk '$3 == 0 { print $1, $2 }' | sort -n >"$TMP/orig"
cut -d' ' -f2 "$TMP/orig" | sort >"$TMP/orig.homes"
expect_eq "$N NAIs register at HA1 (no IPSP yet): all accepted, $N distinct addresses of pool p" \
	"0:$N $N $N" \
	"$(codes "$out") $(sort -u "$TMP/orig.homes" | wc -l) $(grep -cE '^10\.20\.10[0-7]\.[0-9]+$' "$TMP/orig.homes")"

h_conf 2 primary "$A1" active 30 $PSK "$RANGE1"
h_start 2 || tap_bail "HA2 does not start"
expect_eqd "HA2, HA1's secondary, before any grant: configured, role secondary, mode active, locked, peer down" \
	"true secondary secondary false active true false $A1" \
	"$(ipsp 2 '"\(.configured) \(.role) \(.role_configured) \(.acting) \(.mode) \(.locked) \(.peer_up) \(.peer)"')" \
	"$(ipsp_diag 2)"
# Deterministic: HA1 runs without IPSP, nothing can have granted HA2 anything.
expect_eq "a new node at HA2 before any grant: denied 130 (a refused session), nothing bound there" \
	"130 1 0" "$(reg_code 2 "early1@$REALM") $(ipsp 2 .counters.refused_sessions) $(khomes 2 | wc -l)"

# HA1 gets IPSP: a restart (peer and role need one); its bindings are
# recovered from its kernel.
h_stop 1 TERM
h_conf 1 secondary "$A2" active 30 $PSK "$RANGE1"
h_start 1 || tap_bail "HA1 does not restart"
wait_until 30000 dcount_is 1 $N
expect_eq "HA1 restarted with IPSP (primary): $N bindings recovered, pool p: used $N, size 2048" \
	"$N $N $N 2048" "$(dcount 1) $(khomes 1 | wc -l) $(ipsp 1 '"\(pp.used) \(pp.size)"')"
ip netns exec "$HA1" miphactl -socket "$TMP/ha1.sock" events >"$TMP/ev1.txt" 2>&1 &
_bg_pids="$_bg_pids $!"
wait_until 20000 pair_up 1 2
q='"\(.role) \(.role_configured) \(.peer_up) \(.config_match)"'
expect_eqd "HA1 and HA2 connected: roles primary / secondary as configured, the pools match" \
	"primary primary true true secondary secondary true true" \
	"$(ipsp 1 "$q") $(ipsp 2 "$q")" "$(ipsp_diag 1)" "$(ipsp_diag 2)"
invariant "after step 1: no address bound twice, daemons agree with their kernels" 1 2

# The other pairs start now and connect while the main pair works.
h_conf 3 secondary "$(ha_addr 4)" check-config 30 $PSK "10.20.110.0 10.20.110.255" \
	'pool "q" {
	range = "10.20.111.0 10.20.111.255"
}'
h_conf 4 primary "$(ha_addr 3)" check-config 30 $PSK "10.20.110.0 10.20.110.127" \
	'pool "q" {
	range = "10.20.111.0 10.20.111.255"
}'
h_conf 5 secondary "$(ha_addr 6)" active 4 $PSK "10.20.120.0 10.20.120.255"
h_conf 6 primary "$(ha_addr 5)" active 4 $PSK "10.20.120.0 10.20.120.255"
# HA7's pool: two addresses, both to be bound at HA7 before HA8 comes
h_conf 7 secondary "$(ha_addr 8)" active 4 $PSK "10.20.121.0 10.20.121.1"
h_conf 8 primary "$(ha_addr 7)" active 4 $PSK "10.20.121.0 10.20.121.1"
h_conf 9 secondary "$(ha_addr 10)" active 60 $PSK "10.20.122.0 10.20.122.255"
h_conf 10 primary "$(ha_addr 9)" active 60 $PSK "10.20.122.0 10.20.122.255"
h_conf 11 secondary "$(ha_addr 12)" active 60 $PSK "10.20.123.0 10.20.123.255"
h_conf 12 primary "$(ha_addr 11)" active 60 $PSK "10.20.123.0 10.20.123.255"
h_conf 13 secondary "$(ha_addr 14)" active 30 $PSK "10.20.124.0 10.20.124.255"
h_conf 14 primary "$(ha_addr 13)" active 30 $BAD_PSK "10.20.124.0 10.20.124.255"
for i in 3 4 5 6 7 9 10 11 12 13 14; do
	h_launch $i
done

# ==== 2. 500 nodes hand off to HA2 ====================================================
phase "2. $HALF nodes hand off"
X1=$(awk '$1 == 1 { print $2 }' "$TMP/orig")
# user1 with a data path: the kernel's tunnel device toward HA2, reverse tunnelling.
ip netns exec "$MN" mipha-mn -H "$A2" --coa $COA --spi $MN_SPI --key $MN_KEY \
	--timeout 1000 --retries 3 -l 600 -v -T --setup-tunnel \
	--nai "user%d@$REALM" --nai-start 1 --home "$X1" >"$TMP/tun.out" 2>"$TMP/tun.err" &
_bg_pids="$_bg_pids $!"
wait_until 15000 grep -q 'accepted (code 0)' "$TMP/tun.err"
handoff 2 2 $HALF "$TMP/ho1"
{
	sed -n 's/^mn 0 \([^ ]*\) home \([0-9.]*\) ha .*: registration accepted (code 0).*/\1 \2 0/p' \
		"$TMP/tun.err" | head -n 1
	cat "$TMP/ho1"
} | sort >"$TMP/ho1.all"
expected 1 $HALF >"$TMP/exp1"
awk '{ print $0, 0 }' "$TMP/exp1" >"$TMP/exp1.0"
expect_lines "$HALF nodes hand off to HA2 with their NAI and home address: each accepted with that address" \
	"$TMP/exp1.0" "$TMP/ho1.all"
dnai 2 >"$TMP/dnai2"
expect_lines "HA2's daemon binds each of the $HALF NAIs to its original address, and nothing else" \
	"$TMP/exp1" "$TMP/dnai2"
cut -d' ' -f2 "$TMP/exp1" | sort >"$TMP/exp1.homes"
khomes 1 >"$TMP/k1"
expect_eq "HA1's kernel and daemon hold none of them any more: $HALF bindings left, pool p used $HALF" \
	"0 $HALF $HALF $HALF" \
	"$(comm -12 "$TMP/k1" "$TMP/exp1.homes" | wc -l) $(wc -l <"$TMP/k1") $(dcount 1) $(ipsp 1 pp.used)"
expect_eq "HA1 released them: pool p released >= $HALF; HA2's pool p used $HALF" \
	"yes $HALF" "$(ge "$(ipsp 1 pp.released)" $HALF) $(ipsp 2 pp.used)"
tx() { ip netns exec "$HA2" miphactl -j kernel binding get "$X1" 2>/dev/null | jq -r '.tx_packets // empty'; }
tx0=$(tx)
got=$(ip netns exec "$C" ping -n -q -c 3 -i 0.2 -W 2 "$X1" 2>&1 | sed -n 's/.* \([0-9]*\) received.*/\1/p')
tx1=$(tx)
[ "$(num "$tx0")$(num "$tx1")" = "${tx0}${tx1}" ] && dtx=$((tx1 - tx0)) || dtx=
expect_eq "traffic follows: C -> $X1 (user1, handed off): 3 of 3 pings, tunnelled by HA2 (its binding: >= 3 packets), none at HA1" \
	"3 yes none" "${got:-0} $(ge "$dtx" 3) $(kbound 1 "$X1")"
invariant "after step 2: no address bound twice, daemons agree with their kernels" 1 2

# ==== 3. 500 new nodes at HA2 ==========================================================
phase "3. $HALF new nodes at HA2"
out=$(mn_run 2 --nai "new%d@$REALM" -n $HALF)
printf '%s\n' "$out" | jq -r '.list[] | select(.code == 0) | .home' | sort >"$TMP/new.homes"
expect_eq "$HALF new NAIs at HA2: all accepted, $HALF distinct addresses of pool p" \
	"0:$HALF $HALF $HALF" \
	"$(codes "$out") $(sort -u "$TMP/new.homes" | wc -l) $(grep -cE '^10\.20\.10[0-7]\.[0-9]+$' "$TMP/new.homes")"
khomes 1 >"$TMP/k1"
dhomes 1 >"$TMP/d1"
expect_eq "none of them was HA1's: not among its $N original addresses, not bound at HA1 (kernel, daemon)" \
	"0 0 0" \
	"$(comm -12 "$TMP/new.homes" "$TMP/orig.homes" | wc -l) $(comm -12 "$TMP/k1" "$TMP/new.homes" | wc -l) $(comm -12 "$TMP/d1" "$TMP/new.homes" | wc -l)"
# Block requests: counted by the secondary that asks or the primary that
# answers, whichever the larger. 500 addresses in blocks of 16: 32 at least.
q='"\(.counters.block_requests) \(pp.released) \(pp.used)"'
set -- $(ipsp 1 "$q") - - -
br1=$1 rel1=$2 used1=$3
set -- $(ipsp 2 "$q") - - -
br2=$1 used2=$3
[ "$(ge "$br1" "$(num "$br2" | tr '?' 0)")" = yes ] || br1=$br2
expect_eq "they came from HA1 in blocks of $BLOCK: >= $((HALF / BLOCK + 1)) block requests, HA1 released >= $((2 * HALF)) and still uses $HALF, HA2 uses $N" \
	"yes yes $HALF $N" "$(ge "$br1" $((HALF / BLOCK + 1))) $(ge "$rel1" $((2 * HALF))) $used1 $used2"
invariant "after step 3: no address bound twice, daemons agree with their kernels" 1 2

# ==== 4. the last 500 hand off: HA1 all free, HA2 primary ==============================
phase "4. the last $HALF hand off"
handoff 2 $((HALF + 1)) $N "$TMP/ho2"
expected $((HALF + 1)) $N | awk '{ print $0, 0 }' >"$TMP/exp2.0"
expect_lines "the remaining $HALF hand off: each accepted with its address" "$TMP/exp2.0" "$TMP/ho2"
expected 1 $N >"$TMP/exp.all"
dnai 2 | grep '^user' >"$TMP/dnai2"
expect_lines "HA2 binds all $N of HA1's NAIs to their original addresses" \
	"$TMP/exp.all" "$TMP/dnai2"
expect_eq "HA1 holds nothing: 0 kernel bindings, 0 daemon bindings, pool p used 0" \
	"0 0 0" "$(khomes 1 | wc -l) $(dcount 1) $(ipsp 1 pp.used)"
wait_until 20000 ipsp_is 1 .all_free true
expect_eq "HA1: all_free, 'all addresses free' logged once" "true 1" \
	"$(ipsp 1 .all_free) $(grep -c 'all addresses free' "$TMP/ha1.log")"
expect_match "... and published as an ipsp event (what=all-free)" '^ipsp .*what=all-free( |$)' \
	"$(grep -i 'free' "$TMP/ev1.txt" | head -n 3)"
roles_swapped() { ipsp_is 2 .role primary && ipsp_is 1 .role secondary; }
wait_until 20000 roles_swapped
q='"\(.role) \(.role_configured)"'
expect_eq "HA2 was told: it plays primary, HA1 secondary (configured the other way round)" \
	"primary secondary secondary primary" "$(ipsp 2 "$q") $(ipsp 1 "$q")"
invariant "after step 4: no address bound twice, daemons agree with their kernels" 1 2

# ==== 5. check-config ==================================================================
phase "5. check-config"
for i in 3 4 5 6 7 9 10 11 12 13 14; do
	h_up $i || tap_bail "HA$i does not start"
done
cc_seen() { ipsp_is 3 .config_match false && ipsp_is 4 .config_match false; }
wait_until 20000 cc_seen
# config_diff: one entry per difference, naming its pool (the name alone,
# or in a sentence: 'pool "p": ranges ... differ').
q='def names(n): [.config_diff[]? | select(test("(^|[^A-Za-z0-9_-])" + n + "([^A-Za-z0-9_-]|$)"))] | length;
	"\(.mode) \(.config_match) \(.config_diff | length) \(names("p")) \(names("q"))"'
expect_eqd "check-config (HA3/HA4, pool p differs, q does not): both report the mismatch, one difference, naming p, not q" \
	"check-config false 1 1 0 check-config false 1 1 0" "$(ipsp 3 "$q") $(ipsp 4 "$q")" \
	"$(ipsp_diag 3)" "$(ipsp_diag 4)"
expect_eqd "check-config changes nothing: HA4 not locked, both serve new nodes from their own pools, nothing granted or asked" \
	"0 0 1 1 false 0 0 0 0 0" \
	"$(reg_code 3 "cc%d@$REALM") $(reg_code 4 "cc%d@$REALM") $(khomes 3 | grep -c '^10\.20\.110\.') $(khomes 4 | grep -c '^10\.20\.110\.') $(ipsp 4 '"\(.locked) \(pp.released) \(.counters.block_requests) \(.counters.addr_requests)"') $(ipsp 3 '"\(pp.released) \(.counters.grants)"')" \
	"$(ipsp_diag 3)" "$(ipsp_diag 4)"

# ==== 6. a pool change on reload while IPSP is on ======================================
phase "6. reload"
refusals() { h_ctl 2 -j stats 2>/dev/null | jq -r '"\(.reloads + .reload_refusals) \(.reload_refusals)"'; }
set -- $(refusals) - -
r0=$1 f0=$2
# A range added: live without IPSP (README, Configuration), refused with it.
h_conf 2 primary "$A1" active 30 $PSK "$RANGE1;10.20.108.0 10.20.108.255"
kill -HUP "$H_PID2"
reloaded() { [ "$(refusals | cut -d' ' -f1)" != "$r0" ]; }
wait_until 20000 reloaded
expect_eq "HA2: a reload adding a range to pool p while IPSP is on is refused (counted), the reason logged" \
	"$((f0 + 1)) 1" \
	"$(refusals | cut -d' ' -f2) $(grep -c 'pools cannot change while IPSP is enabled' "$TMP/ha2.log")"
expect_eq "... pool p stays as it was (2048 addresses, $((N + HALF)) used), IPSP still up" \
	"2048 $((N + HALF)) true" "$(ipsp 2 '"\(pp.size) \(pp.used) \(.peer_up)"')"

# ==== 7. the primary killed ============================================================
phase "7. primaries killed"
# HA5/HA6 started during steps 2 to 4: connected long ago; HA6 has a block.
wait_until 10000 pair_up 5 6
# HA7 alone since then, past its dead interval: it allocates alone. Its
# two addresses go to two nodes; then HA8 comes: its block requests are
# denied (nothing free), so it never holds an address of HA7's.
wait_until 5000 ipsp_is 7 .ready true
out7=$(mn_run 7 --nai "b%d@$REALM" -n 2)
h_start 8 || tap_bail "HA8 does not start"
wait_until 10000 pair_up 7 8
denied8() { [ "$(ge "$(ipsp 7 .counters.denials)" 1)" = yes ]; }
wait_until 10000 denied8
q='"\(.peer_up) \(.locked) \(pp.held) \(pp.used)"'
expect_eqd "HA6 (secondary) has a new node accepted with an address from HA5: unlocked; HA8 (HA7's 2 addresses bound there, its block denied) locked, holding none" \
	"0 true false - 0:2 true true 0 0" \
	"$(reg_code 6 "k1@$REALM") $(ipsp 6 '"\(.peer_up) \(.locked)"') - $(codes "$out7") $(ipsp 8 "$q")" \
	"$(ipsp_diag 6)" "$(ipsp_diag 8)"
t_kill=$(now_ms)
h_stop 5 KILL
h_stop 7 KILL
wait_until 15000 ipsp_is 6 .acting true
el=$(($(now_ms) - t_kill))
diag "HA6 acting $el ms after HA5 was killed (dead interval 4 s)"
expect_eq "HA5 killed: HA6 (holding a grant) marks it down and plays primary after the dead interval (2 to 14 s)" \
	"false primary true yes yes" \
	"$(ipsp 6 '"\(.peer_up) \(.role) \(.acting)"') $(ge $el 2000) $(le $el 14000)"
expect_eq "... and serves new nodes" 0 "$(reg_code 6 "k2@$REALM")"
# HA8: a second past the dead interval since HA7 died.
until [ "$(now_ms)" -ge $((t_kill + 5000)) ]; do sleep 0.1; done
wait_until 5000 ipsp_is 8 .peer_up false
expect_eq "HA7 killed: HA8 (no grant) marks it down but stays a locked secondary; a new node there is still 130" \
	"false secondary false true 130" \
	"$(ipsp 8 '"\(.peer_up) \(.role) \(.acting) \(.locked)"') $(reg_code 8 "k3@$REALM")"

# ==== 8. graceful termination ==========================================================
phase "8. graceful termination"
wait_until 5000 pair_up 9 10
wait_until 5000 pair_up 11 12
g10=$(reg_code 10 "g1@$REALM")
t_term=$(now_ms)
h_stop 9 TERM
h_stop 12 TERM
took_over() { ipsp_is 10 .acting true; }
wait_until 10000 took_over
el=$(($(now_ms) - t_term))
expect_eq "HA9 (primary) stops with SIGTERM: HA10 plays primary at once (${el} ms, dead interval 60 s), going-down received" \
	"0 primary true 1 yes" \
	"$g10 $(ipsp 10 '"\(.role) \(.acting) \(.counters.going_down_received)"') $(le $el 10000)"
saw_down() { ipsp_is 11 '"\(.peer_up) \(.counters.going_down_received)"' "false 1"; }
wait_until 10000 saw_down
el=$(($(now_ms) - t_term))
expect_eq "HA12 (secondary) stops with SIGTERM: HA11 sees it down at once (${el} ms), going-down received, stays primary" \
	"false 1 primary yes" \
	"$(ipsp 11 '"\(.peer_up) \(.counters.going_down_received) \(.role)"') $(le $el 10000)"

# ==== 9. another PSK ===================================================================
phase "9. another PSK"
auth_failed()
{
	[ "$(ge "$(ipsp 13 .counters.auth_failures)" 1)" = yes ] ||
		[ "$(ge "$(ipsp 14 .counters.auth_failures)" 1)" = yes ]
}
wait_until 20000 auth_failed
expect_eqd "HA14 with another PSK: never up on either side, an authentication failure counted" \
	"false false yes" \
	"$(ipsp 13 .peer_up) $(ipsp 14 .peer_up) $(auth_failed && echo yes || echo no)" \
	"$(ipsp_diag 13)" "$(ipsp_diag 14)"
expect_eq "... nothing applied: HA14 stays a locked secondary (a new node: 130), HA13 released nothing" \
	"secondary true 130 0" \
	"$(ipsp 14 '"\(.role) \(.locked)"') $(reg_code 14 "w1@$REALM") $(ipsp 13 pp.released)"

phase "end"
h_done
