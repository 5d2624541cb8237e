#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# mipha-agentd: a reload undoes in the kernel what the new configuration no
# longer configures, section by section, and leaves the rest alone.
#  - home link: removing a link while a binding uses it is refused with the
#    reason (switching its proxy ARP off would cut that away node from the
#    home link until it expires); once the node has deregistered, the link
#    leaves live and gets its proxy ARP switched off in mipha.ko: a home
#    host asking for an address there is no longer answered (before the fix
#    the kernel went on answering for a link the daemon no longer serves).
#    The links still configured keep theirs.
#  - virtual network: the route of one removed goes, the other stays.
#  - pool: removing a pool whose address is bound is refused with the
#    reason (README: removed pools need a restart); the binding, its pool
#    reservation and the running configuration stay.
#  - events: two `miphactl events` followers in the background (text,
#    filtered on "reload"; and -j) see each reload, refused or live, with
#    its verdict and message, and exit 0 when the daemon stops.
#
# Topology: lib-fastpath.sh's, plus a second home link:
#
#   HA home1 10.9.10.1/24 --- eth1 10.9.10.2/24 H1
#
# Configuration: lib-agentd.sh's, plus home1 with hosts 10.9.10.100-109,
# virtual networks 10.9.50.0/24 and 10.9.51.0/24, and a pool "extra"
# (10.9.0.230-239) for NAI realm @extra.example.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-fastpath.sh"
. "$(dirname "$0")/lib-agentd.sh"

tap_plan 36

require_cmd arping
HOME10=10.9.10.100

conf_home1='home-link "home1" {}
host "10.9.10.100 10.9.10.109" {
	interface = home1
}
secure-host "10.9.10.100 10.9.10.109" {
	spi = '$AD_SPI'
	key = "'$AD_KEY'"
	algorithm = hmac-md5
}'
conf_vnet50='virtual-network "10.9.50.0/24" {}'
conf_vnet51='virtual-network "10.9.51.0/24" {}'
conf_extra='pool "extra" {
	range = "10.9.0.230 10.9.0.239"
}
host "nai @extra.example" {
	interface = home0
	pool = extra
}
secure-host "nai @extra.example" {
	spi = '$AD_SPI'
	key = "'$AD_KEY'"
	algorithm = hmac-md5
}'

# home1: the second home link, up before the daemon starts.
home1_up()
{
	ip -n "$HA" link add name home1 type veth peer name eth1 netns "$H1" &&
		ip -n "$HA" link set home1 up &&
		ip -n "$HA" addr add 10.9.10.1/24 dev home1 &&
		ip -n "$H1" link set eth1 up &&
		ip -n "$H1" addr add 10.9.10.2/24 dev eth1
}

# arp_home1 ADDR: one ARP request from H1 on eth1; true if answered.
arp_home1()
{
	ip netns exec "$H1" arping -c 1 -w 1 -I eth1 "$1" >"$TMP/arping.out" 2>&1
}

# k_link IFNAME FIELD: one field of the kernel's settings of a home link.
k_link()
{
	ha_ctl -j kernel link show "$1" 2>/dev/null | jq -r "if type == \"array\" then .[0] else . end | .$2 | tostring" 2>/dev/null
}

# reload_wait: SIGHUP, then until the daemon counted a reload or a
# refusal, however slow the VM.
reload_wait()
{
	_n0=$(ad_ctl -j stats | jq -r '.reloads + .reload_refusals')
	kill -HUP "$AD_PID"
	wait_until 20000 sh -c "[ \"\$(ip netns exec $HA miphactl -socket $AD_SOCK -j stats | jq -r '.reloads + .reload_refusals')\" -gt $_n0 ]"
}

# ev_line FILE N: line N of a follower's output, once it came (10 s at most).
ev_line()
{
	wait_until 10000 sh -c "[ \$(wc -l <'$1') -ge $2 ]"
	sed -n "${2}p" "$1"
}

# gone PID: PID has exited (a zombie not yet waited for counts).
gone()
{
	[ ! -e "/proc/$1/stat" ] || [ "$(cut -d' ' -f3 "/proc/$1/stat")" = Z ]
}

# routes PREFIX: our route of PREFIX in the main table ("" if none).
route143()
{
	ip -n "$HA" -4 route show table main exact "$1" proto 143 2>&1
}

require_cmd mipha-agentd mipha-mn miphactl jq ping
mipha_load || tap_bail "cannot load mipha"
fp_topo || tap_bail "cannot build the topology"
home1_up || tap_bail "cannot add the second home link"
ad_conf "$conf_home1
$conf_vnet50
$conf_vnet51
$conf_extra"
ad_start || tap_bail "mipha-agentd does not start: $(ad_log)"

# --- before: what each section put in the kernel ---------------------------------------
phase "before the reload"
out=$(mn --once --home $HOME10 -l 600 -j)
expect_eq "$HOME10 (home link home1) registered" 0 "$(jget "$out" '.codes | keys | join(" ")')"
out=$(mn --once --nai bob@extra.example -g -l 600 -j)
EXTRA=$(ad_ctl -j binding list | jq -r '.[] | select(.nai == "bob@extra.example") | .home_addr')
expect_match "bob@extra.example got an address of pool extra" '^10\.9\.0\.23[0-9]$' "$EXTRA"
expect_eq "home1: proxy ARP on in the kernel" "true" "$(k_link home1 proxy_arp)"
arp_home1 $HOME10
tap_result "home1: H1's ARP request for $HOME10 is answered" $? "$(cat "$TMP/arping.out")"
expect_match "10.9.50.0/24 has our route" '^unreachable 10\.9\.50\.0/24' "$(route143 10.9.50.0/24)"

# --- followers of the daemon's events, for every reload below ---------------------------
EV_TXT=$TMP/events.txt
EV_JSON=$TMP/events.json
# Not through ad_ctl: $! must be miphactl itself (ip netns exec execs it).
ip netns exec "$HA" miphactl -socket "$AD_SOCK" events reload >"$EV_TXT" 2>&1 &
EV_TXT_PID=$!
ip netns exec "$HA" miphactl -socket "$AD_SOCK" -j events >"$EV_JSON" 2>&1 &
EV_JSON_PID=$!
_bg_pids="$_bg_pids $EV_TXT_PID $EV_JSON_PID"
wait_until 20000 sh -c "[ \"\$(ip netns exec $HA miphactl -socket $AD_SOCK -j stats | jq -r .event_subscribers)\" = 2 ]"
expect_eq "two miphactl events followers subscribed" 2 "$(ad_ctl -j stats | jq -r .event_subscribers)"

# --- home link removed while a binding uses it: refused, nothing changes ---------------
phase "home1 and 10.9.50.0/24 removed while $HOME10 is bound on home1"
ad_conf "$conf_vnet51
$conf_extra"
reload_wait
expect_eq "the reload is refused (counted)" 1 "$(ad_ctl -j stats | jq -r '.reload_refusals')"
expect_match "with the reason in the log" 'home link home1 removed while 1 binding use it' \
	"$(cat "$TMP/agentd.log")"
expect_match "miphactl events: a reload event, refused, with the reason" \
	'^reload time=[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}\.[0-9]{3}Z ok=false message="reload refused: home link home1 removed while 1 binding use it' \
	"$(ev_line "$EV_TXT" 1)"
expect_eq "miphactl -j events: the same event as JSON" \
	"reload false true" \
	"$(ev_line "$EV_JSON" 1 | jq -r '"\(.event) \(.ok) \(.message | test("^reload refused: home link home1 removed"))"')"
expect_eq "home1: proxy ARP still on in the kernel" "true" "$(k_link home1 proxy_arp)"
arp_home1 $HOME10
tap_result "home1: H1's ARP request for $HOME10 is still answered" $? "$(cat "$TMP/arping.out")"
expect_match "10.9.50.0/24 keeps our route" '^unreachable 10\.9\.50\.0/24' "$(route143 10.9.50.0/24)"

# --- its proxy ARP switched off while the binding uses it: refused too -----------------
phase "home1's proxy ARP off while $HOME10 is bound on it"
ad_conf "$(printf '%s\n' "$conf_home1" | sed 's/^home-link "home1" {}$/home-link "home1" { proxy-arp = false }/')
$conf_vnet50
$conf_vnet51
$conf_extra"
reload_wait
expect_eq "the reload is refused (counted)" 2 "$(ad_ctl -j stats | jq -r '.reload_refusals')"
expect_match "with the reason in the log" 'home link home1 loses its proxy ARP while 1 binding use it' \
	"$(cat "$TMP/agentd.log")"
expect_eq "home1: proxy ARP still on in the kernel" "true" "$(k_link home1 proxy_arp)"
ad_conf "$conf_vnet51
$conf_extra"

# --- home link and virtual network removed: live, undone in the kernel -----------------
phase "$HOME10 deregistered; home1 and 10.9.50.0/24 removed"
out=$(mn --once --home $HOME10 --deregister -j)
expect_eq "$HOME10 deregistered" 0 "$(jget "$out" '.codes | keys | join(" ")')"
tap_check_fails "its binding is gone from the kernel" k_has $HOME10
reload_wait
expect_eq "the reload is live (counted as a reload)" 2 \
	"$(ad_ctl -j stats | jq -r '.reload_refusals')"
expect_eq "home1: proxy ARP off in the kernel" "false" "$(k_link home1 proxy_arp)"
if arp_home1 $HOME10; then
	tap_fail "home1: H1's ARP request for $HOME10 is no longer answered" "$(cat "$TMP/arping.out")"
else
	tap_ok "home1: H1's ARP request for $HOME10 is no longer answered"
fi
expect_match "the proxy ARP switch-off is logged" 'home link home1 removed: proxy ARP off' \
	"$(cat "$TMP/agentd.log")"
expect_eq "home0: proxy ARP still on" "true" "$(k_link home0 proxy_arp)"
expect_eq "10.9.50.0/24: our route is gone" "" "$(route143 10.9.50.0/24)"
expect_match "10.9.51.0/24: our route stays" '^unreachable 10\.9\.51\.0/24' "$(route143 10.9.51.0/24)"
expect_match "miphactl events: the live reload, ok" \
	"^reload time=[^ ]+Z ok=true message=\"configuration reloaded from $AD_CONF \\(change mask 0x[0-9a-f]+\\)\"\$" \
	"$(ev_line "$EV_TXT" 3)"
expect_eq "miphactl -j events: the live reload, ok" \
	"reload true configuration reloaded from $AD_CONF" \
	"$(ev_line "$EV_JSON" 3 | jq -r '"\(.event) \(.ok) \(.message | sub(" \\(change mask.*"; ""))"')"

# --- a pool in use removed: refused with the reason, nothing changes ------------------
phase "pool extra removed"
ad_conf "$conf_vnet51"
reload_wait
expect_eq "the reload is refused (counted)" 3 "$(ad_ctl -j stats | jq -r '.reload_refusals')"
expect_match "with the reason in the log" 'needs a restart.*pool extra or one of its ranges removed' \
	"$(cat "$TMP/agentd.log")"
expect_eq "the binding of $EXTRA keeps its pool" "extra" "$(ad_binding "$EXTRA" pool)"
tap_check "and stays in the kernel" k_has "$EXTRA"
out=$(mn --once --nai carol@extra.example -g -l 60 -j)
expect_eq "the running configuration stays: carol@extra.example still served" 0 \
	"$(jget "$out" '.codes | keys | join(" ")')"

tap_check "the daemon still runs" ad_running

phase "the daemon stops: its followers end"
ad_stop
for p in $EV_TXT_PID $EV_JSON_PID; do
	wait_until 10000 gone "$p" || kill "$p" 2>/dev/null
done
wait "$EV_TXT_PID"
rc_txt=$?
wait "$EV_JSON_PID"
rc_json=$?
expect_eq "miphactl events exits 0 when the daemon closes the socket" 0 "$rc_txt"
expect_eq "miphactl -j events exits 0 too" 0 "$rc_json"
expect_eq "the text follower printed the 4 reloads and nothing else" "4 4" \
	"$(wc -l <"$EV_TXT") $(grep -c '^reload time=' "$EV_TXT")"
phase "end"
ad_done
