# Build, test and install the Rust drop-in for proton-c 0.37's libqpid-proton.so.11.
# `make help` lists the targets.

SHELL := /bin/bash
.DEFAULT_GOAL := all

CARGO ?= cargo
CC := $(if $(filter default,$(origin CC)),gcc,$(CC))
PREFIX ?= /usr/local
DESTDIR ?=
PYTHON ?= python3

SONAME := libqpid-proton.so.11
TARGET_DIR := $(or $(CARGO_TARGET_DIR),target)
CARGO_LIB := $(TARGET_DIR)/release/libqpid_proton.so
LIBDIR := build/lib
LIB := $(LIBDIR)/$(SONAME)
PC_IN := pkgconfig/libqpid-proton.pc.in
PY_PKG := python/proton
PY_LIBDIR := $(PY_PKG)/_lib
DEMO_DIR := build/demo
DEMO_BINS := $(DEMO_DIR)/recv $(DEMO_DIR)/send
DEMO_PORT ?= 5672
CWARN := -Wall -Wextra -Werror

# What the C and Python suites are told about our build.
TEST_ENV := PROTON_BUILD_LIB=$(CURDIR)/$(LIBDIR) PROTON_INCLUDE=$(CURDIR)/include

# The suites `make test` runs, in order; each is a `test-<name>` target.
SUITES := rust symbols c python interop tls brokers soak demo
# Suites build first when run alone; `make test` has built already and passes BUILT=1.
BUILD_FIRST := $(if $(BUILT),,all)

# pc-file PREFIX LIBDIR INCLUDEDIR OUTPUT
define pc-file
mkdir -p $(dir $(4))
sed -e 's|@PREFIX@|$(1)|' -e 's|@LIBDIR@|$(2)|' -e 's|@INCLUDEDIR@|$(3)|' $(PC_IN) >$(4).tmp
mv $(4).tmp $(4)
endef

# replace SRC DST: copy through a temporary file, so running programs keep the old inode.
define replace
mkdir -p $(dir $(2))
cp $(1) $(2).tmp
mv -f $(2).tmp $(2)
endef

.PHONY: fuzz
.PHONY: all help headers deps test test-rust test-symbols test-abi test-c test-python \
	test-interop test-tls test-brokers test-soak test-demo demo bench install clean

## all: cargo build --release, then build/lib (library, symlink, .pc) and python/proton/_lib
all:
	$(CARGO) build --release
	$(call replace,$(CARGO_LIB),$(LIB))
	ln -sfn $(SONAME) $(LIBDIR)/libqpid-proton.so
	$(call pc-file,$(CURDIR),$${prefix}/$(LIBDIR),$${prefix}/include,$(LIBDIR)/pkgconfig/libqpid-proton.pc)
	$(call replace,$(CARGO_LIB),$(PY_LIBDIR)/$(SONAME))

help:
	@sed -n 's/^## //p' $(MAKEFILE_LIST)

## headers: regenerate the cbindgen headers in include/proton/ (see tests/headers.rs)
headers:
	UPDATE_HEADERS=1 $(CARGO) test --release --test headers

## deps: install the system packages the tests need (Debian 12; no-op when present)
deps:
	bash scripts/install-deps.sh

## test: deps, all, then every suite (rust symbols c python interop tls brokers soak demo); fails if any failed
test: deps
	@$(MAKE) --no-print-directory all
	@failed=(); summary=(); \
	for s in $(SUITES); do \
	  echo; echo "===== test-$$s"; start=$$SECONDS; \
	  if $(MAKE) --no-print-directory test-$$s BUILT=1; then r=PASS; else r=FAIL; failed+=($$s); fi; \
	  summary+=("$$(printf '  %-14s %s (%ss)' test-$$s $$r $$((SECONDS - start)))"); \
	done; \
	echo; echo "===== summary"; printf '%s\n' "$${summary[@]}"; \
	if [ $${#failed[@]} -gt 0 ]; then echo "FAILED: $${failed[*]}"; exit 1; fi; \
	echo "all suites passed"

## test-rust: cargo test --release (unit tests, and the header drift check)
test-rust:
	$(CARGO) test --release

## test-symbols: exported symbols vs Debian's library, plus the header/ABI compile checks
test-symbols: $(BUILD_FIRST)
	@rc=0; \
	$(TEST_ENV) bash scripts/check-symbols.sh || rc=1; \
	$(MAKE) --no-print-directory test-abi || rc=1; \
	exit $$rc

## test-abi: compile checks of include/proton/ (ABI, C89..C++11, legacy code, prototypes)
test-abi:
	CC=$(CC) $(TEST_ENV) bash scripts/check-headers.sh

## test-c: the C differential tests (c-tests/run.sh)
test-c: $(BUILD_FIRST)
	@$(call run-script,c-tests/run.sh)

## test-python: the Python tests (python/run-tests.sh)
test-python: $(BUILD_FIRST)
	@$(call run-script,python/run-tests.sh)

## test-interop: our messenger against Debian's proton-c messenger (c-tests/interop/run.sh)
test-interop: $(BUILD_FIRST)
	@$(call run-script,c-tests/interop/run.sh)

## test-tls: amqps between Debian's and our msgr tools, and the refusals (c-tests/tls/run.sh)
test-tls: $(BUILD_FIRST)
	@$(call run-script,c-tests/tls/run.sh)

## test-brokers: messages through RabbitMQ and proton's example broker (c-tests/brokers/run.sh)
test-brokers: $(BUILD_FIRST)
	@$(call run-script,c-tests/brokers/run.sh)

## test-soak: several sender and receiver processes, tracked, exactly once (c-tests/soak/run.sh)
test-soak: $(BUILD_FIRST)
	@$(call run-script,c-tests/soak/run.sh)

## test-demo: the demo pair prints the same on Debian's proton-c and on ours, in every mix
test-demo: $(DEMO_BINS) $(DEMO_BINS:=.reference)
	@bash c-tests/demo/check.sh $(DEMO_DIR)

## demo: build everything and run the main job: a receiver on amqp://~127.0.0.1:$(DEMO_PORT)
## and a sender (C, then the Python pair in python/examples), on our library
demo: $(DEMO_BINS)
	@echo "== C pair ($(DEMO_DIR)/recv, $(DEMO_DIR)/send on $(LIB))"
	@bash c-tests/demo/pair.sh $(DEMO_PORT) $(DEMO_DIR)/recv -- $(DEMO_DIR)/send
	@echo; echo "== Python pair (python/examples/recv.py, send.py on $(LIB))"
	@PYTHONPATH=$(CURDIR)/python PROTON_LIB=$(CURDIR)/$(LIB) bash c-tests/demo/pair.sh $(DEMO_PORT) \
	  $(PYTHON) python/examples/recv.py -- $(PYTHON) python/examples/send.py

## bench: the benchmarks (c-tests/bench/run.sh, c-tests/bench/tls.sh)
bench: $(BUILD_FIRST)
	@$(call run-script,c-tests/bench/run.sh)
	@$(call run-script,c-tests/bench/tls.sh)
	@$(call run-script,c-tests/bench/messenger.sh)
	cargo bench --bench engine
	cargo bench --bench messenger

# A bounded fuzz run (60 s split across the targets in fuzz/; FUZZ_SECONDS=n to change).
fuzz:
	scripts/fuzz.sh $(or $(FUZZ_SECONDS),60)

# run-script SCRIPT: run a suite script with TEST_ENV; a missing script is a failure.
define run-script
if [ ! -f $(1) ]; then echo "FAIL $(1) is missing"; exit 1; fi; \
$(TEST_ENV) bash $(1)
endef

# The demo programs against our headers and library; -MD lets us prove no Debian header
# was read.
$(DEMO_DIR)/%: c-tests/demo/%.c $(BUILD_FIRST)
	@mkdir -p $(DEMO_DIR)
	$(CC) $(CWARN) -I include -MD -MF $@.d -o $@ $< -L $(LIBDIR) -lqpid-proton \
	  -Wl,-rpath,$(CURDIR)/$(LIBDIR)
	@if grep -q /usr/include/proton/ $@.d; then \
	  echo "demo: compiled against Debian's headers, not include/"; rm -f $@; exit 1; fi

# The same programs built against Debian's proton-c: the reference.
$(DEMO_DIR)/%.reference: c-tests/demo/%.c
	@mkdir -p $(DEMO_DIR)
	$(CC) $(CWARN) -o $@ $< -lqpid-proton

## install: library, headers, .pc and Python package under PREFIX (default /usr/local)
PYTHONDIR ?= $(shell $(PYTHON) -c 'import sysconfig; print(sysconfig.get_path("purelib", "posix_prefix", {"base": "$(PREFIX)", "platbase": "$(PREFIX)"}))')
install: all
	install -d $(DESTDIR)$(PREFIX)/lib/pkgconfig $(DESTDIR)$(PREFIX)/include/proton
	install -m 755 $(LIB) $(DESTDIR)$(PREFIX)/lib/$(SONAME)
	ln -sfn $(SONAME) $(DESTDIR)$(PREFIX)/lib/libqpid-proton.so
	install -m 644 include/proton/*.h $(DESTDIR)$(PREFIX)/include/proton/
	$(call pc-file,$(PREFIX),$${prefix}/lib,$${prefix}/include,$(DESTDIR)$(PREFIX)/lib/pkgconfig/libqpid-proton.pc)
	@if [ ! -f $(PY_PKG)/__init__.py ]; then \
	  echo "install: $(PY_PKG) not there yet, Python package skipped"; \
	elif [ -z "$(PYTHONDIR)" ]; then echo "install: set PYTHONDIR"; exit 1; \
	else \
	  echo "install $(PY_PKG) -> $(DESTDIR)$(PYTHONDIR)/proton"; \
	  rm -rf $(DESTDIR)$(PYTHONDIR)/proton; install -d $(DESTDIR)$(PYTHONDIR); \
	  cp -r $(PY_PKG) $(DESTDIR)$(PYTHONDIR)/proton; \
	  find $(DESTDIR)$(PYTHONDIR)/proton -name __pycache__ -prune -exec rm -rf {} +; \
	fi

## clean: remove build outputs (cargo's target/, build/, python/proton/_lib)
clean:
	$(CARGO) clean
	rm -rf build $(PY_LIBDIR)
