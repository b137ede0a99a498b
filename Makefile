# leadbot — `make run` to talk to the assistant, `make test` to prove it works.
SHELL := /bin/bash
APP    := .venvs/app/bin
ENGINE := .venvs/engine/bin
MAX_HISTORY := 3
export RASA_TELEMETRY_ENABLED := false
export TF_CPP_MIN_LOG_LEVEL := 2

.PHONY: bootstrap train run test lint unit validate stories integration nlu-report eval clean

bootstrap:  ## create/update the two Python 3.10 venvs (fast when nothing changed)
	@bash scripts/bootstrap.sh

train: bootstrap  ## train the Rasa model unless config/domain/data are unchanged
	@$(APP)/leadbot train

run: bootstrap  ## start the action server and Rasa; Ctrl-C stops everything
	@$(APP)/leadbot run

lint: bootstrap
	$(APP)/ruff check bot actions tests bench scripts

unit: bootstrap  ## fast tests of bot/ and actions/ (SQLite and PostgreSQL)
	$(APP)/pytest -q tests/unit

validate: bootstrap  ## the conversation designer's check of domain, data and rules
	$(APP)/python scripts/validate_data.py $(MAX_HISTORY)

stories: train  ## Rasa test stories against the trained model
	$(ENGINE)/rasa test core --stories tests/stories --e2e --fail-on-prediction-errors \
	  --model "$$($(APP)/leadbot model-path)" --out results/stories

integration: train  ## real Rasa + action server over REST, on SQLite and PostgreSQL
	$(APP)/pytest -q tests/integration

test: lint unit validate stories integration  ## everything CI runs

nlu-report: train  ## intent F1 by 5-fold cross-validation (slow, not part of `make test`)
	$(ENGINE)/rasa test nlu --cross-validation -f 5 --nlu data/nlu.yml --out results/nlu-cv

clean:
	rm -rf models results var/logs .pytest_cache .ruff_cache
