#!/usr/bin/env bash
# dist/ must be exactly what `npm run bundle` makes from the committed source: the action runs dist/index.js.
set -euo pipefail
cd "$(dirname "$0")/.."
npm run bundle >/dev/null
if ! git diff --quiet --exit-code -- dist/ || [ -n "$(git ls-files --others --exclude-standard -- dist/)" ]; then
  echo "dist/ differs from a fresh 'npm run bundle': run it and commit dist/." >&2
  git status --short -- dist/ >&2
  exit 1
fi
echo "dist/ is up to date."
