# Convenience wrapper around meson for the README's commands.
#   make demo    build, then run iommufdctl end to end (simulator where /dev/iommu is absent)
#   make check   build, then run every test, the real-kernel VM tier included
#   make quick   build, then run the tests without the VM tier (for development)
BUILD ?= build
MESON_OPTS ?=

.PHONY: all deps deps-test demo check quick install clean

all: deps $(BUILD)/build.ninja
	ninja -C $(BUILD)

deps:
	@scripts/install-deps.sh build

deps-test:
	@scripts/install-deps.sh test

$(BUILD)/build.ninja:
	meson setup $(MESON_OPTS) $(BUILD)

demo: all
	scripts/demo.sh $(BUILD)

# Reconfigure: a build dir set up before the test packages were installed
# (make demo on a fresh machine) must find the kernel headers and source now.
check: deps-test
	@if [ -f $(BUILD)/build.ninja ]; then meson setup --reconfigure $(MESON_OPTS) $(BUILD); \
	else meson setup $(MESON_OPTS) $(BUILD); fi
	ninja -C $(BUILD)
	meson test -C $(BUILD) --print-errorlogs

quick: all
	meson test -C $(BUILD) --print-errorlogs --no-suite vm

install: all
	meson install -C $(BUILD)

clean:
	rm -rf $(BUILD)
