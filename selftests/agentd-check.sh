#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# `mipha-agentd --check FILE` and `miphactl config check FILE`, as an
# operator runs them: every shipped example (agentd/examples/*.conf, the
# seeds' router configurations translated) is accepted by both, and a bad
# file is refused with FILE:LINE and exit status 1, by both, without
# starting anything.
. "$(dirname "$0")/lib.sh"
require_cmd mipha-agentd miphactl

EX=$TOPDIR/agentd/examples
n=$(ls "$EX"/*.conf 2>/dev/null | wc -l)
tap_plan $((2 * n + 8))
[ "$n" -ge 5 ] || tap_bail "expected at least 5 examples in $EX, found $n"

for f in "$EX"/*.conf; do
	b=$(basename "$f")
	out=$(mipha-agentd --check "$f" 2>&1)
	st=$?
	if [ $st -eq 0 ] && printf '%s\n' "$out" | grep -q 'valid'; then
		tap_ok "mipha-agentd --check accepts $b"
		diag "$out"
	else
		tap_fail "mipha-agentd --check accepts $b" "exit $st" "$out"
	fi
	tap_check "miphactl config check accepts $b" miphactl config check "$f"
done

# A bad file: an unknown option on line 3.
cat >"$TMP/bad.conf" <<EOF
home-agent {
	address = 10.0.0.4
	lifetyme = 600
}
EOF
out=$(mipha-agentd --check "$TMP/bad.conf" 2>&1)
expect_eq "mipha-agentd --check refuses a bad file: exit 1" 1 "$?"
expect_match "mipha-agentd --check names FILE:LINE (bad.conf:3)" "$TMP/bad\.conf:3: " "$out"
out=$(miphactl config check "$TMP/bad.conf" 2>&1)
expect_eq "miphactl config check refuses it: exit 1" 1 "$?"
expect_match "miphactl config check names FILE:LINE (bad.conf:3)" "$TMP/bad\.conf:3: " "$out"
cat >"$TMP/bad2.conf" <<EOF
home-agent {
	address = 10.0.0.4
}
home-link "eth1" {}
host "20.0.0.1" {
	interface = eth1
	lifetime = 70000
}
EOF
out=$(mipha-agentd --check "$TMP/bad2.conf" 2>&1)
expect_match "a semantic error (lifetime 70000 > 65535) names its line, 7" \
	"$TMP/bad2\.conf:7: " "$out"
out=$(mipha-agentd --check "$TMP/missing.conf" 2>&1)
expect_match "a missing file: refused, named" "$TMP/missing\.conf" "$out"

# A daemon that writes more than a pipe holds to stderr before its stdout
# closes: miphactl reads both as they come (reading stdout first hung).
mkdir -p "$TMP/bin" && cp "$(command -v miphactl)" "$TMP/bin/miphactl" &&
	cat >"$TMP/bin/mipha-agentd" <<-'EOF' && chmod +x "$TMP/bin/mipha-agentd"
	#!/bin/sh
	echo "$2:1: the first line says why"  >&2
	head -c 200000 /dev/zero | tr '\0' x >&2
	echo >&2
	exit 1
	EOF
out=$(timeout 20 "$TMP/bin/miphactl" config check "$TMP/bad.conf" 2>&1)
expect_eq "a check that floods stderr: answered, exit 1" 1 "$?"
expect_match "with its first line" "bad\.conf:1: the first line says why" "$out"
tap_done
