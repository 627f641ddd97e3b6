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

# The whole suite under AddressSanitizer + UndefinedBehaviorSanitizer.
asan:
	$(MAKE) PRESET=asan build

test-asan: deps-test
	$(MAKE) PRESET=asan build
	ctest --test-dir build/asan --output-on-failure -j $(JOBS) --timeout 1800

bench: deps build
	bench/run-all

clean:
	rm -rf build

format:
	git ls-files '*.cpp' '*.h' | xargs clang-format -i
