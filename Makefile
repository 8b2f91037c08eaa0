SHELL := /bin/bash
# colorgan: `make train` (set up, then train on the bundled characters) and `make test`.
VENV ?= .venv
PY := $(VENV)/bin/python
NOTEBOOKS := $(sort $(wildcard notebooks/[0-9]*.ipynb))
# Every notebook is paired with a jupytext script of the same name.
SCRIPTS := $(NOTEBOOKS:.ipynb=.py)

.PHONY: setup train train-lineart app test browser-test screenshots pictures sync execute check-sync lint bench bench-lineart clean

$(VENV)/.installed: requirements.txt pyproject.toml
	python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

setup: $(VENV)/.installed

# The main job: train on the bundled anime characters; results (weights, sample grids,
# metrics.csv, TensorBoard logs) go to runs/anime, and its last generator becomes the model
# `colorize` uses without --run (colorhelpers/shipped). Run it again to resume or extend.
train: setup
	$(PY) -m colorhelpers train --data data/anime --out runs/anime
	$(PY) -m colorhelpers ship --run runs/anime

# The line-art model (notebooks/11_line_art): line art drawn from the same characters in several
# styles, L and ab out, each epoch kept as a moving average of the generator's weights
# (LINEART_RECIPE); its last generator becomes the model `colorize --kind lineart` uses.
# `make pictures` then redraws the README's picture of it.
train-lineart: setup
	$(PY) -m colorhelpers train --data data/anime --out runs/lineart --kind lineart
	$(PY) -m colorhelpers ship --run runs/lineart

# The web app on http://127.0.0.1:7860 (README, "In the browser"); Ctrl-C stops it.
app: setup
	$(PY) -m colorhelpers app

# Unit tests, doctests, and the notebooks under nbval in fixture mode (tiny data, 2 epochs), on two
# workers: one takes the notebooks in order (tests/conftest.py), the other the rest.
test: setup
	COLORGAN_FIXTURE=1 COLORGAN_RUNS=$$(mktemp -d) TF_CPP_MIN_LOG_LEVEL=3 \
	$(PY) -m pytest tests colorhelpers $(NOTEBOOKS) --doctest-modules \
	  --ignore=colorhelpers/__main__.py --nbval-lax --nbval-current-env \
	  --nbval-sanitize-with notebooks/sanitize.cfg -q --durations=5 \
	  -n 2

# Only the browser tests of notebooks 05 and 09 (JupyterLab in headless Chromium).
browser-test: setup
	TF_CPP_MIN_LOG_LEVEL=3 $(PY) -m pytest tests/test_browser*.py -q

# Refresh docs/widgets-epoch-slider.png and docs/hints-widget.png from the real run in runs/ (after `make train`).
screenshots: setup
	COLORGAN_BROWSER_RUNS=runs COLORGAN_UPDATE_SCREENSHOTS=1 TF_CPP_MIN_LOG_LEVEL=3 \
	$(PY) -m pytest tests/test_browser*.py -q

# Redraw the pictures of README.md and docs/ that the shipped models color, through the README's
# own colorize commands (bench/doc_pictures.py; tests/test_doc_pictures.py fails when one is stale).
pictures: setup
	TF_CPP_MIN_LOG_LEVEL=3 $(PY) -m bench.doc_pictures

# Pair scripts and notebooks; after editing a script, `make sync execute` (sync keeps old outputs).
sync: setup
	$(VENV)/bin/jupytext --sync $(SCRIPTS)

# Re-execute in place, on the bundled data, the notebooks whose inputs changed (their code, the
# package modules they import, the data and models they read: notebooks/inputs.json), printing
# each one's time and the total; FORCE=1 executes them all. These outputs are what readers see.
# Notebook 05 also shows where the model fails on the test-only anime folders, built first from
# Debian's packages if missing (bench/testsets.py; never trained on, git-ignored).
execute: setup
	test -d data/testsets/anime-faces -a -d data/testsets/vn-sprites \
	  || $(PY) -m bench.testsets --folders anime-faces vn-sprites \
	  || echo "make execute: the test-only folders could not be built; notebook 05 says so"
	TF_CPP_MIN_LOG_LEVEL=3 $(PY) -m colorhelpers.series $(if $(FORCE),--force)

# Fails when a notebook and its script disagree (compares the script jupytext would write).
check-sync: setup
	@for nb in $(NOTEBOOKS); do \
	  $(VENV)/bin/jupytext --quiet --to py:percent --output - $$nb | grep -v jupytext_version \
	    | diff -q - <(grep -v jupytext_version $${nb%.ipynb}.py) >/dev/null \
	    || { echo "$$nb and $${nb%.ipynb}.py disagree: run make sync execute"; exit 1; }; \
	done; echo "notebooks and scripts agree"

lint: setup
	$(VENV)/bin/ruff check colorhelpers tests notebooks/*.py data/*.py bench

# colorgan against a re-implementation of the blog post's approach (bench/README.md), a few minutes.
bench: setup
	TF_CPP_MIN_LOG_LEVEL=3 $(PY) -m bench.bench --max-load 0.7

clean:
	rm -rf runs

# Line art with hints on hintauc's Hint-AUC protocol: colorgan --kind lineart against G'MIC and a
# white fill (bench/lineart.py; needs `apt-get install gmic`). hintauc (fil_finder, astropy<6,
# numpy<2) gets its own venv, bench/.venv-hintauc; the test-only faces are built if missing.
HINTAUC_VENV ?= bench/.venv-hintauc
$(HINTAUC_VENV)/.installed:
	python3 -m venv $(HINTAUC_VENV)
	$(HINTAUC_VENV)/bin/pip install --quiet --upgrade pip
	$(HINTAUC_VENV)/bin/pip install --quiet "hintauc==0.3.3"
	touch $@

bench-lineart: setup $(HINTAUC_VENV)/.installed
	test -d data/testsets/anime-faces || $(PY) -m bench.testsets --folders anime-faces
	TF_CPP_MIN_LOG_LEVEL=3 $(PY) -m bench.lineart --folders data/anime/heldout data/testsets/anime-faces \
	  --limit 20 --hintauc-python $(HINTAUC_VENV)/bin/python --json docs/results-lineart.json --markdown \
	  --figure docs/lineart.png
