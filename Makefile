# slipsd — build, demo, tests, benchmarks. Run as root, or as a user with sudo (for apt-get and the kernel tests).
SHELL := /bin/bash
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
DEB_PACKAGES := iputils-ping netcat-openbsd libpcap-dev libnetfilter-queue-dev libnftnl-dev libmnl-dev libseccomp-dev libmaxminddb-dev pkg-config nftables iptables iproute2 tcpdump systemd nfdump dnsmasq-base dnsutils python3 tshark openssl curl openssh-server openssh-client linux-perf udhcpc ngtcp2-client ngtcp2-server
SWIFT ?= swift
SAMPLE := samples/demo.pcap

.PHONY: deps build release demo test bench install uninstall clean

## deps: install the Debian packages slipsd builds and tests against (only what is missing).
deps:
	@command -v $(SWIFT) >/dev/null || { echo "error: no Swift toolchain on PATH (Swift 6.2 or later is needed)"; exit 1; }
	@missing=""; for p in $(DEB_PACKAGES); do dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q 'install ok installed' || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then echo "installing:$$missing"; \
	  $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get update -q && \
	  $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $$missing; fi
	@# nscd for the feed helper's resolution test: Debian's package extracted under .build, never installed (a
	@# system-wide cache would answer every other test's lookups). The test is skipped, with the reason, without it.
	@[ -x .build/deps/nscd/usr/sbin/nscd ] || { mkdir -p .build/deps && cd .build/deps && rm -f nscd_*.deb && \
	  apt-get download -q nscd >/dev/null 2>&1 && dpkg-deb -x nscd_*.deb nscd && rm -f nscd_*.deb; } || \
	  echo "note: could not fetch the nscd package; the feed helper's nscd test will be skipped"

build: deps
	$(SWIFT) build

release: deps
	$(SWIFT) build -c release

## demo: analyse the bundled sample capture and show what slipsd found.
demo: release
	@rm -rf out/demo && mkdir -p out/demo
	.build/release/slipsd -r $(SAMPLE) -c samples/demo.yaml -o out/demo --flows out/demo/conn.log.json
	@echo; echo "== out/demo/alerts/alerts.log =="; cat out/demo/alerts/alerts.log
	@echo; echo "== first flows (out/demo/conn.log.json) =="; head -n 5 out/demo/conn.log.json

## test: every test, including the ones that need root, network namespaces and the kernel.
test: deps
	$(SWIFT) build --build-tests
	$(SUDO) env "PATH=$$PATH" $(SWIFT) test --skip-build --no-parallel

## bench: throughput and latency benchmarks, each against a baseline measured in the same run.
bench: release
	bash Benchmarks/run.sh

## install: binary, default config (never over an existing one), systemd unit, docs, logrotate snippet, and the
## unprivileged user. Never runs apt. PREFIX (default /usr/local) and DESTDIR (staging root) as usual.
PREFIX ?= /usr/local
DESTDIR ?=
SYSCONFDIR ?= /etc
UNITDIR ?= $(PREFIX)/lib/systemd/system
DOCDIR ?= $(PREFIX)/share/doc/slipsd

install:
	$(SWIFT) build -c release
	$(SUDO) install -D -m 0755 .build/release/slipsd $(DESTDIR)$(PREFIX)/bin/slipsd
	$(SUDO) install -d -m 0755 $(DESTDIR)$(SYSCONFDIR)/slipsd
	@if [ -e $(DESTDIR)$(SYSCONFDIR)/slipsd/slipsd.yaml ]; then echo "keeping $(DESTDIR)$(SYSCONFDIR)/slipsd/slipsd.yaml"; else \
	  sed 's|local_whitelist_path: config/whitelist.conf|local_whitelist_path: $(SYSCONFDIR)/slipsd/whitelist.conf|' config/slipsd.yaml > .build/slipsd.yaml.install && \
	  $(SUDO) install -m 0644 .build/slipsd.yaml.install $(DESTDIR)$(SYSCONFDIR)/slipsd/slipsd.yaml; fi
	@[ -e $(DESTDIR)$(SYSCONFDIR)/slipsd/whitelist.conf ] || $(SUDO) install -m 0644 config/whitelist.conf $(DESTDIR)$(SYSCONFDIR)/slipsd/whitelist.conf
	sed 's|/usr/local/bin/slipsd|$(PREFIX)/bin/slipsd|; s|/etc/slipsd/|$(SYSCONFDIR)/slipsd/|; s|file:///usr/local/share/doc/slipsd|file://$(DOCDIR)|' \
	  systemd/slipsd.service > .build/slipsd.service.install
	$(SUDO) install -D -m 0644 .build/slipsd.service.install $(DESTDIR)$(UNITDIR)/slipsd.service
	$(SUDO) install -D -m 0644 README.md $(DESTDIR)$(DOCDIR)/README.md
	$(SUDO) install -D -m 0644 docs/writing-a-detector.md $(DESTDIR)$(DOCDIR)/writing-a-detector.md
	$(SUDO) install -D -m 0644 systemd/slipsd.logrotate $(DESTDIR)$(SYSCONFDIR)/logrotate.d/slipsd
	@if [ -z "$(DESTDIR)" ]; then \
	  id slipsd >/dev/null 2>&1 || $(SUDO) useradd --system --no-create-home --shell /usr/sbin/nologin slipsd; \
	  $(SUDO) systemctl daemon-reload 2>/dev/null || true; fi

## uninstall: removes what install put there, except the configuration in $(SYSCONFDIR)/slipsd and the user.
uninstall:
	$(SUDO) rm -f $(DESTDIR)$(PREFIX)/bin/slipsd $(DESTDIR)$(UNITDIR)/slipsd.service \
	  $(DESTDIR)$(SYSCONFDIR)/logrotate.d/slipsd
	$(SUDO) rm -rf $(DESTDIR)$(DOCDIR)
	@[ -n "$(DESTDIR)" ] || $(SUDO) systemctl daemon-reload 2>/dev/null || true

clean:
	rm -rf .build out bench-out
