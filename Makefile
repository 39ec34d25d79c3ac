# gqlbase: the two commands a newcomer needs are `make run` and `make test`.
GO        ?= go
DATA_DIR  ?= ./data
ADDR      ?= 127.0.0.1:8080
BIN       ?= bin/gqlbase
PKGS      ?= ./...
BENCH     ?= .
BENCHTIME ?= 1s

# `make` alone runs the server, as `make run` does.
.DEFAULT_GOAL := run

## help: list the targets with what they do.
help:
	@awk -F': ' '/^## [a-z0-9-]+: / { sub(/^## /, ""); t = $$1; sub(/^[^:]+: /, ""); printf "  %-15s %s\n", t, $$0 }' $(MAKEFILE_LIST)

.PHONY: help run build test generate check-generate lint bench assets e2e-deps test-tools clean

## run: build the server and run it on its embedded Postgres (data in $(DATA_DIR)).
run: build
	$(BIN) serve --data-dir $(DATA_DIR) --addr $(ADDR)

## build: compile the server (with the playground assets embedded).
build: assets
	$(GO) build -o $(BIN) ./cmd/gqlbase

## test: the whole suite: generated-code drift, vet, and every Go test under the race detector.
test: assets e2e-deps test-tools
	$(GO) vet ./...
	$(GO) test -race -count=1 -timeout 30m $(PKGS)

## generate: rewrite graph/ from schema/ (never edit graph/ by hand).
generate:
	$(GO) tool gqlgen generate

## check-generate: fail when graph/ is not what `make generate` makes from schema/.
check-generate:
	$(GO) test -count=1 ./internal/gencheck/

## lint: formatting and vet.
lint:
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || (gofmt -l $$(git ls-files '*.go'); exit 1)
	$(GO) vet ./...

## bench: run the Go benchmarks (compare runs with benchstat).
bench: assets
	$(GO) test -run '^$$' -bench '$(BENCH)' -benchmem -benchtime $(BENCHTIME) $(PKGS)

## assets: fetch GraphiQL from the npm registry (package-lock.json) and copy it for embedding.
assets: rest/playground/assets/.built

rest/playground/assets/.built: playground/package.json playground/package-lock.json playground/build.sh
	cd playground && npm ci --no-audit --no-fund --loglevel=error
	playground/build.sh rest/playground/assets
	touch $@

## test-tools: the servers the tests start that are Go programs (versitygw, a real S3 server), by go install.
test-tools:
	@command -v versitygw >/dev/null 2>&1 || test -x "$$($(GO) env GOPATH)/bin/versitygw" || \
		$(GO) install github.com/versity/versitygw/cmd/versitygw@v1.8.0

## e2e-deps: the official JavaScript clients the tests run against the server.
e2e-deps: e2e/node_modules/.installed

e2e/node_modules/.installed: e2e/package.json e2e/package-lock.json
	cd e2e && npm ci --no-audit --no-fund --loglevel=error
	touch $@

## clean: remove the binary and the installed npm packages (not the data directory).
clean:
	rm -rf bin playground/node_modules e2e/node_modules rest/playground/assets/.built
