# pagelab — a plain Makefile.  See README.md.
#
#   make            build bin/pagelab, the tests and the benchmarks into $(O)
#   make test       install missing Debian packages, build, run every test
#   make test-asan  the same tests under ASan+UBSan (into build-asan/)
#   make test-tsan  the concurrency tests (tests/t_*_mt.c) under TSan
#   make test-clang build everything with clang -Werror and run the tests
#   make test-faults  every command with its N-th allocation failing, N = 1..
#   make fuzz       every trace reader's fuzzer, FUZZ_SECONDS (60) each;
#                   make fuzz-long: an hour each
#   make bench      the benchmark study (results/ is written, never cleaned);
#                   QUICK=1 for the small one
#   make plot RESULTS=dir  redraw a results folder's plots and report.md;
#                   without RESULTS, the committed docs/study (README's figure)
#   make install    pagelab, its man page, docs, plot scripts and bash
#                   completion under $(DESTDIR)$(PREFIX)
#
# Every .c file under common/ policies/ workloads/ sim/ real/ goes into one
# static library; cli/ makes bin/pagelab; tests/t_*.c and bench/*.c are one
# program each.  New files need no Makefile edit.

O       ?= build
CC      ?= cc
PREFIX  ?= /usr/local
DESTDIR ?=
OPT     ?= -O2
SAN     ?=
DEFS    ?=

CFLAGS  ?= $(OPT) -g
override CFLAGS += -std=gnu11 -Wall -Wextra -Werror -I. -pthread $(SAN) $(DEFS)
LDLIBS  := -lzstd -llz4 -lm -pthread

LIB_SRC   := $(sort $(wildcard common/*.c policies/*.c policies/*/*.c \
                        workloads/*.c sim/*.c real/*.c))
CLI_SRC   := $(sort $(wildcard cli/*.c))
TEST_SRC  := $(sort $(wildcard tests/t_*.c))
BENCH_SRC := $(sort $(wildcard bench/*.c))

LIB_OBJ   := $(LIB_SRC:%.c=$(O)/%.o)
CLI_OBJ   := $(CLI_SRC:%.c=$(O)/%.o)
TESTS     := $(TEST_SRC:tests/%.c=$(O)/tests/%)
BENCHES   := $(BENCH_SRC:bench/%.c=$(O)/bench/%)
LIB       := $(O)/libpagelab.a
PAGELAB   := $(O)/bin/pagelab
MT_TESTS  := $(filter %_mt,$(TESTS))

# The tests read only what tests/data/ holds; scripts/bench.sh takes the
# CloudPhysics trace from $(SHARED)/traces/ when that exists.

# The version `pagelab --version` prints and machine.txt records: the
# release below and the git commit built ("-modified" with uncommitted
# changes, "unknown" outside git), compiled into common/version.c only;
# $(O)/version.txt changes when they do, so a new commit rebuilds one file.
RELEASE := 0.2
COMMIT  := $(shell c=$$(git rev-parse --short HEAD 2>/dev/null) && \
             { git diff --quiet HEAD 2>/dev/null || c=$$c-modified; echo $$c; } || echo unknown)
VERSION_TXT := $(O)/version.txt

SHARED  ?= $(abspath ../shared)
export PAGELAB_SHARED := $(SHARED)
export PAGELAB_BIN := $(abspath $(PAGELAB))

.PHONY: all test test-asan test-tsan test-clang bench plot install clean deps \
        build-tests fuzz fuzz-long test-faults FORCE

all: $(PAGELAB) $(TESTS) $(BENCHES)

$(O)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -MMD -MP -c $< -o $@

$(VERSION_TXT): FORCE
	@mkdir -p $(dir $@)
	@echo '$(RELEASE) $(COMMIT)' | cmp -s - $@ 2>/dev/null || echo '$(RELEASE) $(COMMIT)' >$@

$(O)/common/version.o: $(VERSION_TXT)
$(O)/common/version.o: override CFLAGS += -DPAGELAB_RELEASE='"$(RELEASE)"' \
                                          -DPAGELAB_COMMIT='"$(COMMIT)"'

$(LIB): $(LIB_OBJ)
	@mkdir -p $(dir $@)
	rm -f $@
	ar rcs $@ $^

$(PAGELAB): $(CLI_OBJ) $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -o $@ $(CLI_OBJ) $(LIB) $(LDLIBS)

$(O)/tests/%: tests/%.c $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -MMD -MP -o $@ $< $(LIB) $(LDLIBS)

$(O)/bench/%: bench/%.c $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -MMD -MP -o $@ $< $(LIB) $(LDLIBS)

deps:
	@scripts/setup-deps.sh

build-tests: $(PAGELAB) $(TESTS)

# Tests run from the top of the tree, one after another, and the runner
# prints one total line "N passed, N failed".
test: deps
	@$(MAKE) --no-print-directory build-tests
	@scripts/run-tests.sh $(TESTS)

SAN_ASAN := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
test-asan: deps
	@$(MAKE) --no-print-directory O=build-asan OPT=-O1 SAN="$(SAN_ASAN)" build-tests
	@ASAN_OPTIONS=handle_segv=0:allow_user_segv_handler=1:detect_leaks=1:abort_on_error=1 \
	 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 PAGELAB_SANITIZER=asan \
	 PAGELAB_BIN=$(abspath build-asan/bin/pagelab) \
	 scripts/run-tests.sh $(TESTS:$(O)/%=build-asan/%)

test-tsan: deps
	@$(MAKE) --no-print-directory O=build-tsan OPT=-O1 SAN="-fsanitize=thread" build-tests
	@TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1 PAGELAB_SANITIZER=tsan \
	 PAGELAB_BIN=$(abspath build-tsan/bin/pagelab) \
	 scripts/run-tests.sh $(MT_TESTS:$(O)/%=build-tsan/%)

# The clang build also takes the portable native-trace decoder (the gcc
# builds take the BMI2 one where the CPU has it), so both are tested.
test-clang: deps
	@$(MAKE) --no-print-directory O=build-clang CC=clang \
	 DEFS=-DPAGELAB_NO_BMI2 all
	@PAGELAB_BIN=$(abspath build-clang/bin/pagelab) \
	 scripts/run-tests.sh $(TESTS:$(O)/%=build-clang/%)

# libFuzzer harnesses (fuzz/fuzz_*.c, one per reader), FUZZ_SECONDS each,
# built with clang into build-fuzz/; seeds in fuzz/corpus/READER/.
FUZZ_SECONDS ?= 60
fuzz: deps
	@$(MAKE) --no-print-directory O=build-fuzz CC=clang OPT=-O1 \
	 SAN="-fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=all" \
	 build-fuzz/libpagelab.a
	@scripts/run-fuzz.sh build-fuzz $(FUZZ_SECONDS)

fuzz-long:
	@$(MAKE) --no-print-directory fuzz FUZZ_SECONDS=3600

# The whole-command fault loop (scripts/fault-loop.sh): pagelab under
# ASan+UBSan with tests/faultinj.c wrapping our allocation calls.
FAULT_WRAP := -Wl,--wrap=malloc,--wrap=calloc,--wrap=realloc,--wrap=strdup \
              -Wl,--wrap=aligned_alloc,--wrap=posix_memalign,--wrap=mmap
$(O)/faultinj/pagelab: $(CLI_OBJ) $(LIB) tests/faultinj.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(FAULT_WRAP) -o $@ tests/faultinj.c $(CLI_OBJ) $(LIB) $(LDLIBS)

test-faults: deps
	@$(MAKE) --no-print-directory O=build-asan OPT=-O1 SAN="$(SAN_ASAN)" \
	 build-asan/faultinj/pagelab
	@scripts/fault-loop.sh build-asan/faultinj/pagelab

bench: deps all
	@QUICK=$(QUICK) scripts/bench.sh $(O)

# Redraw the plots and report.md of a results folder without rerunning;
# by default docs/study, the small committed folder README's figure is
# drawn from.
RESULTS ?= docs/study
plot:
	@scripts/plot.sh $(RESULTS)

# The man page is made from the binary's own help texts (scripts/mkman.sh),
# so it lists every subcommand and option this pagelab has.
$(O)/pagelab.1: $(PAGELAB) scripts/mkman.sh
	scripts/mkman.sh $(PAGELAB) >$@.tmp && mv $@.tmp $@

DOCDIR  = $(DESTDIR)$(PREFIX)/share/doc/pagelab
DATADIR = $(DESTDIR)$(PREFIX)/share/pagelab
install: $(PAGELAB) $(O)/pagelab.1
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/man/man1 \
		$(DOCDIR) $(DATADIR)/plot $(DESTDIR)$(PREFIX)/share/bash-completion/completions
	install -m 755 $(PAGELAB) $(DESTDIR)$(PREFIX)/bin/pagelab
	install -m 644 $(O)/pagelab.1 $(DESTDIR)$(PREFIX)/share/man/man1/pagelab.1
	install -m 644 README.md results/SCHEMA.md workloads/FORMAT.md docs/ENGINE.md $(DOCDIR)
	install -m 755 scripts/plot.sh scripts/report.sh scripts/check-csv.sh $(DATADIR)
	install -m 644 scripts/plot/*.gp scripts/plot/csv.awk scripts/plot/styles.txt $(DATADIR)/plot
	install -m 644 scripts/pagelab.bash-completion \
		$(DESTDIR)$(PREFIX)/share/bash-completion/completions/pagelab

# results/ is never touched by clean.
clean:
	rm -rf build build-asan build-tsan build-clang build-fuzz

-include $(shell find $(O) -name '*.d' 2>/dev/null)
