#!/usr/bin/env bash
# `make test`: every stage CI runs, in order, each announced and timed; the first failure
# stops the run and is named by its stage, so a red CI log says where at its last line.
set -uo pipefail
cd "$(dirname "$0")/.."

STAGES=(
  "lint + types|lint"
  "held-out leak check|leakcheck"
  "unit (SQLite and PostgreSQL)|unit"
  "Rasa data validation + test stories|validate stories"
  "integration (real Rasa over REST and socket.io; SQLite, PostgreSQL + Redis)|integration"
  "browser (Chromium)|browser"
  "bench smoke|bench-smoke"
)

summary=()
total_start=$SECONDS
for i in "${!STAGES[@]}"; do
  name="${STAGES[$i]%%|*}"
  targets="${STAGES[$i]#*|}"
  echo
  echo "==> stage $((i + 1))/${#STAGES[@]}: $name"
  start=$SECONDS
  # shellcheck disable=SC2086  # targets is a list of make targets
  make --no-print-directory $targets
  status=$?
  took=$((SECONDS - start))
  line=$(printf '%-78s %4dm%02ds' "$name" $((took / 60)) $((took % 60)))
  if [ "$status" -ne 0 ]; then
    summary+=("$line  FAILED")
    printf '\n==> stages\n'; printf '%s\n' "${summary[@]}"
    echo "make test: FAILED in stage $((i + 1))/${#STAGES[@]}: $name (exit $status)" >&2
    exit "$status"
  fi
  summary+=("$line  ok")
done
took=$((SECONDS - total_start))
printf '\n==> stages\n'; printf '%s\n' "${summary[@]}"
echo "make test: all ${#STAGES[@]} stages passed in $((took / 60))m$((took % 60))s"
