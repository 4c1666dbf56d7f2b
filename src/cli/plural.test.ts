import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { noun, plural } from './plural.js';

describe('plural', () => {
  it('uses the singular for exactly one and the plural otherwise', () => {
    assert.equal(plural(1, 'task'), '1 task');
    assert.equal(plural(2, 'task'), '2 tasks');
    assert.equal(plural(0, 'task'), '0 tasks');
    assert.equal(plural(1, 'criterion', 'criteria'), '1 criterion');
    assert.equal(plural(3, 'criterion', 'criteria'), '3 criteria');
    assert.equal(
      plural(1200, 'event', 'events', (n) => n.toLocaleString('en-US')),
      '1,200 events',
    );
    assert.equal(noun(1, 'step is', 'steps are'), 'step is');
    assert.equal(noun(2, 'step is', 'steps are'), 'steps are');
  });
});
