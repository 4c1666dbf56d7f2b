import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { authorityAtStart, decideAuthority, specDigest, type AuthorityInput } from './authority.js';
import type { StepSpec } from './run-store.js';

const provenance = { planId: 'p', planSha256: 'sha', nodeId: 'task-1/step/x' };
const shell: StepSpec = { title: 't', tool: 'shell', input: 'make\n', language: 'sh', provenance };
const grants = new Set([`p\n${provenance.nodeId}\n${specDigest(shell)}`]);
const trusted: AuthorityInput['trusted'] = (p, n, d) => grants.has(`${p}\n${n}\n${d}`);
const input = (spec: StepSpec, extra: Partial<AuthorityInput> = {}): AuthorityInput => ({
  spec,
  digest: specDigest(spec),
  trusted,
  approved: false,
  unsafe: false,
  rejected: false,
  ...extra,
});

describe('decideAuthority: the one rule', () => {
  it('a trusted digest runs; another interpreter or text of the same node does not', () => {
    assert.deepEqual(decideAuthority(input(shell)), { authority: 'trusted', wait: null });
    assert.deepEqual(decideAuthority(input({ ...shell, language: 'bash' })), {
      authority: 'none',
      wait: 'untrusted',
    });
    assert.deepEqual(decideAuthority(input({ ...shell, input: 'make; rm -rf /\n' })), {
      authority: 'none',
      wait: 'untrusted',
    });
  });

  it('a digest names tool, interpreter and text unambiguously', () => {
    const a = specDigest({ tool: 'shell', language: 'sh\nx', input: 'y' });
    const b = specDigest({ tool: 'shell', language: 'sh', input: 'x\ny' });
    assert.notEqual(a, b);
  });

  it('an approval wins; a rejection stands until then, even over trust', () => {
    const loose = { ...shell, provenance: { ...provenance, nodeId: 'other' } };
    assert.equal(decideAuthority(input(loose, { approved: true })).authority, 'approved');
    assert.deepEqual(decideAuthority(input(shell, { rejected: true })), {
      authority: 'none',
      wait: 'rejected',
    });
  });

  it('a person who typed the command vouches for it; an agent never does', () => {
    const typed: StepSpec = { title: 't', tool: 'shell', input: 'ls' };
    assert.equal(decideAuthority(input({ ...typed, trustedBy: 'cli:ana' })).authority, 'person');
    assert.equal(decideAuthority(input({ ...typed, trustedBy: 'agent:bot' })).wait, 'untrusted');
  });

  it('approval: required waits even when trusted; noop needs no trust', () => {
    assert.deepEqual(decideAuthority(input({ ...shell, approval: 'required' })), {
      authority: 'trusted',
      wait: 'approval_required',
    });
    const noop: StepSpec = { title: 'n', tool: 'noop', input: '' };
    assert.deepEqual(decideAuthority(input(noop)), { authority: 'builtin', wait: null });
  });
});

describe('authorityAtStart: the claim re-decides', () => {
  const base = { spec: shell, digest: specDigest(shell), trusted };
  it('trusted only while the grant holds', () => {
    assert.equal(authorityAtStart('trusted', base), 'trusted');
    assert.equal(authorityAtStart('trusted', { ...base, trusted: () => false }), null);
  });
  it('none never starts; an approval holds for its execution', () => {
    assert.equal(authorityAtStart('none', base), null);
    assert.equal(authorityAtStart('approved', { ...base, trusted: () => false }), 'approved');
  });
  it('a typed command trusted since starts as trusted; a revoked grant falls back to the person', () => {
    const typed = { ...shell, trustedBy: 'cli:ana' };
    const b = { ...base, spec: typed };
    assert.equal(authorityAtStart('person', b), 'trusted');
    assert.equal(authorityAtStart('trusted', { ...b, trusted: () => false }), 'person');
  });
});
