import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { claudeProjectDir } from '../../../src/core/claudeCode/transcriptFiles';
import { LedgerRegistry } from '../../../src/core/store/ledgerRegistry';
import { buildCli, cleanEnv, runCli } from './cliHarness';
import { writeFixtureLedger, type FixtureLedger } from './fixtureLedger';

const temp = (name: string) => fs.realpathSync(fs.mkdtempSync(path.join(tmpdir(), `cli-${name}-`)));
const json = (text: string) => JSON.parse(text) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

describe('session-ledger command line: commands against a fixture ledger', function () {
  this.timeout(120_000);
  let fixture: FixtureLedger;
  let ledger: string[];

  before(async () => {
    await buildCli();
    fixture = await writeFixtureLedger(path.join(temp('fixture'), 'ledger'));
    ledger = ['--ledger', fixture.directory];
  });

  it('has --help for every command, lists them, and says how to get help on a usage error (exit 2)', async () => {
    const main = await runCli(['--help']);
    assert.equal(main.code, 0);
    for (const name of ['list', 'show', 'search', 'usage', 'export', 'import', 'import-claude', 'run']) {
      assert.match(main.stdout, new RegExp(`^  ${name} `, 'm'));
      const help = await runCli([name, '--help']);
      assert.equal(help.code, 0, help.stderr);
      assert.match(help.stdout, new RegExp(`^Usage: session-ledger ${name}`));
      assert.match(help.stdout, /Exit codes:/);
    }
    const none = await runCli([]);
    assert.equal(none.code, 2);
    assert.match(none.stderr, /Usage: session-ledger <command>/);
    const unknown = await runCli(['lst']);
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /Unknown command "lst"[\s\S]*session-ledger --help/);
    const badOption = await runCli(['list', '--colour', ...ledger]);
    assert.equal(badOption.code, 2);
    assert.match(badOption.stderr, /--colour[\s\S]*session-ledger list --help/);
    const badValue = await runCli(['usage', '--by', 'week', ...ledger]);
    assert.equal(badValue.code, 2);
    assert.match(badValue.stderr, /--by must be one of day, model, type, project \(got "week"\)/);
  });

  it('list: aligned columns without colour when not a terminal, and stable JSON', async () => {
    const text = await runCli(['list', ...ledger]);
    assert.equal(text.code, 0, text.stderr);
    const lines = text.stdout.trimEnd().split('\n');
    assert.equal(lines.length, 3);
    assert.match(lines[0], /^ID {8}STATUS {4}TYPE {13}TITLE +STEPS +COST +UPDATED$/);
    assert.match(lines[1], new RegExp(`^${fixture.oauthId.slice(0, 8)}  active    spec-plan-build  Add OAuth login +1  \\$0\\.10  `));
    assert.match(
      lines[2],
      new RegExp(`^${fixture.parserId.slice(0, 8)}  complete  test-fix +Fix the flaky parser test +2  \\$0\\.42  2026-11-01$`),
    );
    assert.equal(lines[1].indexOf('Add OAuth'), lines[2].indexOf('Fix the flaky'), 'titles start in the same column');
    assert.ok(!text.stdout.includes('\x1b['), 'no colour codes in a pipe');
    const data = json((await runCli(['list', '--json', '--status', 'complete', ...ledger])).stdout);
    assert.equal(data.total, 1);
    assert.equal(data.readOnly, false);
    assert.deepEqual(Object.keys(data.sessions[0]).sort(), [
      'costUnknown',
      'costUsd',
      'createdAt',
      'endedAt',
      'eventCount',
      'executionMode',
      'id',
      'intention',
      'interactionCount',
      'parentSessionId',
      'phase',
      'provider',
      'slug',
      'status',
      'successCriteria',
      'summary',
      'title',
      'tokens',
      'type',
      'updatedAt',
      'workingDir',
    ]);
    assert.equal(data.sessions[0].id, fixture.parserId);
    assert.equal(data.sessions[0].costUsd, 0.42);
    assert.equal(data.sessions[0].createdAt, '2026-11-01T10:00:00.000Z');
  });

  it('show: the timeline as text by slug, as JSON by id prefix, and a clear error for an unknown session', async () => {
    const text = await runCli(['show', 'fix-flaky-parser', ...ledger]);
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, /^Session +Fix the flaky parser test/);
    assert.match(text.stdout, /Goal +make parser\.test\.ts pass every time/);
    assert.match(
      text.stdout,
      /#1 test \[shell\] error exit 1 · 2\.3 s[\s\S]*\$ npm test\n {6}running 12 tests\n {6}parser\.test\.ts failed: expected token RBRACE/,
    );
    assert.match(text.stdout, /#2 fix \[claude\] ok · 15\.0 s/);
    assert.match(text.stdout, /Notes\n {2}#2 \[note\] The tokenizer dropped the last brace/);
    const data = json((await runCli(['show', fixture.parserId.slice(0, 6), '--json', '--events', ...ledger])).stdout);
    assert.equal(data.session.slug, 'fix-flaky-parser');
    assert.deepEqual(
      data.interactions.map((i: { step: string; status: string; exitCode: number | null }) => [i.step, i.status, i.exitCode]),
      [
        ['test', 'error', 1],
        ['fix', 'ok', null],
      ],
    );
    assert.equal(data.notes[0].content, 'The tokenizer dropped the last brace');
    assert.equal(data.runs[0].model, 'claude-sonnet-4-6');
    assert.deepEqual(
      data.events.map((e: { type: string }) => e.type),
      ['agent.text'],
    );
    const missing = await runCli(['show', 'no-such-session', ...ledger]);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /No session "no-such-session" in this ledger\. Run `session-ledger list`/);
  });

  it('search: hits in outputs and events, as text and JSON', async () => {
    const text = await runCli(['search', 'tokenizer', ...ledger]);
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, /#2 +Fix the flaky parser test +2026-11-01 +Changed the \[tokenizer\] to flush on EOF\./);
    assert.match(text.stderr, /^2 hits\./m);
    const data = json((await runCli(['search', 'zebraco', '--json', ...ledger])).stdout);
    assert.equal(data.query, 'zebraco');
    assert.deepEqual(
      data.hits.map((h: { kind: string; sessionId: string }) => [h.kind, h.sessionId]),
      [['event', fixture.oauthId]],
    );
    const none = await runCli(['search', 'nothing-like-this', '--json', ...ledger]);
    assert.deepEqual(json(none.stdout).hits, []);
  });

  it('usage: by day, model and type, --since, JSON and CSV', async () => {
    const byModel = await runCli(['usage', '--by', 'model', ...ledger]);
    assert.equal(byModel.code, 0, byModel.stderr);
    assert.match(byModel.stdout, /^claude-sonnet-4-6 +1 +1\.0k +500 +0 +2\.0k +\$0\.42$/m);
    assert.match(byModel.stdout, /^total +2 +1\.3k +600 +0 +2\.0k +\$0\.52$/m);
    const byType = json((await runCli(['usage', '--by', 'type', '--json', ...ledger])).stdout);
    assert.deepEqual(
      byType.rows.map((r: { key: string; costUsd: number }) => [r.key, r.costUsd]),
      [
        ['test-fix', 0.42],
        ['spec-plan-build', 0.1],
      ],
    );
    const since = json((await runCli(['usage', '--since', '2026-11-15', '--json', ...ledger])).stdout);
    assert.deepEqual(
      since.rows.map((r: { key: string }) => r.key),
      ['2026-12-01'],
    );
    assert.equal(since.total.costUsd, 0.1);
    const csv = await runCli(['usage', '--csv', ...ledger]);
    assert.match(csv.stdout, /^section,key,title,/);
    assert.match(csv.stdout, /\r\ntotal,,,1300,600,0,0,0,2000,0\.52,2,0\r\n$/);
  });

  it('usage --by project: every ledger in the registry, this one read from its open store', async () => {
    const other = path.join(temp('other-project-ledger'), 'ledger');
    const exported = path.join(temp('other-export'), 'one.json');
    await runCli(['export', '--out', exported, '--session', 'fix-flaky-parser', ...ledger]);
    assert.equal((await runCli(['import', exported, '--ledger', other])).code, 0);
    const registry = path.join(temp('projects-registry'), 'ledger-registry.json');
    await new LedgerRegistry(registry).register({ directory: fixture.directory, ledgerId: 'fixture', canonicalPath: '/projects/app' });
    await new LedgerRegistry(registry).register({ directory: other, ledgerId: 'other', canonicalPath: '/projects/parser' });
    const result = await runCli(['usage', '--by', 'project', '--json', '--registry', registry, ...ledger]);
    assert.equal(result.code, 0, result.stderr);
    const data = json(result.stdout);
    assert.deepEqual(data.rows.map((r: { name: string; costUsd: number }) => [r.name, r.costUsd]).sort(), [
      ['app', 0.52],
      ['parser', 0.42],
    ]);
    assert.equal(data.total.costUsd, 0.94);
    assert.deepEqual(data.unread, []);
  });

  it('export, then import into a new ledger: the same sessions; a damaged file imports nothing (exit 1)', async () => {
    const out = path.join(temp('export'), 'all.json');
    const exported = await runCli(['export', '--out', out, ...ledger]);
    assert.equal(exported.code, 0, exported.stderr);
    assert.match(exported.stderr, /Exported 2 session\(s\) to /);
    const stdoutExport = json((await runCli(['export', ...ledger])).stdout);
    assert.equal(stdoutExport.format, 'session-ledger');
    assert.equal(stdoutExport.sessions.length, 2);
    const target = path.join(temp('import'), 'ledger');
    const imported = await runCli(['import', out, '--json', '--ledger', target]);
    assert.equal(imported.code, 0, imported.stderr);
    assert.equal(json(imported.stdout).sessionsAdded, 2);
    const listed = json((await runCli(['list', '--json', '--ledger', target])).stdout);
    assert.deepEqual(listed.sessions.map((s: { id: string }) => s.id).sort(), [fixture.parserId, fixture.oauthId].sort());
    const again = await runCli(['import', out, '--ledger', target]);
    assert.match(again.stdout, /Imported 0 new session\(s\), completed 0; 0 record\(s\) added, \d+ already here\./);
    const damaged = path.join(path.dirname(out), 'damaged.json');
    fs.writeFileSync(damaged, fs.readFileSync(out, 'utf8').replace('"format": "session-ledger"', '"format": "something-else"'));
    const bad = await runCli(['import', damaged, '--ledger', target]);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /damaged\.json/);
  });

  it('import-claude: imports a real Claude Code transcript for the folder, then nothing new the second time', async () => {
    const project = temp('project');
    const configDir = temp('claude-config');
    const projectDir = claudeProjectDir(project, configDir);
    fs.mkdirSync(projectDir, { recursive: true });
    fs.copyFileSync(
      path.join(__dirname, '../../fixtures/claudeCode/real-2.1.328/transcript.jsonl'),
      path.join(projectDir, '2c0ffee0-1328-4000-8000-000000000001.jsonl'),
    );
    const target = path.join(temp('claude-ledger'), 'ledger');
    const first = await runCli(['import-claude', '--dir', project, '--claude-config', configDir, '--json', '--ledger', target]);
    assert.equal(first.code, 0, first.stderr);
    const report = json(first.stdout);
    assert.equal(report.createdSessionIds.length, 1);
    assert.equal(report.linesDamaged, 0);
    const second = await runCli(['import-claude', '--dir', project, '--claude-config', configDir, '--ledger', target]);
    assert.match(second.stdout, /0 Claude Code sessions \(0 new\), 0 prompts and 0 events added, 1 file unchanged/);
  });

  it("finds the folder's ledger through VS Code's registry (default place, or --registry / $SESSION_LEDGER_REGISTRY), else exit 4", async () => {
    const project = temp('registered');
    fs.mkdirSync(path.join(project, 'src', 'deep'), { recursive: true });
    const env = cleanEnv();
    const registryFile = path.join(
      env.XDG_CONFIG_HOME!,
      'Code',
      'User',
      'globalStorage',
      'session-ledger.session-ledger',
      'ledger-registry.json',
    );
    const nowhere = await runCli(['list'], { cwd: project, env });
    assert.equal(nowhere.code, 4);
    assert.match(
      nowhere.stderr,
      /No Session Ledger ledger is registered for .* Open the folder in VS Code with Session Ledger once, pass --ledger <dir>/,
    );
    await new LedgerRegistry(registryFile).register({ directory: fixture.directory, ledgerId: 'fixture', canonicalPath: project });
    const fromSubfolder = await runCli(['list', '--json'], { cwd: path.join(project, 'src', 'deep'), env });
    assert.equal(fromSubfolder.code, 0, fromSubfolder.stderr);
    assert.equal(json(fromSubfolder.stdout).ledger, fixture.directory);
    const elsewhere = path.join(temp('elsewhere'), 'registry.json');
    fs.renameSync(registryFile, elsewhere);
    assert.equal((await runCli(['list'], { cwd: project, env })).code, 4);
    assert.equal((await runCli(['list', '--registry', elsewhere], { cwd: project, env })).code, 0);
    assert.equal((await runCli(['list'], { cwd: project, env: { ...env, SESSION_LEDGER_REGISTRY: elsewhere } })).code, 0);
    const noLedgerThere = await runCli(['list', '--ledger', temp('empty')]);
    assert.equal(noLedgerThere.code, 4);
    assert.match(noLedgerThere.stderr, /No ledger in .*Check the --ledger folder/);
  });
});
