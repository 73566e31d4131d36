# slipsd — build, demo, tests, benchmarks. Run as root, or as a user with sudo (for apt-get and the kernel tests).
SHELL := /bin/bash
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
DEB_PACKAGES := iputils-ping netcat-openbsd libpcap-dev libnetfilter-queue-dev libnftnl-dev libmnl-dev pkg-config nftables iptables iproute2 tcpdump systemd
SWIFT ?= swift
SAMPLE := samples/demo.pcap

.PHONY: deps build release demo test bench install clean

## deps: install the Debian packages slipsd builds and tests against (only what is missing).
deps:
	@command -v $(SWIFT) >/dev/null || { echo "error: no Swift toolchain on PATH (Swift 6.2 or later is needed)"; exit 1; }
	@missing=""; for p in $(DEB_PACKAGES); do dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q 'install ok installed' || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then echo "installing:$$missing"; \
	  $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get update -q && \
	  $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $$missing; fi

build: deps
	$(SWIFT) build

release: deps
	$(SWIFT) build -c release

## demo: analyse the bundled sample capture and show what slipsd found.
demo: release
	@rm -rf out/demo && mkdir -p out/demo
	.build/release/slipsd -r $(SAMPLE) -c samples/demo.yaml -o out/demo --flows out/demo/conn.log.json
	@echo; echo "== out/demo/alerts.log =="; cat out/demo/alerts.log
	@echo; echo "== first flows (out/demo/conn.log.json) =="; head -n 5 out/demo/conn.log.json

## test: every test, including the ones that need root, network namespaces and the kernel.
test: deps
	$(SWIFT) build --build-tests
	$(SUDO) env "PATH=$$PATH" $(SWIFT) test --skip-build --no-parallel

## bench: throughput and latency benchmarks, each against a baseline measured in the same run.
bench: release
	bash Benchmarks/run.sh

## install: binary, config, systemd unit and the unprivileged user (see README).
install: release
	$(SUDO) install -m 0755 .build/release/slipsd /usr/local/bin/slipsd
	$(SUDO) install -d -m 0755 /etc/slipsd
	[ -f /etc/slipsd/slipsd.yaml ] || $(SUDO) install -m 0644 config/slipsd.yaml /etc/slipsd/slipsd.yaml
	[ -f /etc/slipsd/whitelist.conf ] || $(SUDO) install -m 0644 config/whitelist.conf /etc/slipsd/whitelist.conf
	$(SUDO) sed -i 's|local_whitelist_path: config/whitelist.conf|local_whitelist_path: /etc/slipsd/whitelist.conf|' /etc/slipsd/slipsd.yaml
	id slipsd >/dev/null 2>&1 || $(SUDO) useradd --system --no-create-home --shell /usr/sbin/nologin slipsd
	$(SUDO) install -m 0644 systemd/slipsd.service /etc/systemd/system/slipsd.service
	-$(SUDO) systemctl daemon-reload

clean:
	rm -rf .build out bench-out
