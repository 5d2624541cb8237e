# mipha - top-level Makefile.
#
#   make            build mipha.ko (for KVER) and the user-space programs; with mipha.ko the
#                   table test module mipha_table_test.ko (MIPHA_TESTS=m), which the selftests
#                   load and make install does not install
#   make check      run every test: unit tests on this host, selftests in a VM (Debian's kernel
#                   and the debug kernel)
#   make check-debug  build, then only the selftests on the debug kernel (KASAN, lockdep,
#                   kmemleak, UBSAN; scripts/debug-kernel/), building that kernel once if needed
#   make style      checkpatch.pl --strict and sparse on the kernel code, failing on any warning
#   make demo       the lab in a VM: two home agents in HSRP, mobile nodes, traffic, a failover
#   make install    install the module into /lib/modules/KVER/updates, the programs, the systemd unit
#   make dkms-install   copy the module source to /usr/src/mipha-VERSION and `dkms install` it
#   make clean
#
# KVER is the kernel release to build for: by default Debian 12's current 6.1 ABI, the one the
# linux-headers-amd64 meta package depends on (scripts/kver), never the build host's `uname -r`.
# The kernel build itself reads ./Kbuild, not this file.

VERSION := $(shell cat $(CURDIR)/VERSION)
ifeq ($(origin KVER),undefined)
KVER := $(shell $(CURDIR)/scripts/kver)
endif
KDIR ?= /lib/modules/$(KVER)/build
DESTDIR ?=
PREFIX ?= /usr/local
DKMS_SRC = $(DESTDIR)/usr/src/mipha-$(VERSION)

# What DKMS needs to build the module; nothing of user space.
MODULE_SOURCES = Kbuild dkms.conf VERSION kmod uapi

# MIPHA_TESTS given on the command line: one in the environment (a test
# shell's export) must not put the test module into an install.
KBUILD = $(MAKE) -C $(KDIR) M=$(CURDIR) MIPHA_TESTS=
# The build for the tests: mipha.ko and mipha_table_test.ko (Kbuild).
KBUILD_TESTS = $(MAKE) -C $(KDIR) M=$(CURDIR) MIPHA_TESTS=m

.PHONY: all module agentd selftests check check-debug style checkpatch sparse demo bench \
	install dkms-src dkms-install clean kver

all: module agentd selftests

kver:
	@echo $(KVER)

module:
	@test -n "$(KVER)" || { echo "KVER is unknown: install linux-headers-amd64 or set KVER=" >&2; exit 1; }
	$(KBUILD_TESTS) modules

agentd:
	$(MAKE) -C agentd

# Test tools that run inside the VM (selftests/nlraw).
selftests:
	$(MAKE) -C selftests

check:
	scripts/run-tests

check-debug:
	scripts/run-tests build vm-debug

style: checkpatch sparse

checkpatch:
	scripts/checkpatch --strict --no-tree -f kmod/*.c kmod/*.h uapi/linux/mipha.h

# C=2 checks every source, built or not; scripts/sparse-check fails on any warning it prints.
sparse:
	scripts/sparse-check $(KBUILD_TESTS) C=2 CHECK=sparse modules

# Installs what it needs first (scripts/setup), as scripts/run-tests does.
demo:
	scripts/setup
	$(MAKE) all
	scripts/demo

bench: all
	scripts/bench-install

# The module goes to /lib/modules/KVER/updates, where it overrides an in-tree namesake. Built
# again without the test module first: modules_install installs what modules.order lists.
install: all
	$(KBUILD) modules
	$(KBUILD) INSTALL_MOD_PATH=$(DESTDIR) INSTALL_MOD_DIR=updates modules_install
	test -n "$(DESTDIR)" || depmod -a $(KVER)
	$(MAKE) -C agentd install DESTDIR=$(DESTDIR) PREFIX=$(PREFIX)

# The module's source as DKMS wants it: /usr/src/mipha-VERSION with dkms.conf at the top.
dkms-src:
	rm -rf $(DKMS_SRC)
	mkdir -p $(DKMS_SRC)
	cp -R $(MODULE_SOURCES) $(DKMS_SRC)/
	@# Build products copied along would confuse a DKMS build for another kernel.
	find $(DKMS_SRC) \( -name '*.o' -o -name '*.ko' -o -name '*.mod' -o -name '*.mod.c' \
		-o -name '.*.cmd' -o -name '*.d' \) -delete

dkms-install: dkms-src
	dkms add mipha/$(VERSION)
	dkms install mipha/$(VERSION) -k $(KVER)

clean:
	-$(KBUILD_TESTS) clean
	$(MAKE) -C agentd clean
	$(MAKE) -C selftests clean
	rm -rf .vm-out .test-output .bench-out .demo-out
