import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compileMcpOptions, selectTools } from './options.js';
import { DEFAULT_TOOLS, TOOLS } from './tools.js';

const short = (s: Set<string>): string[] => [...s].map((n) => n.slice('pulser_'.length));

describe('MCP tool selection', () => {
  it('offers the twelve tools of the work loop by default, seventeen with all, the read-only ones with read', () => {
    assert.deepEqual(
      DEFAULT_TOOLS.map((n) => n.slice('pulser_'.length)),
      [
        'next',
        'show',
        'claim',
        'progress',
        'release',
        'check_item',
        'set_status',
        'run',
        'run_status',
        'run_checks',
        'logs',
        'request_approval',
      ],
    );
    assert.equal(selectTools('all').size, 17);
    assert.equal(selectTools('all').size, TOOLS.length);
    assert.deepEqual(short(selectTools('read')), [
      'status',
      'next',
      'show',
      'report',
      'claims',
      'run_status',
      'logs',
      'plan',
      'events',
    ]);
  });

  it('adds and removes by name, with or without the pulser_ prefix', () => {
    assert.deepEqual(short(selectTools('status,pulser_next')), ['status', 'next']);
    const s = selectTools('default,events,-check_item,-set_status');
    assert.ok(s.has('pulser_events'));
    assert.ok(!s.has('pulser_check_item') && !s.has('pulser_set_status'));
    assert.equal(selectTools('-logs').size, 11, 'a list starting with -name starts from default');
    assert.equal(selectTools('none').size, 0);
  });

  it('names an unknown tool and lists the known ones', () => {
    assert.throws(() => selectTools('default,trust'), /unknown tool "trust"/u);
  });

  it('read-only drops every write tool whatever the list', () => {
    const o = compileMcpOptions({ tools: 'all', readOnly: true });
    assert.ok([...o.tools].every((n) => TOOLS.find((t) => t.name === n)?.write === false));
    assert.equal(compileMcpOptions({ readOnly: true }).tools.size, 9, 'every read tool');
    assert.deepEqual(
      short(new Set(compileMcpOptions({ tools: 'default', readOnly: true }).tools)),
      ['next', 'show', 'run_status', 'logs'],
    );
    assert.equal(compileMcpOptions({}).executeRuns, true);
    assert.equal(compileMcpOptions({ agent: 'Claude Desktop' }).agent, 'agent:Claude-Desktop');
    assert.equal(compileMcpOptions({ leaseMs: 2000 }).sweepMs, 500);
  });
});
