# Image to Print: the two quick-start commands are `make demo` and `make test`.
SHELL := /bin/bash
VENV := .venv
OUT := out
SAMPLE := samples/sunflower.png
RESULTS := build/test-results
ZIP_DIR := build/dist

# The Blender integration matrix: oldest supported LTS, newest 4.5 LTS, current LTS, newest.
BLENDERS := 4.2 4.5 5.2 5.3
# The Python each Blender series runs (its bpy wheel is built for that Python only).
python_of = $(if $(filter 4.% 5.0,$(1)),3.11,3.13)
DEMO_BLENDER := 5.2
DIST_BLENDER := 5.3
PYTHONS := 3.11 3.13
SUITES := $(PYTHONS:%=core-%) $(BLENDERS:%=blender-%) debian-blender ui hostile

.PHONY: demo test dist lint tools debian-root zip envs clean-results bench clean screenshots \
	$(PYTHONS:%=env-core-%) $(BLENDERS:%=env-%) $(PYTHONS:%=test-core-%) $(BLENDERS:%=test-blender-%) \
	test-debian-blender test-ui test-hostile test-suites setup

## make demo: set up, then make a relief of the bundled sample image (STL, GLB, JSON report in out/)
demo: env-$(DEMO_BLENDER)
	@mkdir -p $(OUT)
	IMAGE_TO_PRINT_BLENDER=$(DEMO_BLENDER) ./image-to-print relief $(SAMPLE) -o $(OUT)/sunflower-relief.stl \
		-o $(OUT)/sunflower-relief.glb --report $(OUT)/sunflower-relief.json
	@echo "Outputs are in $(abspath $(OUT))/"

## make test: set up, then run every test: lint, core on Python 3.11 and 3.13, the Blender
## integration suite on bpy 4.2, 4.5, 5.2 and 5.3, and Debian's real `blender` binary.
## Suites run two at a time (2 cores); the last line adds them all up.
test: clean-results
	@$(MAKE) --no-print-directory -j2 --output-sync=target setup
	@$(MAKE) --no-print-directory lint zip
	@$(MAKE) --no-print-directory -k -j2 --output-sync=target test-suites; \
		$(VENV)/core-3.11/bin/python tools/summarize_tests.py $(RESULTS) $(SUITES)

setup: tools debian-root envs
envs: $(PYTHONS:%=env-core-%) $(BLENDERS:%=env-%)
test-suites: $(PYTHONS:%=test-core-%) $(BLENDERS:%=test-blender-%) test-debian-blender test-ui test-hostile

## make dist: the per-platform extension zips in dist/, built with Blender's own extension tool
dist: env-$(DIST_BLENDER)
	$(VENV)/bpy-$(DIST_BLENDER)/bin/python tools/build_extension.py --output-dir dist

# The zip every suite installs: built once per source state (tools/launch.py keeps a stamp).
zip: env-$(DIST_BLENDER)
	$(VENV)/bpy-$(DIST_BLENDER)/bin/python -c 'import sys; sys.path.insert(0, "tools"); import launch; print(launch.build_zip())'

clean-results:
	rm -rf $(RESULTS)

tools:
	bash scripts/install-tools.sh

debian-root: tools
	bash scripts/debian-blender.sh setup

# Explicit rules per version: make never applies a pattern rule to a .PHONY target.
define core_env
env-core-$(1): $(VENV)/core-$(1)/.installed
$(VENV)/core-$(1)/.installed: requirements/core.txt requirements/lint.txt scripts/find-python.sh
	rm -rf $(VENV)/core-$(1)
	py="$$$$(scripts/find-python.sh $(1))" && "$$$$py" -m venv $(VENV)/core-$(1)
	$(VENV)/core-$(1)/bin/python -m pip install --quiet --disable-pip-version-check -r requirements/core.txt \
		$(if $(filter 3.11,$(1)),-r requirements/lint.txt)
	touch $$@
test-core-$(1): env-core-$(1)
	@mkdir -p $(RESULTS)
	$(VENV)/core-$(1)/bin/python -m pytest tests/core -p no:cacheprovider -q --junitxml=$(RESULTS)/core-$(1).xml; \
		rc=$$$$?; [ $$$$rc -ne 5 ] || echo "test-core-$(1): no tests were collected" >&2; exit $$$$rc
endef
$(foreach p,$(PYTHONS),$(eval $(call core_env,$(p))))

define blender_env
env-$(1): $(VENV)/bpy-$(1)/.installed
$(VENV)/bpy-$(1)/.installed: requirements/bpy-$(1).txt scripts/find-python.sh
	rm -rf $(VENV)/bpy-$(1)
	py="$$$$(scripts/find-python.sh $(call python_of,$(1)))" && "$$$$py" -m venv $(VENV)/bpy-$(1)
	$(VENV)/bpy-$(1)/bin/python -m pip install --quiet --disable-pip-version-check -r requirements/bpy-$(1).txt
	touch $$@
test-blender-$(1): env-$(1)
	@mkdir -p $(RESULTS)
	$(VENV)/bpy-$(1)/bin/python -m pytest tests/blender -p no:cacheprovider -q --junitxml=$(RESULTS)/blender-$(1).xml; \
		rc=$$$$?; [ $$$$rc -ne 5 ] || echo "test-blender-$(1): no tests were collected" >&2; exit $$$$rc
endef
$(foreach b,$(BLENDERS),$(eval $(call blender_env,$(b))))

# Hostile input and faults (tests/hostile): bad files, absurd flags, paths aimed at each other, a full
# disk (a 2 MB tmpfs, as root), signals, misbehaving loopback servers; on bpy 5.2 LTS.
test-hostile: env-5.2
	@mkdir -p $(RESULTS)
	$(VENV)/bpy-5.2/bin/python -m pytest tests/hostile -p no:cacheprovider -q --junitxml=$(RESULTS)/hostile.xml; \
		rc=$$?; [ $$rc -ne 5 ] || echo "test-hostile: no tests were collected" >&2; exit $$rc

# Debian's own blender binary (4.3.2, Python 3.13, numpy from python3-numpy): the zip installed
# with `blender --command extension install-file` and the command line run as `blender -b -c image_to_print`.
test-debian-blender: env-core-3.11
	@mkdir -p $(RESULTS)
	$(VENV)/core-3.11/bin/python -m pytest tests/debian -p no:cacheprovider -q --junitxml=$(RESULTS)/debian-blender.xml; \
		rc=$$?; [ $$rc -ne 5 ] || echo "test-debian-blender: no tests were collected" >&2; exit $$rc

# The UI tier: Debian's Blender in a real window under Xvfb (software OpenGL), the zip installed as a
# user does, driven from timers inside it with Blender's own event simulation (tests/ui/window_driver.py).
test-ui: env-core-3.11
	@mkdir -p $(RESULTS)
	$(VENV)/core-3.11/bin/python -m pytest tests/ui -p no:cacheprovider -q --junitxml=$(RESULTS)/ui.xml; \
		rc=$$?; [ $$rc -ne 5 ] || echo "test-ui: no tests were collected" >&2; exit $$rc

lint: env-core-3.11
	$(VENV)/core-3.11/bin/ruff check .
	@mkdir -p build/typecheck && ln -sfn $(CURDIR) build/typecheck/image_to_print
	$(VENV)/core-3.11/bin/mypy -p image_to_print.core -p image_to_print.operators -p image_to_print.panels -p image_to_print.ui -p image_to_print.properties \
		-p image_to_print.cli

## make bench: relief (against the manual Blender way), checks (against the 3D-Print Toolbox), AI mesh,
## trace (fidelity and speed against the potrace command-line tool), and Make Printable's union
## (Manifold against Exact), and the window's stalls during each long operator (a real window, Xvfb)
bench: env-core-3.11 env-5.2
	$(VENV)/bpy-5.2/bin/python benchmarks/relief_bench.py
	$(VENV)/bpy-5.2/bin/python benchmarks/check_bench.py
	$(VENV)/bpy-5.2/bin/python benchmarks/ai_bench.py
	$(VENV)/core-3.11/bin/python benchmarks/trace_bench.py
	$(VENV)/bpy-5.2/bin/python benchmarks/trace_blender_bench.py
	$(VENV)/bpy-5.2/bin/python benchmarks/union_bench.py
	$(VENV)/core-3.11/bin/python benchmarks/window_bench.py

## make screenshots: the README's pictures (docs/ui/), copied from the UI tier's last run (build/ui/)
SHOTS := image-relief-sidebar image-trace-sidebar image-ai-sidebar finished-check-sidebar failed-relief-sidebar \
	viewport-relief redo-f9 menu-TOPBAR_MT_file_import lamp-backlit-sidebar swap-plan-sidebar
screenshots:
	@for s in $(SHOTS); do test -f build/ui/$$s.png || { echo "no build/ui/$$s.png: run make test-ui" >&2; exit 1; }; done
	mkdir -p docs/ui && for s in $(SHOTS); do cp build/ui/$$s.png docs/ui/$$s.png; done

clean:
	rm -rf $(VENV) build dist wheels $(OUT)
