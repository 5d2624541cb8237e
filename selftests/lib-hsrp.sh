# SPDX-License-Identifier: GPL-2.0
# Helpers of the HSRP selftests (agentd-hsrp*.sh): home agents on one home
# LAN, each a mipha-agentd in its namespace. Source after lib.sh:
#
#	. "$(dirname "$0")/lib.sh"
#	. "$(dirname "$0")/lib-hsrp.sh"
#
#                  SW: bridge br0 (multicast snooping off)
#        +-------------+-------------+-------------+-------------+
#   HA1 lan0      HA2 lan0      HA3 lan0       H lan0        C lan0
#   10.20.0.11    10.20.0.12    10.20.0.13     10.20.0.50    10.20.0.60
#                                              home host     correspondent,
#                                              mobile node   scapy peer
#                                              (its CoA)
#
# Groups of every HA (hs_conf):
#   "lan"      HSRPv2 group 7, 10.20.0.1 (the home agent's address:
#              home-agent standby = lan), MD5 key $HS_KEY, hello 1 s,
#              hold 4 s (slow enough for a loaded machine)
#   "legacy"   HSRPv1 group 1, 10.20.0.2, text "cisco", 1 s / 4 s
#   "follower" follows "lan", 10.20.0.3 (its own virtual MAC, v2 group 8)
# Mobile nodes 10.20.0.100-10.20.0.149 are at home on lan0, key $HS_MN_KEY.

HS_VIP=10.20.0.1
HS_VIP1=10.20.0.2
HS_VIPF=10.20.0.3
HS_VMAC=00:00:0c:9f:f0:07  # HSRPv2 group 7
HS_VMAC1=00:00:0c:07:ac:01 # HSRPv1 group 1
HS_VMACF=00:00:0c:9f:f0:08 # HSRPv2 group 8
HS_KEY=mipha-hsrp-key
HS_MN_SPI=256
HS_MN_KEY=6d697068612d73656c66746573742d6b
HS_HOLD_MS=4000

# hs_topo: the LAN and its five namespaces: $SW, $HA1..$HA3, $H, $C.
hs_topo()
{
	SW=$(ns_new sw) && H=$(ns_new h) && C=$(ns_new c) &&
		HA1=$(ns_new ha1) && HA2=$(ns_new ha2) && HA3=$(ns_new ha3) ||
		return 1
	ip -n "$SW" link add br0 type bridge mcast_snooping 0 || return 1
	ip -n "$SW" link set br0 up
	_i=0
	for _n in "$HA1:11" "$HA2:12" "$HA3:13" "$H:50" "$C:60"; do
		_i=$((_i + 1))
		ip -n "$SW" link add p$_i type veth peer name lan0 netns "${_n%:*}" ||
			return 1
		ip -n "$SW" link set p$_i master br0 up
		ip -n "${_n%:*}" link set lan0 up
		ip -n "${_n%:*}" addr add 10.20.0.${_n#*:}/24 dev lan0
	done
}

# hs_conf N PRIORITY PREEMPT [EXTRA-STANDBY-LINES [EXTRA-CONFIG]]: HA N's
# configuration ($TMP/haN.conf); EXTRA-STANDBY-LINES go into group "lan",
# $HS_HA_EXTRA into home-agent { }.
hs_conf()
{
	cat >"$TMP/ha$1.conf" <<-EOF
		home-agent {
			standby = lan
			lifetime = 600
			${HS_HA_EXTRA:-}
		}
		home-link "lan0" {}
		host "10.20.0.100 10.20.0.149" {
			interface = lan0
		}
		secure-host "10.20.0.100 10.20.0.149" {
			spi = $HS_MN_SPI
			key = "$HS_MN_KEY"
			algorithm = hmac-md5
		}
		standby "lan" {
			interface = lan0
			version = 2
			group = 7
			ip = $HS_VIP
			priority = $2
			preempt = $3
			timers = "msec 1000 msec $HS_HOLD_MS"
			authentication-md5 = "$HS_KEY"
			${4:-}
		}
		standby "legacy" {
			interface = lan0
			group = 1
			ip = $HS_VIP1
			priority = $2
			preempt = yes
			timers = "1 4"
		}
		standby "follower" {
			interface = lan0
			version = 2
			group = 8
			ip = $HS_VIPF
			follow = lan
		}
		control-socket = "$TMP/ha$1.sock"
		log {
			target = stderr
			debug = { standby }
		}
		${5:-}
	EOF
}

# hs_ns N: HA N's namespace.
hs_ns()
{
	eval echo "\$HA$1"
}

# hs_ctl N ARGS...: miphactl of HA N's daemon.
hs_ctl()
{
	_n=$1
	shift
	ip netns exec "$(hs_ns "$_n")" miphactl -socket "$TMP/ha$_n.sock" "$@"
}

# hs_start N: starts HA N's daemon (log $TMP/haN.log); sets HS_PIDn.
hs_start()
{
	ip netns exec "$(hs_ns "$1")" mipha-agentd -f -c "$TMP/ha$1.conf" \
		>>"$TMP/ha$1.log" 2>&1 &
	eval HS_PID$1=$!
	_bg_pids="$_bg_pids $!"
	wait_until 30000 hs_ctl "$1" stats ||
		{ diag "HA$1 did not come up:" "$(tail -n 20 "$TMP/ha$1.log")"; return 1; }
}

# hs_stop N [SIGNAL]
hs_stop()
{
	eval _p=\$HS_PID$1
	kill -"${2:-TERM}" "$_p" 2>/dev/null
	wait "$_p" 2>/dev/null
}

# hs_state N GROUP: the group's state at HA N ("" if the daemon is down).
hs_state()
{
	hs_ctl "$1" -j standby show "$2" 2>/dev/null | jq -r '.[0].state'
}

# hs_field N GROUP JQ: a jq expression over the group's JSON at HA N.
hs_field()
{
	hs_ctl "$1" -j standby show "$2" 2>/dev/null | jq -r ".[0] | $3"
}

# hs_is N GROUP STATE
hs_is()
{
	[ "$(hs_state "$1" "$2")" = "$3" ]
}

# hs_wait N GROUP STATE TIMEOUT_MS
hs_wait()
{
	wait_until "$4" hs_is "$1" "$2" "$3"
}

# hs_states GROUP: "state1 state2 state3" of the three HAs.
hs_states()
{
	echo "$(hs_state 1 "$1") $(hs_state 2 "$1") $(hs_state 3 "$1")"
}

# hs_vmacs ADDR: the namespaces (HA1 HA2 HA3) holding ADDR, e.g. "HA2".
hs_holders()
{
	_h=
	for _i in 1 2 3; do
		ip -n "$(hs_ns $_i)" -4 addr show | grep -q "inet $1/" &&
			_h="$_h HA$_i"
	done
	echo "${_h# }"
}

# hs_arp_macs NS ADDR: the distinct MACs that answer ARP for ADDR on NS's
# lan0 within 2 s (sorted, space separated; "" if none).
hs_arp_macs()
{
	ip netns exec "$1" arping -c 3 -w 2 -I lan0 "$2" 2>/dev/null |
		sed -n 's/.*\[\(.*\)\].*/\1/p' | tr 'A-F' 'a-f' | sort -u | tr '\n' ' ' |
		sed 's/ $//'
}

# hs_setup: topology, module, the three daemons (HA1 110 preempt, HA2 100
# preempt, HA3 90 without preempt). Bails out on failure.
hs_setup()
{
	require_cmd mipha-agentd miphactl jq arping tcpdump
	mipha_load || tap_bail "cannot load mipha"
	hs_topo || tap_bail "cannot build the topology"
	hs_conf 1 110 yes
	hs_conf 2 100 yes
	hs_conf 3 90 no
	for _i in 1 2 3; do
		ip netns exec "$(hs_ns $_i)" mipha-agentd --check "$TMP/ha$_i.conf" \
			>"$TMP/check.out" 2>&1 ||
			tap_bail "HA$_i's configuration does not check: $(cat "$TMP/check.out")"
	done
}

# ---- peer sync (agentd-sync*.sh) ---------------------------------------------

# sync_field N JQ: over HA N's first peer (its only one, with two HAs).
sync_field()
{
	hs_ctl "$1" -j redundancy 2>/dev/null | jq -r ".peers[0] | $2"
}
connected() { [ "$(sync_field "$1" .connected)" = true ]; }
# table N: HA N's bindings as "home coa identification", sorted.
table()
{
	hs_ctl "$1" -j binding list 2>/dev/null |
		jq -r '.[] | "\(.home_addr) \(.coa) \(.identification)"' | sort
}
# ktable N: the homes HA N's kernel forwards for, with their CoA.
ktable()
{
	ip netns exec "$(hs_ns "$1")" miphactl -j kernel binding list 2>/dev/null |
		jq -r '.[] | "\(.home_addr) \(.coa)"' | sort
}

# hs_done: tap_done with the daemons' logs when a case failed.
hs_done()
{
	if [ "$_tap_failed" -ne 0 ]; then
		for _i in 1 2 3; do
			diag "HA$_i's log:" "$(tail -n 30 "$TMP/ha$_i.log" 2>/dev/null)"
		done
	fi
	tap_done
}
