import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Plan, planJsonSchema } from './index.js';

test('JSON Schema export describes the plan and its phases', () => {
  const schema = planJsonSchema();
  assert.equal(schema.type, 'object');
  const properties = schema.properties as Record<string, unknown>;
  for (const key of [
    'title',
    'source',
    'phases',
    'tasks',
    'metrics',
    'decisions',
    'repairedFrom',
  ]) {
    assert.ok(key in properties, `missing property ${key}`);
  }
});

test('runtime schema rejects a plan without phases', () => {
  const result = Plan.safeParse({ kind: 'plan', title: 'x' });
  assert.equal(result.success, false);
});
