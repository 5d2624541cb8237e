#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Registration security: a key authenticates only its own mobile node, and
# no request can take, renew or remove another node's binding. The victim,
# alice@id.example, holds a pool address; after every attack her kernel
# binding keeps its care-of address and its cookie (registration time,
# replay state) byte for byte, and each attack is counted:
#  - the MN-HA key of an address host (10.9.0.230, SPI 0x500) with alice's
#    NAI: 131 (that SPI is not alice's), whichever home address it names;
#  - eve's own valid NAI key naming alice's address: a deregistration is
#    refused (129, counted as an address conflict), a registration gets
#    another address of the pool;
#  - an NAI with a terminal escape: 134, nothing stored;
#  - a foreign agent with two FA-HA keys (rollover): each works by its SPI;
#  - a binding that expires keeps its replay high-water mark: the request
#    it accepted is a replay (133) after the expiry;
#  - a restart after the pool was renamed reserves alice's address in the
#    pool that holds it now: the next node gets another address, and the
#    one after that finds the pool exhausted (130).
# Topology and configuration: lib-fastpath.sh, lib-agentd.sh.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-fastpath.sh"
. "$(dirname "$0")/lib-agentd.sh"

tap_plan 27

MAL_KEY=6d616c6c6f72792d616464722d6b6579
ALICE_KEY=616c6963652d6e61692d6b65792d3031
EVE_KEY=6576652d6e61692d6b65792d30303031
BOB_KEY=626f622d6e61692d6b65792d30303031
FA_KEY2=666f726569676e2d6167656e742d6e32
ATTACKER_COA=10.9.3.9

# id_extra POOL: the extra configuration of this test, with the pool of
# id.example named POOL.
id_extra()
{
	echo "host \"10.9.0.230 10.9.0.232\" {
	interface = home0
}
secure-host \"10.9.0.230\" {
	spi = 0x500
	key = \"$MAL_KEY\"
	algorithm = hmac-md5
}
secure-host \"10.9.0.231 10.9.0.232\" {
	spi = 0x501
	key = \"$MAL_KEY\"
	algorithm = hmac-md5
	replay-window = 120
}
host \"nai @id.example\" {
	interface = home0
	pool = $1
}
pool \"$1\" {
	range = \"10.9.0.240 10.9.0.241\"
}
secure-host \"nai alice@id.example\" {
	spi = 0x600
	key = \"$ALICE_KEY\"
	algorithm = hmac-md5
}
secure-host \"nai eve@id.example\" {
	spi = 0x601
	key = \"$EVE_KEY\"
	algorithm = hmac-md5
}
secure-host \"nai bob@id.example\" {
	spi = 0x602
	key = \"$BOB_KEY\"
	algorithm = hmac-md5
}
secure-foreign-agent \"$AD_FA $AD_FA\" {
	spi = 301
	key = \"$FA_KEY2\"
	algorithm = hmac-md5
}"
}

ad_setup "$(id_extra idp)"
ip -n "$MN" addr add $ATTACKER_COA/24 dev mn0 || tap_bail "cannot add the attacker's address"
ip -n "$MN" addr add $AD_FA/24 dev mn0 || tap_bail "cannot add the FA address"

code_of()
{
	jget "$1" '[.codes | to_entries[] | "\(.key):\(.value)"] | join(" ") | if . == "" then "-" else . end'
}
stat()
{
	ad_ctl -j stats 2>/dev/null | jq -r ".$1 // 0"
}
# as_node KEY SPI ARGS...: mipha-mn with that key, from the attacker's address.
as_node()
{
	_k=$1 _s=$2
	shift 2
	ip netns exec "$MN" mipha-mn -H $HA_ADDR --coa $ATTACKER_COA --spi "$_s" \
		--key "$_k" --timeout 500 --retries 4 --once -j "$@"
}
# rtx_of OUT: how many times mipha-mn retransmitted (0 if it said nothing).
rtx_of()
{
	_r=$(jget "$1" .retransmissions)
	echo "${_r:-0}"
}
nai_home()
{
	ad_ctl -j binding list 2>/dev/null |
		jq -r --arg n "$1" '.[] | select(.nai == $n) | .home_addr' | head -n 1
}
# victim: alice's kernel binding as the kernel holds it (care-of address and
# the whole cookie) and as the daemon shows it.
victim()
{
	echo "$(k_jq "$ALICE" '"\(.coa) \(.cookie)"') $(ad_binding "$ALICE" identification)"
}

# --- the victim -----------------------------------------------------------------------
phase "the victim registers"
out=$(ip netns exec "$MN" mipha-mn -H $HA_ADDR --coa $COA --spi 0x600 --key $ALICE_KEY \
	--nai alice@id.example --timeout 500 --retries 4 --once -j)
expect_eq "alice@id.example registers: accepted" "0:1" "$(code_of "$out")"
ALICE=$(nai_home alice@id.example)
expect_match "alice holds a pool address" '^10\.9\.0\.24[01]$' "$ALICE"
expect_eq "her kernel binding tunnels to her care-of address" "$COA" "$(k_binding "$ALICE" coa)"
before=$(victim)
s131=$(ad_reply_count 131)
s129=$(ad_reply_count 129)
s134=$(ad_reply_count 134)
conf0=$(stat address_conflicts)

# --- another node's key ---------------------------------------------------------------
phase "another node's key with alice's NAI"
# On a loaded machine mipha-mn may retransmit before the answer comes: the
# daemon answers and counts every copy (each has its own Identification),
# so the counts below expect one per transmission, and wait for the
# answers to the last ones.
rtx131=0
out=$(as_node $MAL_KEY 0x500 --nai alice@id.example --home 10.9.0.230)
rtx131=$((rtx131 + $(rtx_of "$out")))
expect_eq "the address host's key (SPI 0x500) with alice's NAI and its own address: 131" \
	"131:1" "$(code_of "$out")"
out=$(as_node $MAL_KEY 0x500 --nai alice@id.example --home "$ALICE")
rtx131=$((rtx131 + $(rtx_of "$out")))
expect_eq "... naming alice's address: 131" "131:1" "$(code_of "$out")"
out=$(as_node $MAL_KEY 0x500 --home "$ALICE")
rtx131=$((rtx131 + $(rtx_of "$out")))
expect_eq "the same key for alice's address without an NAI: 131" "131:1" "$(code_of "$out")"
out=$(as_node $EVE_KEY 0x601 --nai alice@id.example)
rtx131=$((rtx131 + $(rtx_of "$out")))
expect_eq "eve's key (SPI 0x601) with alice's NAI: 131" "131:1" "$(code_of "$out")"
expect_eq "alice's binding is untouched (care-of address, cookie, identification)" \
	"$before" "$(victim)"

# --- another node's address -------------------------------------------------------------
phase "a valid key asking for another node's address"
out=$(as_node $EVE_KEY 0x601 --nai eve@id.example --home "$ALICE" --deregister)
rtx129=$(rtx_of "$out")
expect_eq "eve, with her own key and no binding, deregisters alice's address: 129" "129:1" \
	"$(code_of "$out")"
# (mipha-mn waits for a reply naming the address it asked for: this one
# names another, so the daemon's count and table tell what it answered.)
s0=$(ad_reply_count 0)
as_node $EVE_KEY 0x601 --nai eve@id.example --home "$ALICE" --retries 0 >/dev/null
# mipha-mn gives up after 500 ms; a loaded daemon may answer later.
eve_answered() { [ "$(delta "$(ad_reply_count 0)" "$s0")" -ge 1 ] && [ -n "$(nai_home eve@id.example)" ]; }
wait_until 10000 eve_answered
EVE=$(nai_home eve@id.example)
expect_eq "eve asks for alice's address: accepted with another address of the pool" "1 yes" \
	"$(delta "$(ad_reply_count 0)" "$s0") $([ -n "$EVE" ] && [ "$EVE" != "$ALICE" ] && echo yes || echo "no ($EVE)")"
expect_eq "alice's binding is untouched" "$before" "$(victim)"
# counted_at_least CODE BASE N: the daemon answered CODE N times since BASE.
counted_at_least() { [ "$(delta "$(ad_reply_count "$1")" "$2")" -ge "$3" ]; }
wait_until 5000 counted_at_least 129 "$s129" $((1 + rtx129))
expect_eq "the deregistration counted as an address conflict, 129 once (each transmission)" \
	"$((1 + rtx129)) $((1 + rtx129))" \
	"$(delta "$(stat address_conflicts)" "$conf0") $(delta "$(ad_reply_count 129)" "$s129")"
wait_until 5000 counted_at_least 131 "$s131" $((4 + rtx131))
expect_eq "the four attacks with another's key counted as 131 (each transmission)" $((4 + rtx131)) \
	"$(delta "$(ad_reply_count 131)" "$s131")"
out=$(as_node $EVE_KEY 0x601 --nai eve@id.example --home "$EVE" --deregister)
expect_eq "eve deregisters her own binding: accepted, her address back in the pool" "0:1 " \
	"$(code_of "$out") $(nai_home eve@id.example)"

# --- a malformed NAI ------------------------------------------------------------------
phase "an NAI with a terminal escape"
esc=$(printf 'ev\033]0;pwned\007il@id.example')
out=$(as_node $EVE_KEY 0x601 --nai "$esc")
rtx134=$(rtx_of "$out")
expect_eq "an NAI with control characters: 134" "134:1" "$(code_of "$out")"
wait_until 5000 counted_at_least 134 "$s134" $((1 + rtx134))
expect_eq "... counted (134, each transmission), nothing stored" "$((1 + rtx134)) 0" \
	"$(delta "$(ad_reply_count 134)" "$s134") $(ad_ctl -j binding list | jq '[.[] | select(.nai != null and (.nai | test("pwned")))] | length')"

# --- FA-HA key rollover -----------------------------------------------------------------
phase "a foreign agent with two FA-HA keys"
fa()
{
	ip netns exec "$MN" mipha-mn -H $HA_ADDR --fa $AD_FA --spi $AD_SPI \
		--key $AD_KEY --timeout 500 --retries 4 --once -j "$@"
}
out=$(fa --home 10.9.0.125 --fa-spi $AD_FA_SPI --fa-key $AD_FA_KEY)
expect_eq "the FA's first key (SPI $AD_FA_SPI): accepted" "0:1" "$(code_of "$out")"
out=$(fa --home 10.9.0.126 --fa-spi 301 --fa-key $FA_KEY2)
expect_eq "its second key (SPI 301): accepted" "0:1" "$(code_of "$out")"
out=$(fa --home 10.9.0.127 --fa-spi 302 --fa-key $FA_KEY2)
expect_eq "an SPI it has no key with: 132" "132:1" "$(code_of "$out")"

# --- one identity whatever the case of the realm --------------------------------------------
phase "alice spells her realm in capitals"
out=$(ip netns exec "$MN" mipha-mn -H $HA_ADDR --coa $COA --spi 0x600 --key $ALICE_KEY \
	--nai alice@ID.Example --timeout 500 --retries 4 --once -j)
expect_eq "alice@ID.Example renews alice's binding: same address, still one binding" \
	"0:1 $ALICE 1" \
	"$(code_of "$out") $(nai_home alice@id.example) $(ad_ctl -j binding list | jq '[.[] | select(.nai != null and (.nai | ascii_downcase) == "alice@id.example")] | length')"

# --- replay state outlives the binding ----------------------------------------------------
phase "a binding that expires keeps its replay high-water mark"
id=$(printf '0x%08x%08x' $(($(date +%s) + 2208988800)) 4242)
out=$(as_node $MAL_KEY 0x501 --home 10.9.0.231 --id "$id" -l 2)
expect_eq "10.9.0.231, lifetime 2 s, identification $id: accepted" "0:1" "$(code_of "$out")"
if wait_until 30000 sh -c "! ip netns exec $HA miphactl kernel binding get 10.9.0.231 >/dev/null 2>&1"; then
	out=$(as_node $MAL_KEY 0x501 --home 10.9.0.231 --id "$id" -l 2)
	expect_eq "after its expiry, the same request again is a replay: 133" "133:1" "$(code_of "$out")"
else
	tap_fail "after its expiry, the same request again is a replay: 133" "the binding did not expire"
fi

# --- restart with the pool renamed ---------------------------------------------------------
phase "restart after the pool was renamed"
ad_stop TERM
ad_conf "$(id_extra idp-renamed)"
ad_start
tap_result "the daemon starts with pool idp renamed idp-renamed" $?
expect_eq "alice's binding was recovered, her address reserved in idp-renamed" \
	"alice@id.example idp-renamed" \
	"$(ad_binding "$ALICE" nai) $(ad_binding "$ALICE" pool)"
out=$(ip netns exec "$MN" mipha-mn -H $HA_ADDR --coa $ATTACKER_COA --spi 0x602 --key $BOB_KEY \
	--nai bob@id.example --timeout 500 --retries 4 --once -j)
BOB=$(nai_home bob@id.example)
expect_eq "bob registers and gets the other address of the pool" "0:1 yes" \
	"$(code_of "$out") $([ -n "$BOB" ] && [ "$BOB" != "$ALICE" ] && echo yes || echo "no ($BOB)")"
expect_eq "alice's kernel binding still tunnels to her care-of address" "$COA" \
	"$(k_binding "$ALICE" coa)"
out=$(as_node $EVE_KEY 0x601 --nai eve@id.example)
expect_eq "the pool of two is exhausted for eve: 130" "130:1" "$(code_of "$out")"

phase "end"
ad_done
