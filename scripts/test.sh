#!/usr/bin/env bash
# Runs every test, installing what it needs on a fresh machine:
#   type check → lint → unit tests (plain Node) → fault-injection tests (races, damage, hostile input) → package the .vsix and check its contents →
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

# Shells the fault-injection tests quote for and run hostile values through (bash and sh are always there).
if ! command -v fish >/dev/null 2>&1; then
  stage "Debian packages: fish"
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq fish >/dev/null
fi

# A real PostgreSQL for the team-ledger tests (test/sync, and the integration test teamLedger.test.ts, whose
# harness starts the same throwaway cluster made with initdb: test/sync/pgCluster.ts).
if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
  stage "Debian packages: postgresql"
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq postgresql >/dev/null
fi

mkdir -p test-results
export SESSION_LEDGER_TEST_STATS="$PWD/test-results/stats.jsonl"
rm -f "$SESSION_LEDGER_TEST_STATS"
failed=()
stage_failures=0
mocha_failures() { node -e '
  const fs = require("fs"); let f = 0;
  if (fs.existsSync(process.argv[1])) for (const l of fs.readFileSync(process.argv[1], "utf8").split("\n")) if (l.trim()) f += JSON.parse(l).failures;
  console.log(f);' "$SESSION_LEDGER_TEST_STATS"; }
run() {
  local name=$1; shift; stage "$name"
  local before; before=$(mocha_failures)
  if "$@"; then echo "[$name] ok"; else
    echo "[$name] FAILED"; failed+=("$name")
    # A stage that failed without a failing test (type errors, a crashed host) counts as one failure.
    [ "$(mocha_failures)" != "$before" ] || stage_failures=$((stage_failures + 1))
  fi
}

# The real Claude Code CLI (pinned, cached like code-server): unit, integration and e2e tests drive it.
export SESSION_LEDGER_CLAUDE_BIN; SESSION_LEDGER_CLAUDE_BIN=$(bash scripts/setup-claude-code.sh | tail -1)
run "type check" npm run --silent typecheck
run "lint (ESLint, Prettier)" npm run --silent lint
run "unit tests" npx mocha
run "fault-injection tests" npx mocha --config test/faults/.mocharc.json
run "team ledger tests (real PostgreSQL)" npx mocha --config test/sync/.mocharc.json
# The store as on Windows: the database file read whole into memory at open instead of on demand.
run "store unit tests, in-memory file" env SESSION_LEDGER_TEST_FILE_MODE=in-memory npx mocha --no-config -r tsx/cjs -r ./test/harness/tempRoot.ts --ui bdd --timeout 20000 --reporter ./test/harness/statsReporter.ts 'test/unit/store/*.test.ts'
stage "test VS Code (code-server $(grep -o '4\.[0-9.]*' scripts/setup-test-vscode.sh | head -1)) and Chromium"
bash scripts/setup-test-vscode.sh >/dev/null
run "package" npm run --silent package
run "package contents" npx mocha --config test/package/.mocharc.json
run "build tests" node esbuild.mjs --tests
run "integration tests (extension host)" npx tsx test/harness/runIntegration.ts
run "integration tests (untrusted workspace)" npx tsx test/harness/runIntegration.ts --untrusted
run "end-to-end tests (workbench in Chromium)" npx tsx test/harness/runE2e.ts

totals=$(node -e '
  const fs = require("fs"); let p = 0, f = 0, s = 0;
  for (const l of fs.existsSync(process.argv[1]) ? fs.readFileSync(process.argv[1], "utf8").split("\n") : []) {
    if (!l.trim()) continue; const j = JSON.parse(l); p += j.passes; f += j.failures; s += j.pending;
  }
  console.log(p, f, s);' "$SESSION_LEDGER_TEST_STATS")
read -r passes failures skipped <<<"$totals"
failures=$((failures + stage_failures))
echo
# Each failing test with the first lines of its error, last, where the tail of a CI log shows them.
node -e '
  const fs = require("fs");
  for (const l of fs.existsSync(process.argv[1]) ? fs.readFileSync(process.argv[1], "utf8").split("\n") : []) {
    if (!l.trim()) continue;
    for (const t of JSON.parse(l).failed ?? []) console.log(`FAILED: ${t.title}\n  ${t.error.split("\n").join("\n  ")}`);
  }' "$SESSION_LEDGER_TEST_STATS"
[ ${#failed[@]} -eq 0 ] || echo "Failed stages: ${failed[*]}"
echo "Total: $passes passed, $failures failed, $skipped skipped"
[ ${#failed[@]} -eq 0 ]
