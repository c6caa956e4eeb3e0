# The README's test command is `make test`; .ci/run calls the same targets.
GO       ?= go
FUZZTIME ?= 4s
PKGS     ?= ./...

.PHONY: test unit fuzz-short examples lint bench cover ci

## test: everything a change must pass: unit tests with -race, short fuzz runs, the examples.
test: unit fuzz-short examples

unit:
	$(GO) test -race -count=1 $(PKGS)

## fuzz-short: every Fuzz target in the module for FUZZTIME each.
fuzz-short:
	FUZZTIME=$(FUZZTIME) GO=$(GO) ./scripts/fuzz-short.sh

## examples: run the example programs against the embedded simulators.
examples:
	$(GO) run ./examples/checkout
	$(GO) run ./examples/checkout -acquirer ppro -currency CHF
	$(GO) run ./examples/checkout -mode qr
	$(GO) run ./examples/checkout -mode qr -outcome abandon
	$(GO) run ./examples/webhook

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
