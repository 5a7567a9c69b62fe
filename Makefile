# bilateral — see README.md. `make run` and `make test` set up everything
# they need on a fresh machine (npm packages, Debian packages).

GO        ?= go
NPM       ?= npm
ADDR      ?= :8080
BIN       := bin/bilateral
DIST      := web/static/dist
MANIFEST  := $(DIST)/manifest.json
ASSET_SRC := $(shell find web/assets -type f 2>/dev/null) package.json package-lock.json
GO_SRC    := $(shell find . -name '*.go' -not -path './node_modules/*' 2>/dev/null) go.mod go.sum $(shell find templates datasets/default -type f 2>/dev/null)
# go test's -timeout, per package: generous for a busy machine (with two
# copies of the suite at a load average of 20, chartimage took 13 minutes
# and web 12), but bounded, so a hung test fails with its goroutines dumped.
TEST_TIMEOUT ?= 45m

.PHONY: all run build assets test lint golden bench fuzz lighthouse deps clean

all: build

## run: build and serve the dashboard on $(ADDR)
run: build
	$(BIN) serve --addr $(ADDR)

## build: the binary, with the front-end embedded
build: $(BIN)

$(BIN): $(MANIFEST) $(GO_SRC)
	$(GO) build -o $(BIN) ./cmd/bilateral

## assets: ECharts, fonts and map geometry from the npm registry (pinned by package-lock.json)
assets: $(MANIFEST)

node_modules/.package-lock.json: package.json package-lock.json
	$(NPM) ci --no-audit --no-fund
	@touch $@

$(MANIFEST): node_modules/.package-lock.json $(ASSET_SRC)
	$(NPM) run build

## deps: Debian packages the tests use (Chromium, LibreOffice, openpyxl, poppler)
deps:
	./scripts/ensure-deps.sh

## test: lint, then every test (browser tests included)
test: deps lint
	BILATERAL_REQUIRE_TOOLS=1 $(GO) test -race -count=1 -timeout $(TEST_TIMEOUT) ./...

## lint: go vet, gofmt and staticcheck (pinned in go.mod's tool block);
## needs the built front-end, which the web package embeds
lint: assets
	$(GO) vet ./...
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go' -not -path './node_modules/*')); \
	  if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi
	$(GO) tool staticcheck ./...

## golden: rewrite golden files from the current output
golden: assets
	$(GO) test ./web/charts ./chartimage -run Golden -update

clean:
	rm -rf bin node_modules tools/lighthouse/node_modules
	find $(DIST) -mindepth 1 ! -name README.md -delete

## bench: measure what users feel against the obvious alternatives (nginx,
## pandas, openpyxl) and write BENCHMARKS.md; BENCH_QUICK=1 for a smoke check
bench: build
	./scripts/ensure-deps.sh wrk nginx-light python3-pandas python3-openpyxl time
	$(GO) run ./bench -bin $(BIN)

## fuzz: fuzz the workbook decoder, FUZZTIME per target (default 60s), and
## write the results into BENCHMARKS.md; FUZZMINIMIZETIME (default 0s: new
## inputs are not shrunk, so the time goes to fuzzing) is go test's -fuzzminimizetime
FUZZTIME ?= 60s
FUZZMINIMIZETIME ?= 0s
fuzz:
	FUZZTIME=$(FUZZTIME) FUZZMINIMIZETIME=$(FUZZMINIMIZETIME) $(GO) run ./bench fuzz

## lighthouse: Lighthouse (mobile preset, pinned in tools/lighthouse) on the
## dashboard and a chart page; medians of LIGHTHOUSE_RUNS runs go into BENCHMARKS.md
LIGHTHOUSE_RUNS ?= 3
tools/lighthouse/node_modules/.package-lock.json: tools/lighthouse/package.json tools/lighthouse/package-lock.json
	$(NPM) ci --prefix tools/lighthouse --no-audit --no-fund
	@touch $@

lighthouse: build tools/lighthouse/node_modules/.package-lock.json
	./scripts/ensure-deps.sh
	node tools/lighthouse/run.mjs $(BIN) $(LIGHTHOUSE_RUNS)
