SHELL := /bin/bash
# make run   installs dependencies, builds, starts the server with a demo account
# make test  installs dependencies, builds, runs every test
BUILD ?= build
JOBS ?= $(shell nproc)
DATA_DIR ?= ./cuplane-data
LISTEN ?= 127.0.0.1:8866

.PHONY: all deps build run test test-unit clean

all: build

deps:
	@scripts/install-deps

$(BUILD)/Makefile: CMakeLists.txt
	@cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null

build: deps $(BUILD)/Makefile
	@cmake --build $(BUILD) -j $(JOBS) -- --no-print-directory

run: build
	$(BUILD)/cuplane serve --data-dir $(DATA_DIR) --listen $(LISTEN)

test: build
	@cd $(BUILD) && ctest -j $(JOBS) --output-on-failure --timeout 600 \
	  | tee ctest.log | grep -v -E '^ *[0-9]+/[0-9]+ Test +#[0-9]+: .* Passed' ; \
	  status=$${PIPESTATUS[0]}; \
	  passed=$$(grep -c -E 'Test +#[0-9]+: .* Passed' ctest.log); \
	  failed=$$(grep -c -E 'Test +#[0-9]+: .*(\*\*\*|Failed|Exception|Timeout)' ctest.log); \
	  echo "$$passed passed, $$failed failed"; exit $$status

clean:
	rm -rf $(BUILD)
