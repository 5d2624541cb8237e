# SPDX-License-Identifier: GPL-2.0
# Topology and packet helpers of the fast-path selftests (fastpath-*.sh).
# Source it after lib.sh:
#
#	. "$(dirname "$0")/lib.sh"
#	. "$(dirname "$0")/lib-fastpath.sh"
#
# fp_topo builds one home agent's world in network namespaces:
#
#   CN 10.9.1.2/24 cn0 --- ha-cn 10.9.1.1  HA  ha-tr 10.9.2.1 --- tr-ha 10.9.2.2  TR
#                                           |                                      |
#                            home0 10.9.0.1/24 (the home link)        tr-mn 10.9.3.1/24
#                                           |                                      |
#                              H1 eth0 10.9.0.2/24 (a home host)      MN mn0 10.9.3.2/24
#
# CN is a correspondent node, HA the home agent (ip_forward on, rp_filter
# off), TR a transit router, MN a co-located mobile node whose care-of
# address is 10.9.3.2 and whose home address is 10.9.0.100. The HA address
# (the tunnels' outer source) is 10.9.0.1. fp_mn_tunnel gives the MN the
# kernel's own ipip or gre device toward the HA, so what mipha sends is read
# by an independent implementation and what the MN reverse tunnels is built
# by one.
#
# Namespace names are in $CN $HA $TR $MN $H1. Captures (cap_start/cap_stop)
# are tcpdump runs, decoded afterwards with one line per packet.

HA_ADDR=10.9.0.1
COA=10.9.3.2
HOA=10.9.0.100
CN_ADDR=10.9.1.2
H1_ADDR=10.9.0.2

# nsx NS CMD...: a command in a namespace.
nsx()
{
	_n=$1
	shift
	ip netns exec "$_n" "$@"
}

# fp_sysctl NS KEY=VALUE...
fp_sysctl()
{
	_n=$1
	shift
	ip netns exec "$_n" sysctl -qw "$@" >/dev/null
}

# veth NS1 IF1 NS2 IF2: a veth pair between two namespaces, both ends up.
fp_veth()
{
	ip -n "$1" link add name "$2" type veth peer name "$4" netns "$3" &&
		ip -n "$1" link set "$2" up && ip -n "$3" link set "$4" up
}

# fp_topo [SUFFIX]: builds the topology (SUFFIX makes the namespace names of
# a second copy unique). One "ip -batch" per namespace: under TCG every
# program started costs.
fp_topo()
{
	CN=$(ns_new cn${1:-}) && HA=$(ns_new ha${1:-}) && TR=$(ns_new tr${1:-}) &&
		MN=$(ns_new mn${1:-}) && H1=$(ns_new h1${1:-}) || return 1
	for _n in $CN $HA $TR $MN $H1; do
		_fwd=0
		[ "$_n" = "$HA" ] || [ "$_n" = "$TR" ] && _fwd=1
		fp_sysctl "$_n" net.ipv4.conf.all.rp_filter=0 \
			net.ipv4.conf.default.rp_filter=0 \
			net.ipv4.ip_forward=$_fwd || return 1
	done
	ip -n "$HA" -batch - <<-EOF || return 1
		link add name ha-cn type veth peer name cn0 netns $CN
		link add name home0 type veth peer name eth0 netns $H1
		link add name ha-tr type veth peer name tr-ha netns $TR
		link set ha-cn up
		link set home0 up
		link set ha-tr up
		addr add 10.9.1.1/24 dev ha-cn
		addr add $HA_ADDR/24 dev home0
		addr add 10.9.2.1/24 dev ha-tr
		route add default via 10.9.2.2
	EOF
	ip -n "$TR" -batch - <<-EOF || return 1
		link add name tr-mn type veth peer name mn0 netns $MN
		link set tr-ha up
		link set tr-mn up
		addr add 10.9.2.2/24 dev tr-ha
		addr add 10.9.3.1/24 dev tr-mn
		route add 10.9.0.0/24 via 10.9.2.1
		route add 10.9.1.0/24 via 10.9.2.1
	EOF
	ip -n "$CN" -batch - <<-EOF || return 1
		link set cn0 up
		addr add $CN_ADDR/24 dev cn0
		route add default via 10.9.1.1
	EOF
	ip -n "$MN" -batch - <<-EOF || return 1
		link set mn0 up
		addr add $COA/24 dev mn0
		route add $HA_ADDR/32 via 10.9.3.1 dev mn0
	EOF
	ip -n "$H1" -batch - <<-EOF
		link set eth0 up
		addr add $H1_ADDR/24 dev eth0
		route add default via $HA_ADDR
	EOF
}

# fp_mn_tunnel ipip|gre [KEY]: (re)creates the MN's tunnel mip0 toward the
# HA, holding the home address; the default route goes through it (reverse
# tunnelling), the HA itself is reached over mn0.
fp_mn_tunnel()
{
	ip -n "$MN" link del mip0 2>/dev/null
	if [ "$1" = ipip ]; then
		ip -n "$MN" link add name mip0 type ipip local $COA remote $HA_ADDR
	else
		ip -n "$MN" link add name mip0 type gre local $COA remote $HA_ADDR \
			${2:+key "$2"}
	fi || return 1
	ip -n "$MN" link set mip0 up &&
		ip -n "$MN" addr add $HOA/32 dev mip0 &&
		ip -n "$MN" route add default dev mip0 src $HOA
}

# ha_ctl ARGS...: miphactl in the HA.
ha_ctl()
{
	ip netns exec "$HA" miphactl "$@"
}

# ha_bind HOME [ARGS...]: binds HOME to the MN's care-of address, HA address
# 10.9.0.1, with the extra binding arguments given (encap, link, ...).
ha_bind()
{
	_h=$1
	shift
	ha_ctl kernel binding add "$_h" coa $COA ha $HA_ADDR "$@"
}

# ha_stat NAME: one statistic of the HA's namespace as miphactl -j shows it
# ("" if absent).
ha_stat()
{
	ha_ctl -j kernel stats | jq -r ".$1 // empty"
}

# ha_bstat HOME FIELD: one field of a binding (tx_packets, rx_packets, ...).
ha_bstat()
{
	ha_ctl -j kernel binding get "$1" | jq -r ".$2 // empty"
}

# ---- captures ------------------------------------------------------------------

# cap_start NAME NS IFACE [FILTER...]: starts tcpdump; returns when it listens.
# Immediate mode: without it packets wait in the ring buffer for a block
# timeout, and those still there when the capture is stopped are lost.
cap_start()
{
	_c=$1 _n=$2 _i=$3
	shift 3
	rm -f "$TMP/$_c.pcap" "$TMP/$_c.err"
	ip netns exec "$_n" tcpdump -Z root -i "$_i" -n --immediate-mode -U -w "$TMP/$_c.pcap" \
		"$@" 2>"$TMP/$_c.err" &
	eval "_cap_$_c=$!"
	_bg_pids="$_bg_pids $!"
	if ! wait_until 60000 grep -q 'listening on' "$TMP/$_c.err"; then
		diag "tcpdump $_c did not start: $(cat "$TMP/$_c.err")"
		return 1
	fi
}

# cap_stop NAME: stops a capture (in-flight packets get a moment to land).
cap_stop()
{
	eval "_p=\${_cap_$1:-}"
	[ -n "$_p" ] || return 0
	sleep 0.3
	kill -INT "$_p" 2>/dev/null
	wait "$_p" 2>/dev/null
	eval "_cap_$1="
}

# mark: the time now, as tcpdump -tt stamps packets (for win).
mark()
{
	date +%s.%N
}

# win [FROM [TO]]: from now on cap_text, cap_count and expect_cap see only
# the packets stamped in [FROM, TO) (marks); win alone: all of them. One
# capture can so serve several steps of a test, each in its own window.
win()
{
	CAP_FROM=${1:-0} CAP_TO=${2:-} CAP_WIN=$((CAP_WIN + 1))
}
CAP_FROM=0 CAP_TO= CAP_WIN=0

# cap_text NAME [TCPDUMP-OPTIONS]: the packets of a capture (running or
# stopped) in the current window, one line each (tcpdump -v continuation
# lines joined), timestamps as seconds.
cap_text()
{
	_c=$1
	shift
	# A closed window's text does not change: decode it once.
	case "$CAP_TO $*" in
	" "*) _k= ;;
	*" ") _k=$TMP/$_c.w$CAP_WIN.txt ;;
	*" -v") _k=$TMP/$_c.w$CAP_WIN.v.txt ;;
	*" -e") _k=$TMP/$_c.w$CAP_WIN.e.txt ;;
	*) _k= ;;
	esac
	if [ -n "$_k" ] && [ -f "$_k" ]; then
		cat "$_k"
		return
	fi
	if [ -n "$_k" ]; then
		cap_decode "$_c" "$@" >"$_k"
		cat "$_k"
	else
		cap_decode "$_c" "$@"
	fi
}

cap_decode()
{
	_c=$1
	shift
	tcpdump -r "$TMP/$_c.pcap" -n -tt "$@" 2>/dev/null |
		awk -v f="$CAP_FROM" -v t="$CAP_TO" '
		function emit() {
			if (l == "")
				return
			split(l, w, " ")
			if (w[1] + 0 >= f + 0 && (t == "" || w[1] + 0 < t + 0))
				print l
		}
		/^[^ \t]/ { emit(); l = $0; next }
		{ sub(/^[ \t]+/, ""); l = l " " $0 }
		END { emit() }'
}

# cap_count NAME REGEX [TCPDUMP-OPTIONS]: packets of a capture matching REGEX.
cap_count()
{
	_c=$1 _r=$2
	shift 2
	cap_text "$_c" "$@" | grep -cE -- "$_r"
}

# cap_wait CAPTURE MIN REGEX [TCPDUMP-OPTIONS]: waits (60 s at most) until at
# least MIN packets of the running CAPTURE in the current window match REGEX:
# the condition a test would otherwise sleep for, however slow the VM.
cap_wait()
{
	wait_until 60000 _cap_has "$@"
}
_cap_has()
{
	_h_c=$1 _h_n=$2 _h_r=$3
	shift 3
	[ "$(cap_count "$_h_c" "$_h_r" "$@")" -ge "$_h_n" ]
}

# expect_cap NAME CAPTURE MIN REGEX [TCPDUMP-OPTIONS]: one case, passing if at
# least MIN packets of CAPTURE match REGEX (MIN 0: exactly none may match).
# On failure the capture is shown: its first packets, or those matching
# $CAP_CTX if set.
expect_cap()
{
	_t=$1 _c=$2 _min=$3 _r=$4
	shift 4
	_got=$(cap_count "$_c" "$_r" "$@")
	if { [ "$_min" -eq 0 ] && [ "$_got" -eq 0 ]; } ||
		{ [ "$_min" -gt 0 ] && [ "$_got" -ge "$_min" ]; }; then
		tap_ok "$_t"
	else
		tap_fail "$_t" "capture $_c: $_got packets match /$_r/, expected" \
			"$([ "$_min" -eq 0 ] && echo none || echo "at least $_min"); it holds${CAP_CTX:+ (/$CAP_CTX/)}:" \
			"$(cap_text "$_c" "$@" | grep -E -- "${CAP_CTX:-.}" | head -n 12)"
	fi
}

# expect_ge NAME MIN VALUE: VALUE is a number of at least MIN.
expect_ge()
{
	case $3 in
	'' | *[!0-9]*) tap_fail "$1" "not a number: \"$3\"" ;;
	*)
		if [ "$3" -ge "$2" ]; then
			tap_ok "$1"
		else
			tap_fail "$1" "expected at least $2, got $3"
		fi
		;;
	esac
}

# delta NEW OLD: NEW - OLD, or "?" if either is not a number.
delta()
{
	case "$1$2" in
	'' | *[!0-9]*) echo "?" ;;
	*) echo $(($1 - $2)) ;;
	esac
}

# pings NS COUNT DEST [PING-OPTIONS...]: how many of COUNT pings got replies.
pings()
{
	_n=$1 _k=$2 _d=$3
	shift 3
	ip netns exec "$_n" ping -n -q -c "$_k" -i 0.2 -W 2 "$@" "$_d" 2>&1 |
		sed -n 's/.* \([0-9]*\) received.*/\1/p'
}

# pings_patient NS K DEST [ARGS]: like pings, for a path whose replies may be
# held up (a user-space queue consumer on a loaded machine): K pings one at a
# time, each waiting up to 10 s for its own reply, so a late reply is still
# counted and no extra request is sent. Only for flows expected to pass: each
# lost packet costs the full 10 s.
pings_patient()
{
	_n=$1 _k=$2 _d=$3 _got=0
	shift 3
	while [ "$_k" -gt 0 ]; do
		ip netns exec "$_n" ping -n -q -c 1 -W 10 "$@" "$_d" >/dev/null 2>&1 &&
			_got=$((_got + 1))
		_k=$((_k - 1))
	done
	echo "$_got"
}

# phase NAME: a diagnostic line with the seconds since the script started, so
# a slow run shows where its time went.
_fp_t0=$(now_ms)
phase()
{
	_ms=$(($(now_ms) - _fp_t0))
	diag "$(printf '%d.%d' $((_ms / 1000)) $((_ms % 1000 / 100))) s: $*"
}

# ---- tracing -------------------------------------------------------------------

TRACEFS=/sys/kernel/tracing

# trace_usable: the function tracer can be limited to mipha's functions.
trace_usable()
{
	[ -w "$TRACEFS/set_ftrace_filter" ] &&
		grep -qw function "$TRACEFS/available_tracers" 2>/dev/null
}

# trace_mipha_calls CMD...: runs CMD with mipha.ko's netfilter hooks (the
# packet path's entry points, mipha_nf_*) traced; prints how many calls were
# made by anything but workqueues and our own netlink clients. Not every
# function of the module: RCU callbacks of an earlier script's teardown
# (freeing bindings, links) may run in softirq on any task meanwhile. The
# tracer sees every namespace, and one an earlier script deleted lives on
# until the kernel's cleanup_net has run (with its bindings, so its hooks):
# CMD runs once the hooks have been quiet for a second (at most 10 s of
# waiting), so what is counted is mostly CMD's (expect_off_path copes with
# the rest). The calls counted are left in $TMP/trace.calls for the
# failure's diagnostics, CMD's output in $TMP/trace.out.
trace_mipha_calls()
{
	echo 0 >"$TRACEFS/tracing_on"
	: >"$TRACEFS/trace"
	echo 'mipha_nf_*:mod:mipha' >"$TRACEFS/set_ftrace_filter" || return 1
	echo function >"$TRACEFS/current_tracer"
	_tq=0
	while [ $_tq -lt 10 ]; do
		: >"$TRACEFS/trace"
		echo 1 >"$TRACEFS/tracing_on"
		sleep 1
		echo 0 >"$TRACEFS/tracing_on"
		_trace_calls >"$TMP/trace.calls"
		[ -s "$TMP/trace.calls" ] || break
		_tq=$((_tq + 1))
	done
	: >"$TRACEFS/trace"
	echo 1 >"$TRACEFS/tracing_on"
	"$@" >"$TMP/trace.out" 2>&1
	echo 0 >"$TRACEFS/tracing_on"
	_trace_calls >"$TMP/trace.calls"
	wc -l <"$TMP/trace.calls"
	echo nop >"$TRACEFS/current_tracer"
	: >"$TRACEFS/set_ftrace_filter"
	: >"$TRACEFS/trace"
}

# expect_off_path NAME: TAP case NAME passes when five pings from the
# correspondent to home link 1 are all answered and make no call into mipha's
# hooks. A namespace an earlier script deleted can still have its hooks and
# take a stray packet (a timer's, a queue's) while it waits for cleanup_net,
# at any moment: the pings are tried up to three times and one clean try is
# the proof, unless a try saw ten calls or more. Five forwarded pings call
# a module on this namespace's path at least ten times (prerouting and
# forwarding each), so it fails every try; one on it for a while (hooks left
# behind, going later) fails at its first try; strays are a packet or two
# (three calls in the CI run that made this a retry).
expect_off_path()
{
	_op_try=0 _op_why=
	while [ $_op_try -lt 3 ]; do
		_op_n=$(trace_mipha_calls pings "$CN" 5 $H1_ADDR)
		_op_ans=$(cat "$TMP/trace.out")
		[ "$_op_n" = 0 ] && [ "$_op_ans" = 5 ] && break
		_op_why="${_op_why}try $((_op_try + 1)): $_op_ans of 5 pings answered, $_op_n calls: $(head -n 3 "$TMP/trace.calls" | tr -s ' ' | tr '\n' ';')
"
		_op_try=$((_op_try + 1))
		# on the path: no retry
		[ "$_op_n" -lt 10 ] 2>/dev/null || _op_try=3
	done
	[ $_op_try -lt 3 ]
	tap_result "$1" $? "$_op_why"
	[ -z "$_op_why" ] || [ $_op_try -ge 3 ] || diag "stray calls before the clean try: $_op_why"
}

# The traced calls, one per line, but those of workqueues and our clients.
_trace_calls()
{
	grep -v '^#' "$TRACEFS/trace" | grep -vE 'kworker|miphactl|nlraw'
}
