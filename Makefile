# Image to Print: the two quick-start commands are `make demo` and `make test`.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
OUT := out
SAMPLE := samples/sunflower.png
RESULTS := build/test-results

.PHONY: clean-results demo test dist lint tools test-core test-blender-4.2 test-blender-5.0 env-core env-4.2 env-5.0 bench clean

## make demo: set up, then make a relief of the bundled sample image (STL, GLB, JSON report in out/)
demo: env-5.0
	@mkdir -p $(OUT)
	./image-to-print relief $(SAMPLE) -o $(OUT)/sunflower-relief.stl -o $(OUT)/sunflower-relief.glb \
		--report $(OUT)/sunflower-relief.json
	@echo "Outputs are in $(abspath $(OUT))/"

## make test: set up, then run every test (lint, core, Blender 4.2 LTS and 5.0 integration)
test: clean-results tools lint test-core test-blender-4.2 test-blender-5.0
	@$(VENV)/core/bin/python tools/summarize_tests.py $(RESULTS) core blender-4.2 blender-5.0

## make dist: the per-platform extension zips in dist/, built with Blender's own extension tool
dist: env-5.0
	$(VENV)/bpy-5.0/bin/python tools/build_extension.py --output-dir dist

clean-results:
	rm -rf $(RESULTS)

tools:
	bash scripts/install-tools.sh

env-core: $(VENV)/core/.installed
env-4.2: $(VENV)/bpy-4.2/.installed
env-5.0: $(VENV)/bpy-5.0/.installed

$(VENV)/core/.installed: requirements/core.txt requirements/lint.txt
	rm -rf $(VENV)/core
	$(PYTHON) -m venv $(VENV)/core
	$(VENV)/core/bin/python -m pip install --quiet --disable-pip-version-check -r requirements/core.txt -r requirements/lint.txt
	touch $@

$(VENV)/bpy-%/.installed: requirements/bpy-%.txt
	rm -rf $(VENV)/bpy-$*
	$(PYTHON) -m venv $(VENV)/bpy-$*
	$(VENV)/bpy-$*/bin/python -m pip install --quiet --disable-pip-version-check -r $<
	touch $@

lint: env-core
	$(VENV)/core/bin/ruff check .
	@mkdir -p build/typecheck && ln -sfn $(CURDIR) build/typecheck/image_to_print
	$(VENV)/core/bin/mypy -p image_to_print.operators -p image_to_print.panels -p image_to_print.properties \
		-p image_to_print.cli

test-core: env-core
	@mkdir -p $(RESULTS)
	$(VENV)/core/bin/python -m pytest tests/core -p no:cacheprovider --junitxml=$(RESULTS)/core.xml; \
		rc=$$?; [ $$rc -ne 5 ] || echo "test-core: no tests were collected" >&2; exit $$rc

# Explicit rules: make never applies a pattern rule to a .PHONY target.
test-blender-4.2: env-4.2
	$(call blender_tests,4.2)

test-blender-5.0: env-5.0
	$(call blender_tests,5.0)

define blender_tests
	@mkdir -p $(RESULTS)
	$(VENV)/bpy-$(1)/bin/python -m pytest tests/blender -p no:cacheprovider --junitxml=$(RESULTS)/blender-$(1).xml; \
		rc=$$?; [ $$rc -ne 5 ] || echo "test-blender-$(1): no tests were collected" >&2; exit $$rc
endef

## make bench: relief (against the manual Blender way), checks (against the 3D-Print Toolbox), AI mesh, and
## trace (fidelity and speed against the potrace command-line tool)
bench: env-core env-5.0
	$(VENV)/bpy-5.0/bin/python benchmarks/relief_bench.py
	$(VENV)/bpy-5.0/bin/python benchmarks/check_bench.py
	$(VENV)/bpy-5.0/bin/python benchmarks/ai_bench.py
	$(VENV)/core/bin/python benchmarks/trace_bench.py
	$(VENV)/bpy-5.0/bin/python benchmarks/trace_blender_bench.py

clean:
	rm -rf $(VENV) build dist wheels $(OUT)
