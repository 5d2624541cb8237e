#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# A dump of a large table while bindings keep changing, as on a busy home
# agent where renewals arrive every second: bindings replaced, added and
# removed during the dump must not interrupt it, and every binding that
# stayed in the table throughout must be in the dump exactly once.
. "$(dirname "$0")/lib.sh"
require_cmd miphactl nlraw

N=${MIPHA_CHURN_SCALE:-100000}
tap_plan 5

ns=$(ns_new churn) || tap_bail "cannot create a namespace"
batch=$(gen_bindings_cached $N) || tap_bail "cannot generate the bindings"
out=$(mipha_ns "$ns" -b "$batch" 2>&1)
tap_result "install $N bindings" $? "$out"

# Churn: renew (replace) bindings of the stable set with a new care-of
# address, and add then remove bindings of another range (10.200/16), few
# enough that the table never resizes.
awk -v n=$N 'BEGIN {
	for (i = 0; i < 2000; i++) {
		v = 10 * 16777216 + 128 * 65536 + int(i * n / 2000) + 1
		printf "kernel binding replace %d.%d.%d.%d coa 198.19.0.%d ha 192.0.2.1\n",
			int(v / 16777216) % 256, int(v / 65536) % 256,
			int(v / 256) % 256, v % 256, 1 + i % 250
	}
	for (i = 0; i < 200; i++)
		printf "kernel binding add 10.200.%d.%d coa 198.19.1.1 ha 192.0.2.1\n", int(i / 200), 1 + i % 200
	for (i = 0; i < 200; i++)
		printf "kernel binding del 10.200.%d.%d\n", int(i / 200), 1 + i % 200
}' >"$TMP/churn.batch"
touch "$TMP/churning"
(
	rounds=0
	while [ -f "$TMP/churning" ]; do
		mipha_ns "$ns" -b "$TMP/churn.batch" >/dev/null 2>&1 || echo fail >>"$TMP/churn.err"
		rounds=$((rounds + 1))
		echo $rounds >"$TMP/rounds"
	done
) &
churner=$!
wait_until 20000 test -s "$TMP/rounds" || diag "the churn did not start"

st0=$(stats_line "$ns")
nlraw_ns "$ns" dump >"$TMP/dump"
st1=$(stats_line "$ns")
rm -f "$TMP/churning"
wait $churner
diag "churn rounds: $(cat "$TMP/rounds" 2>/dev/null), replaces during the dump:" \
	"$(($(nl_field "$st1" replaces) - $(nl_field "$st0" replaces)))"

changed=$(($(nl_field "$st1" replaces) + $(nl_field "$st1" adds) - \
	   $(nl_field "$st0" replaces) - $(nl_field "$st0" adds)))
if [ "$changed" -gt 0 ]; then
	tap_ok "the table changed during the dump ($changed replaces and adds)"
else
	tap_fail "the table changed during the dump" "$st0" "$st1"
fi
expect_eq "the dump was not interrupted" "intr=0" \
	"$(grep '^status' "$TMP/dump" | grep -o 'intr=[0-9]')"

nl_binding <"$TMP/dump" | cut -d' ' -f1 | sort >"$TMP/homes"
cut -d' ' -f1 "$batch.expect" >"$TMP/expect.homes"
dups=$(uniq -d "$TMP/homes" | head -n 5)
expect_eq "no binding appears twice in the dump" "" "$dups"
missing=$(comm -23 "$TMP/expect.homes" "$TMP/homes" | head -n 5)
expect_eq "every binding present throughout is in the dump" "" "$missing"
tap_done
