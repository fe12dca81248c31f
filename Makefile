# provnews: `make run` and `make test` work on a fresh machine with python3, pip and make.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
export HF_HUB_OFFLINE := 1
export PYTHONDONTWRITEBYTECODE := 1

.PHONY: run test bench train install demo-samples clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev,dask,parquet,serve,replay]'
	touch $(STAMP)

install: $(STAMP)

## make run: crawl the bundled demo portal on 127.0.0.1, extract, export to outputs/
run: $(STAMP)
	$(BIN)/python -m pipeline.demo

## make demo-samples: extract + export the sample articles of corpus/samples/
demo-samples: $(STAMP)
	$(BIN)/provnews extract corpus/samples --output outputs/samples.jsonl
	$(BIN)/provnews export outputs/samples.jsonl --format csv --output outputs/samples-records.csv

## make test: install, then the whole test suite
test: $(STAMP)
	$(BIN)/python -m pytest -q -p no:cacheprovider

## make train: rebuild the shipped models (extractors/models/) from annotations/, deterministically
train: $(STAMP)
	$(BIN)/provnews train annotations/splits.json --out extractors/models

## make bench: benchmarks print numbers (never timed assertions in tests)
bench: $(STAMP)
	@for b in benchmarks/*.py; do echo "== $$b"; $(BIN)/python $$b || exit 1; done

clean:
	rm -rf outputs/* corpus/crawl .pytest_cache
