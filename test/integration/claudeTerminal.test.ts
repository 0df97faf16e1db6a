import { strict as assert } from 'node:assert';
import { chmodSync, existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { activateExtension, waitFor, within } from './helpers';

describe('manual Claude steps in the terminal', function () {
  this.timeout(90_000);
  const settings = () => vscode.workspace.getConfiguration('sessionLedger');

  /** A stand-in `claude` that prints the arguments it was given, one per line, set as `sessionLedger.claudePath`. */
  async function useStandInClaude(interpreter: '/bin/sh' | '/bin/bash'): Promise<void> {
    const claude = join(mkdtempSync(join(tmpdir(), 'claude-terminal-')), 'claude');
    writeFileSync(claude, `#!${interpreter}\nfor a in "$@"; do printf "arg:%s\\n" "$a"; done\n`);
    chmodSync(claude, 0o755);
    await settings().update('claudePath', claude, vscode.ConfigurationTarget.Global);
  }

  after(async () => {
    await settings().update('claudePath', undefined, vscode.ConfigurationTarget.Global);
  });

  it('runs claude with --session-id the first time and --resume with the same id after', async () => {
    await useStandInClaude('/bin/sh');

    const { engine, store } = await activateExtension();
    const session = await engine.start({
      type: 'test-fix',
      title: 'Claude in the terminal',
      intention: 'fix the tests',
      options: { testCommand: 'false' },
    });
    for (let step = 0; step < 4; step++) await vscode.commands.executeCommand('sessionLedger.nextStep', session.id);

    const steps = store.interactions.list(session.id);
    assert.deepEqual(
      steps.map((i) => i.command.kind),
      ['shell', 'claude', 'shell', 'claude'],
    );
    const conversationId = store.sessions.get(session.id)!.externalConversationId;
    assert.ok(conversationId, 'the session got a conversation id');
    const [first, second] = [steps[1], steps[3]];
    assert.equal(first.result.status, 'ok');
    assert.match(first.result.output ?? '', new RegExp(`arg:--session-id\\narg:${conversationId}`));
    assert.match(second.result.output ?? '', new RegExp(`arg:--resume\\narg:${conversationId}`));
    // The prompt and the session's goal reach claude as single arguments.
    assert.match(
      first.result.output ?? '',
      /arg:--append-system-prompt\narg:You are working in the session "Claude in the terminal"\.\n\nGoal: fix the tests\n/,
    );
    vscode.window.terminals.find((t) => t.name === 'Session: Claude in the terminal')?.dispose();
  });

  it('quotes the Claude step for the shell at the prompt, not for the program VS Code last saw in the foreground', async () => {
    // VS Code's `terminal.state.shell` is the type of the terminal's foreground program, read from its title every
    // 200 ms, so right after a step ran `node` or a `sh` script it still says `node` or `sh` while bash is at the
    // prompt. Taken as the shell, `node` made the Claude step unquotable (it waited on an offer to switch to a POSIX
    // shell that nobody answered) and `sh` got the prompt's line breaks as literal newlines, after which VS Code
    // never reported the command's end (a CI failure here, of manualClaudeCost.test.ts and the test above).
    await useStandInClaude('/bin/bash');
    const { engine, store } = await activateExtension();
    const seenBeforeClaude: (string | undefined)[] = [];
    const programs = {
      node: `node -e "setTimeout(() => process.exit(1), 600)"`,
      sh: `sh -c 'sleep 0.6; exit 1'`,
    };
    for (const [program, testCommand] of Object.entries(programs)) {
      for (let attempt = 0; attempt < 3; attempt++) {
        const title = `Foreground ${program} ${attempt}`;
        const session = await engine.start({ type: 'test-fix', title, intention: 'fix the tests', options: { testCommand } });
        const commandLines: string[] = [];
        const starts = vscode.window.onDidStartTerminalShellExecution((e) => {
          if (e.terminal.name === `Session: ${title}`) commandLines.push(e.execution.commandLine.value);
        });
        try {
          await vscode.commands.executeCommand('sessionLedger.nextStep', session.id); // runs node or sh, which fails
          const terminal = vscode.window.terminals.find((t) => t.name === `Session: ${title}`)!;
          const detected = (terminal.state as { shell?: string }).shell;
          seenBeforeClaude.push(detected);
          await within(
            `the Claude step after ${program} (the terminal said its shell was ${detected})`,
            Promise.resolve(vscode.commands.executeCommand('sessionLedger.nextStep', session.id)),
            30_000,
          );
          const [test, fix] = store.interactions.list(session.id);
          assert.equal(test.result.exitCode, 1, `${program} ran and failed: ${test.result.output}`);
          assert.equal(fix.result.status, 'ok', `${fix.result.errorMessage} / ${fix.result.output}`);
          assert.match(
            fix.result.output ?? '',
            new RegExp(`arg:--append-system-prompt\\narg:You are working in the session "${title}"\\.\\n\\nGoal: fix the tests\\n`),
          );
          const sent = commandLines.find((line) => line.includes('--append-system-prompt'));
          assert.ok(sent, `the Claude command line among ${JSON.stringify(commandLines)}`);
          // On one line where the terminal's shell reads `$'…'` (the default shell here is bash; plain sh gets newlines).
          if (/(^|[\\/])(bash|zsh|ksh)$/.test(vscode.env.shell))
            assert.ok(!/[\r\n]/.test(sent) && sent.includes("$'"), `written on one line for ${vscode.env.shell}: ${sent}`);
        } finally {
          starts.dispose();
          vscode.window.terminals.find((t) => t.name === `Session: ${title}`)?.dispose();
        }
      }
    }
    // The case this test is about: at least once the terminal named the foreground program, not bash.
    assert.ok(
      seenBeforeClaude.some((shell) => shell === 'node' || shell === 'sh'),
      `VS Code said ${JSON.stringify(seenBeforeClaude)} before the Claude steps`,
    );
  });

  it('quotes for the shell a terminal was started with, after the default profile changed to another shell', async function () {
    // The session's terminal keeps the shell it started with: a Claude step after switching the default profile to
    // fish is still written for bash (fish's `'a'\n'b'` is a different value in bash, and a quote in it ends early).
    const fish = ['/usr/bin/fish', '/bin/fish'].find((candidate) => existsSync(candidate));
    if (!fish || !/(^|[\\/])bash$/.test(vscode.env.shell)) this.skip(); // scripts/test.sh installs fish; the default is bash
    await useStandInClaude('/bin/bash');
    const terminalSettings = vscode.workspace.getConfiguration('terminal.integrated');
    const { engine, store } = await activateExtension();
    const title = 'Profile changed';
    const session = await engine.start({ type: 'test-fix', title, intention: "fix the tests' quoting", options: { testCommand: 'false' } });
    try {
      await vscode.commands.executeCommand('sessionLedger.nextStep', session.id); // the terminal starts, with bash
      await terminalSettings.update('profiles.linux', { fish: { path: fish } }, vscode.ConfigurationTarget.Global);
      await terminalSettings.update('defaultProfile.linux', 'fish', vscode.ConfigurationTarget.Global);
      await waitFor('the default shell to be fish', () => (/fish$/.test(vscode.env.shell) ? true : undefined));
      await within('the Claude step', Promise.resolve(vscode.commands.executeCommand('sessionLedger.nextStep', session.id)), 30_000);
      const fix = store.interactions.list(session.id)[1];
      assert.equal(fix.result.status, 'ok', `${fix.result.errorMessage} / ${fix.result.output}`);
      assert.match(
        fix.result.output ?? '',
        /arg:--append-system-prompt\narg:You are working in the session "Profile changed"\.\n\nGoal: fix the tests' quoting\n/,
      );
    } finally {
      await terminalSettings.update('defaultProfile.linux', undefined, vscode.ConfigurationTarget.Global);
      await terminalSettings.update('profiles.linux', undefined, vscode.ConfigurationTarget.Global);
      vscode.window.terminals.find((t) => t.name === `Session: ${title}`)?.dispose();
    }
  });

  it('records a clear error when the claude executable is missing', async () => {
    await settings().update('claudePath', '/nonexistent/claude', vscode.ConfigurationTarget.Global);
    const { engine, store } = await activateExtension();
    const session = await engine.start({ type: 'test-fix', title: 'No claude here', intention: 'x', options: { testCommand: 'false' } });
    await vscode.commands.executeCommand('sessionLedger.nextStep', session.id); // the failing test run
    await vscode.commands.executeCommand('sessionLedger.nextStep', session.id); // the Claude fix step
    const claudeStep = store.interactions.list(session.id)[1];
    assert.equal(claudeStep.command.kind, 'claude');
    assert.equal(claudeStep.result.status, 'error');
    assert.match(claudeStep.result.errorMessage ?? '', /Claude Code CLI .* was not found.*sessionLedger\.claudePath/);
    vscode.window.terminals.find((t) => t.name === 'Session: No claude here')?.dispose();
  });
});
