SHELL := /bin/bash
# make run   installs dependencies, builds, starts the server with a demo account
#            (CLOCK=virtual for a virtual clock, DATA_DIR=... LISTEN=... to move it)
# make test  installs dependencies, builds, runs every test
BUILD ?= build
JOBS ?= $(shell nproc)
LISTEN ?= 127.0.0.1:8866
# make run CLOCK=virtual: time stands still until an operator advances it (console or API).
# It keeps its own data dir: a store whose clock ran a month ahead does not mix with real time.
CLOCK ?= system
DATA_DIR ?= ./cuplane-data$(if $(filter virtual,$(CLOCK)),-virtual)

.PHONY: all deps build run test test-asan fuzz bench stress clean

all: build

deps:
	@scripts/install-deps

$(BUILD)/Makefile: CMakeLists.txt
	@cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null

build: deps $(BUILD)/Makefile
	@cmake --build $(BUILD) -j $(JOBS) -- --no-print-directory

run: build
	$(BUILD)/cuplane serve --data-dir $(DATA_DIR) --listen $(LISTEN) --clock $(CLOCK)

test: build
	@cd $(BUILD) && set -o pipefail; \
	  "$(CURDIR)/scripts/with-postgres" ctest -j $(JOBS) --output-on-failure --timeout 600 \
	    | tee ctest.log \
	    | grep -v -E '^ *([0-9]+/[0-9]+ Test +#[0-9]+: .* Passed|Start +[0-9]+: )'; \
	  status=$$?; \
	  summary=$$(grep -E '[0-9]+ tests failed out of [0-9]+' ctest.log); \
	  failed=$$(echo "$$summary" | sed -E 's/.* ([0-9]+) tests failed out of ([0-9]+).*/\1/'); \
	  total=$$(echo "$$summary" | sed -E 's/.* ([0-9]+) tests failed out of ([0-9]+).*/\2/'); \
	  skipped=$$(grep -c -E '^\s*[0-9]+ - .* \(Skipped\)$$' ctest.log); \
	  echo "$$((total - failed - skipped)) passed, $$failed failed, $$skipped skipped"; exit $$status

# Every benchmark of bench/run, against baselines measured in the same run (nginx, a bare SQLite
# commit loop, pgbench on the same durable private PostgreSQL). Not part of make test.
bench: build
	@CUPLANE_PG_DURABLE=1 scripts/with-postgres bench/run

# The crash-consistency tests (kill -9 in a purchase storm, races for the last units) five times
# in a row on each store. Not part of make test.
STRESS_TESTS ?= ReliabilityTest.*
stress: build
	@scripts/with-postgres bash -c 'set -eo pipefail; \
	  echo "stress: $(STRESS_TESTS) x5 on sqlite"; \
	  $(BUILD)/cuplane_integration_tests --gtest_filter="$(STRESS_TESTS)" --gtest_repeat=5 \
	    --gtest_brief=1 2>&1 | grep -E "^\[  (PASSED|FAILED)|Failure" ; \
	  echo "stress: $(STRESS_TESTS) x5 on postgresql"; \
	  CUPLANE_INTEGRATION_BACKEND=postgres CI=true $(BUILD)/cuplane_integration_tests \
	    --gtest_filter="$(STRESS_TESTS)" --gtest_repeat=5 --gtest_brief=1 2>&1 \
	    | grep -E "^\[  (PASSED|FAILED)|Failure"'

# The unit, integration and interop tests under AddressSanitizer + UndefinedBehaviorSanitizer.
test-asan: deps
	@cmake -S . -B build-asan -DCUPLANE_SANITIZE=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
	@cmake --build build-asan -j $(JOBS) -- --no-print-directory
	@$(MAKE) --no-print-directory test BUILD=build-asan

# libFuzzer targets (clang), each run for FUZZ_SECONDS on a copy of its seed corpus.
FUZZ_SECONDS ?= 60
FUZZERS := http_request authorization action_body
fuzz: deps
	@CXX=clang++ cmake -S . -B build-fuzz -DCUPLANE_FUZZ=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
	@cmake --build build-fuzz -j $(JOBS) --target $(FUZZERS:%=%_fuzzer) -- --no-print-directory
	@for f in $(FUZZERS); do \
	  mkdir -p build-fuzz/corpus/$$f && cp -n fuzz/corpus/$$f/* build-fuzz/corpus/$$f/ ; \
	  echo "fuzzing $$f for $(FUZZ_SECONDS) s"; \
	  build-fuzz/$${f}_fuzzer -max_total_time=$(FUZZ_SECONDS) -max_len=65536 -print_final_stats=1 \
	    -artifact_prefix=build-fuzz/$$f- build-fuzz/corpus/$$f 2>&1 | tail -12 || exit 1; \
	done

clean:
	rm -rf $(BUILD) build-asan build-fuzz
