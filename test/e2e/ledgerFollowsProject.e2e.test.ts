// The ledger follows the project (issue 14), end to end: a code-server of its own (this test kills
// it, so not the one the other e2e tests share), its own user-data-dir and workspace folder, the
// extension the harness installed, driven in Chromium.
//
// What each step proves:
//  1. Hard kill. A session created through the command palette; code-server's whole process group
//     SIGKILLed (as a crash or a killed container does); code-server started again on the same
//     user-data-dir and folder: the session is in the Sessions tree. The restarted window gets a new,
//     empty workspace storage folder (the test lists them and asserts it): code-server's storage id
//     hashes the folder's URI, whose authority is its host:port, and the restarted server listens on
//     another port. (Desktop VS Code, and code-server on a fixed port, hand the window `<id>-1`
//     instead when the stale `vscode.lock`'s pid names a live process, as after a container restart;
//     when that pid is dead they give `<id>` back.) Either way the window's own storage holds no
//     ledger: the session is found through the ledger registry in global storage — without it the
//     tree says "No sessions yet" — and the killed extension host's `ledger.lock` is taken over.
//  2. Second window. A second tab of the same browser on the same folder: code-server starts one
//     extension host per window (the test asserts two distinct extension host processes), as desktop
//     VS Code does for two windows sharing a user-data-dir and global storage. VS Code hands the second
//     window `<id>-1` (the first holds `<id>/vscode.lock`); it finds the ledger through the registry,
//     its lock held by the first window's extension host, and opens it read-only: the tree's
//     description and the timeline header's badge say so, naming the holder's pid (its action buttons
//     are disabled, their tooltip saying why); the first window's tree does not. A step run in the first tab (Next Step of the manual session) appears in the
//     second tab's tree and timeline without a reload.
//  3. Hand-over. The first tab closed: its extension host exits, and the second window takes the lock
//     over and becomes the writer without a reload (the read-only description and badge go away).
// Screenshots: test-results/screenshots/6x-ledger-*.png.
import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { FrameLocator } from 'playwright-core';
import { isolatedEnv, makeRunDirs, repoRoot, startCodeServer, type RunDirs, type RunningCodeServer } from '../harness/testVscode';
import { e2eEnv, Workbench, type E2eEnv } from './workbench';

const EXTENSION_ID = 'session-ledger.session-ledger';
const READ_ONLY = /Read-only — ledger open in another window \(pid (\d+)\)/;

interface Proc {
  pid: number;
  pgid: number;
  args: string;
}

function processes(): Proc[] {
  return execFileSync('ps', ['-eo', 'pid=,pgid=,args='], { encoding: 'utf8' })
    .split('\n')
    .map((line) => /^\s*(\d+)\s+(\d+)\s+(.*)$/.exec(line))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => ({ pid: Number(m[1]), pgid: Number(m[2]), args: m[3] }));
}

/** The process group of the code-server started on `dirs` (its leader was spawned detached). */
function serverGroup(dirs: RunDirs): number {
  const leader = processes().find((p) => p.pid === p.pgid && p.args.includes(`--user-data-dir ${dirs.userData}`));
  if (!leader) throw new Error(`no code-server process group for ${dirs.userData}`);
  return leader.pgid;
}

const extensionHosts = (group: number): number[] =>
  processes()
    .filter((p) => p.pgid === group && p.args.includes('--type=extensionHost'))
    .map((p) => p.pid);

async function until<T>(what: string, probe: () => T | undefined | false, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** SIGKILLs code-server's whole process group (server, extension hosts, terminals) and waits until all are gone. */
async function killHard(dirs: RunDirs): Promise<number[]> {
  const group = serverGroup(dirs);
  const members = processes()
    .filter((p) => p.pgid === group)
    .map((p) => p.pid);
  process.kill(-group, 'SIGKILL');
  await until(`process group ${group} to be gone`, () => processes().every((p) => p.pgid !== group), 15_000);
  return members;
}

const workspaceStorage = (dirs: RunDirs) => join(dirs.userData, 'User', 'workspaceStorage');

/** The workspace storage folders, each with whether it holds a ledger of ours. */
function storageFolders(dirs: RunDirs): string[] {
  const root = workspaceStorage(dirs);
  if (!existsSync(root)) return [];
  return readdirSync(root)
    .sort()
    .map((name) => `${name}${existsSync(join(root, name, EXTENSION_ID, 'ledger')) ? ' (holds a ledger)' : ''}`);
}

/** The ledger directory the registry in global storage names for the workspace folder. */
function registeredLedger(dirs: RunDirs): string {
  const file = join(dirs.userData, 'User', 'globalStorage', EXTENSION_ID, 'ledger-registry.json');
  const registry = JSON.parse(readFileSync(file, 'utf8')) as { ledgers: { directory: string; canonicalPath: string }[] };
  assert.equal(registry.ledgers.length, 1, `one ledger registered: ${JSON.stringify(registry.ledgers)}`);
  return registry.ledgers[0].directory;
}

describe('workbench: the ledger follows the project (hard kill, second window)', function () {
  this.timeout(180_000);
  const title = 'Survive the crash';
  const shared = e2eEnv();
  let env: E2eEnv;
  let server: RunningCodeServer | undefined;
  let wb: Workbench | undefined;
  let second: Workbench | undefined;

  const treeRow = (w: Workbench) => w.page.locator('.part.sidebar .monaco-list-row', { hasText: title });
  /** Opens the session's timeline from the tree, as a person clicks its row. */
  async function openTimeline(w: Workbench): Promise<FrameLocator> {
    await treeRow(w).click();
    return w.webviewFrame(`Timeline: ${title}`);
  }

  async function start(): Promise<void> {
    const t0 = Date.now();
    server = await startCodeServer(env.dirs, { smokeTestDriver: false, env: isolatedEnv(env.dirs), logName: `code-server-${Date.now()}` });
    env = { ...env, url: server.url };
    wb = await Workbench.open(env);
    await wb.openSessionsView();
    console.log(`      code-server at ${server.url}, workbench open in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  }

  async function crash(): Promise<void> {
    const killed = await killHard(env.dirs);
    console.log(`      SIGKILLed code-server's process group: ${killed.join(', ')}`);
    await wb?.close();
    wb = undefined;
    await server?.stop(); // nothing left to stop: only settles the handle
    server = undefined;
  }

  before(async () => {
    // Its own profile and folder (it kills its server); the extension as the harness installed it.
    const dirs = { ...makeRunDirs('e2e-ledger-follows'), extensions: shared.dirs.extensions };
    cpSync(join(repoRoot, 'test', 'fixtures', 'workspace'), dirs.workspace, { recursive: true });
    env = { url: '', dirs, screenshots: shared.screenshots };
    await start();
  });
  after(async () => {
    await second?.closeTab().catch(() => undefined);
    await wb?.close();
    await server?.stop();
  });

  it('shows the session after code-server was SIGKILLed and started again', async () => {
    await wb!.runCommand('Session Ledger: New Session');
    await wb!.pickQuickInput('test-fix');
    await wb!.pickQuickInput('Manual');
    await wb!.typeQuickInput(title);
    await wb!.typeQuickInput(); // the goal is prefilled with the title
    await wb!.typeQuickInput('check.sh passes');
    await wb!.typeQuickInput(); // criteria: one per entry, an empty one finishes
    await treeRow(wb!).waitFor({ timeout: 20_000 });
    await wb!.screenshot('60-ledger-session-created');

    const before = storageFolders(env.dirs);
    assert.equal(before.length, 1, `one workspace storage folder: ${before.join(', ')}`);
    assert.match(before[0], /holds a ledger/);
    const ledger = join(workspaceStorage(env.dirs), readdirSync(workspaceStorage(env.dirs))[0], EXTENSION_ID, 'ledger');
    await crash();
    await start();
    // Without the registry this window opens its own, empty storage folder's ledger: "No sessions yet".
    await treeRow(wb!).waitFor({ timeout: 30_000 });
    const after = storageFolders(env.dirs);
    console.log(`      workspace storage after the restart: ${after.join(', ')}; the ledger: ${ledger}`);
    // The storage id hashes the folder's URI, whose authority is code-server's host:port: the restarted
    // server (another port) gets a new, empty storage folder, so only the registry can find the ledger.
    assert.equal(
      after.length,
      2,
      `the restarted window got a storage folder of its own (the precondition of this test): ${after.join(', ')}`,
    );
    assert.equal(registeredLedger(env.dirs), ledger, 'the ledger registered for the folder is still the first one');
    await wb!.screenshot('61-ledger-after-sigkill');
  });

  it('shows the history read-only in a second tab, following the first live, and hands the ledger over', async () => {
    const group = serverGroup(env.dirs);
    const [firstHost] = await until("the first window's extension host", () => {
      const hosts = extensionHosts(group);
      return hosts.length === 1 && hosts;
    });
    const lockPid = () => (JSON.parse(readFileSync(join(registeredLedger(env.dirs), 'ledger.lock'), 'utf8')) as { pid: number }).pid;
    assert.equal(lockPid(), firstHost, "the first window's extension host holds the ledger");

    second = await wb!.openTab();
    await second.openSessionsView();
    const hosts = await until('a second extension host', () => {
      const all = extensionHosts(group);
      return all.length === 2 && all;
    });
    await treeRow(second).waitFor({ timeout: 30_000 });
    const folders = storageFolders(env.dirs);
    console.log(`      extension hosts: ${hosts.join(', ')} (first window: ${firstHost}); workspace storage: ${folders.join(', ')}`);
    assert.equal(folders.length, 3, `the second window got a storage folder of its own, without a ledger: ${folders.join(', ')}`);
    // Seen above the tree (a view alone in its container does not draw its description).
    const readOnly = second.page.locator('.part.sidebar').getByText(READ_ONLY).locator('visible=true');
    await readOnly.first().waitFor({ timeout: 30_000 });
    assert.equal(READ_ONLY.exec(await readOnly.first().innerText())?.[1], String(firstHost), "it names the first window's extension host");
    assert.doesNotMatch((await wb!.page.locator('.part.sidebar').textContent()) ?? '', /Read-only/, 'the first window writes');

    const timeline = await openTimeline(second);
    const badge = timeline.locator('.session-header [data-read-only]');
    await badge.waitFor({ timeout: 30_000 });
    assert.match(await badge.innerText(), /Read-only/);
    assert.equal(await timeline.locator('text=./check.sh').count(), 0, 'no step yet');
    // Next Step, Pause, … and Check Progress cannot work here: shown disabled, their tooltip says why.
    const buttons = timeline.locator('.session-header :is([data-session-action], [data-goal-action])');
    const labels = await buttons.allInnerTexts();
    assert.ok(labels.some((l) => l.includes('Next Step')) && labels.some((l) => l.includes('Check Progress')), labels.join(', '));
    for (const button of await buttons.all()) {
      assert.equal(await button.isDisabled(), true, `${await button.innerText()} is disabled in the read-only tab`);
      assert.match((await button.getAttribute('title')) ?? '', /^Read-only here: another window or process writes this ledger/);
    }
    // The tree's inline Next Step is not offered here either (sessionLedger.readOnly in package.json's menus); the writer's tree has it.
    const inlineNextStep = (w: Workbench) => treeRow(w).locator('.actions .action-label[aria-label^="Next Step"]');
    assert.equal(await inlineNextStep(second).count(), 0, 'no inline Next Step in the read-only tree');
    assert.equal(await inlineNextStep(wb!).count(), 1, "the writer's tree offers Next Step");
    await second.screenshot('62-ledger-second-tab-read-only');

    // A step in the first tab: check.sh fails (no greeting.txt), the session moves on to its fix phase.
    await wb!.page.bringToFront();
    await wb!.runCommand('Session Ledger: Next Step');
    // Which session: the restarted window's new storage folder does not remember the active one.
    await wb!.pickQuickInput(title);
    await wb!.page.locator('.part.sidebar .monaco-list-row', { hasText: /test-fix · fix/ }).waitFor({ timeout: 60_000 });
    await wb!.screenshot('63-ledger-first-tab-next-step');

    await second.page.bringToFront();
    const shownAt = Date.now();
    await timeline.locator('text=./check.sh').first().waitFor({ timeout: 15_000 });
    await second.page.locator('.part.sidebar .monaco-list-row', { hasText: /test-fix · fix/ }).waitFor({ timeout: 15_000 });
    console.log(`      the step appeared in the second tab ${Date.now() - shownAt} ms after the first showed it`);
    await second.screenshot('64-ledger-second-tab-sees-the-step');

    // The holder goes away: the second window becomes the writer, without a reload.
    await wb!.closeTab();
    Workbench.current = second; // the failure screenshot shows the tab left
    await until(`the first window's extension host (${firstHost}) to exit`, () => !extensionHosts(group).includes(firstHost), 60_000);
    await readOnly.first().waitFor({ state: 'detached', timeout: 30_000 });
    assert.doesNotMatch((await second.page.locator('.part.sidebar').textContent()) ?? '', /Read-only/, 'the description is gone too');
    await badge.waitFor({ state: 'detached', timeout: 30_000 });
    await timeline.locator('.session-header [data-session-action]:not([disabled])').first().waitFor({ timeout: 10_000 });
    assert.equal(await timeline.locator('.session-header [data-locked]').count(), 0, 'the actions work again');
    await inlineNextStep(second).waitFor({ state: 'attached', timeout: 10_000 });
    assert.equal(
      lockPid(),
      hosts.find((pid) => pid !== firstHost),
      "the second window's extension host holds the ledger now",
    );
    await second.screenshot('65-ledger-second-tab-took-over');
  });
});
