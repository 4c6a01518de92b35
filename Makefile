# Herald — see README.md. Every target works offline once modules are cached.
export GOTOOLCHAIN := local
GO        ?= go
BIN       := bin
STATICCHECK := honnef.co/go/tools/cmd/staticcheck@v0.8.2
MAILPIT   := github.com/axllent/mailpit@v1.33.1

.PHONY: build run test lint bench e2e mailpit clean

build:
	$(GO) build -o $(BIN)/herald ./cmd/herald

# Runs the bot with the environment of README.md; without Slack tokens it
# names the missing ones and explains how to create the app from manifest.yaml.
run: build
	./$(BIN)/herald run

test:
	$(GO) test -race -count=1 -timeout 10m ./...

e2e:
	$(GO) test -race -count=1 -run 'E2E' -v ./cmd/herald

lint:
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...
	$(GO) run $(STATICCHECK) ./...

# Benchmarks: store writes/s, slash-command ack latency (p50/p99) and one
# comm's completion time against the bound of reference/limits.md §7.
bench:
	$(GO) test -run '^$$' -bench . -benchtime 1x -count 1 ./channels/ ./bot/
	$(GO) test -run '^$$' -bench . -benchtime 2000x -count 1 ./store/

# A local SMTP server with a web inbox at http://127.0.0.1:8025 for demos:
# run Herald with SMTP_HOST=127.0.0.1 SMTP_PORT=1025 SMTP_TLS=none.
mailpit:
	GOBIN=$(CURDIR)/$(BIN) $(GO) install $(MAILPIT)
	./$(BIN)/mailpit --smtp 127.0.0.1:1025 --listen 127.0.0.1:8025 --disable-version-check --smtp-disable-rdns

clean:
	rm -rf $(BIN)
