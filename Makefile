# SPDX-License-Identifier: GPL-2.0
#
# hakmem-slab, out of tree (Documentation/kbuild/modules.rst).
#
#   make                    build hakmem.ko (and kunit/hakmem_kunit.ko when
#                           the kernel has KUnit) against KDIR
#   make install            modules_install + depmod
#   make demo               load hakmem.ko on Debian's stock kernel in QEMU
#   make check              every test: style, builds, KUnit in QEMU, userspace
#   make vm-run KERNEL=debug MODULES="a.ko b.ko"
#                           boot a test kernel with hakmem.ko and your modules
#   make kdir KERNEL=debug  build (or reuse) a test kernel, print its path
#   make limits             32-bit kernels and 64 KiB pages are refused, with
#                           the reason (Kconfig and #error)
#   make intree             in the 6.12 tree at mm/hakmem: built =y and =m,
#                           the =y kernel booted through its KUnit suites
#   make kunit-py [KUNIT_ARGS=--arch=x86_64]
#                           kunit.py run --kunitconfig=mm/hakmem (UML)
#   make bench / bench-user / soak RUNS=N

KDIR ?= /lib/modules/$(shell uname -r)/build
PWD := $(shell pwd)
KERNEL ?= debug
TESTBED := tools/testbed

all: modules

modules:
	$(MAKE) -C $(KDIR) M=$(PWD) modules

install: modules
	$(MAKE) -C $(KDIR) M=$(PWD) modules_install
	depmod -a $(if $(KERNELRELEASE),$(KERNELRELEASE),$(shell $(MAKE) -s -C $(KDIR) kernelrelease 2>/dev/null))

clean:
	$(MAKE) -C $(KDIR) M=$(PWD) clean 2>/dev/null || \
		find . -name '*.o' -o -name '*.ko' -o -name '*.mod*' -o -name '.*.cmd' | xargs rm -f
	$(MAKE) -C tools/testing clean 2>/dev/null || true
	rm -rf .tmp_versions Module.symvers modules.order

demo:
	@$(TESTBED)/demo.sh

check:
	@$(TESTBED)/check.sh

vm-run:
	@$(TESTBED)/vm-run.sh --kernel $(KERNEL) $(MODULES)

kdir:
	@$(TESTBED)/build-kernel.sh $(KERNEL)

limits:
	@$(TESTBED)/build-limits.sh

intree:
	@CHECK_ONLY='^intree' $(TESTBED)/check.sh

kunit-py:
	@$(TESTBED)/kunit-py.sh $(KUNIT_ARGS)

bench:
	tools/bench/run.sh $(BENCH_ARGS)

bench-user:
	$(MAKE) -C tools/testing bench-user

soak:
	@$(TESTBED)/soak.sh $(if $(RUNS),--runs $(RUNS)) $(if $(REPLAY),--replay $(REPLAY))

# Mutants of the allocator against the userspace suites (tools/testing).
mutate:
	@$(MAKE) -s --no-print-directory -C tools/testing mutate
.PHONY: mutate

.PHONY: all modules install clean demo check vm-run kdir limits intree kunit-py bench bench-user soak
