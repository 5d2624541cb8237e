# SPDX-License-Identifier: GPL-2.0
# Helpers of the daemon's end-to-end selftests (agentd-*.sh): mipha-agentd
# runs in the home agent's namespace of lib-fastpath.sh's topology, and the
# mobile nodes are mipha-mn in the MN namespace. Source after lib.sh and
# lib-fastpath.sh:
#
#	. "$(dirname "$0")/lib.sh"
#	. "$(dirname "$0")/lib-fastpath.sh"
#	. "$(dirname "$0")/lib-agentd.sh"
#
#   CN 10.9.1.2 --- 10.9.1.1 HA 10.9.2.1 --- TR --- 10.9.3.2 MN (mipha-mn)
#                             | home0 10.9.0.1 (HA address, home link)
#                             H1 10.9.0.2
#
# The home agent's configuration (ad_conf) serves:
#   10.9.0.100-10.9.0.149   static home addresses on home0, MN-HA SPI 256
#   @dyn.example            NAI realm, pool "dyn" 10.9.0.200-10.9.0.209
#   @tiny.example           NAI realm, pool "tiny" of one address 10.9.0.220
#   10.9.0.150-10.9.0.159   reverse tunnel off (137 when T is asked)
#   10.9.0.160-10.9.0.169   GRE only (139 for IP-in-IP)
#   10.9.0.170-10.9.0.179   keyed MD5 prefix+suffix instead of HMAC-MD5
#   10.9.0.180-10.9.0.189   replay protection by nonces
#   10.9.0.190-10.9.0.194   reverse tunnel required (138 without T)
#   10.9.0.195-10.9.0.199   an MN-HA SA but no host (129)
# all with key $AD_KEY (SPI 256), replay timestamps within 7 s unless
# said otherwise; a foreign agent 10.9.3.3 (FA-HA SPI 300, $AD_FA_KEY).

AD_SPI=256
AD_KEY=6d697068612d73656c66746573742d6b
AD_BAD_KEY=00112233445566778899aabbccddeeff
AD_FA=10.9.3.3
AD_FA_SPI=300
AD_FA_KEY=666f726569676e2d6167656e742d6b6579

# ad_conf [EXTRA-CONFIG]: writes $TMP/agentd.conf (EXTRA is appended).
ad_conf()
{
	AD_CONF=$TMP/agentd.conf
	AD_SOCK=$TMP/agentd.sock
	cat >"$AD_CONF" <<-EOF
		home-agent {
			address = $HA_ADDR
			lifetime = 600
			replay-window = 7
		}
		home-link "home0" {}
		host "10.9.0.100 10.9.0.149" {
			interface = home0
		}
		host "10.9.0.150 10.9.0.159" {
			interface = home0
			reverse-tunnel = off
		}
		host "10.9.0.160 10.9.0.169" {
			interface = home0
			encapsulation = gre
		}
		host "10.9.0.170 10.9.0.189" {
			interface = home0
		}
		host "10.9.0.190 10.9.0.194" {
			interface = home0
			reverse-tunnel = required
		}
		host "nai @dyn.example" {
			interface = home0
			pool = dyn
		}
		host "nai @tiny.example" {
			interface = home0
			pool = tiny
		}
		pool "dyn" {
			range = "10.9.0.200 10.9.0.209"
		}
		pool "tiny" {
			range = "10.9.0.220 10.9.0.220"
		}
		secure-host "10.9.0.100 10.9.0.169" {
			spi = $AD_SPI
			key = "$AD_KEY"
			algorithm = hmac-md5
		}
		secure-host "10.9.0.170 10.9.0.179" {
			spi = $AD_SPI
			key = "$AD_KEY"
			algorithm = md5
			mode = prefix-suffix
		}
		secure-host "10.9.0.180 10.9.0.189" {
			spi = $AD_SPI
			key = "$AD_KEY"
			replay = nonce
			algorithm = hmac-md5
		}
		secure-host "10.9.0.190 10.9.0.199" {
			spi = $AD_SPI
			key = "$AD_KEY"
			algorithm = hmac-md5
		}
		secure-foreign-agent "$AD_FA" {
			spi = $AD_FA_SPI
			key = "$AD_FA_KEY"
			algorithm = hmac-md5
		}
		secure-host "nai @dyn.example" {
			spi = $AD_SPI
			key = "$AD_KEY"
			algorithm = hmac-md5
		}
		secure-host "nai @tiny.example" {
			spi = $AD_SPI
			key = "$AD_KEY"
			algorithm = hmac-md5
		}
		control-socket = "$AD_SOCK"
		log {
			target = stderr
			debug = { registration }
		}
		${1:-}
	EOF
}

# ad_ctl ARGS...: miphactl talking to our daemon.
ad_ctl()
{
	ip netns exec "$HA" miphactl -socket "$AD_SOCK" "$@"
}

# ad_running: the daemon answers on its control socket.
ad_running()
{
	ad_ctl stats >/dev/null 2>&1
}

# ad_start: starts mipha-agentd in the HA (log in $TMP/agentd.log, appended
# across restarts); waits until it answers. Sets AD_PID.
ad_start()
{
	ip netns exec "$HA" mipha-agentd -f -c "$AD_CONF" >>"$TMP/agentd.log" 2>&1 &
	AD_PID=$!
	_bg_pids="$_bg_pids $AD_PID"
	if ! wait_until 60000 ad_running; then
		diag "mipha-agentd did not come up:" "$(tail -n 20 "$TMP/agentd.log")"
		return 1
	fi
}

# ad_stop [SIGNAL]: stops the daemon (TERM by default) and waits for it.
ad_stop()
{
	kill -"${1:-TERM}" "$AD_PID" 2>/dev/null
	wait "$AD_PID" 2>/dev/null
	AD_PID=
}

# ad_log: the daemon's log so far (for diagnostics).
ad_log()
{
	tail -n "${1:-15}" "$TMP/agentd.log"
}

# ad_binding HOME FIELD: one field of the daemon's binding of HOME ("" if
# it has none).
ad_binding()
{
	ad_ctl -j binding list 2>/dev/null |
		jq -r --arg h "$1" ".[] | select(.home_addr == \$h) | .$2 // empty"
}

# ad_count: bindings the daemon holds (its stats), or what went wrong.
ad_count()
{
	ad_ctl -j stats 2>&1 | jq -r '.bindings' 2>&1
}

# ad_reply_count CODE: replies the daemon sent with CODE (miphactl stats).
ad_reply_count()
{
	ad_ctl -j stats 2>/dev/null | jq -r ".replies[\"$1\"] // 0"
}

# k_binding HOME FIELD: one field of the kernel's binding ("" if none).
k_binding()
{
	ha_ctl -j kernel binding get "$1" 2>/dev/null | jq -r ".$2 // empty"
}

# k_jq HOME JQ-EXPR: a jq expression over the kernel's binding of HOME (one
# miphactl call, however many fields), "" if there is none.
k_jq()
{
	ha_ctl -j kernel binding get "$1" 2>/dev/null | jq -r "$2" 2>/dev/null
}

# k_has HOME: the kernel holds a binding for HOME.
k_has()
{
	ha_ctl kernel binding get "$1" >/dev/null 2>&1
}

# mn ARGS...: mipha-mn in the MN namespace toward our HA, co-located at
# $COA, with the right key unless ARGS say otherwise.
mn()
{
	ip netns exec "$MN" mipha-mn -H $HA_ADDR --coa $COA --spi $AD_SPI \
		--key $AD_KEY --timeout 500 --retries 4 "$@"
}

# mn_bg NAME ARGS...: mn in the background (hold mode, typically), report
# in $TMP/NAME.out, replies in $TMP/NAME.err (-v). Sets MN_PID.
mn_bg()
{
	_name=$1
	shift
	# Not through mn(): $! must be mipha-mn itself (ip netns exec execs
	# it), not a subshell a signal would not reach it through.
	ip netns exec "$MN" mipha-mn -H $HA_ADDR --coa $COA --spi $AD_SPI \
		--key $AD_KEY --timeout 500 --retries 4 -v "$@" \
		>"$TMP/$_name.out" 2>"$TMP/$_name.err" &
	MN_PID=$!
	_bg_pids="$_bg_pids $MN_PID"
}

# mn_wait_accepted NAME N [TIMEOUT_MS]: N replies accepted in NAME's log.
mn_wait_accepted()
{
	wait_until "${3:-60000}" sh -c "[ \$(grep -c 'accepted (code 0)' '$TMP/$1.err') -ge $2 ]"
}

# mn_stop PID: ends a hold-mode mipha-mn (it deregisters) and waits.
mn_stop()
{
	kill -TERM "$1" 2>/dev/null
	wait "$1" 2>/dev/null
}

# jget JSON FILTER: jq -r over a JSON text.
jget()
{
	printf '%s\n' "$1" | jq -r "$2" 2>/dev/null
}

# ad_setup [EXTRA-CONFIG]: topology, module, configuration, daemon. Bails
# out of the whole script on failure.
ad_setup()
{
	require_cmd mipha-agentd mipha-mn miphactl jq tcpdump ping
	mipha_load || tap_bail "cannot load mipha"
	fp_topo || tap_bail "cannot build the topology"
	ad_conf "${1:-}"
	ip netns exec "$HA" mipha-agentd --check "$AD_CONF" >"$TMP/check.out" 2>&1 ||
		tap_bail "the test configuration does not check: $(cat "$TMP/check.out")"
	ad_start || tap_bail "mipha-agentd does not start: $(ad_log)"
}

# ad_done: tap_done, with the daemon's log shown when a case failed.
ad_done()
{
	if [ "$_tap_failed" -gt 0 ] && [ -f "$TMP/agentd.log" ]; then
		diag "mipha-agentd's log, last 60 lines:"
		diag "$(tail -n 60 "$TMP/agentd.log")"
	fi
	tap_done
}
