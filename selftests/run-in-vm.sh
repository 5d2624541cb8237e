#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Runs mipha's selftests inside the test VM, all in one boot:
#
#	scripts/vm/vmrun -- sh selftests/run-in-vm.sh [-o OUTDIR] [-i] [TEST...]
#
# (scripts/run-tests does that and counts the results.) TEST is a script name
# without .sh; the default is every selftests/*.sh but lib*.sh and this one:
# autoload first (it must see the module unloaded), selftest second, the
# *teardown* scripts last (they unload the module), the rest in name order.
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
while [ $# -gt 0 ]; do
	case $1 in
	-o) out=$2; shift 2 ;;
	-i) mode=insmod; shift ;;
	*) break ;;
	esac
done
all_tests()
{
	ls selftests/*.sh | sed 's|.*/||; s|\.sh$||' |
		grep -vE '^(lib.*|run-in-vm)$' |
		awk '{ k = /^autoload$/ ? 0 : /^selftest$/ ? 1 : /teardown/ ? 3 : 2; print k, $0 }' |
		sort | cut -d' ' -f2
}
tests=${*:-$(all_tests | tr '\n' ' ')}

# Seconds each script may take under TCG before it counts as hung, times
# MIPHA_TIMEOUT_SCALE (default 1; the debug kernel runs about 3 times slower).
timeout_of()
{
	case $1 in
	*-500k) echo $((900 * ${MIPHA_TIMEOUT_SCALE:-1})) ;;
	*) echo $((300 * ${MIPHA_TIMEOUT_SCALE:-1})) ;;
	esac
}

mkdir -p "$out"
rm -f "$out"/*.tap "$out"/*.dmesg "$out"/*.time
# What is about to run, so the host can name the scripts a crash prevented.
echo $tests | tr ' ' '\n' >"$out/tests.list"
exec 3>"$out/run-in-vm.tap"
echo "TAP version 13" >&3
echo "1..$(echo $tests | wc -w)" >&3

export MIPHA_LOAD_MODE=$mode
kver=$(uname -r)
ko=${MIPHA_KO:-$top/mipha.ko}
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
	echo "# $t: exit $st, $(cat "$out/$t.time") s"
done
exec 3>&-
sed 's/^/  /' "$out/run-in-vm.tap"
# The status is not what scripts/run-tests counts (it reads the TAP files),
# but a failing run must not look like a passing one either.
! grep -q '^not ok' "$out"/*.tap
