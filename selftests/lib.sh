# SPDX-License-Identifier: GPL-2.0
# Shared helpers for mipha's selftests. Source it from a test script:
#
#	. "$(dirname "$0")/lib.sh"
#	tap_plan 3
#	...
#	tap_done
#
# Output is TAP 13 as kselftest prints it: "ok N - name", "not ok N - name",
# "ok N - name # SKIP reason", diagnostics as "# ..." lines. The host's runner
# (scripts/run-tests) counts every case by name, so names must be unique
# within a script and stable between runs.
#
# Tests run as root inside the VM (scripts/vm/vmrun) and build their own
# topology of network namespaces, which lib.sh deletes on exit.

set -u

SELFTESTS_DIR=$(cd "$(dirname "$0")" && pwd)
TOPDIR=$(cd "$SELFTESTS_DIR/.." && pwd)
PATH=$TOPDIR/agentd:$SELFTESTS_DIR:$PATH
export PATH LC_ALL=C
MIPHA_KO=${MIPHA_KO:-$TOPDIR/mipha.ko}
TEST_NAME=$(basename "$0" .sh)

_tap_n=0
_tap_planned=0
_tap_failed=0
_ns_list=""
_bg_pids=""
TMP=$(mktemp -d "/tmp/$TEST_NAME.XXXXXX")

# ---- TAP -------------------------------------------------------------------

tap_plan()
{
	_tap_planned=$1
	echo "TAP version 13"
	echo "1..$1"
}

diag()
{
	printf '%s\n' "$@" | sed 's/^/# /'
}

tap_ok()
{
	_tap_n=$((_tap_n + 1))
	echo "ok $_tap_n - $1"
}

# tap_fail NAME [DIAGNOSTIC...]
tap_fail()
{
	_tap_n=$((_tap_n + 1))
	_tap_failed=$((_tap_failed + 1))
	echo "not ok $_tap_n - $1"
	shift
	[ $# -eq 0 ] || diag "$@"
}

# tap_skip NAME REASON
tap_skip()
{
	_tap_n=$((_tap_n + 1))
	echo "ok $_tap_n - $1 # SKIP $2"
}

# tap_result NAME STATUS [DIAGNOSTIC...]: ok if STATUS is 0.
tap_result()
{
	_name=$1 _st=$2
	shift 2
	if [ "$_st" -eq 0 ]; then
		tap_ok "$_name"
	else
		tap_fail "$_name" "$@"
	fi
}

# tap_check NAME COMMAND...: ok if COMMAND succeeds; its output is shown on failure.
tap_check()
{
	_name=$1
	shift
	if _out=$("$@" 2>&1); then
		tap_ok "$_name"
	else
		tap_fail "$_name" "failed ($?): $*" "$_out"
	fi
}

# tap_check_fails NAME COMMAND...: ok if COMMAND fails.
tap_check_fails()
{
	_name=$1
	shift
	if _out=$("$@" 2>&1); then
		tap_fail "$_name" "succeeded but should have failed: $*" "$_out"
	else
		tap_ok "$_name"
	fi
}

# expect_eq NAME EXPECTED ACTUAL
expect_eq()
{
	if [ "$2" = "$3" ]; then
		tap_ok "$1"
	else
		tap_fail "$1" "expected: $2" "got:      $3"
	fi
}

# expect_same NAME BEFORE AFTER: AFTER equals BEFORE, which must not be empty
# (an empty "before" means the setup failed: nothing to compare).
expect_same()
{
	if [ -z "$2" ]; then
		tap_fail "$1" "nothing to compare: the state before was empty"
	else
		expect_eq "$1" "$2" "$3"
	fi
}

# expect_match NAME EXTENDED-REGEX TEXT
expect_match()
{
	if printf '%s\n' "$3" | grep -qE -- "$2"; then
		tap_ok "$1"
	else
		tap_fail "$1" "expected to match: $2" "got: $3"
	fi
}

# Called at the end of every script: fails the run when the plan was not met.
tap_done()
{
	if [ "$_tap_n" -ne "$_tap_planned" ]; then
		diag "planned $_tap_planned tests but ran $_tap_n"
		exit 1
	fi
	[ "$_tap_failed" -eq 0 ]
	exit $?
}

# Skips the rest of the plan (all remaining cases) with a reason and exits.
tap_skip_rest()
{
	while [ "$_tap_n" -lt "$_tap_planned" ]; do
		tap_skip "$TEST_NAME: case $((_tap_n + 1))" "$1"
	done
	exit 0
}

# Fails the rest of the plan (all remaining cases) with a reason and exits.
tap_bail()
{
	_why=$1
	# Before the plan (a missing program): no case to fail, but say why.
	[ "$_tap_planned" -gt 0 ] || echo "Bail out! $TEST_NAME: $_why"
	while [ "$_tap_n" -lt "$_tap_planned" ]; do
		tap_fail "$TEST_NAME: case $((_tap_n + 1)) not run" "$_why"
	done
	exit 1
}

# ---- environment -------------------------------------------------------------

# require_cmd CMD...: bails out (all cases fail) if a needed program is missing.
require_cmd()
{
	for _c in "$@"; do
		command -v "$_c" >/dev/null 2>&1 || tap_bail "missing program: $_c"
	done
}

in_vm()
{
	[ "${MIPHA_IN_VM:-0}" = 1 ]
}

# The module is loaded (it may not be: the first use of the family loads it).
mipha_loaded()
{
	[ -d /sys/module/mipha ]
}

# Loads the module if it is not loaded; extra arguments are module parameters.
# Uses modprobe when run-in-vm.sh installed it under /lib/modules, else insmod.
mipha_load()
{
	mipha_loaded && return 0
	if modinfo -F filename mipha >/dev/null 2>&1; then
		modprobe mipha "$@"
	else
		insmod "$MIPHA_KO" "$@"
	fi
}

mipha_unload()
{
	mipha_loaded || return 0
	rmmod mipha
}

# Objects in use in mipha's slab caches (any named mipha*), 0 if none. The VM
# boots with slab_nomerge, so they are not merged with other caches. SLUB
# counts the free objects of per-CPU slabs as in use; shrinking first flushes
# those, which makes the count exact.
mipha_slab_objects()
{
	for _s in /sys/kernel/slab/mipha*/shrink; do
		[ -e "$_s" ] && echo 1 >"$_s"
	done
	awk '$1 ~ /^mipha/ { n += $2 } END { print n + 0 }' /proc/slabinfo
}

# ---- namespaces --------------------------------------------------------------

# ns_new NAME: creates a network namespace; its real name is printed, and
# deleted on exit. Names are unique per script run.
ns_new()
{
	_ns=mipha-$TEST_NAME-$1-$$
	ip netns add "$_ns" || return 1
	ip -n "$_ns" link set lo up
	_ns_list="$_ns_list $_ns"
	echo "$_ns"
}

# ns_del NAME: deletes a namespace made by ns_new now (not at exit).
ns_del()
{
	ip netns del "$1"
	_ns_list=$(printf '%s\n' $_ns_list | grep -vx "$1" | tr '\n' ' ')
}

# mipha_ns NS ARGS...: miphactl in a namespace.
mipha_ns()
{
	_ns=$1
	shift
	ip netns exec "$_ns" miphactl "$@"
}

# nlraw_ns NS ARGS...: the raw netlink tool in a namespace (it enters the
# namespace itself: cheaper than ip netns exec).
nlraw_ns()
{
	_ns=$1
	shift
	nlraw -n "$_ns" "$@"
}

# bg_start COMMAND...: runs COMMAND in the background, killed on exit; sets BG_PID.
bg_start()
{
	"$@" &
	BG_PID=$!
	_bg_pids="$_bg_pids $BG_PID"
}

# Background jobs get TERM, then what runs in the test's namespaces, then KILL
# for any job not gone 2 s later. No "wait": dash waits for every process of a
# pipeline job, and "miphactl monitor | while read ..." keeps its first half
# alive until it writes again, which a quiet monitor never does (expiry.sh
# hung in its cleanup until the runner's timeout whenever its loop had caught
# up). dash reaps an exited job by itself, so "kill -0" tells when it is gone.
_lib_any_left()
{
	for _p in $_bg_pids; do
		! kill -0 "$_p" 2>/dev/null || return 0
	done
	for _ns in $_ns_list; do
		[ -z "$(ip netns pids "$_ns" 2>/dev/null)" ] || return 0
	done
	return 1
}
_lib_cleanup()
{
	for _p in $_bg_pids; do
		kill "$_p" 2>/dev/null
	done
	for _ns in $_ns_list; do
		# A process left in the namespace (a monitor) would keep it alive.
		ip netns pids "$_ns" 2>/dev/null | xargs -r kill 2>/dev/null
	done
	_i=0
	while [ $_i -lt 40 ] && _lib_any_left; do
		sleep 0.05
		_i=$((_i + 1))
	done
	for _p in $_bg_pids; do
		kill -KILL "$_p" 2>/dev/null
	done
	for _ns in $_ns_list; do
		ip netns pids "$_ns" 2>/dev/null | xargs -r kill -KILL 2>/dev/null
		ip netns del "$_ns" 2>/dev/null
	done
	rm -rf "$TMP"
}
trap _lib_cleanup EXIT
trap 'exit 130' INT TERM

# ---- time --------------------------------------------------------------------

# Milliseconds since boot (monotonic).
now_ms()
{
	awk '{ printf "%d\n", $1 * 1000 }' /proc/uptime
}

# wait_until TIMEOUT_MS COMMAND...: polls every 50 ms until COMMAND succeeds;
# fails after TIMEOUT_MS.
wait_until()
{
	_deadline=$(($(now_ms) + $1))
	shift
	while ! "$@" >/dev/null 2>&1; do
		[ "$(now_ms)" -lt "$_deadline" ] || return 1
		sleep 0.05
	done
}

# monitor_subscribed NS: some generic netlink socket of NS has joined a
# multicast group (/proc/net/netlink, protocol 16, Groups column not 0): in a
# test's own namespace, the miphactl monitor it started is listening.
# (The column shows groups below 32, where mipha's lands on a kernel with few
# generic netlink families, like the VM's.)
monitor_subscribed()
{
	ip netns exec "$1" awk 'NR > 1 && $2 == 16 && $4 != "00000000" { f = 1 } END { exit !f }' \
		/proc/net/netlink
}

# monitor_wait NS: waits (60 s at most) until the monitor started in NS
# listens, instead of sleeping and hoping it did.
monitor_wait()
{
	wait_until 60000 monitor_subscribed "$1" ||
		diag "no subscribed netlink socket seen in $1 after 60 s: $(ip netns exec "$1" cat /proc/net/netlink)"
}

# ---- bulk bindings -----------------------------------------------------------

# gen_bindings N FILE: a batch file of N bindings and FILE.expect, the
# bindings as nl_binding reads them back; see selftests/gen-bindings.
gen_bindings()
{
	"$SELFTESTS_DIR/gen-bindings" "$1" "$2"
}

# gen_bindings_cached N: like gen_bindings, into a file kept for the other
# scripts of this VM run (/tmp is the guest's); prints the batch file's name.
gen_bindings_cached()
{
	_f=/tmp/mipha-gen/$1.batch
	if [ ! -f "$_f.expect" ]; then
		mkdir -p /tmp/mipha-gen
		gen_bindings "$1" "$_f" || return 1
	fi
	echo "$_f"
}

# ---- raw netlink (selftests/nlraw) -------------------------------------------

# Attribute numbers of uapi/linux/mipha.h, for checking where extack points.
# shellcheck disable=SC2034
A_HOME_ADDR=2 A_COA=3 A_HA_ADDR=4 A_ENCAP=5 A_GRE_KEY=6 A_FLAGS=7 A_LINK=8
A_LIFETIME=9 A_COOKIE=11 A_BINDINGS=26 A_REPLACE=27

# nl_hex_attr TYPE HEX: one attribute as nlraw's raw:T=HEX takes nested ones
# (header in the host's order, x86: little endian), padded to 4 bytes.
nl_hex_attr()
{
	_hl=$((4 + ${#2} / 2))
	printf '%02x%02x%02x%02x%s' $((_hl & 255)) $((_hl >> 8)) \
		$(($1 & 255)) $((($1 >> 8) & 255)) "$2"
	[ $((_hl % 4)) -eq 0 ] || printf '%0*d' $((2 * (4 - _hl % 4))) 0
}

# nl_hex_ip A.B.C.D: the address as a be32's bytes.
nl_hex_ip()
{
	# shellcheck disable=SC2046
	printf '%02x' $(echo "$1" | tr . ' ')
}

# nl_hex_entry HOME COA HA [HEX]: a BINDING_NEW_BULK entry (NLA_F_NESTED),
# 28 bytes with no HEX (more attributes, already encoded).
nl_hex_entry()
{
	nl_hex_attr $((0x8000 | 1)) "$(nl_hex_attr $A_HOME_ADDR "$(nl_hex_ip "$1")")$(
		nl_hex_attr $A_COA "$(nl_hex_ip "$2")")$(
		nl_hex_attr $A_HA_ADDR "$(nl_hex_ip "$3")")${4:-}"
}

# nl_field TEXT FIELD: the value of FIELD=VALUE in nlraw output, empty if absent.
nl_field()
{
	printf '%s\n' "$1" | tr ' ' '\n' | sed -n "s/^$2=//p" | head -n 1
}

# nl_msg TEXT: the extack message in an nlraw status line.
nl_msg()
{
	printf '%s\n' "$1" | sed -n 's/^status .* msg="\(.*\)".*$/\1/p' | head -n 1
}

# nl_binding [TEXT]: the binding fields of nlraw get/dump lines (in TEXT, or
# on stdin without an argument), one line per binding, canonical:
#	home coa ha encap key flags link cookie
# "-" stands for an absent attribute; absent flags and link read as 0, their
# meaning when absent.
nl_binding()
{
	if [ $# -gt 0 ]; then
		printf '%s\n' "$1" | nl_binding
		return
	fi
	awk '/^msg / {
		delete f
		for (i = 2; i <= NF; i++) {
			split($i, kv, "=")
			f[kv[1]] = kv[2]
		}
		n = split("home coa ha encap key flags link cookie", k, " ")
		if (!("flags" in f)) f["flags"] = 0
		if (!("link" in f)) f["link"] = 0
		line = ""
		for (i = 1; i <= n; i++)
			line = line (i > 1 ? " " : "") (k[i] in f ? f[k[i]] : "-")
		print line
	}'
}

# expect_nlerr NAME ERRNO ATTR OUTPUT: one case: the kernel answered with
# ERRNO, an extack message, and pointed at attribute ATTR, either by the bad
# attribute offset or, for a missing attribute, by NLMSGERR_ATTR_MISS_TYPE.
expect_nlerr()
{
	_st=$(printf '%s\n' "$4" | grep '^status' | tail -n 1)
	_e=$(nl_field "$_st" errno)
	_m=$(nl_msg "$_st")
	_bad=$(nl_field "$_st" bad_attr)
	_miss=$(nl_field "$_st" miss_type)
	if [ "$_e" != "$2" ]; then
		tap_fail "$1" "expected errno $2, got: $_st"
	elif [ -z "$_m" ]; then
		tap_fail "$1" "no extack message: $_st"
	elif [ "$_bad" != "$3" ] && [ "$_miss" != "$3" ]; then
		tap_fail "$1" "extack does not point at attribute $3: $_st"
	else
		tap_ok "$1"
		diag "$_st"
	fi
}

# dump_matching NS REGEX: how many bindings of a namespace's dump ("" for the
# initial one) match REGEX, or "dump failed" (so a test expecting 0 cannot
# pass because nothing answered).
dump_matching()
{
	if [ -n "$1" ]; then
		_d=$(nlraw_ns "$1" dump)
	else
		_d=$(nlraw dump)
	fi
	if printf '%s\n' "$_d" | grep -q '^status errno=0 '; then
		printf '%s\n' "$_d" | grep '^msg ' | grep -cE -- "$2"
	else
		echo "dump failed: $(printf '%s\n' "$_d" | tail -n 1)"
	fi
}

# stats_line NS: the table statistics of a namespace as one nlraw line.
stats_line()
{
	nlraw_ns "$1" stats | grep '^msg'
}

# stat_of NS NAME: one statistic (bindings, adds, deletes, ...) of a namespace.
stat_of()
{
	nl_field "$(stats_line "$1")" "$2"
}
