# Intake — the two commands a new machine needs: `make run` and `make test`.
# Every tool they need is installed here when missing (idempotent), from
# crates.io, npm and Debian's packages only.

SHELL := bash
# pipefail: a version check therefore lets grep read all of its input (no
# `grep -q`), or the tool dies of SIGPIPE and the check fails at random.
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := run

CARGO_LEPTOS_VERSION := 0.3.10
WASM_BINDGEN_VERSION := 0.2.130
GECKODRIVER_VERSION  := 0.37.1
OHA_VERSION          := 1.16.0
# The API fuzzer, from PyPI, in a virtual environment of its own.
SCHEMATHESIS_VERSION := 4.32.5
FUZZ_VENV            := $(CURDIR)/target/fuzz-venv
# The Cloud Link client's downloads: Windows is cross-compiled with MinGW;
# cargo-about lists the licences of what the client links.
WINDOWS_TARGET       := x86_64-pc-windows-gnu
CARGO_ABOUT_VERSION  := 0.9.3
DOWNLOADS            := $(CURDIR)/target/downloads
# Browsers and drivers for end-to-end tests; Python and Ruby for the example
# clients; tinyproxy and openssl (an untrusted TLS server) for Cloud Link's
# connection tests; unixODBC (cloud-link links
# it) and the ODBC drivers its database imports are tested through:
# psqlODBC, MariaDB Connector/ODBC, and FreeTDS (SQL Server: configured,
# not tested — no SQL Server runs here).
SYSTEM_PACKAGES      := chromium chromium-driver firefox-esr webkit2gtk-driver xvfb python3 ruby tinyproxy unixodbc-dev odbc-postgresql odbc-mariadb tdsodbc openssl

CARGO_BIN := $(or $(CARGO_HOME),$(HOME)/.cargo)/bin
export PATH := $(CURDIR)/node_modules/.bin:$(CARGO_BIN):$(PATH)
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: run test build-site downloads tools wasm-target windows-target cargo-about cargo-leptos wasm-bindgen node-tools odbc-dev browsers geckodriver oha schemathesis lint unit-and-integration end2end fuzz bench clean

## run: build the release site and serve Intake on http://127.0.0.1:3000 (SQLite in ./data/)
run: tools downloads
	cargo leptos serve --release

## test: lint, then unit + integration (SQLite and PostgreSQL), then end-to-end in three browsers, then schemathesis against the live API
test: tools browsers
	@$(MAKE) --no-print-directory lint
	@$(MAKE) --no-print-directory unit-and-integration
	@$(MAKE) --no-print-directory end2end
	@$(MAKE) --no-print-directory fuzz

lint:
	@echo "==> cargo fmt --check"
	cargo fmt --all -- --check
	@echo "==> clippy (server side: ssr)"
	cargo clippy -p domain -p app -p server -p cloud-link -p end2end -p bench --all-targets -- -D warnings
	@echo "==> clippy (browser side: hydrate, wasm32)"
	cargo clippy -p frontend --target wasm32-unknown-unknown -- -D warnings
	@echo "==> clippy (Cloud Link for Windows, $(WINDOWS_TARGET))"
	cargo clippy -p cloud-link --target $(WINDOWS_TARGET) -- -D warnings

# Packages are named rather than --workspace: building `frontend` alongside
# would switch on app's `hydrate` next to `ssr` (cargo unifies features).
unit-and-integration:
	@echo "==> unit and integration tests (SQLite always; PostgreSQL when one answers on 127.0.0.1:5432 or INTAKE_TEST_POSTGRES_URL)"
	cargo test -p domain -p app -p server -p cloud-link

build-site: tools downloads
	@echo "==> building the release site (server + wasm + css)"
	cargo leptos build --release

## downloads: the Cloud Link client for Linux and Windows and the licences it carries, into target/downloads (the server packs them per console address)
downloads: windows-target cargo-about odbc-dev
	@echo "==> building the Cloud Link client for Linux and Windows"
	cargo build --release -p cloud-link
	cargo build --release -p cloud-link --target $(WINDOWS_TARGET)
	rm -rf $(DOWNLOADS).new
	mkdir -p $(DOWNLOADS).new/linux-x86_64 $(DOWNLOADS).new/windows-x86_64 $(DOWNLOADS).new/licenses
	cp target/release/cloud-link $(DOWNLOADS).new/linux-x86_64/
	cp target/$(WINDOWS_TARGET)/release/cloud-link.exe $(DOWNLOADS).new/windows-x86_64/
	@echo "==> listing the client's open-source licences (cargo-about)"
	cargo about generate --locked --fail -c cloud-link/about.toml -m cloud-link/Cargo.toml \
		cloud-link/about.hbs -o $(DOWNLOADS).new/licenses/licenses.html
	rm -rf $(DOWNLOADS) && mv $(DOWNLOADS).new $(DOWNLOADS)

end2end: build-site
	@echo "==> end-to-end tests in Chromium, Firefox ESR and WebKitGTK"
	INTAKE_E2E_BINARY=$(CURDIR)/target/release/intake INTAKE_E2E_SITE_ROOT=$(CURDIR)/target/site \
		INTAKE_E2E_DOWNLOADS=$(DOWNLOADS) \
		cargo test -p end2end -- --test-threads=1

tools: wasm-target windows-target cargo-leptos wasm-bindgen node-tools

wasm-target:
	@rustup target list --installed | grep -x wasm32-unknown-unknown >/dev/null || rustup target add wasm32-unknown-unknown

# Rust's Windows target and Debian's MinGW linker for it.
windows-target:
	@rustup target list --installed | grep -x $(WINDOWS_TARGET) >/dev/null || rustup target add $(WINDOWS_TARGET)
	@if ! command -v x86_64-w64-mingw32-gcc >/dev/null; then \
		echo "==> installing the MinGW-w64 linker (gcc-mingw-w64-x86-64)"; \
		$(SUDO) apt-get update -qq; \
		DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq gcc-mingw-w64-x86-64; \
	fi

cargo-about:
	@if ! cargo about --version 2>/dev/null | grep " $(CARGO_ABOUT_VERSION)$$" >/dev/null; then \
		echo "==> installing cargo-about $(CARGO_ABOUT_VERSION)"; \
		cargo install --locked cargo-about --version =$(CARGO_ABOUT_VERSION) --features cli; \
	fi

cargo-leptos:
	@if ! cargo leptos --version 2>/dev/null | grep " $(CARGO_LEPTOS_VERSION)$$" >/dev/null; then \
		echo "==> installing cargo-leptos $(CARGO_LEPTOS_VERSION) (about 13 minutes on 2 cores)"; \
		cargo install --locked cargo-leptos --version =$(CARGO_LEPTOS_VERSION) --features no_downloads; \
	fi

# Without --locked: its lock file pins a crate version the registry may not serve.
wasm-bindgen:
	@if ! wasm-bindgen --version 2>/dev/null | grep " $(WASM_BINDGEN_VERSION)$$" >/dev/null; then \
		echo "==> installing wasm-bindgen-cli $(WASM_BINDGEN_VERSION)"; \
		cargo install wasm-bindgen-cli --version =$(WASM_BINDGEN_VERSION); \
	fi

node-tools: node_modules/.package-lock.json

# `npm install` rather than `npm ci`: the registry we can reach lacks the
# Tailwind binaries of other platforms, which `npm ci` insists on listing.
# With the lock file present it installs exactly the locked versions.
node_modules/.package-lock.json: package.json package-lock.json
	@echo "==> installing the Tailwind CLI and wasm-opt from npm"
	npm install --no-audit --no-fund

## odbc-dev: unixODBC's library, which the Cloud Link client links (make run builds the client too)
odbc-dev:
	@if ! dpkg -s unixodbc-dev >/dev/null 2>&1; then \
		echo "==> installing unixODBC (the Cloud Link client links its driver manager)"; \
		$(SUDO) apt-get update -qq; \
		DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq unixodbc-dev; \
	fi

browsers: geckodriver
	@missing=""; \
	for tool in chromium chromedriver firefox-esr WebKitWebDriver xvfb-run python3 ruby tinyproxy openssl; do \
		command -v $$tool >/dev/null || missing="$$missing $$tool"; \
	done; \
	dpkg -s unixodbc-dev odbc-postgresql odbc-mariadb tdsodbc >/dev/null 2>&1 || missing="$$missing odbc"; \
	if [ -n "$$missing" ]; then \
		echo "==> installing browsers, drivers and example runtimes (missing:$$missing)"; \
		$(SUDO) apt-get update -qq; \
		DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $(SYSTEM_PACKAGES); \
	fi

geckodriver:
	@if ! geckodriver --version 2>/dev/null | grep "^geckodriver $(GECKODRIVER_VERSION)" >/dev/null; then \
		echo "==> installing geckodriver $(GECKODRIVER_VERSION)"; \
		cargo install --locked geckodriver --version =$(GECKODRIVER_VERSION); \
	fi

## fuzz: schemathesis against /api/openapi.json of the release server, on SQLite and PostgreSQL (FUZZ_MAX_EXAMPLES, FUZZ_SEED)
fuzz: build-site schemathesis
	@echo "==> schemathesis against the live API (fuzz/schemathesis.toml)"
	INTAKE_SCHEMATHESIS=$(FUZZ_VENV)/bin/st cargo run --release -p bench --bin api-fuzz

# Debian's python3 needs python3-venv for `python3 -m venv`.
schemathesis:
	@if ! $(FUZZ_VENV)/bin/st --version 2>/dev/null | grep " $(SCHEMATHESIS_VERSION)$$" >/dev/null; then \
		echo "==> installing schemathesis $(SCHEMATHESIS_VERSION) into $(FUZZ_VENV)"; \
		rm -rf $(FUZZ_VENV); \
		if ! python3 -m venv $(FUZZ_VENV) 2>/dev/null; then \
			rm -rf $(FUZZ_VENV); \
			$(SUDO) apt-get update -qq; \
			DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq python3-venv; \
			python3 -m venv $(FUZZ_VENV); \
		fi; \
		$(FUZZ_VENV)/bin/pip install --quiet schemathesis==$(SCHEMATHESIS_VERSION); \
	fi

## bench: ingestion throughput and latency vs the database's own bulk insert (SQLite, and PostgreSQL when one answers), what hostile or heavy work costs, CSV files, and a database history through Cloud Link; writes bench/results/ingest.json, cost.json, csv.json and history.json
bench: build-site oha
	@echo "==> ingestion benchmark ($${BENCH_SECONDS:-10} s per run; BENCH_CONCURRENCY=$${BENCH_CONCURRENCY:-1,4,16})"
	cargo run --release -p bench --bin ingest-bench
	@echo "==> cost benchmark: memory per maximal request, a sign-in flood, pushes during a catch-up"
	cargo run --release -p bench --bin cost-bench
	@echo "==> CSV benchmark: a 7 MB file read, checked and applied; the designer's preview"
	cargo run --release -p bench --bin csv-bench
	@echo "==> history benchmark: three years of intervals from PostgreSQL through Cloud Link"
	cargo run --release -p bench --bin history-bench
	@echo "==> live benchmark: 5 000 agents, 500 changes a second through the feed, $${BENCH_BOARDS:-20} boards"
	cargo run --release -p bench --bin live-bench

oha:
	@if ! oha --version 2>/dev/null | grep " $(OHA_VERSION)$$" >/dev/null; then \
		echo "==> installing oha $(OHA_VERSION), the HTTP load generator"; \
		cargo install --locked oha --version =$(OHA_VERSION); \
	fi

clean:
	cargo clean
	rm -rf node_modules
