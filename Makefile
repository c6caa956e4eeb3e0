# The README's test command is `make test`; .ci/run calls the same targets.
GO       ?= go
FUZZTIME ?= 4s
PKGS     ?= ./...

# The journal's PostgreSQL tests run when this names a server
# (`make test INSTORE_TEST_POSTGRES_DSN=postgres://...`), and skip otherwise
# (CI sets it in .ci/run, and fails without one).
export INSTORE_TEST_POSTGRES_DSN

.PHONY: test unit fuzz-short fuzz-long examples lint bench cover ci

## test: everything a change must pass: unit tests with -race, short fuzz runs, the examples.
test: unit fuzz-short examples reconcile-smoke

unit:
	$(GO) test -race -count=1 $(PKGS)

## fuzz-short: every Fuzz target in the module for FUZZTIME each.
fuzz-short:
	FUZZTIME=$(FUZZTIME) GO=$(GO) ./scripts/fuzz-short.sh

## fuzz-long: a campaign of every Fuzz target for FUZZTIME each (3m unless
## FUZZTIME is given: make fuzz-long FUZZTIME=10m), FUZZJOBS at a time; the
## new interesting inputs are copied into testdata/fuzz to be committed.
fuzz-long:
	FUZZTIME=$(if $(filter command line environment,$(origin FUZZTIME)),$(FUZZTIME),3m) GO=$(GO) ./scripts/fuzz-long.sh

## examples: run the example programs against the embedded simulators.
## Each is built once (a `go run` per line would link it again every time);
## the commands are the README's `go run ./examples/checkout ...`.
examples:
	@set -e; bin=$$(mktemp -d); trap 'rm -rf "$$bin"' EXIT; \
	$(GO) build -o "$$bin/" ./examples/checkout ./examples/webhook; \
	set -x; \
	"$$bin/checkout"; \
	"$$bin/checkout" -acquirer ppro -currency CHF; \
	"$$bin/checkout" -mode qr; \
	"$$bin/checkout" -mode qr -outcome abandon; \
	"$$bin/checkout" -crash-after pay; \
	"$$bin/checkout" -otel >/dev/null; \
	"$$bin/webhook"

## reconcile-smoke: the operator's tool on its simulated day finds every seeded discrepancy.
.PHONY: reconcile-smoke
reconcile-smoke:
	GO=$(GO) ./scripts/reconcile-smoke.sh

## lint: formatting, vet, staticcheck, golangci-lint.
lint:
	@out=$$(gofmt -l .); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	$(GO) vet $(PKGS)
	staticcheck $(PKGS)
	golangci-lint run $(PKGS)

## bench: every benchmark, with allocations.
bench:
	$(GO) test -run '^$$' -bench . -benchmem $(PKGS)

## cover: unit tests with a coverage profile and a summary.
cover:
	$(GO) test -race -coverprofile=coverage.out -covermode=atomic $(PKGS)
	$(GO) tool cover -func=coverage.out | tail -n 1

ci: lint test
