// The fake Anthropic API's script for the agentic end-to-end test (served by test/harness/runE2e.ts).
import type { FakeTurn, RecordedRequest } from './fakeAnthropic';

const PLAN = '```json\n{ "summary": "Say hello", "steps": [{ "title": "greeting.txt", "files": ["greeting.txt"] }] }\n```';

/** A session whose goal says this gets every answer held open (the e2e test cancels it mid-stream). */
export const HOLD_MARKER = 'hold-every-answer';

/**
 * The fake Anthropic API of the agentic e2e test: the first request streams and then holds (so
 * the test can watch it run and pause it), and so does every request of a session whose goal
 * carries {@link HOLD_MARKER}; every other turn writes greeting.txt (which makes the fixture's
 * check.sh pass) and then answers with a valid plan.
 */
export function agenticScript(request: RecordedRequest, index: number): FakeTurn {
  if (index === 0)
    return { content: [{ type: 'text', text: 'Thinking about the plan for a long time…' }], chunkSize: 1000, holdOpen: true };
  if (JSON.stringify(request.body.system ?? '').includes(HOLD_MARKER)) {
    return { content: [{ type: 'text', text: 'Taking my time over this one…' }], chunkSize: 1000, holdOpen: true };
  }
  const last = request.body.messages.at(-1);
  const answeredTool = Array.isArray(last?.content) && last.content.some((b: { type?: string }) => b.type === 'tool_result');
  if (answeredTool) return { content: [{ type: 'text', text: `Done.\n${PLAN}` }], usage: { input_tokens: 900, output_tokens: 120 } };
  return {
    content: [
      { type: 'text', text: 'Writing greeting.txt.' },
      { type: 'tool_use', name: 'write_file', input: { path: 'greeting.txt', content: 'hello\n' } },
    ],
    usage: { input_tokens: 800, output_tokens: 60 },
  };
}
