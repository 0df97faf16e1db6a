import { strict as assert } from 'node:assert';
import { terminalTextToPlain } from '../../../src/core/exec/terminalText';

describe('terminalTextToPlain', () => {
  it('removes colours, cursor moves and OSC marks, keeps the text', () => {
    const raw = '\u001b]633;C\u0007\u001b[1;32mhi\u001b[0m\r\n\u001b[2Kthere\u001b]0;title\u001b\\\r\n';
    assert.equal(terminalTextToPlain(raw), 'hi\nthere\n');
  });

  it('keeps what a carriage return leaves visible', () => {
    assert.equal(terminalTextToPlain('progress 10%\rprogress 100%\ndone'), 'progress 100%\ndone');
  });

  it('leaves plain text alone', () => {
    const text = 'a $b `c` "d" \'e\'\n\tf';
    assert.equal(terminalTextToPlain(text), text);
  });
});
