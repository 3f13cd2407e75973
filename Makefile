# Convenience wrapper around meson for the README's commands.
#   make demo    install the build packages, build the library and iommufdctl, run the tool
#                end to end (on the simulator where /dev/iommu is absent)
#   make check   install the test packages, build everything, run every test (VM tier included)
#   make quick   the same without the VM tier (for development)
BUILD ?= build
MESON_OPTS ?=
TOOL = tools/iommufdctl/iommufdctl

.PHONY: all deps deps-test configure-tests demo check quick install clean

all: deps
	@[ -f $(BUILD)/build.ninja ] || meson setup -Dtests=false $(MESON_OPTS) $(BUILD)
	ninja -C $(BUILD)

deps:
	@scripts/install-deps.sh build

deps-test:
	@scripts/install-deps.sh test

# Only the library and the tool: a build dir set up by `make check` holds the tests too,
# and building those would need the test packages.
demo: deps
	@[ -f $(BUILD)/build.ninja ] || meson setup -Dtests=false $(MESON_OPTS) $(BUILD)
	ninja -C $(BUILD) $(TOOL)
	scripts/demo.sh $(BUILD)

# Reconfigure: a build dir set up by `make demo` has no tests, and one set up before the
# test packages were installed must find the kernel headers and source now.
configure-tests: deps-test
	@if [ -f $(BUILD)/build.ninja ]; then meson setup --reconfigure -Dtests=true $(MESON_OPTS) $(BUILD); \
	else meson setup -Dtests=true $(MESON_OPTS) $(BUILD); fi
	ninja -C $(BUILD)

check: configure-tests
	meson test -C $(BUILD) --print-errorlogs

quick: configure-tests
	meson test -C $(BUILD) --print-errorlogs --no-suite vm

install: all
	meson install -C $(BUILD)

clean:
	rm -rf $(BUILD)

# Fuzz the library for longer than CI's minute per target (fuzz/README.md):
#   make fuzz [FUZZ_SECONDS=600]   seconds per target, in build-fuzz (clang, ASan, UBSan)
FUZZ_SECONDS ?= 600
.PHONY: fuzz
fuzz:
	FUZZ_SECONDS=$(FUZZ_SECONDS) scripts/ci-fuzz.sh

# ThreadSanitizer over the suites that use threads, in build-tsan (needs the test packages).
.PHONY: tsan
tsan: deps-test
	scripts/ci-tsan.sh build-tsan

# The libraries' ABI against the baselines in abi/ (scripts/ci-abi.sh; abi/README.md).
# abi-baseline rewrites the baselines from this tree, on purpose: review and commit abi/.
.PHONY: abi abi-baseline
abi:
	scripts/ci-abi.sh

abi-baseline:
	scripts/ci-abi.sh --update

# What the library costs over the raw kernel calls, on every kernel of the VM tier and on the
# simulator (scripts/bench.sh; minutes). Not part of check.
.PHONY: bench
bench: configure-tests
	scripts/bench.sh $(BUILD)

# libiommufd-preload: its suite (each kernel's own iommufd selftests on the simulator among
# them) and its cost on ordinary files (scripts/ci-preload.sh).
.PHONY: preload
preload: configure-tests
	scripts/ci-preload.sh $(BUILD)
