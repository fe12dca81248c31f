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

## make test: install, then the whole test suite, one pytest worker per core (pytest-xdist):
## 7m50-8m55 on 2 cores from a clean clone (1368 tests, 2026-12-08, with the shipped models rebuilt from 1,198 documents in
## one of them) against about 10 min in one process (most tests use one core)
test: $(STAMP)
	$(BIN)/python -m pytest -q -p no:cacheprovider -n auto

## make train: rebuild the shipped models (extractors/models/) from annotations/, deterministically
train: $(STAMP)
	$(BIN)/provnews train annotations/splits.json --out extractors/models

## make bench: benchmarks print numbers (never timed assertions in tests), a few minutes in all.
## Peak memory of extract at 1k and 10k documents takes long on 2 cores:
##   make bench BENCH_EXTRACT_SIZES=1000,10000
BENCH_EXTRACT_SIZES ?= 100,400
BENCH_MAIN := bench_extract bench_memory bench_interrupt bench_crawl article_benchmark
bench: $(STAMP)
	@echo "== benchmarks/bench_extract.py (one core: extract vs word_tokenize vs pos_tag, stage shares)"
	@$(BIN)/python benchmarks/bench_extract.py --docs 80
	@echo "== benchmarks/bench_memory.py (peak RSS by corpus size)"
	@$(BIN)/python benchmarks/bench_memory.py --sizes 1000,10000 --extract-sizes $(BENCH_EXTRACT_SIZES)
	@echo "== benchmarks/bench_interrupt.py (Ctrl-C on extract --workers 2)"
	@$(BIN)/python benchmarks/bench_interrupt.py
	@echo "== benchmarks/bench_crawl.py (crawler cost; 8 loopback hosts vs the politeness bound)"
	@$(BIN)/python benchmarks/bench_crawl.py --hosts 8 --polite-delay 0.5
	@echo "== benchmarks/article_benchmark.py (article extraction vs trafilatura alone)"
	@$(BIN)/python benchmarks/article_benchmark.py
	@for b in benchmarks/[!_]*.py; do case " $(BENCH_MAIN) " in *" $$(basename $$b .py) "*) continue;; esac; \
		echo "== $$b"; $(BIN)/python $$b || exit 1; done

clean:
	rm -rf outputs/* corpus/crawl .pytest_cache
