# mlfcore — `make help` lists the targets (generated from the `## ` comments below).
SHELL := /bin/bash
.DEFAULT_GOAL := help
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: help venv test test-unit demo lint

help: ## list the targets
	@awk 'BEGIN {FS = ":.*## "} /^[a-zA-Z0-9_%\/-]+:.*## / {printf "  %-22s %s\n", $$1, $$2}' $(MAKEFILE_LIST)

$(BIN)/mlf: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[test,torch,tensorflow,xgboost,scaffold]'
	@touch $@

venv: $(BIN)/mlf ## create .venv with mlfcore (editable), the pinned frameworks and the test tools

test: venv ## run the whole test suite (image tests included: they need a Docker engine)
	$(BIN)/pytest -q

test-unit: venv ## run the tests that need no Docker engine
	$(BIN)/pytest -q -m 'not images'

demo: venv ## train the bundled PyTorch example twice under `mlf run` and compare the weights
	$(BIN)/python -m mlfcore.entrypoint.examples.demo
