# golxc: LXC reimplemented in Go. See README.md.
SHELL := /bin/bash
export PATH := $(PATH):/usr/local/go/bin
GO ?= go
PREFIX ?= /usr/local
BIN := bin/golxc
TOOLS := lxc-attach lxc-autostart lxc-cgroup lxc-checkconfig lxc-checkpoint lxc-config \
	lxc-console lxc-copy lxc-create lxc-destroy lxc-device lxc-execute lxc-freeze lxc-info \
	lxc-ls lxc-monitor lxc-net lxc-snapshot lxc-start lxc-stop lxc-top lxc-unfreeze lxc-unshare \
	lxc-update-config lxc-usernsexec lxc-wait
FUZZTIME ?= 15s

.PHONY: all build install uninstall deps demo test unit fuzz bench clean

all: build

# -s -w: no symbol table or DWARF (8.1 -> 5.6 MB): every lxc-* call maps
# and every container start copies the binary (spawn's sealed exe).
# golxc is linked statically: lxc-execute re-executes it as the container's
# init inside rootfs trees that have no C library of their own.
BUILDFLAGS := -trimpath -tags netgo,osusergo -ldflags '-s -w -linkmode external -extldflags -static'

build:
	CGO_ENABLED=1 $(GO) build $(BUILDFLAGS) -o $(BIN) ./cmd/golxc

# deps installs what is missing from Debian's packages (needs root).
deps:
	@./scripts/deps.sh

install: build
	install -D -m 0755 $(BIN) $(DESTDIR)$(PREFIX)/bin/golxc
	for t in $(TOOLS); do ln -sf golxc $(DESTDIR)$(PREFIX)/bin/$$t; done

uninstall:
	rm -f $(DESTDIR)$(PREFIX)/bin/golxc
	for t in $(TOOLS); do rm -f $(DESTDIR)$(PREFIX)/bin/$$t; done

demo: deps install
	@./scripts/demo.sh

# test runs every test: unit, integration (real containers, as root) and a
# short fuzz run of each parser.
test: deps install
	$(GO) vet ./...
	$(GO) test -p 1 -count=1 -timeout 40m ./...
	$(MAKE) fuzz

fuzz:
	$(GO) test -run '^$$' -fuzz '^FuzzParse$$' -fuzztime $(FUZZTIME) ./internal/config
	$(GO) test -run '^$$' -fuzz '^FuzzIDMap$$' -fuzztime $(FUZZTIME) ./internal/config
	$(GO) test -run '^$$' -fuzz '^FuzzSeccompPolicy$$' -fuzztime $(FUZZTIME) ./internal/seccomp

bench: deps install
	@./scripts/bench.sh

clean:
	rm -rf bin
