#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# A dump's cursor key deleted and added again between two parts (issue 12,
# item 4). The dump resumes after the last key it sent by finding that key
# in its chain again; a key added again goes to the head of its chain, so
# resuming after it would send the bindings before its old place twice.
# The uapi promises every binding exactly once unless the dump is flagged
# NLM_F_DUMP_INTR: each dump here deletes and re-adds the key its cursor
# is on (nlraw -x: the last key of the part the kernel queued next), and
# must either be flagged or hold no binding twice. The key only matters
# when the next part starts within its chain; parts are read with a
# different size each run (NLRAW_RECV) so that the boundaries move, and 256
# bindings in 256 buckets make chains of two and more common.
. "$(dirname "$0")/lib.sh"
require_cmd nlraw miphactl

tap_plan 4
RUNS=12

ns=$(ns_new cur) || tap_bail "cannot create a namespace"
i=0
while [ $i -lt 256 ]; do
	echo "kernel binding add 10.50.$((i / 200)).$((i % 200 + 1)) coa 198.51.100.1 ha 192.0.2.1"
	i=$((i + 1))
done >"$TMP/bindings"
mipha_ns "$ns" -b "$TMP/bindings" || tap_bail "cannot add the bindings"

# dump_with RECV CMD: a dump read RECV bytes at a time, running CMD between
# its first parts; prints "COUNT DUPS INTR".
dump_with()
{
	_o=$(NLRAW_RECV=$1 nlraw_ns "$ns" -x "$2" dump)
	_s=$(printf '%s\n' "$_o" | grep '^status')
	echo "$(nl_field "$_s" count)" \
		"$(printf '%s\n' "$_o" | grep '^msg' | grep -o ' home=[0-9.]*' | sort | uniq -d | wc -l)" \
		"$(nl_field "$_s" intr)"
}

expect_eq "a dump with nothing changed between parts: 256 bindings, none twice, not flagged" \
	"256 0 0" "$(dump_with 8192 true)"
readd="nlraw -n $ns -q del home=\$NLRAW_LAST >/dev/null &&
	nlraw -n $ns -q new home=\$NLRAW_LAST coa=198.51.100.2 ha=192.0.2.1 >/dev/null"
bad=0 flagged=0 n=0
while [ $n -lt $RUNS ]; do
	r=$(dump_with $((8192 + n * 397)) "$readd")
	set -- $r 0 0 0
	[ "$2" -gt 0 ] && [ "$3" = 0 ] && bad=$((bad + 1)) && diag "run $n: $r"
	[ "$3" = 1 ] && flagged=$((flagged + 1))
	n=$((n + 1))
done
expect_eq "the table still holds 256 bindings" 256 "$(stat_of "$ns" bindings)"
expect_eq "no dump held a binding twice without NLM_F_DUMP_INTR" 0 "$bad"
diag "$flagged of $RUNS dumps flagged"
expect_eq "some dumps resumed inside the re-added key's chain, and were flagged" yes \
	"$([ $flagged -gt 0 ] && echo yes || echo no)"
tap_done
