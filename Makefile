# The two commands of the README: `make demo` runs the main job on the real
# data in ../shared/data, `make test` runs the tests. Both install the Debian
# packages they need first.

DATA ?= ../shared/data
OUT ?= out/demo
DEMO ?= sen1floods11
SHORELINE := .build/release/shoreline

.PHONY: deps build test demo clean

deps:
	@scripts/install-deps.sh

build: deps
	swift build -c release

# Tests run one at a time: several run tiling jobs in this process, and
# GDAL's block cache limit, which each job sets, is shared by all of them.
test: deps
	swift test --no-parallel

demo: build
	scripts/demo.sh "$(DATA)" "$(OUT)" $(DEMO)

clean:
	rm -rf .build out
