#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# mipha-agentd restarts and reloads without disturbing the data path: a
# ping every 50 ms through a binding loses nothing while the daemon is
# stopped (SIGTERM leaves the kernel table) and started again; the new
# daemon rebuilds the binding from the kernel's agent cookie, replay state
# included (an identification accepted before the restart is still a
# replay after it). SIGHUP adds a host live without touching the bindings,
# and refuses a change that needs a restart, keeping the old configuration.
# Topology and configuration: lib-fastpath.sh, lib-agentd.sh.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-fastpath.sh"
. "$(dirname "$0")/lib-agentd.sh"

tap_plan 19

ad_setup
HOME1=10.9.0.120

# ping_bg NAME COUNT DEST: pings every 50 ms from the correspondent in the
# background; ping_result NAME waits for it and sets PING_RES to
# "SENT RECEIVED".
ping_bg()
{
	ip netns exec "$CN" ping -n -q -i 0.05 -W 1 -c "$2" "$3" >"$TMP/$1.ping" 2>&1 &
	PING_PID=$!
	_bg_pids="$_bg_pids $PING_PID"
}
# (wait here, not in $(...): a subshell cannot wait for our child)
ping_result()
{
	wait "$PING_PID" 2>/dev/null
	PING_RES=$(sed -n 's/^\([0-9]*\) packets transmitted, \([0-9]*\) received.*/\1 \2/p' "$TMP/$1.ping")
}

# --- a registered mobile node with traffic -------------------------------------------
phase "a registered mobile node with traffic"
mn_bg hold --home $HOME1 -T -l 600 --setup-tunnel
mn_wait_accepted hold 1 || tap_bail "no registration: $(cat "$TMP/hold.err") $(ad_log)"
id0=$(ad_binding $HOME1 identification)
cookie0=$(k_binding $HOME1 cookie)
expect_eq "before: 5 of 5 pings answered" 5 "$(pings "$CN" 5 $HOME1)"
id=$(printf '0x%08x%08x' $(($(date +%s) + 2208988800)) 777)
out=$(mn --once --home 10.9.0.121 --id "$id" -j)
expect_eq "10.9.0.121 registered with identification $id" 0 "$(jget "$out" '.codes | keys | join(" ")')"

# --- restart under traffic ---------------------------------------------------------------
phase "restart under traffic"
ping_bg restart 160 $HOME1 # 8 s
sleep 2
ad_stop TERM
tap_check "SIGTERM left the binding in the kernel" k_has $HOME1
sleep 1
ad_start
tap_result "the daemon started again" $?
ping_result restart
expect_eq "no ping lost across stop and start (sent received)" "160 160" "$PING_RES"
expect_eq "the new daemon rebuilt the binding: care-of, lifetime, identification" \
	"10.9.3.2 600 $id0" \
	"$(ad_binding $HOME1 coa) $(ad_binding $HOME1 lifetime) $(ad_binding $HOME1 identification)"
expect_eq "... with the reverse tunnel still granted" "true" "$(ad_binding $HOME1 reverse_tunnel)"
expect_ge "stats: bindings recovered from the kernel" 2 "$(ad_ctl -j stats | jq -r '.recovered // empty')"
expect_eq "the kernel binding was not rewritten (same cookie)" "$cookie0" "$(k_binding $HOME1 cookie)"
out=$(mn --once --home 10.9.0.121 --id "$id" -j)
expect_eq "the identification accepted before the restart is a replay after it (133)" \
	133 "$(jget "$out" '.codes | keys | join(" ")')"
out=$(mn --once --home 10.9.0.121 -j)
expect_eq "a fresh registration of 10.9.0.121 is accepted" 0 "$(jget "$out" '.codes | keys | join(" ")')"

# --- SIGHUP ------------------------------------------------------------------------------
phase "SIGHUP"
out=$(mn --once --home 10.9.0.240 -j)
expect_match "10.9.0.240 is not served yet: denied" '^1[23][0-9]$' \
	"$(jget "$out" '.codes | keys | join(" ")')"
ad_conf "host \"10.9.0.240 10.9.0.249\" {
	interface = home0
}
secure-host \"10.9.0.240 10.9.0.249\" {
	spi = $AD_SPI
	key = \"$AD_KEY\"
	algorithm = hmac-md5
}"
ping_bg reload 60 $HOME1 # 3 s
sleep 1
r0=$(ad_ctl -j stats | jq -r '.reloads')
kill -HUP "$AD_PID"
# Until the daemon has reloaded (its count of reloads), however slow the VM.
wait_until 20000 sh -c "[ \"\$(ip netns exec $HA miphactl -socket $AD_SOCK -j stats | jq -r .reloads)\" -gt $r0 ]"
out=$(mn --once --home 10.9.0.240 -j)
expect_eq "after SIGHUP with the host added: 10.9.0.240 accepted" 0 \
	"$(jget "$out" '.codes | keys | join(" ")')"
ping_result reload
expect_eq "no ping lost across the reload" "60 60" "$PING_RES"
expect_eq "the binding of $HOME1 is untouched (identification)" "$id0" \
	"$(ad_binding $HOME1 identification)"
tap_check "the daemon still runs" kill -0 "$AD_PID"

# A home-agent address change needs a restart: refused with a reason.
sed -i "s/address = $HA_ADDR\$/address = { $HA_ADDR, 10.9.1.1 }/" "$AD_CONF"
kill -HUP "$AD_PID"
if wait_until 5000 grep -qi 'refus' "$TMP/agentd.log"; then
	tap_ok "a home-agent address change on SIGHUP is refused, with a reason in the log"
	diag "$(grep -i 'refus' "$TMP/agentd.log" | tail -n 1)"
else
	tap_fail "a home-agent address change on SIGHUP is refused, with a reason in the log" "$(ad_log)"
fi
out=$(mn --once --home 10.9.0.241 -j)
expect_eq "the running configuration stays (10.9.0.241 still accepted)" 0 \
	"$(jget "$out" '.codes | keys | join(" ")')"
expect_eq "pings still answered" 3 "$(pings "$CN" 3 $HOME1)"

mn_stop $MN_PID
phase "end"
ad_done
