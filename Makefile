# Two commands for a newcomer: `make demo` and `make test`.
# Each creates .venv with the standard library's venv when it is missing and
# installs the pinned dependencies (requirements-dev.txt) by itself.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: dist demo test test-postgres soak mutation format clean bench bench-profile schemas golden

demo: $(STAMP)
	$(BIN)/subscription-rules demo

test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/python benchmarks/run.py --smoke
	$(BIN)/pytest -p no:cacheprovider --hypothesis-profile=ci

# The reference host (examples/host) on PostgreSQL: installs psycopg (requirements-postgres.txt),
# starts a throw-away local server, runs the host's tests against it with four workers, stops it.
test-postgres: $(STAMP)
	$(BIN)/python -m pip install --quiet -r requirements-postgres.txt
	examples/host/with_postgres.sh $(BIN)/pytest -p no:cacheprovider -q -k postgres examples/host

# A long campaign of the property and model-based tests; prints the lives and steps checked.
soak: $(STAMP)
	$(BIN)/pytest -p no:cacheprovider -q --hypothesis-profile=soak \
		tests/test_model_lives.py tests/test_lifecycle_properties.py \
		tests/test_proration_properties.py tests/test_dunning_properties.py \
		tests/test_upcoming_properties.py tests/test_delivery_properties.py

# Mutation testing of the core modules (money, periods, proration, credits, invoices,
# lifecycle, dunning) with mutmut; long (1.5 h on 2 cores). Prints the score per module.
# Always a full run: an incremental one re-runs the docs' examples one by one, out of order.
mutation: $(STAMP)
	$(BIN)/python -m pip install --quiet -r requirements-mutation.txt
	rm -rf mutants
	$(BIN)/mutmut run
	$(BIN)/mutmut results --all true | $(BIN)/python tools/mutation_score.py

# The storage format's JSON Schemas (docs/schemas/); `make golden` also rewrites the
# golden documents of the current schema version (tests/golden/v<N>/): once per version.
schemas: $(STAMP)
	$(BIN)/python tools/storage_files.py

golden: $(STAMP)
	$(BIN)/python tools/storage_files.py --golden

# The sdist and the wheel, into dist/ (the wheel is what tests/test_packaging.py installs).
dist: $(STAMP)
	rm -rf dist
	$(BIN)/python -m build --no-isolation --outdir dist .

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

$(STAMP): pyproject.toml requirements-dev.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	$(BIN)/python -m pip install --quiet --no-deps -e .
	touch $(STAMP)

# Benchmarks (docs/performance.md): the full run takes minutes and installs the pinned
# peer (requirements-bench.txt) into .venv first. Pass options with BENCH_ARGS="...".
BENCH_STAMP := $(VENV)/.bench-installed

bench: $(BENCH_STAMP)
	$(BIN)/python benchmarks/run.py $(BENCH_ARGS)

bench-profile: $(STAMP)
	$(BIN)/python benchmarks/run.py --profile --subscriptions 10000

$(BENCH_STAMP): $(STAMP) requirements-bench.txt
	$(BIN)/python -m pip install --quiet -r requirements-bench.txt
	touch $(BENCH_STAMP)

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .hypothesis
