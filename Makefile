# Makefile - builds mail-dns, mail-server and mail-agent into $(BUILD)/bin, runs the tests.
#
#   make            build everything (installs missing Debian packages first)
#   make test       unit + integration tests; last line "N passed, N failed"
#   make test-times the 20 slowest tests and files of the last run
#   make test-order keep the last full run's file times as a fresh clone's bats order
#   make test-cpu   measures the CPU of each unit suite and bats file; lists the 25 costliest
#   make run        start the demo topology from conf/mail.yaml in the foreground
#   make lab        list the labs; make lab NAME=bounce runs scripts/labs/bounce.sh
#   make install    the three programs into $(PREFIX)/bin (PREFIX=/usr/local), man pages
#   make bench      benchmarks against the reference software (Postfix, smtp-sink, Dovecot, NSD); BENCH=part, results in bench/results/latest.md
#   make sanitize   ASan+UBSan build, then the unit and integration tests on it
#   make tsan       ThreadSanitizer build, then the unit and integration tests on it
#   make fuzz       libFuzzer targets, each for FUZZ_SECONDS
#   make format     clang-format every tracked .h/.cpp (.clang-format at the root)
#   make format-check  fails, naming the files, when one is not formatted (not in make test)
#   make lint       clang-tidy over the sources (.clang-tidy; scripts/lint.sh)
#   make clean
#
# Every source file of a program directory except main.cpp also goes into the unit-test
# binary, so adding a file needs no change here.

BUILD ?= build

# Every core unless -j is given on the command line (which wins).
ifeq ($(filter -j%,$(MAKEFLAGS)),)
MAKEFLAGS += -j$(shell nproc)
endif
SANITIZE ?=
FUZZ_SECONDS ?= 30

# g++ through ccache when it is installed (scripts/install-deps.sh build adds it): a build in
# a fresh clone (CI, scripts/flake-hunt.sh, a second worktree) is then mostly cache hits.
# Debug info names paths relative to the checkout, so every clone hashes alike.
ifeq ($(origin CXX),default)
CXX := $(if $(shell command -v ccache),ccache g++,g++)
endif
CXXFLAGS ?= -O2 -g
override CXXFLAGS += -std=c++17 -Wall -Wextra -pthread -MMD -MP -fdebug-prefix-map=$(CURDIR)=.
LDLIBS := -lPocoUtil -lPocoJSON -lPocoNetSSL -lPocoNet -lPocoCrypto -lPocoFoundation -lyaml-cpp -lssl -lcrypto -pthread
# the agent's line editing on a terminal (libedit: arrows, history, completion)
AGENT_LIBS := -ledit
LDFLAGS ?=

ifeq ($(SANITIZE),asan)
override CXXFLAGS += -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
override LDFLAGS += -fsanitize=address,undefined
endif
ifeq ($(SANITIZE),tsan)
override CXXFLAGS += -fsanitize=thread -fno-omit-frame-pointer
override LDFLAGS += -fsanitize=thread
endif

OBJ := $(BUILD)/obj
BIN := $(BUILD)/bin
DEPS_STAMP := build/.deps-installed

sources = $(shell find $(1) -name '*.cpp' | sort)
COMMON_SRC := $(call sources,common)
DNS_SRC    := $(filter-out dns/main.cpp,$(call sources,dns))
SERVER_SRC := $(filter-out server/app/main.cpp,$(call sources,server))
AGENT_SRC  := $(filter-out agent/main.cpp,$(call sources,agent))
UNIT_SRC   := $(call sources,test/unit)

# Includes are written from the project root ("common/config/config.h", "server/smtp/smtp_session.h").
# Each folder compiles against an include root that holds only the folders it may use, so
# an agent or dns file that includes a server header does not compile (scripts/include-roots.sh).
INC := $(BUILD)/include
ROOTS_STAMP := $(INC)/.stamp
# a source's root: its top folder, or for common/ its room (common/base/log.cpp: common/base)
source_root = $(if $(filter common,$(word 1,$(subst /, ,$(1)))),common/$(word 2,$(subst /, ,$(1))),$(word 1,$(subst /, ,$(1))))
include_root = $(INC)/$(call source_root,$(1))

objs = $(patsubst %.cpp,$(OBJ)/%.o,$(1))

COMMON_LIB := $(BUILD)/lib/libmailcommon.a
PROGRAMS := $(BIN)/mail-dns $(BIN)/mail-server $(BIN)/mail-agent
UNIT_BIN := $(BIN)/unit-tests

.PHONY: all deps test test-times test-order test-cpu unit integration run lab install bench sanitize tsan fuzz format format-check lint lint-deps clean
.DEFAULT_GOAL := all

all: $(PROGRAMS) $(UNIT_BIN)

# The packages of the goals asked for are installed in one apt-get call before the first
# compile (a fresh machine's `make test` pays for one apt-get update, not two).
DEPS_GROUPS := build $(sort $(foreach g,$(MAKECMDGOALS),$(if $(filter test integration,$(g)),test) \
	$(if $(filter run lab,$(g)),run) $(if $(filter bench,$(g)),bench)))
deps: $(DEPS_STAMP)
$(DEPS_STAMP): scripts/install-deps.sh
	@scripts/install-deps.sh $(DEPS_GROUPS)
	@mkdir -p $(dir $@) && touch $@

$(ROOTS_STAMP): scripts/include-roots.sh
	@scripts/include-roots.sh $(INC)
	@touch $@

$(OBJ)/%.o: %.cpp | $(DEPS_STAMP) $(ROOTS_STAMP)
	@mkdir -p $(dir $@)
	$(CXX) $(CXXFLAGS) -I$(call include_root,$<) -c $< -o $@

# The one version string (--version of every program) comes from the VERSION file.
VERSION := $(shell cat VERSION)
$(OBJ)/common/base/version.o: override CXXFLAGS += -DMAIL_VERSION='"$(VERSION)"'
$(OBJ)/common/base/version.o: VERSION

# The web console (server/console/assets) compiled into mail-server: scripts/embed-console.sh
# writes one .cpp with every file's bytes and content type, under $(BUILD), never committed.
CONSOLE_ASSETS := $(sort $(wildcard server/console/assets/*))
CONSOLE_GEN := $(BUILD)/gen/console_assets_data.cpp
CONSOLE_OBJ := $(OBJ)/gen/console_assets_data.o
$(CONSOLE_GEN): scripts/embed-console.sh $(CONSOLE_ASSETS)
	@mkdir -p $(dir $@)
	@scripts/embed-console.sh $@ $(CONSOLE_ASSETS)
$(CONSOLE_OBJ): $(CONSOLE_GEN) | $(DEPS_STAMP) $(ROOTS_STAMP)
	@mkdir -p $(dir $@)
	$(CXX) $(CXXFLAGS) -I$(INC)/server -c $< -o $@

$(COMMON_LIB): $(call objs,$(COMMON_SRC))
	@mkdir -p $(dir $@)
	rm -f $@ && ar rcs $@ $^

$(BIN)/mail-dns: $(call objs,dns/main.cpp $(DNS_SRC)) $(COMMON_LIB)
	@mkdir -p $(dir $@)
	$(CXX) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BIN)/mail-server: $(call objs,server/app/main.cpp $(SERVER_SRC)) $(CONSOLE_OBJ) $(COMMON_LIB)
	@mkdir -p $(dir $@)
	$(CXX) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BIN)/mail-agent: $(call objs,agent/main.cpp $(AGENT_SRC)) $(COMMON_LIB)
	@mkdir -p $(dir $@)
	$(CXX) $(LDFLAGS) -o $@ $^ $(LDLIBS) $(AGENT_LIBS)

$(UNIT_BIN): $(call objs,$(UNIT_SRC) $(DNS_SRC) $(SERVER_SRC) $(AGENT_SRC)) $(CONSOLE_OBJ) $(COMMON_LIB)
	@mkdir -p $(dir $@)
	$(CXX) $(LDFLAGS) -o $@ $^ $(LDLIBS) $(AGENT_LIBS) -lboost_unit_test_framework

# The demo config's tls: names conf/tls/{cert,key}.pem: made when missing, never committed
# (the unit tests load conf/mail.yaml, whose loader checks the files exist).
DEMO_CERT := conf/tls/cert.pem
$(DEMO_CERT):
	@scripts/make-cert.sh conf/tls

# TESTS=pattern limits the integration files (e.g. TESTS=dns); UNIT=suite limits unit tests.
test: all $(DEMO_CERT)
	@scripts/install-deps.sh test
	@scripts/run-tests.sh $(BUILD)

# The 20 slowest tests and files of the last run (build/test-times.tsv, written by run-tests.sh).
test-times:
	@python3 scripts/test_times.py top 20 $(BUILD)/test-times.tsv

# Keeps the last full run's whole-file times as the order a fresh clone runs the bats files in.
test-order:
	@n=$$(grep -c '	file	' $(BUILD)/test-times.tsv 2>/dev/null); \
	if [ "$${n:-0}" -lt $$(ls test/integration/*.bats | wc -l) ]; then echo "run the whole make test first (file times: $${n:-0})"; exit 1; fi; \
	grep '	file	' $(BUILD)/test-times.tsv | sort -t'	' -k1,1gr >test/integration/file-times.tsv && echo "test/integration/file-times.tsv: $$n files"

# The CPU (user + sys) of each unit suite and bats file, measured now, the 25 costliest
# listed (build/test-cpu.tsv; TESTS= and UNIT= as above): the suite is CPU-bound on 2 cores.
test-cpu: all $(DEMO_CERT)
	@scripts/install-deps.sh test
	@scripts/test-cpu.sh $(BUILD)

unit: $(UNIT_BIN) $(DEMO_CERT)
	@scripts/run-tests.sh $(BUILD) --unit-only

integration: $(PROGRAMS)
	@scripts/install-deps.sh test
	@scripts/run-tests.sh $(BUILD) --integration-only

# Only what running needs: the three programs (no unit tests) and the run packages.
# foreground.py gives run.sh the terminal in a group of its own, so a Ctrl-C does not
# also reach make (which would die of SIGINT): run.sh stops everything and make exits 0.
run: $(PROGRAMS)
	@scripts/install-deps.sh run
	@scripts/foreground.py scripts/run.sh

# Labs (scripts/labs/NAME.sh): each runs its own topology on free ports and exits 0 or 1.
# Without NAME, the list with each lab's one-line summary (line 2 of its file).
lab: $(PROGRAMS)
	@scripts/install-deps.sh run
ifeq ($(NAME),)
	@for f in scripts/labs/*.sh; do n=$$(basename $$f .sh); [ $$n = lib ] || \
		printf '  %-12s %s\n' $$n "$$(sed -n '2s/^# [^ ]* - //p' $$f)"; done
	@echo "make lab NAME=... runs one (KEEP=1 keeps its temp dir)"
else
	@[ -x scripts/labs/$(NAME).sh ] || { echo "no lab named '$(NAME)'; make lab lists them" >&2; exit 64; }
	@scripts/labs/$(NAME).sh
endif

PREFIX ?= /usr/local
install: $(PROGRAMS)
	install -d $(DESTDIR)$(PREFIX)/bin
	install -m 755 $(PROGRAMS) $(DESTDIR)$(PREFIX)/bin/
	@if [ -d man ]; then \
		install -d $(DESTDIR)$(PREFIX)/share/man/man1 $(DESTDIR)$(PREFIX)/share/man/man8; \
		for f in man/*.1; do [ -e "$$f" ] && install -m 644 "$$f" $(DESTDIR)$(PREFIX)/share/man/man1/; done; \
		for f in man/*.8; do [ -e "$$f" ] && install -m 644 "$$f" $(DESTDIR)$(PREFIX)/share/man/man8/; done; \
	fi; true

# The bench group's packages are checked once per build dir (a stamp, as DEPS_STAMP), not at
# every make bench.
BENCH_DEPS_STAMP := build/.deps-bench
$(BENCH_DEPS_STAMP): scripts/install-deps.sh
	@scripts/install-deps.sh bench
	@mkdir -p $(dir $@) && touch $@
bench: all $(BENCH_DEPS_STAMP)
	@scripts/bench.sh $(BUILD)

sanitize:
	@$(MAKE) --no-print-directory BUILD=build-asan SANITIZE=asan CXXFLAGS="-O1 -g" test

tsan:
	@$(MAKE) --no-print-directory BUILD=build-tsan SANITIZE=tsan CXXFLAGS="-O1 -g" test

fuzz: | $(DEPS_STAMP)
	@scripts/install-deps.sh fuzz
	@scripts/fuzz.sh $(FUZZ_SECONDS)

# Tracked sources only, so build output and scratch files are never touched.
FORMAT_SRC = $(shell git ls-files -- common server dns agent test | grep -E '\.(h|cpp)$$')

lint-deps:
	@WITH_LINT=1 scripts/install-deps.sh

format: lint-deps
	@clang-format -i $(FORMAT_SRC)

format-check: lint-deps
	@out=$$(clang-format --dry-run --Werror $(FORMAT_SRC) 2>&1) && exit 0; \
	files=$$(printf '%s\n' "$$out" | grep -oE '^[^:]+\.(h|cpp)' | sort -u); \
	if [ -n "$$files" ]; then printf 'not formatted: %s\n' $$files; echo "run make format"; \
	else printf '%s\n' "$$out"; fi; exit 1

# .cpp files only: clang-tidy reaches the headers through them (HeaderFilterRegex).
lint: lint-deps $(ROOTS_STAMP)
	@scripts/lint.sh $(INC) $(filter %.cpp,$(FORMAT_SRC))

clean:
	rm -rf build build-asan build-tsan build-fuzz

-include $(shell find $(OBJ) -name '*.d' 2>/dev/null)
