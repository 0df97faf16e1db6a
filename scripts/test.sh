#!/usr/bin/env bash
# Runs every test, installing what it needs on a fresh machine:
#   type check → unit tests (plain Node) → package the .vsix and check its contents →
#   integration tests in the real VS Code extension host → end-to-end tests in Chromium.
# Exits non-zero if any stage fails; prints one total at the end.
set -euo pipefail
cd "$(dirname "$0")/.."
export npm_config_update_notifier=false npm_config_fund=false npm_config_audit=false

stage() { echo; echo "════ $* ════"; }

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  stage "npm ci"
  npm ci --no-audit --no-fund --loglevel=error
fi

mkdir -p test-results
export SESSION_LEDGER_TEST_STATS="$PWD/test-results/stats.jsonl"
rm -f "$SESSION_LEDGER_TEST_STATS"
failed=()
run() { local name=$1; shift; stage "$name"; if "$@"; then echo "[$name] ok"; else echo "[$name] FAILED"; failed+=("$name"); fi; }

run "type check" npx tsc --noEmit -p .
run "unit tests" npx mocha
stage "test VS Code (code-server $(grep -o '4\.[0-9.]*' scripts/setup-test-vscode.sh | head -1)) and Chromium"
bash scripts/setup-test-vscode.sh >/dev/null
run "package" npm run --silent package
run "package contents" npx mocha --config test/package/.mocharc.json
run "build tests" node esbuild.mjs --tests
run "integration tests (extension host)" npx tsx test/harness/runIntegration.ts
run "end-to-end tests (workbench in Chromium)" npx tsx test/harness/runE2e.ts

totals=$(node -e '
  const fs = require("fs"); let p = 0, f = 0, s = 0;
  for (const l of fs.existsSync(process.argv[1]) ? fs.readFileSync(process.argv[1], "utf8").split("\n") : []) {
    if (!l.trim()) continue; const j = JSON.parse(l); p += j.passes; f += j.failures; s += j.pending;
  }
  console.log(p, f, s);' "$SESSION_LEDGER_TEST_STATS")
read -r passes failures skipped <<<"$totals"
# A stage can fail without a mocha failure (type errors, a crashed host): count it too.
failures=$((failures + ${#failed[@]}))
echo
[ ${#failed[@]} -eq 0 ] || echo "Failed stages: ${failed[*]}"
echo "Total: $passes passed, $failures failed, $skipped skipped"
[ ${#failed[@]} -eq 0 ]
