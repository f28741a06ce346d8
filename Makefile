# SPDX-License-Identifier: MIT
# h2get: one non-recursive Makefile. Sources are found by wildcard: src/*/*.c are the modules
# (one folder per layer, src/README.md),
# tests/unit/test_*.c the unit tests, tests/fuzz/fuzz_*.c the fuzz targets.

CC       ?= cc
CLANG    ?= clang
BUILD    ?= build
PREFIX   ?= /usr/local
DESTDIR  ?=
BINDIR    = $(PREFIX)/bin
MANDIR    = $(PREFIX)/share/man/man1
BASHCOMPDIR = $(PREFIX)/share/bash-completion/completions
ZSHCOMPDIR  = $(PREFIX)/share/zsh/site-functions
FISHCOMPDIR = $(PREFIX)/share/fish/vendor_completions.d
FUZZ_SECONDS ?= 60
TESTDATA ?= ../shared/testdata

VERSION  := 0.1.0
OPT      ?= -O2 -g
WARN     := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
            -Wno-missing-field-initializers
GNUTLS_CFLAGS := $(shell pkg-config --cflags gnutls 2>/dev/null)
GNUTLS_LIBS   := $(shell pkg-config --libs gnutls 2>/dev/null || echo -lgnutls)
# The content decoders (src/codec/coding.c): zlib, libbrotli, libzstd (Debian's zlib1g-dev,
# libbrotli-dev, libzstd-dev). LIBS is everything a program linking src/ needs.
CODING_PKGS   := zlib libbrotlidec libzstd
CODING_CFLAGS := $(shell pkg-config --cflags $(CODING_PKGS) 2>/dev/null)
CODING_LIBS   := $(shell pkg-config --libs $(CODING_PKGS) 2>/dev/null || echo -lz -lbrotlidec -lzstd)
LIBS          := $(GNUTLS_LIBS) $(CODING_LIBS)
ALL_CFLAGS = -std=gnu11 $(OPT) $(WARN) -Isrc $(GNUTLS_CFLAGS) $(CODING_CFLAGS) -DH2GET_VERSION='"$(VERSION)"' \
             -MMD -MP $(CFLAGS) $(SAN)
ALL_LDFLAGS = $(LDFLAGS) $(SAN)

SRCS      := $(wildcard src/*/*.c)
OBJS      := $(SRCS:%.c=$(BUILD)/%.o)
UNIT_SRCS := $(wildcard tests/unit/*.c)
UNIT_OBJS := $(UNIT_SRCS:%.c=$(BUILD)/%.o)
FUZZ_SRCS := $(wildcard tests/fuzz/fuzz_*.c)
FUZZ_NAMES := $(FUZZ_SRCS:tests/fuzz/fuzz_%.c=%)
REPLAYS   := $(FUZZ_NAMES:%=$(BUILD)/replay_%)
TOOL_SRCS := $(wildcard tests/tools/*.c)
TOOLS     := $(TOOL_SRCS:tests/tools/%.c=$(BUILD)/tool_%)
TEST_LIB  := $(BUILD)/tests/unit/json.o $(BUILD)/tests/unit/util.o


.SECONDARY:
.PHONY: all check unit replay corpus e2e lint asan valgrind fuzz bench h2echo connrelay demo deps install uninstall clean

all: h2get

h2get: $(BUILD)/h2get.o $(OBJS)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LIBS)

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

# --- tests ---------------------------------------------------------------------------

$(BUILD)/unit: $(UNIT_OBJS) $(OBJS)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LIBS)

unit: $(BUILD)/unit
	H2GET_TESTDATA=$(TESTDATA) $(BUILD)/unit

$(BUILD)/replay_%: $(BUILD)/tests/fuzz/fuzz_%.o $(BUILD)/tests/fuzz/replay.o $(OBJS)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LIBS)

# Every corpus and regression input of every target, run without libFuzzer.
replay: $(REPLAYS)
	@set -e; for t in $(FUZZ_NAMES); do \
	    $(BUILD)/replay_$$t tests/fuzz/corpus/$$t $$(ls -d tests/fuzz/regress/$$t-* 2>/dev/null) \
	        $$(test "$$t" = frame && test -d $(TESTDATA)/nghttp2-fuzz-corpus && \
	           echo $(TESTDATA)/nghttp2-fuzz-corpus/h2spec $(TESTDATA)/nghttp2-fuzz-corpus/nghttp); \
	done

# Test-only programs (tests/tools/*.c), linked with the modules and the JSON reader; the
# corpus scripts (tests/corpus/*.sh) drive them, e.g. against an independent HPACK decoder.
$(BUILD)/tool_%: $(BUILD)/tests/tools/%.o $(TEST_LIB) $(OBJS)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LIBS)

corpus: $(TOOLS)
	@set -e; for s in tests/corpus/*.sh; do [ -f "$$s" ] || continue; \
	    BUILD=$(BUILD) TESTDATA=$(TESTDATA) sh $$s; done

e2e: h2get
	bats tests/e2e

lint:
	@set -e; for s in tests/lint/check-*.sh; do sh $$s; done

check: deps
	$(MAKE) all
	$(MAKE) unit
	$(MAKE) replay
	$(MAKE) corpus
	$(MAKE) lint
	$(MAKE) e2e

# The sanitized runs: unit tests, corpus replay and the whole e2e suite against an
# ASan+UBSan h2get (leaks included, the first report aborts the run); `make valgrind` runs
# the e2e suite with every h2get under memcheck. E2E_QUICK drops the 100 MiB file. The
# quarantine of freed memory is 8 MiB, not 256, and recent frees are still caught; the tests
# that bound peak RSS over the binary's own idle size allow 16 MiB more (E2E_SAN).
# Reports go to build-asan/san-logs (one file per process), printed after the suite, so that
# a failed run says why even when the test shows only the exit status (134). Leaks inside
# getaddrinfo are suppressed (tests/lsan.supp): a lookup thread still running when h2get
# exits holds glibc's resolver allocations, which are not h2get's to free.
SAN_LOGS = $(CURDIR)/build-asan/san-logs
ASAN_RUN = ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:disable_coredump=1:quarantine_size_mb=8:log_path=$(SAN_LOGS)/asan \
           UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1:log_path=$(SAN_LOGS)/ubsan \
           LSAN_OPTIONS=suppressions=$(CURDIR)/tests/lsan.supp:print_suppressions=0
asan:
	$(MAKE) BUILD=build-asan OPT="-O1 -g -fno-omit-frame-pointer" \
	    SAN="-fsanitize=address,undefined -fno-sanitize-recover=all" \
	    unit replay build-asan/h2get
	@rm -rf $(SAN_LOGS) && mkdir -p $(SAN_LOGS)
	@$(ASAN_RUN) H2GET=$(CURDIR)/build-asan/h2get E2E_SAN=1 E2E_QUICK=1 E2E_TIMEOUT=60 bats tests/e2e; \
	rc=$$?; for f in $(SAN_LOGS)/*; do [ -e "$$f" ] && { echo "== $$f"; cat "$$f"; rc=1; }; done; \
	exit $$rc

$(BUILD)/h2get: $(BUILD)/h2get.o $(OBJS)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LIBS)

# Under memcheck's slowdown the tests that bound time, peak memory or system calls do not
# hold, so the verdict is memcheck's own: every run's report is scanned for errors.
valgrind: h2get
	@rm -rf $(BUILD)/valgrind && mkdir -p $(BUILD)/valgrind
	-VG_LOGDIR=$(CURDIR)/$(BUILD)/valgrind H2GET=$(CURDIR)/tests/tools/valgrind-h2get \
	    E2E_QUICK=1 E2E_TIMEOUT=120 bats tests/e2e
	@n=$$(ls $(BUILD)/valgrind | wc -l); \
	bad=$$(grep -lE 'ERROR SUMMARY: [1-9]|definitely lost: [1-9]' $(BUILD)/valgrind/*.log); \
	if [ -n "$$bad" ]; then echo "valgrind: memcheck errors in: $$bad"; exit 1; fi; \
	echo "valgrind: $$n h2get runs, no memcheck error, no definite leak"

# libFuzzer builds with clang; each target runs FUZZ_SECONDS on its corpus.
fuzz:
	@set -e; mkdir -p build-fuzz; for t in $(FUZZ_NAMES); do \
	    $(CLANG) -std=gnu11 -O1 -g -fsanitize=fuzzer,address,undefined -Isrc $(GNUTLS_CFLAGS) \
	        $(CODING_CFLAGS) -o build-fuzz/fuzz_$$t tests/fuzz/fuzz_$$t.c $(SRCS) $(LIBS); \
	    mkdir -p build-fuzz/corpus_$$t; \
	    build-fuzz/fuzz_$$t -max_total_time=$(FUZZ_SECONDS) -print_final_stats=1 \
	        build-fuzz/corpus_$$t tests/fuzz/corpus/$$t; \
	done

# The streaming echo and download server of the duplex benchmark (issue 11): libnghttp2 is
# linked into this benchmark peer only, never into h2get; `make check` does not build it.
NGHTTP2_CFLAGS = $(shell pkg-config --cflags libnghttp2 2>/dev/null)
NGHTTP2_LIBS   = $(shell pkg-config --libs libnghttp2 2>/dev/null || echo -lnghttp2)
$(BUILD)/bench/h2echo: bench/h2echo.c
	@mkdir -p $(dir $@)
	$(CC) -std=gnu11 $(OPT) $(WARN) $(GNUTLS_CFLAGS) $(NGHTTP2_CFLAGS) $(CFLAGS) $(ALL_LDFLAGS) \
	    -o $@ $< $(NGHTTP2_LIBS) $(GNUTLS_LIBS)

h2echo: $(BUILD)/bench/h2echo

# The splice(2) CONNECT proxy of the tunnel benchmark (issue 13): plain C, Linux, threads.
$(BUILD)/bench/connrelay: bench/connrelay.c
	@mkdir -p $(dir $@)
	$(CC) -std=gnu11 $(OPT) $(WARN) $(CFLAGS) -pthread $(ALL_LDFLAGS) -o $@ $<

connrelay: $(BUILD)/bench/connrelay

bench: h2get h2echo connrelay
	BUILD=$(BUILD) TESTDATA=$(TESTDATA) H2ECHO=$(BUILD)/bench/h2echo \
	    CONNRELAY=$(BUILD)/bench/connrelay sh bench/run.sh

demo: deps
	$(MAKE) all
	sh scripts/demo.sh

deps:
	sh scripts/deps.sh

# --- install -------------------------------------------------------------------------

install: h2get
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR) $(DESTDIR)$(BASHCOMPDIR) \
	    $(DESTDIR)$(ZSHCOMPDIR) $(DESTDIR)$(FISHCOMPDIR)
	install -m 755 h2get $(DESTDIR)$(BINDIR)/h2get
	install -m 644 man/h2get.1 $(DESTDIR)$(MANDIR)/h2get.1
	install -m 644 completions/h2get.bash $(DESTDIR)$(BASHCOMPDIR)/h2get
	install -m 644 completions/h2get.zsh $(DESTDIR)$(ZSHCOMPDIR)/_h2get
	install -m 644 completions/h2get.fish $(DESTDIR)$(FISHCOMPDIR)/h2get.fish

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/h2get $(DESTDIR)$(MANDIR)/h2get.1 \
	    $(DESTDIR)$(BASHCOMPDIR)/h2get $(DESTDIR)$(ZSHCOMPDIR)/_h2get \
	    $(DESTDIR)$(FISHCOMPDIR)/h2get.fish

clean:
	rm -rf build build-* h2get

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
