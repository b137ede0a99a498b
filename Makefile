# leadbot — `make run` to talk to the assistant, `make test` to prove it works.
SHELL := /bin/bash
APP    := .venvs/app/bin
ENGINE := .venvs/engine/bin
MAX_HISTORY := 3
export RASA_TELEMETRY_ENABLED := false
export TF_CPP_MIN_LOG_LEVEL := 2
# Browser tests use the system's Chromium (/usr/bin/chromium); Playwright never downloads one.
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD := 1

.PHONY: bootstrap heads train run test lint leakcheck unit validate stories integration browser nlu-report eval clean \
        bench bench-replicas bench-smoke

bootstrap:  ## the two Python 3.10 venvs, web/node_modules, Chromium (fast when nothing changed)
	@bash scripts/bootstrap.sh

train: bootstrap  ## train the Rasa model unless config/domain/data are unchanged
	@$(APP)/leadbot train

run: bootstrap  ## start the action server, Rasa and the site; Ctrl-C stops everything
	@$(APP)/leadbot run

lint: bootstrap  ## ruff, mypy (bot, actions) and the layers' import contracts
	$(APP)/ruff check bot actions channels tests bench scripts
	$(APP)/mypy
	$(APP)/lint-imports

heads: bootstrap  ## the understanding layer's trained heads (skipped when the corpus is unchanged)
	@$(APP)/leadbot train --understanding-only

unit: heads  ## fast tests of bot/ and actions/ (SQLite and PostgreSQL)
	$(APP)/pytest -q tests/unit tests/understanding

validate: bootstrap  ## the conversation designer's check of domain, data and rules
	$(APP)/python scripts/validate_data.py $(MAX_HISTORY)

stories: train  ## Rasa test stories against the trained model
	$(ENGINE)/rasa test core --stories tests/stories --e2e --fail-on-prediction-errors \
	  --model "$$($(APP)/leadbot model-path)" --out results/stories

integration: train  ## real Rasa + action server over REST, on SQLite and PostgreSQL
	$(APP)/pytest -q tests/integration

browser: train  ## the chat widget on the demo site in Chromium, against a real stack
	$(APP)/pytest -q tests/browser

leakcheck: bootstrap  ## no sentence of the held-out personas (../shared/eval) is in the repo
	$(APP)/python ../shared/eval/leakcheck.py

test: bootstrap  ## everything CI runs, stage by stage with times (scripts/test_stages.sh)
	@bash scripts/test_stages.sh

bench-smoke: train  ## a few conversations through both bots: keeps `make bench` working (<2 min)
	$(APP)/python -m bench.run --smoke

bench: train  ## leadbot vs the baseline form bot at 1-50 visitors (~10 min): bench/results/
	$(APP)/python -m bench.run

bench-replicas: train  ## two Rasa replicas on PostgreSQL + Redis: throughput, lost turns
	$(APP)/python -m bench.replicas

nlu-report: bootstrap  ## understanding heads: per-class P/R/F1 on the held-out corpus (RASA_CV=1: + Rasa's intent CV)
	$(APP)/python -m bot.understanding.report --json results/nlu-report.json
	@if [ -n "$(RASA_CV)" ]; then \
	  $(MAKE) --no-print-directory train && \
	  $(ENGINE)/rasa test nlu --cross-validation -f 5 --nlu data/nlu.yml --out results/nlu-cv; fi

clean:
	rm -rf models results var/logs .pytest_cache .ruff_cache
