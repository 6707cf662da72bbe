# Set-up and the three jobs. Each job creates the virtual environment in .venv on first
# use and reuses it afterwards (it is rebuilt when pyproject.toml changes).
PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
# What a student installs, and nothing else: the release is tested in it.
STUDENT_VENV  ?= .venv-student
STUDENT_STAMP := $(STUDENT_VENV)/.installed
STUDENT_PACKAGES := numpy matplotlib jupyterlab
# nbgrader calls the `alembic` executable: the venv's bin/ must be on PATH.
export PATH := $(abspath $(VENV))/bin:$(PATH)
export MPLBACKEND := Agg

.PHONY: demo test bench clean

$(STAMP): pyproject.toml
	@command -v bwrap >/dev/null || { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null && \
	  { apt-get install -y -qq bubblewrap >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq bubblewrap; }; }; } || \
	  echo "warning: bubblewrap (bwrap) is not installed: grading kernels will run without the sandbox"
	@ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null && \
	  { apt-get install -y -qq postgresql >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq postgresql; }; }; } || \
	  echo "warning: no PostgreSQL server: the PostgreSQL gradebook test will fail"
	@{ [ -x /usr/bin/chromium ] && [ -x /usr/bin/chromedriver ]; } || { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null && \
	  { apt-get install -y -qq chromium chromium-driver >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq chromium chromium-driver; }; }; } || \
	  echo "warning: Chromium (chromium, chromium-driver) is not installed: the browser tests (tests/browser/) will be skipped"
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is needed; set PYTHON=/path/to/python3.11")'
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	# setuptools 70.1+ builds wheels by itself: tests/test_wheel.py builds one offline with it
	$(PY) -m pip install --quiet --upgrade pip 'setuptools>=70.1'
	$(PY) -m pip install --quiet -e '.[postgres,authoring,browser]'
	touch $(STAMP)

$(STUDENT_STAMP):
	test -x $(STUDENT_VENV)/bin/python || $(PYTHON) -m venv $(STUDENT_VENV)
	$(STUDENT_VENV)/bin/python -m pip install --quiet --upgrade pip
	$(STUDENT_VENV)/bin/python -m pip install --quiet $(STUDENT_PACKAGES)
	touch $(STUDENT_STAMP)

demo: $(STAMP)
	$(PY) -m solutions.demo --out build/demo
	$(PY) -m sample_class.demo --course build/demo-course

# The suite mostly waits (on kernels, sandboxes, servers; on 2 cores it keeps them half busy): it
# runs over 3 or 4 processes, one test module each at a time (module fixtures are built once);
# `make test TEST_WORKERS=1` runs it in one.
TEST_WORKERS ?= $(shell $(PYTHON) -c 'import os; print(max(3, min(4, len(os.sched_getaffinity(0)))))')

test: $(STAMP) $(STUDENT_STAMP)
	BACKPROP_STUDENT_PYTHON=$(abspath $(STUDENT_VENV))/bin/python $(PY) -m pytest -n $(TEST_WORKERS) --dist loadfile

bench: $(STAMP)
	$(PY) tests/benchmarks/bench_training.py
	$(PY) tests/benchmarks/bench_autograde.py
	$(PY) tests/benchmarks/bench_class.py

clean:
	rm -rf build $(VENV) $(STUDENT_VENV) *.egg-info
