#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Runs mipha's selftests inside the test VM, all in one boot:
#
#	scripts/vm/vmrun -- sh selftests/run-in-vm.sh [-k KERNEL] [-o OUTDIR] [-i] [TEST...]
#	sh selftests/run-in-vm.sh [-k KERNEL] -B [TEST...]	(on the host)
#
# (scripts/run-tests does that and counts the results.) TEST is a script name
# without .sh; the default is every selftests/*.sh but lib*.sh and this one
# (on the debug kernel, -k debug, those the budget table runs there):
# autoload first (it must see the module unloaded), selftest second, the
# *teardown* scripts last (they unload the module), the rest in name order.
#
# Each script has a budget (budgets() below): the seconds it may take under
# TCG on Debian's kernel (-k debian, the default) or on the debug kernel
# (-k debug), times MIPHA_TIMEOUT_SCALE (default 1; a slow machine may raise
# it). A script still running at its budget is killed and fails by name
# ("timed out after N s"); the next one runs. -B prints, and does nothing
# else, the limit the VM boot needs for the tests: the sum of their budgets
# plus BOOT_ALLOWANCE s for booting, installing the module and powering off
# (scripts/run-tests and scripts/debug-kernel/run-suite pass it to vmrun -t).
#
# The module is installed as an operator's would be, into
# /lib/modules/$(uname -r)/updates with depmod (the VM's module tree is a
# writable overlay), and not loaded: the autoload test proves that the first
# use of the "mipha" genetlink family loads it. -i loads it with insmod
# instead, for a quick run of single tests. MIPHA_KO names another build of
# the module (scripts/debug-kernel/run-suite: the one for the debug kernel).
#
# Each script's TAP goes to OUTDIR/NAME.tap and the kernel log it caused to
# OUTDIR/NAME.dmesg. OUTDIR/run-in-vm.tap gets one case per script, failing
# if the script timed out or the kernel logged a WARN/BUG/oops/lockdep/RCU
# report while it ran: a splat counts against the script that caused it even
# when all its cases passed.
set -u
cd "$(dirname "$0")/.." || exit 1
top=$(pwd)
out=.test-output/vm
mode=modprobe
kernel=debian
budget_only=0
while [ $# -gt 0 ]; do
	case $1 in
	-o) out=$2; shift 2 ;;
	-i) mode=insmod; shift ;;
	-k) kernel=$2; shift 2 ;;
	-B) budget_only=1; shift ;;
	-X) budget_only=2; shift ;;
	*) break ;;
	esac
done
case $kernel in
debian | debug) ;;
*) echo "run-in-vm.sh: -k debian or -k debug, not $kernel" >&2; exit 2 ;;
esac

# The budget of each script, in seconds under qemu/TCG: on Debian's 6.1 kernel
# and on the debug kernel (KASAN, lockdep, kmemleak, ...: 2 to 4 times slower;
# its *-500k and dump-churn run at MIPHA_SCALE/MIPHA_CHURN_SCALE 25,000).
# Debian: twice the longest of three measured runs on two cores shared with
# other VMs, a kernel build and stress-ng --cpu 2 (load 5 to 15; the whole
# boot took 1485 s and 1705 s, about 600 s on idle cores; fastpath-arp took
# 211 s with stress-ng throughout), at least a minute. Debug kernel: three times that (the old scale), 600 s for
# the scripts it runs at 25,000 bindings (budgets set at 50,000). A slow or busy machine stays
# inside them; a hung script is cut off. "-": not run on the debug kernel by
# default, because it does not load the module, or the kernel paths it takes
# are all taken by scripts that do run there (README, "What runs where").
# A script missing here gets DEFAULT's budget: add a line with the new test.
budgets()
{
	cat <<-'EOF'
		# script		debian	debug
		DEFAULT			300	900
		agentd-check		60	-
		agentd-codes		180	-
		agentd-expiry		150	-
		agentd-live		120	300
		agentd-identity		180	-
		agentd-ipsp		300	-
		agentd-reload		180	-
		agentd-register		210	-
		agentd-restart		180	-
		agentd-resync		120	-
		agentd-hsrp		360	-
		agentd-hsrp-peers	360	-
		agentd-sync		300	-
		agentd-sync-listen	240	-
		agentd-sync-paths	240	-
		agentd-sync-churn	420	-
		agentd-sync-heal	240	-
		agentd-vnet		90	-
		autoload		60	180
		bad-input		210	1050
		binding			150	450
		dump-500k		600	600
		dump-churn		120	450
		dump-cursor		180	540
		expiry			120	360
		fastpath-500k		150	600
		fastpath-arp		420	1260
		fastpath-arp-burst	90	270
		fastpath-firewall	180	540
		fastpath-gre		90	270
		fastpath-gre-csum	120	360
		fastpath-gro		150	450
		fastpath-hook-churn	120	600
		fastpath-ipid		90	270
		fastpath-ipip		240	720
		fastpath-nfqueue	90	270
		fastpath-pmtu		90	270
		fastpath-pmtu-spoof	120	360
		fastpath-reverse	150	450
		fastpath-teardown	240	720
		limits			180	540
		mipha-mn		240	-
		netns			90	270
		permissions		120	360
		permissions-read	90	270
		selftest		60	180
		teardown-500k		300	600
	EOF
}
BOOT_ALLOWANCE=$([ "$kernel" = debug ] && echo 600 || echo 180)

# budget_of NAME: its budget in seconds on this kernel (scaled), or "-".
budget_of()
{
	budgets | awk -v t="$1" -v c="$([ "$kernel" = debug ] && echo 3 || echo 2)" \
		-v s="${MIPHA_TIMEOUT_SCALE:-1}" '
		$1 == "DEFAULT" { d = $c }
		$1 == t { b = $c }
		END {
			if (b == "") b = d
			if (b == "-") print "-"; else printf "%d\n", b * s
		}'
}

all_tests()
{
	ls selftests/*.sh | sed 's|.*/||; s|\.sh$||' |
		grep -vE '^(lib.*|run-in-vm)$' |
		awk '{ k = /^autoload$/ ? 0 : /^selftest$/ ? 1 : /teardown/ ? 3 : 2; print k, $0 }' |
		sort | cut -d' ' -f2 |
		while read -r t; do
			[ "$(budget_of "$t")" = - ] || echo "$t"
		done
}
tests=${*:-$(all_tests | tr '\n' ' ')}

# timeout_of NAME: the seconds NAME may run before it is killed; a script not
# in the default set of this kernel but named on the command line gets
# DEFAULT's budget.
timeout_of()
{
	_b=$(budget_of "$1")
	[ "$_b" != - ] || _b=$(budget_of DEFAULT)
	echo "$_b"
}

if [ $budget_only -eq 1 ]; then
	sum=$BOOT_ALLOWANCE
	for t in $tests; do
		sum=$((sum + $(timeout_of "$t")))
	done
	echo "$sum"
	exit 0
fi
# -X: the longest any one script may run, which is the longest the console
# stays silent (a line per script) while the guest is alive: vmrun -s.
if [ $budget_only -eq 2 ]; then
	max=$BOOT_ALLOWANCE
	for t in $tests; do
		[ "$(timeout_of "$t")" -le "$max" ] || max=$(timeout_of "$t")
	done
	echo "$max"
	exit 0
fi

mkdir -p "$out"
rm -f "$out"/*.tap "$out"/*.dmesg "$out"/*.time "$out"/*.budget
# What is about to run, so the host can name the scripts a crash prevented.
echo $tests | tr ' ' '\n' >"$out/tests.list"
exec 3>"$out/run-in-vm.tap"
echo "TAP version 13" >&3
echo "1..$(echo $tests | wc -w)" >&3

export MIPHA_LOAD_MODE=$mode
kver=$(uname -r)
ko=${MIPHA_KO:-$top/mipha.ko}
# The table's test module, built beside mipha.ko (selftest.sh).
export MIPHA_TABLE_TEST_KO=${MIPHA_TABLE_TEST_KO:-$(dirname "$ko")/mipha_table_test.ko}
echo "# kernel $kver, module $ko ($mode)"
if [ ! -f "$ko" ]; then
	echo "# $ko is missing: build it with make first"
elif [ "$(modinfo -F vermagic "$ko" | cut -d' ' -f1)" != "$kver" ]; then
	echo "# $ko was built for $(modinfo -F vermagic "$ko"), not $kver"
elif [ $mode = modprobe ]; then
	mkdir -p "/lib/modules/$kver/updates"
	cp "$ko" "/lib/modules/$kver/updates/mipha.ko"
	depmod -a "$kver"
	export MIPHA_KO=/lib/modules/$kver/updates/mipha.ko
else
	insmod "$ko"
fi

n=0
for t in $tests; do
	n=$((n + 1))
	script=selftests/$t.sh
	echo "# selftests: mipha: $t"
	before=$(dmesg | wc -l)
	start=$(date +%s)
	if [ -f "$script" ]; then
		timeout -k 10 "$(timeout_of "$t")" sh "$script" >"$out/$t.tap" 2>&1
		st=$?
	else
		echo "# no such test: $script" >"$out/$t.tap"
		st=127
	fi
	echo $(($(date +%s) - start)) >"$out/$t.time"
	timeout_of "$t" >"$out/$t.budget"
	sed 's/^/  /' "$out/$t.tap"
	dmesg | tail -n +$((before + 1)) >"$out/$t.dmesg"
	why=
	[ $st -eq 124 ] || [ $st -eq 137 ] && why="timed out after $(timeout_of "$t")s"
	if splat=$(scripts/vm/splat-check "$out/$t.dmesg"); then
		:
	else
		why="${why:+$why; }kernel log: $(echo "$splat" | head -n 3 | tr '\n' ' ')"
	fi
	if [ -z "$why" ]; then
		echo "ok $n - $t: no timeout, no kernel splat" >&3
	else
		echo "not ok $n - $t: no timeout, no kernel splat" >&3
		echo "# $why" >&3
	fi
	echo "# $t: exit $st, $(cat "$out/$t.time") s (budget $(timeout_of "$t") s)"
done
exec 3>&-
sed 's/^/  /' "$out/run-in-vm.tap"
# The status is not what scripts/run-tests counts (it reads the TAP files),
# but a failing run must not look like a passing one either.
! grep -q '^not ok' "$out"/*.tap
