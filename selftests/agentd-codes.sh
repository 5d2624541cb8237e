#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# mipha-agentd's reply codes, each produced in the situation RFC 5944 (and
# RFC 3024 for 137-139) names, and a denial never installs anything: wrong
# key or unknown SPI -> 131, a replayed identification -> 133 (and a
# mobile node with a skewed clock resynchronises from the reply), a nonce
# handshake, a poorly formed request -> 134, a request for another home
# agent -> 136 naming ours, an exhausted pool -> 130, reverse tunnel off ->
# 137, reverse tunnel required -> 138, GRE-only or minimal encapsulation ->
# 139, no such host -> 129, S -> 1 (no simultaneous bindings), keyed-MD5
# prefix+suffix, and a foreign agent with and without the right FA-HA key
# (132).
# Topology and configuration: lib-fastpath.sh, lib-agentd.sh.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-fastpath.sh"
. "$(dirname "$0")/lib-agentd.sh"

tap_plan 35

ad_setup
ip -n "$MN" addr add $AD_FA/24 dev mn0 || tap_bail "cannot add the FA address"

# code_of OUTPUT: the final reply codes of a mipha-mn -j report, "code:count"
# sorted, space-separated ("-" for none).
code_of()
{
	jget "$1" '[.codes | to_entries[] | "\(.key):\(.value)"] | join(" ") | if . == "" then "-" else . end'
}

k0=$(stat_of "$HA" bindings)
s0_131=$(ad_reply_count 131)

# --- authentication ---------------------------------------------------------------
phase "authentication"
out=$(mn --once --home 10.9.0.101 --key $AD_BAD_KEY -j)
st=$?
expect_eq "wrong MN-HA key: 131" "131:1" "$(code_of "$out")"
expect_eq "mipha-mn exits 1 when denied" 1 "$st"
# On a loaded machine mipha-mn may retransmit before the reply comes: the
# daemon answers (and counts) every request it gets, one per transmission.
rtx=$(jget "$out" .retransmissions)
out=$(mn --once --home 10.9.0.101 --spi 999 -j)
expect_eq "unknown SPI: 131" "131:1" "$(code_of "$out")"
rtx=$((rtx + $(jget "$out" .retransmissions)))
expect_eq "the daemon counted both as authentication failures (stats 131)" $((2 + rtx)) \
	"$(delta "$(ad_reply_count 131)" "$s0_131")"
tap_check_fails "no kernel binding for 10.9.0.101" k_has 10.9.0.101
out=$(mn --once --home 10.9.0.170 --algo prefix-suffix -j)
expect_eq "keyed-MD5 prefix+suffix SA: accepted" "0:1" "$(code_of "$out")"
out=$(mn --once --home 10.9.0.171 -j)
expect_eq "HMAC-MD5 against a prefix+suffix SA: 131" "131:1" "$(code_of "$out")"

# --- replay protection ----------------------------------------------------------------
phase "replay protection"
# An NTP timestamp of now, as the identification of two requests.
id=$(printf '0x%08x%08x' $(($(date +%s) + 2208988800)) 12345)
out=$(mn --once --home 10.9.0.102 --id "$id" -j)
expect_eq "identification $id: accepted" "0:1" "$(code_of "$out")"
out=$(mn --once --home 10.9.0.102 --id "$id" -j)
expect_eq "the same identification again: 133" "133:1" "$(code_of "$out")"
# A request and its duplicate arriving together (one burst for the daemon,
# which installs a burst's registrations in one batch): the second must be
# decided on the state the first left, i.e. be a replay.
s0_0=$(ad_reply_count 0)
s0_133=$(ad_reply_count 133)
id=$(printf '0x%08x%08x' $(($(date +%s) + 2208988800)) 777)
out=$(mn --once --home 10.9.0.110 --id "$id" --copies 2 -j)
# The duplicate's reply is counted after the first: wait for it. A
# retransmission (a loaded machine) is one more replay, answered 133 too.
replayed_since() { [ "$(delta "$(ad_reply_count 133)" "$s0_133")" -ge "$1" ]; }
rtx=$(jget "$out" .retransmissions)
wait_until 20000 replayed_since $((1 + rtx))
expect_eq "a request and its duplicate together: accepted once, the copy gets 133" \
	"0:1 accepted 1, 133 $((1 + rtx))" \
	"$(code_of "$out") accepted $(delta "$(ad_reply_count 0)" "$s0_0"), 133 $(delta "$(ad_reply_count 133)" "$s0_133")"
out=$(mn --once --home 10.9.0.103 --clock-offset -60 --no-resync -j)
expect_eq "a timestamp 60 s behind: 133" "133:1" "$(code_of "$out")"
s0_133=$(ad_reply_count 133)
out=$(mn --once --home 10.9.0.103 --clock-offset -60 -j)
expect_eq "the same mobile node takes the HA's time from the 133 and is accepted" \
	"0:1 1" "$(code_of "$out") $(jget "$out" .resyncs)"
# (and any retransmission, a replay of an accepted request, with 133 too)
expect_eq "the daemon answered that first request with 133" $((1 + $(jget "$out" .retransmissions))) \
	"$(delta "$(ad_reply_count 133)" "$s0_133")"
out=$(mn --once --home 10.9.0.180 --replay nonce -j)
expect_eq "nonces: 133 hands out the HA's nonce, the retry with it is accepted" \
	"0:1 1" "$(code_of "$out") $(jget "$out" .resyncs)"
out=$(mn --once --home 10.9.0.180 --replay nonce --no-resync -j)
expect_eq "nonces: a request without the HA's last nonce is refused (133)" "133:1" \
	"$(code_of "$out")"

# --- poorly formed, another home agent ------------------------------------------------
phase "poorly formed, another home agent"
cap_start mn "$MN" mn0 || tap_bail "cannot capture"
t0=$(mark)
out=$(mn --once --home 10.9.0.104 --malformed -j)
expect_eq "an extension running past the end of the request: 134" "134:1" \
	"$(code_of "$out")"
out=$(mn --once --home 10.9.0.105 --ha-field 10.9.2.1 -v -j 2>"$TMP/136.err")
expect_eq "Home Agent field 10.9.2.1, not ours: 136" "136:1" "$(code_of "$out")"
expect_match "the 136 names our address 10.9.0.1" " ha 10\.9\.0\.1: registration denied \(code 136" \
	"$(cat "$TMP/136.err")"
win "$t0" "$(mark)"
expect_cap "each of them got its reply on the wire" mn 2 "IP 10\.9\.0\.1\.434 > 10\.9\.3\.2\.[0-9]+: "
cap_stop mn

# --- resources and policy ------------------------------------------------------------
phase "resources and policy"
out=$(mn --once -n 2 --nai 'bob%d@tiny.example' -j --list)
expect_eq "pool of one address, two NAIs: one accepted, one 130" "0:1 130:1" \
	"$(code_of "$out")"
expect_eq "the accepted one holds 10.9.0.220" 10.9.0.220 \
	"$(jget "$out" '.list[] | select(.code == 0) | .home')"
out=$(mn --once --home 10.9.0.150 -T -j)
expect_eq "reverse tunnel asked of a host with reverse-tunnel off: 137" "137:1" \
	"$(code_of "$out")"
out=$(mn --once --home 10.9.0.150 -j)
expect_eq "the same host without T: accepted" "0:1" "$(code_of "$out")"
out=$(mn --once --home 10.9.0.160 -j)
expect_eq "IP-in-IP for a GRE-only host: 139" "139:1" "$(code_of "$out")"
out=$(mn --once --home 10.9.0.160 -g -j)
expect_eq "GRE for it: accepted" "0:1" "$(code_of "$out")"
out=$(mn --once --home 10.9.0.106 --flags 0x10 -j)
expect_eq "minimal encapsulation (M): 139" "139:1" "$(code_of "$out")"
out=$(mn --once --home 10.9.0.190 -j)
expect_eq "no T for a host that requires a reverse tunnel: 138" "138:1" "$(code_of "$out")"
out=$(mn --once --home 10.9.0.190 -T -j)
expect_eq "the same host with T: accepted" "0:1" "$(code_of "$out")"
out=$(mn --once --home 10.9.0.195 -j)
expect_eq "an authenticated node that is no host of ours: 129" "129:1" "$(code_of "$out")"
out=$(mn --once --home 10.9.0.109 -S -j)
expect_eq "simultaneous bindings asked (S): 1, accepted without them" "1:1" "$(code_of "$out")"

# --- a foreign agent ------------------------------------------------------------------
phase "a foreign agent"
fa()
{
	ip netns exec "$MN" mipha-mn -H $HA_ADDR --fa $AD_FA --spi $AD_SPI \
		--key $AD_KEY --timeout 500 --retries 4 "$@"
}
out=$(fa --once --home 10.9.0.107 --fa-spi $AD_FA_SPI --fa-key $AD_FA_KEY -j)
expect_eq "through FA 10.9.3.3 with its FA-HA authenticator: accepted" "0:1" \
	"$(code_of "$out")"
expect_eq "binding: care-of address and source are the FA" "10.9.3.3 10.9.3.3" \
	"$(ad_binding 10.9.0.107 coa) $(ad_binding 10.9.0.107 src)"
out=$(fa --once --home 10.9.0.108 --fa-spi $AD_FA_SPI --fa-key $AD_BAD_KEY -j)
expect_eq "the FA with a wrong FA-HA key: 132" "132:1" "$(code_of "$out")"
tap_check_fails "no binding for 10.9.0.108" k_has 10.9.0.108

# --- denials install nothing -------------------------------------------------------------
# Accepted above: .170, .102, .110, .103, .180, .220, .150, .160, .190, .109, .107.
expect_eq "the kernel gained only the 11 accepted bindings" 11 \
	"$(delta "$(stat_of "$HA" bindings)" "$k0")"

phase "end"
ad_done
