# The two commands of the README:
#   make run    the server with a demo city on http://127.0.0.1:8080
#   make test   every test (installs and starts what the tests need)

.PHONY: run test build bench web

run: web
	go run ./cmd/dispatchd -demo

test:
	./scripts/test.sh

build: web
	go build -o bin/dispatchd ./cmd/dispatchd

bench:
	go test -run '^$$' -bench . -benchmem ./...

# The console's npm packages (Leaflet) copied into ui/static/vendor/, which
# the binary embeds; a no-op when they are up to date.
web:
	./scripts/web.sh
