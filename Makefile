# golxc: LXC reimplemented in Go. See README.md.
SHELL := /bin/bash
export PATH := $(PATH):/usr/local/go/bin
GO ?= go
PREFIX ?= /usr/local
BIN := bin/golxc
# lxc-user-nic: the setuid-root helper, a separate static binary without
# cgo (internal/usernic's doc says why Go); installed where it does not
# replace LXC's /usr/libexec/lxc/lxc-user-nic.
USERNIC := bin/lxc-user-nic
USERNIC_DIR := $(PREFIX)/libexec/golxc
# golxc-image: lxc-create -t download and golxc image (xz, OpenPGP, TLS
# kept out of golxc's start); golxc finds it in ../libexec/golxc.
IMAGE := bin/golxc-image
# Fuzz budgets (execution counts; see the fuzz target).
FUZZ_PARSE ?= 200000x
FUZZ_IDMAP ?= 400000x
FUZZ_SECCOMP ?= 600000x
# Minimizing a new input runs the target at most this often (default: 60 s).
FUZZ_MIN ?= 2000x

.PHONY: all build install uninstall deps demo test unit fuzz bench clean

all: build

# -s -w: no symbol table or DWARF (8.1 -> 5.6 MB): every lxc-* call maps
# and every container start copies the binary (spawn's sealed exe).
# golxc is linked statically: lxc-execute re-executes it as the container's
# init inside rootfs trees that have no C library of their own.
# The commit `golxc version` names (GOFLAGS may turn Go's own VCS stamp off).
COMMIT := $(shell git rev-parse --short=12 HEAD 2>/dev/null)$(shell git diff --quiet HEAD 2>/dev/null || echo +dirty)
BUILDFLAGS := -trimpath -tags netgo,osusergo -ldflags '-s -w -linkmode external -extldflags -static -X github.com/golxc/golxc/internal/buildinfo.commit=$(COMMIT)'

build:
	CGO_ENABLED=1 $(GO) build $(BUILDFLAGS) -o $(BIN) ./cmd/golxc
	CGO_ENABLED=0 $(GO) build -trimpath -tags netgo,osusergo -ldflags '-s -w' -o $(USERNIC) ./cmd/lxc-user-nic
	CGO_ENABLED=0 $(GO) build -trimpath -tags netgo,osusergo -ldflags '-s -w' -o $(IMAGE) ./cmd/golxc-image

# deps installs what is missing from Debian's packages (needs root).
deps:
	@./scripts/deps.sh

install: build
	install -D -m 0755 $(BIN) $(DESTDIR)$(PREFIX)/bin/golxc
	# One lxc-* link per tool golxc implements (golxc --list-implemented);
	# stale links to golxc for other names are removed.
	./scripts/install-links.sh $(DESTDIR)$(PREFIX)/bin
	# setuid root: it checks every request against the real uid.
	install -D -o root -g root -m 4755 $(USERNIC) $(DESTDIR)$(USERNIC_DIR)/lxc-user-nic
	install -D -m 0755 $(IMAGE) $(DESTDIR)$(USERNIC_DIR)/golxc-image

uninstall:
	./scripts/install-links.sh $(DESTDIR)$(PREFIX)/bin --remove
	rm -f $(DESTDIR)$(PREFIX)/bin/golxc
	rm -f $(DESTDIR)$(USERNIC_DIR)/lxc-user-nic
	rm -f $(DESTDIR)$(USERNIC_DIR)/golxc-image
	-rmdir $(DESTDIR)$(USERNIC_DIR) 2>/dev/null

demo: deps install
	@./scripts/demo.sh

# test runs every test: unit, integration (real containers, as root) and a
# short fuzz run of each parser.
test: deps install
	$(GO) vet ./...
	$(GO) test -p 1 -count=1 -timeout 40m ./...
	$(MAKE) fuzz

# Execution counts, not durations: with -fuzztime as a duration, Go 1.26's
# fuzz coordinator can report a spurious "context deadline exceeded" when
# the time runs out while a worker is busy (golang/go#75804, fixed in 1.27).
# The counts are roughly 15 s each on the 2-core reference machine.
fuzz:
	$(GO) test -run '^$$' -fuzz '^FuzzParse$$' -fuzztime $(FUZZ_PARSE) -fuzzminimizetime $(FUZZ_MIN) ./internal/config
	$(GO) test -run '^$$' -fuzz '^FuzzIDMap$$' -fuzztime $(FUZZ_IDMAP) -fuzzminimizetime $(FUZZ_MIN) ./internal/config
	$(GO) test -run '^$$' -fuzz '^FuzzSeccompPolicy$$' -fuzztime $(FUZZ_SECCOMP) -fuzzminimizetime $(FUZZ_MIN) ./internal/seccomp

bench: deps install
	@./scripts/bench.sh

clean:
	rm -rf bin
