import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { colorWanted, paintRunStatuses, paintStatus } from './color.js';

describe('colour', () => {
  it('paints status words after a run or step ID only', () => {
    assert.equal(paintStatus('failed'), '\u001b[31mfailed\u001b[39m');
    assert.equal(paintStatus('waiting'), '\u001b[33mwaiting\u001b[39m');
    assert.equal(paintStatus('running'), 'running');
    const text = 'run-0123abcd  failed    main  0/1  just now  —  tests failed\n  x succeeded';
    assert.equal(
      paintRunStatuses(text),
      'run-0123abcd  \u001b[31mfailed\u001b[39m    main  0/1  just now  —  tests failed\n  x succeeded',
    );
  });
  it('follows --no-color, NO_COLOR and FORCE_COLOR', () => {
    assert.equal(colorWanted(false, { FORCE_COLOR: '1' }), false);
    assert.equal(colorWanted(undefined, { FORCE_COLOR: '1', NO_COLOR: '1' }), false);
    assert.equal(colorWanted(undefined, { FORCE_COLOR: '1' }), true);
    assert.equal(colorWanted(true, { FORCE_COLOR: '0' }), process.stdout.isTTY === true);
  });
});
