# crawl — build, test, demo.
#   make setup   system libraries (apt), warcio (PyPI, for the WARC tests) + release build
#   make test    unit and integration tests (what CI runs)
#   make demo    a real crawl of a generated site served on loopback
#   make hostile what crawl does with each trap of the hostile test site
#   make bench   crawl vs wget2 (and Scrapy) on nginx-served sites, and issue 5's targets
SHELL := /bin/bash
SWIFT ?= swift
# nginx-light: the integration tests' bench smoke run (scripts/bench.py --smoke) serves its site with it.
APT_PACKAGES := libsqlite3-dev libcurl4-openssl-dev libxml2-dev libssl-dev zlib1g-dev pkg-config python3 python3-venv \
                nginx-light
BENCH_PACKAGES := wget2
BENCH_ARGS ?=
BIN_DEBUG := .build/debug/crawl
BIN_RELEASE := .build/release/crawl
WARCIO_VENV := .build/warcio-venv

.PHONY: setup deps warcio build release test demo bench hostile warc-bench torture fuzz clean

setup: deps release

# Installs the Debian packages that are missing (needs root or sudo).
deps:
	@missing=""; for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing >/dev/null; \
	fi
	@$(MAKE) --no-print-directory warcio

# warcio (PyPI), the WARC reader the integration tests check --warc output with, in a venv under
# .build. Without PyPI the WARC tests skip and say why.
warcio:
	@if $(WARCIO_VENV)/bin/python -c 'import warcio' 2>/dev/null || python3 -c 'import warcio' 2>/dev/null; then :; \
	elif python3 -m venv $(WARCIO_VENV) && $(WARCIO_VENV)/bin/python -m pip install -q --disable-pip-version-check warcio; then \
	  echo "warcio installed in $(WARCIO_VENV)"; \
	else echo "warning: warcio could not be installed from PyPI; the WARC integration tests will skip"; fi

build:
	$(SWIFT) build

release:
	$(SWIFT) build -c release

# Test scratch (databases, bodies, fixture logs) goes to a fresh folder on tmpfs when there is one:
# ext4 makes file creation after mass deletion slow, and that blocking file work runs on the test
# process's cooperative threads. TEST_TMP=/some/dir to choose.
TEST_TMP ?= $(shell [ -d /dev/shm ] && [ -w /dev/shm ] && echo /dev/shm || echo /tmp)

test: deps
	$(SWIFT) build --build-tests
	@scratch=$$(mktemp -d "$(TEST_TMP)/crawl-tests-XXXXXX") && echo "TMPDIR=$$scratch $(SWIFT) test --skip-build" \
	  && TMPDIR=$$scratch $(SWIFT) test --skip-build; status=$$?; rm -rf "$$scratch"; exit $$status

# Serves a generated 3-host site on 127.0.0.11-13 (Python, stdlib), crawls it with the release
# binary into /tmp/crawl-demo, prints `crawl stats` and checks coverage from the server's log.
demo: setup
	scripts/demo.sh

# crawl against wget2 (and Scrapy, if installed) on nginx-served loopback sites, then targets 3-5
# (memory on the 10x site, polite speed, stats and resume on 1M rows). See README.md, `make bench`.
# Needs root for tmpfs mounts. BENCH_ARGS passes flags, e.g. BENCH_ARGS="--only polite,scale".
bench: setup
	@$(MAKE) --no-print-directory deps APT_PACKAGES="$(BENCH_PACKAGES)"
	python3 scripts/bench.py $(BENCH_ARGS)

# The hostile site of the integration suite, trap by trap, with the release binary (PROFILE=defaults
# for crawl's default limits; takes minutes).
PROFILE ?= test
hostile: release
	python3 scripts/hostile_report.py --profile $(PROFILE)

# What --warc costs on the same site: with and without, alternating, medians of 3 runs; and
# crawl export on a 100k-URL database (max RSS, line count against crawl stats).
warc-bench: setup
	python3 scripts/warc_bench.py --export-rows 100000

# Crash torture: kill -9 a crawl of the bench site KILLS times at seeded random moments,
# resume each time, then check coverage, duplicates, the database and the bodies (nginx on :8088).
KILLS ?= 10
SEED ?= 1
torture: setup
	python3 scripts/torture.py --kills $(KILLS) --seed $(SEED)

# libFuzzer targets (Fuzz/, a package of its own) for the link extractor, the URL resolver and
# the robots.txt parser, each run FUZZ_TIME seconds on its seed corpus (scripts/fuzz.sh).
FUZZ_TIME ?= 60
fuzz: deps
	FUZZ_TIME=$(FUZZ_TIME) scripts/fuzz.sh

clean:
	rm -rf .build Fuzz/.build /tmp/crawl-demo
