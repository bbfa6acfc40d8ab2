# crawl — build, test, demo.
#   make setup   system libraries (apt) + release build
#   make test    unit and integration tests (what CI runs)
#   make demo    a real crawl of a generated site served on loopback
SHELL := /bin/bash
SWIFT ?= swift
APT_PACKAGES := libsqlite3-dev libcurl4-openssl-dev libxml2-dev libssl-dev pkg-config python3 nginx-light
BIN_DEBUG := .build/debug/crawl
BIN_RELEASE := .build/release/crawl
DEMO ?= /tmp/crawl-demo

.PHONY: setup deps build release test demo clean

setup: deps release

# Installs the Debian packages that are missing (needs root or sudo).
deps:
	@missing=""; for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing >/dev/null; \
	fi

build:
	$(SWIFT) build

release:
	$(SWIFT) build -c release

test: deps
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build

# Generates a 2-host site, serves it with nginx on 127.0.0.11-12, crawls it, audits it, stops nginx.
demo: deps release
	rm -rf $(DEMO) && mkdir -p $(DEMO)
	python3 scripts/demo_site.py $(DEMO)/site
	scripts/serve.sh start $(DEMO)/site
	$(BIN_RELEASE) start http://127.0.0.11:8089/ --allow-host 127.0.0.12 --db $(DEMO)/demo.db --out $(DEMO)/data \
	  --concurrency 16 --per-host 4 --delay 0; status=$$?; \
	$(BIN_RELEASE) stats --db $(DEMO)/demo.db; \
	python3 scripts/audit_demo.py $(DEMO)/site; \
	scripts/serve.sh stop $(DEMO)/site; exit $$status

clean:
	rm -rf .build $(DEMO)
