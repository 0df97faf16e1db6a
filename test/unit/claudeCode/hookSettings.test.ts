import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  buildHookCommand,
  CLAUDE_HOOK_EVENTS,
  HOOK_COMMAND_MARKER,
  type HookCommandOptions,
} from '../../../src/core/claudeCode/hookProtocol';
import {
  claudeHooksConnection,
  ClaudeSettingsError,
  connectClaudeHooks,
  connectHooksInText,
  disconnectClaudeHooks,
  disconnectHooksInText,
  hookConnectionInText,
  refreshClaudeHooks,
  refreshHooksInText,
  SETTINGS_BACKUP_SUFFIX,
} from '../../../src/core/claudeCode/hookSettings';

const claudeHooksConnected = (workspace: string) => claudeHooksConnection(workspace, options) !== 'disconnected';

const options: HookCommandOptions = {
  scriptPath: '/home/dev/.vscode/extensions/session-ledger-0.1.0/dist/hookSpool.js',
  spoolPath: '/home/dev/.config/Code/User/workspaceStorage/abc/session-ledger/hooks spool.jsonl',
  platform: 'linux',
};

const foreign = {
  permissions: { allow: ['Bash(npm test:*)'] },
  hooks: {
    PreToolUse: [{ matcher: 'Bash', hooks: [{ type: 'command', command: '/usr/local/bin/guard.sh' }] }],
    Stop: [{ hooks: [{ type: 'command', command: 'notify-send done', timeout: 5 }] }],
  },
};
const foreignText = JSON.stringify(foreign, null, 4);

describe('Claude Code hook settings merge', () => {
  it('adds one entry per event with the documented shape, keeping foreign hooks and settings', () => {
    const result = connectHooksInText(foreignText, options, 'settings.local.json');
    assert.ok(result.changed);
    assert.equal(result.added, CLAUDE_HOOK_EVENTS.length);
    const settings = JSON.parse(result.text);
    assert.deepEqual(settings.permissions, foreign.permissions);
    assert.deepEqual(settings.hooks.PreToolUse[0], foreign.hooks.PreToolUse[0]);
    assert.deepEqual(settings.hooks.Stop[0], foreign.hooks.Stop[0]);
    for (const event of CLAUDE_HOOK_EVENTS) {
      const ours = settings.hooks[event].at(-1);
      assert.equal(ours.hooks.length, 1);
      assert.equal(ours.hooks[0].type, 'command');
      assert.ok(ours.hooks[0].command.endsWith(`${event} ${HOOK_COMMAND_MARKER} 2>/dev/null || true`));
      assert.ok(ours.hooks[0].command.includes("'/home/dev/.config/Code/User/workspaceStorage/abc/session-ledger/hooks spool.jsonl'"));
      assert.equal(ours.matcher, event === 'PreToolUse' || event === 'PostToolUse' ? '*' : undefined);
    }
  });

  it('is idempotent, and a new script path replaces ours instead of adding a second', () => {
    const once = connectHooksInText(foreignText, options, 'f').text;
    const twice = connectHooksInText(once, options, 'f');
    assert.equal(twice.changed, false);
    assert.equal(twice.text, once);
    const upgraded = connectHooksInText(once, { ...options, scriptPath: '/new/dist/hookSpool.js' }, 'f');
    assert.ok(upgraded.changed);
    assert.equal(upgraded.removed, CLAUDE_HOOK_EVENTS.length);
    const settings = JSON.parse(upgraded.text);
    for (const event of CLAUDE_HOOK_EVENTS) {
      const commands = settings.hooks[event].flatMap((g: { hooks: { command: string }[] }) => g.hooks.map((h) => h.command));
      assert.equal(commands.filter((c: string) => c.includes(HOOK_COMMAND_MARKER)).length, 1);
      assert.ok(commands.some((c: string) => c.includes('/new/dist/hookSpool.js')));
    }
  });

  it('disconnect removes exactly our entries and gives back the foreign settings', () => {
    const connected = connectHooksInText(foreignText, options, 'f').text;
    const result = disconnectHooksInText(connected, 'f');
    assert.equal(result.removed, CLAUDE_HOOK_EVENTS.length);
    assert.deepEqual(JSON.parse(result.text), foreign);
    assert.equal(disconnectHooksInText(result.text, 'f').changed, false);
  });

  it('keeps a foreign hook that shares a group with ours', () => {
    const connected = JSON.parse(connectHooksInText(undefined, options, 'f').text);
    connected.hooks.Stop[0].hooks.push({ type: 'command', command: 'say done' });
    const result = JSON.parse(disconnectHooksInText(JSON.stringify(connected), 'f').text);
    assert.deepEqual(result, { hooks: { Stop: [{ hooks: [{ type: 'command', command: 'say done' }] }] } });
  });

  it('refuses invalid JSON or a wrong shape with an error naming the file', () => {
    for (const bad of ['{ "hooks": ', '[]', '{"hooks": []}', '{"hooks": {"Stop": {}}}', '{"hooks": {"Stop": [{"command": "x"}]}}']) {
      assert.throws(
        () => connectHooksInText(bad, options, '/ws/.claude/settings.local.json'),
        (err: unknown) => err instanceof ClaudeSettingsError && err.message.includes('/ws/.claude/settings.local.json'),
      );
    }
  });

  describe('stale entries', () => {
    const stableOptions: HookCommandOptions = {
      ...options,
      scriptPath: '/home/dev/.config/Code/User/workspaceStorage/abc/session-ledger/hookSpool.js',
    };
    /** A file connected by an older version: the versioned extension folder, the old command form (no `|| true`). */
    const oldCommand = (event: string) =>
      `node /home/dev/.vscode/extensions/session-ledger-0.0.9/dist/hookSpool.js '${options.spoolPath}' ${event} ${HOOK_COMMAND_MARKER}`;
    const staleSettings = () => {
      const settings = JSON.parse(connectHooksInText(foreignText, stableOptions, 'f').text);
      for (const event of CLAUDE_HOOK_EVENTS) {
        for (const group of settings.hooks[event])
          for (const hook of group.hooks) if (hook.command.includes(HOOK_COMMAND_MARKER)) hook.command = oldCommand(event);
      }
      return settings;
    };
    const ourCommands = (text: string) =>
      Object.values(JSON.parse(text).hooks as Record<string, { hooks: { command: string }[] }[]>).flatMap((groups) =>
        groups.flatMap((g) => g.hooks.map((h) => h.command).filter((c) => c.includes(HOOK_COMMAND_MARKER))),
      );

    it('tells disconnected, current and stale apart', () => {
      assert.equal(hookConnectionInText(undefined, stableOptions, 'f'), 'disconnected');
      assert.equal(hookConnectionInText(foreignText, stableOptions, 'f'), 'disconnected');
      const current = connectHooksInText(foreignText, stableOptions, 'f').text;
      assert.equal(hookConnectionInText(current, stableOptions, 'f'), 'current');
      assert.equal(
        hookConnectionInText(JSON.stringify(staleSettings()), stableOptions, 'f'),
        'stale',
        'older script path and command form',
      );
      assert.equal(hookConnectionInText(current, { ...stableOptions, spoolPath: '/elsewhere/spool.jsonl' }, 'f'), 'stale', 'another spool');
      const missing = JSON.parse(current);
      delete missing.hooks.Notification;
      assert.equal(hookConnectionInText(JSON.stringify(missing), stableOptions, 'f'), 'stale', 'an event missing');
      const doubled = JSON.parse(current);
      doubled.hooks.Stop.push(doubled.hooks.Stop.at(-1));
      assert.equal(hookConnectionInText(JSON.stringify(doubled), stableOptions, 'f'), 'stale', 'one of ours twice');
    });

    it('refresh rewrites exactly our stale entries, leaves foreign hooks and settings alone, and is idempotent', () => {
      const stale = staleSettings();
      stale.hooks.Stop[0].hooks.push({ type: 'command', command: 'say shared-group' }); // foreign beside the first foreign one
      const result = refreshHooksInText(JSON.stringify(stale, null, 2), stableOptions, 'f');
      assert.ok(result.changed);
      assert.equal(result.removed, CLAUDE_HOOK_EVENTS.length);
      assert.equal(result.added, CLAUDE_HOOK_EVENTS.length);
      const settings = JSON.parse(result.text);
      assert.deepEqual(settings.permissions, foreign.permissions);
      assert.deepEqual(settings.hooks.PreToolUse[0], foreign.hooks.PreToolUse[0]);
      assert.deepEqual(settings.hooks.Stop[0].hooks, [...foreign.hooks.Stop[0].hooks, { type: 'command', command: 'say shared-group' }]);
      assert.deepEqual(ourCommands(result.text).sort(), CLAUDE_HOOK_EVENTS.map((e) => buildHookCommand(stableOptions, e)).sort());
      assert.ok(!result.text.includes('session-ledger-0.0.9'), 'no old script path is left');
      assert.equal(hookConnectionInText(result.text, stableOptions, 'f'), 'current');
      const again = refreshHooksInText(result.text, stableOptions, 'f');
      assert.equal(again.changed, false);
      assert.equal(again.text, result.text);
    });

    it('refresh never connects a file that is not connected', () => {
      for (const text of [undefined, foreignText]) assert.equal(refreshHooksInText(text, stableOptions, 'f').changed, false);
      const workspace = fs.mkdtempSync(path.join(os.tmpdir(), 'ledger-ws-'));
      assert.equal(refreshClaudeHooks(workspace, stableOptions).changed, false);
      assert.ok(!fs.existsSync(path.join(workspace, '.claude')));
    });
  });

  describe('files', () => {
    let workspace: string;
    let settingsFile: string;
    beforeEach(() => {
      workspace = fs.mkdtempSync(path.join(os.tmpdir(), 'ledger-ws-'));
      settingsFile = path.join(workspace, '.claude', 'settings.local.json');
    });

    it('creates .claude/settings.local.json when missing, without a backup', () => {
      const result = connectClaudeHooks(workspace, options);
      assert.equal(result.settingsPath, settingsFile);
      assert.equal(result.backupPath, undefined);
      assert.ok(claudeHooksConnected(workspace));
      assert.equal(disconnectClaudeHooks(fs.mkdtempSync(path.join(os.tmpdir(), 'ledger-ws-'))).changed, false);
    });

    it('backs the original file up, and disconnect restores the foreign content', () => {
      fs.mkdirSync(path.dirname(settingsFile));
      fs.writeFileSync(settingsFile, foreignText);
      const connected = connectClaudeHooks(workspace, options);
      assert.equal(connected.backupPath, settingsFile + SETTINGS_BACKUP_SUFFIX);
      assert.equal(connected.backupWritten, true);
      assert.equal(fs.readFileSync(connected.backupPath!, 'utf8'), foreignText);
      assert.equal(connectClaudeHooks(workspace, options).changed, false);
      assert.ok(claudeHooksConnected(workspace));
      disconnectClaudeHooks(workspace);
      assert.deepEqual(JSON.parse(fs.readFileSync(settingsFile, 'utf8')), foreign);
      assert.equal(claudeHooksConnected(workspace), false);
    });

    it('keeps the ORIGINAL as the backup through connect, disconnect, connect and a refresh', () => {
      fs.mkdirSync(path.dirname(settingsFile));
      fs.writeFileSync(settingsFile, foreignText);
      const backup = settingsFile + SETTINGS_BACKUP_SUFFIX;
      connectClaudeHooks(workspace, options);
      const disconnected = disconnectClaudeHooks(workspace);
      assert.equal(disconnected.backupWritten, false);
      assert.equal(disconnected.backupPath, backup, 'the kept backup is reported');
      const reconnected = connectClaudeHooks(workspace, options);
      assert.ok(reconnected.changed);
      assert.equal(reconnected.backupWritten, false);
      const refreshed = refreshClaudeHooks(workspace, { ...options, scriptPath: '/stable/hookSpool.js' });
      assert.ok(refreshed.changed);
      assert.equal(refreshed.backupWritten, false);
      assert.equal(fs.readFileSync(backup, 'utf8'), foreignText, 'still the file as it was before the first connect');
      fs.rmSync(backup);
      disconnectClaudeHooks(workspace);
      assert.ok(fs.readFileSync(backup, 'utf8').includes(HOOK_COMMAND_MARKER), 'a deleted backup is written again at the next change');
    });

    it('never overwrites a file it cannot parse', () => {
      fs.mkdirSync(path.dirname(settingsFile));
      fs.writeFileSync(settingsFile, '{ // comment\n}');
      assert.throws(() => connectClaudeHooks(workspace, options), /settings\.local\.json.*not valid JSON/);
      assert.equal(fs.readFileSync(settingsFile, 'utf8'), '{ // comment\n}');
      assert.ok(!fs.existsSync(settingsFile + SETTINGS_BACKUP_SUFFIX));
    });
  });
});
