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
	@cd $(BUILD) && set -o pipefail; \
	  "$(CURDIR)/scripts/with-postgres" ctest -j $(JOBS) --output-on-failure --timeout 600 \
	    | tee ctest.log \
	    | grep -v -E '^ *([0-9]+/[0-9]+ Test +#[0-9]+: .* Passed|Start +[0-9]+: )'; \
	  status=$$?; \
	  summary=$$(grep -E '[0-9]+ tests failed out of [0-9]+' ctest.log); \
	  failed=$$(echo "$$summary" | sed -E 's/.* ([0-9]+) tests failed out of ([0-9]+).*/\1/'); \
	  total=$$(echo "$$summary" | sed -E 's/.* ([0-9]+) tests failed out of ([0-9]+).*/\2/'); \
	  echo "$$((total - failed)) passed, $$failed failed"; exit $$status

clean:
	rm -rf $(BUILD)
