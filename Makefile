# The two commands a user needs: `make run` and `make test`. Everything else is a building block.
PRESET      ?= release
BUILD_DIR   := build/$(PRESET)
JOBS        ?= $(shell nproc)
HOST        ?= 127.0.0.1
PORT        ?= 8080

.PHONY: run test deps deps-test configure build asan test-asan bench clean format

# With no model configured the server creates and serves the built-in demo model (random text).
run: deps build
	$(BUILD_DIR)/woolly-server --bind $(HOST):$(PORT)

test: deps-test build
	ctest --test-dir $(BUILD_DIR) --output-on-failure -j $(JOBS) --timeout 900

deps:
	@scripts/install-deps

deps-test:
	@scripts/install-deps --test

configure:
	@cmake --preset $(PRESET) >/dev/null

build: configure
	cmake --build --preset $(PRESET) -j $(JOBS)

# The whole suite under AddressSanitizer + UndefinedBehaviorSanitizer (preset asan: build/asan,
# RelWithDebInfo, benchmarks not built). Any ASan/LSan report or UB aborts the test that hit it.
# Tests labelled asan_skip do not run here; each carries the label where it is declared, with
# the reason. .ci/lsan.supp holds leak suppressions for third-party code only, each with a reason.
# ccache is used when installed.
CCACHE      := $(if $(shell command -v ccache),-DCMAKE_C_COMPILER_LAUNCHER=ccache -DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
SANITIZER_ENV := ASAN_OPTIONS=detect_leaks=1:check_initialization_order=1 \
                 LSAN_OPTIONS=suppressions=$(CURDIR)/.ci/lsan.supp:print_suppressions=0 \
                 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1

asan:
	@cmake --preset asan $(CCACHE) >/dev/null
	cmake --build --preset asan -j $(JOBS)

test-asan: deps-test asan
	$(SANITIZER_ENV) ctest --test-dir build/asan --output-on-failure -j $(JOBS) --timeout 1800 \
	  -LE asan_skip

bench: deps build
	bench/run-all

clean:
	rm -rf build

format:
	git ls-files '*.cpp' '*.h' | xargs clang-format -i
