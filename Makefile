# The two commands a new user needs: `make run` (set up and open the app) and `make test`
# (set up and run the whole suite headless). Everything else is for developers.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip --disable-pip-version-check
# Exact versions the suite last passed with; PIP_CONSTRAINT (not -c) so build backends are pinned too.
CONSTRAINTS := $(CURDIR)/constraints.txt
PIP_PINNED := PIP_CONSTRAINT=$(CONSTRAINTS) $(PIP)
# Set up offscreen so the suite runs on machines without a screen (CI, SSH sessions).
HEADLESS := QT_QPA_PLATFORM=offscreen MPLBACKEND=Agg

.PHONY: run test test-fast test-data handwriting-fonts bench model gate screenshots sysdeps constraints clean help

help:
	@echo "make run    - set everything up and open MNIST Desktop"
	@echo "make test   - set everything up and run the whole test suite (headless)"
	@echo "make test-fast - the suite without the tests marked slow (training, TensorFlow, subprocesses)"
	@echo "make bench  - print the performance and accuracy figures of this machine"
	@echo "make model  - retrain the shipped default model from scratch"
	@echo "make gate   - retrain the shipped not-a-digit model (about 100 minutes)"
	@echo "make screenshots - render the README screenshots (headless)"

run: $(VENV)/.stamp-app sysdeps
	$(VENV)/bin/mnist-desktop

test: $(VENV)/.stamp-test sysdeps test-data
	$(HEADLESS) $(PY) -m pytest $(PYTEST_ARGS)

test-fast: $(VENV)/.stamp-test sysdeps test-data
	$(HEADLESS) $(PY) -m pytest -m "not slow" -n auto $(PYTEST_ARGS)

# Best effort, for tests and the bench: install Debian packages when something is missing and root
# or password-less sudo is there; otherwise say what is left out.
# $(call apt_install,SHELL TEST THAT SOMETHING IS MISSING,PACKAGES,WHAT FOR,WHAT HAPPENS WITHOUT)
define apt_install
	@if $(1) && command -v apt-get >/dev/null; then \
	  if [ "$$(id -u)" = 0 ]; then SUDO=; elif sudo -n true 2>/dev/null; then SUDO="sudo -n"; else SUDO=none; fi; \
	  if [ "$$SUDO" != none ]; then \
	    echo "Installing $(3) (Debian packages $(2))"; \
	    $$SUDO apt-get install -y -qq $(2) >/dev/null 2>&1 || \
	    { $$SUDO apt-get update -qq >/dev/null 2>&1 && $$SUDO apt-get install -y -qq $(2) >/dev/null 2>&1; } || \
	    echo "note: could not install $(2); $(4)"; \
	  fi; \
	fi
endef

# Fashion-MNIST's original IDX files: the importer is tested on files nobody here wrote;
# desktop-file-validate for the .desktop entry; the URW and DejaVu fonts, writing styles of the
# bench's and tests' pictures of handwriting.
test-data:
	$(call apt_install,[ ! -f /usr/share/datasets/fashion-mnist/t10k-labels-idx1-ubyte.gz ],dataset-fashion-mnist,Fashion-MNIST for the importer tests,its test will be skipped)
	$(call apt_install,! command -v desktop-file-validate >/dev/null,desktop-file-utils,desktop-file-validate for the desktop-entry test,the desktop-entry test will be skipped)
	$(call apt_install,{ [ ! -d /usr/share/fonts/opentype/urw-base35 ] || [ ! -f /usr/share/fonts/truetype/dejavu/DejaVuSerif-Italic.ttf ]; },fonts-urw-base35 fonts-dejavu-core fonts-dejavu-extra,the fonts the handwriting pictures use,pictures fall back to OpenCV's Hershey faces)

# Handwriting faces (Debian font packages) that the not-a-digit model learns digits and letters
# from, and that the "check" split of benchmarks/realworld.py draws with; never in a measured figure.
HANDWRITING_FONTS := fonts-bwht fonts-kaushanscript fonts-lobster fonts-lobstertwo fonts-sil-andika \
	fonts-ecolier-court fonts-humor-sans fonts-leckerli-one fonts-comic-neue fonts-dancingscript \
	fonts-breip fonts-dkg-handwriting fonts-klee fonts-yusei-magic
handwriting-fonts:
	$(call apt_install,! ( for face in BecauseWeBuild KaushanScript lobster.otf LobsterTwo Andika Ecolier Humor-Sans LeckerliOne ComicNeue DancingScript Breip dkg.ttf KleeOne YuseiMagic; do fc-list 2>/dev/null | grep -q "$$face" || exit 1; done ),$(HANDWRITING_FONTS),the handwriting faces,the faces that are missing are left out)

gate: $(VENV)/.stamp-app test-data handwriting-fonts
	$(PY) -m benchmarks.train_gate

bench: $(VENV)/.stamp-app sysdeps test-data
	$(HEADLESS) $(PY) -m benchmarks.bench $(BENCH_ARGS)

model: $(VENV)/.stamp-app
	$(PY) -m mnist_desktop train --preset default --out models/mnist_cnn

screenshots: $(VENV)/.stamp-app sysdeps
	$(HEADLESS) $(PY) -m benchmarks.screenshots resources/screenshots

# Qt needs a handful of system libraries that a bare Debian lacks; this finds the missing ones with
# ldd on the installed Qt and installs their Debian packages (or says exactly which to install).
sysdeps: $(VENV)/.stamp-app
	@$(PY) -m mnist_desktop.sysdeps --install

$(PY):
	@if ! $(PYTHON) -m venv $(VENV) >/dev/null 2>&1; then \
	  rm -rf $(VENV); \
	  echo "python venv support is missing; installing it (Debian package python3-venv)"; \
	  pkg=python3-venv; ver=$$($(PYTHON) -c 'import sys; print("%d.%d" % sys.version_info[:2])'); \
	  if [ "$$(id -u)" = 0 ]; then SUDO=; elif sudo -n true 2>/dev/null; then SUDO="sudo -n"; \
	  else echo "Please run: sudo apt-get install python3-venv python$$ver-venv" >&2; exit 1; fi; \
	  $$SUDO apt-get update -qq && \
	  { $$SUDO apt-get install -y -qq python$$ver-venv || $$SUDO apt-get install -y -qq $$pkg; } && \
	  $(PYTHON) -m venv $(VENV); \
	fi
	@$(PIP) install -q --upgrade pip

$(VENV)/.stamp-app: pyproject.toml constraints.txt | $(PY)
	@echo "Installing MNIST Desktop and its libraries into $(VENV) (the first time takes a few minutes)"
	$(PIP_PINNED) install -q -e .
	@touch $@

$(VENV)/.stamp-test: pyproject.toml constraints.txt $(VENV)/.stamp-app
	$(PIP_PINNED) install -q -e ".[test]"
	@touch $@

# After upgrading libraries on purpose: run the suite, and only if it passes, pin what it ran with.
constraints: test
	@{ sed -n '1,/^# Regenerate/p' constraints.txt; $(PIP) freeze --exclude-editable | grep -iv '^mnist-desktop'; } > constraints.txt.new
	@mv constraints.txt.new constraints.txt
	@echo "constraints.txt now pins the versions this suite passed with"

clean:
	rm -rf $(VENV) build dist *.egg-info .pytest_cache
