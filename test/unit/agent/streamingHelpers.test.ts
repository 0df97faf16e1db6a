import * as assert from 'node:assert/strict';
import type { ConversationMessage } from '../../../src/core/agent/claudeProvider';
import { parseStreamJsonLine, toolResultText } from '../../../src/core/agent/claudeStreamJson';
import { appendPrompt } from '../../../src/core/agent/conversationHistory';
import { TextBatcher } from '../../../src/core/agent/textBatcher';
import { LineSplitter } from '../../../src/core/exec/lineSplitter';

describe('streaming helpers', () => {
  it('TextBatcher sends when maxChars gather and flushes the rest', () => {
    const sent: string[] = [];
    const batcher = new TextBatcher((t) => sent.push(t), 60_000, 10);
    for (const piece of ['abc', 'def', 'ghij', 'kl']) batcher.append(piece);
    assert.deepEqual(sent, ['abcdefghij']);
    batcher.flush();
    assert.deepEqual(sent, ['abcdefghij', 'kl']);
    batcher.flush();
    assert.equal(sent.length, 2, 'nothing left to send');
  });

  it('TextBatcher sends after the interval when few characters arrive', async () => {
    const sent: string[] = [];
    const batcher = new TextBatcher((t) => sent.push(t), 20, 1000);
    batcher.append('a');
    batcher.append('b');
    assert.deepEqual(sent, []);
    await new Promise((r) => setTimeout(r, 60));
    assert.deepEqual(sent, ['ab']);
  });

  it('LineSplitter joins lines split across chunks and handles CRLF and a last unterminated line', () => {
    const lines: string[] = [];
    const splitter = new LineSplitter((l) => lines.push(l));
    splitter.push('{"a":');
    splitter.push('1}\r\n{"b"');
    splitter.push(':2}\nlast');
    splitter.end();
    assert.deepEqual(lines, ['{"a":1}', '{"b":2}', 'last']);
  });

  it('parses the stream-json lines it knows and ignores the rest', () => {
    assert.equal(parseStreamJsonLine('not json'), undefined);
    assert.equal(parseStreamJsonLine('{"type":"stream_event"}'), undefined);
    assert.equal(parseStreamJsonLine('{broken'), undefined);
    const init = parseStreamJsonLine('{"type":"system","subtype":"init","session_id":"s1","model":"m","tools":["Bash"],"extra":1}');
    assert.equal(init?.type === 'system' && init.session_id, 's1');
    const result = parseStreamJsonLine('{"type":"result","subtype":"success","total_cost_usd":0.5,"num_turns":3}');
    assert.equal(result?.type === 'result' && result.total_cost_usd, 0.5);
    assert.equal(
      toolResultText([
        { type: 'text', text: 'a' },
        { type: 'text', text: 'b' },
      ]),
      'ab',
    );
  });

  describe('appendPrompt', () => {
    it('starts a conversation', () => {
      assert.deepEqual(appendPrompt([], 'hi'), [{ role: 'user', content: [{ type: 'text', text: 'hi' }] }]);
    });

    it('adds the prompt to a trailing user message (tool results left by max turns) instead of a second user turn', () => {
      const history: ConversationMessage[] = [
        { role: 'user', content: 'start' },
        { role: 'assistant', content: [{ type: 'tool_use', id: 't1', name: 'list_files', input: {} }] },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: 't1', content: 'a.ts' }] },
      ];
      const next = appendPrompt(history, 'go on');
      assert.equal(next.length, 3);
      assert.deepEqual(next[2], {
        role: 'user',
        content: [
          { type: 'tool_result', tool_use_id: 't1', content: 'a.ts' },
          { type: 'text', text: 'go on' },
        ],
      });
      assert.equal(history[2]!.content.length, 1, 'the stored history is not mutated');
    });
  });
});
