import assert from 'node:assert/strict';
import { it } from 'node:test';
import * as core from './index.js';

it('groups the exports (ops, nn, optim, io, metrics), each the same object as its flat name', () => {
  assert.equal(core.nn.Linear, core.Linear);
  assert.equal(core.nn.AvgPool2d, core.AvgPool2d);
  assert.equal(core.nn.torchStateDict, core.torchStateDict);
  assert.equal(core.ops.relu, core.relu);
  assert.equal(core.optim.Adam, core.Adam);
  assert.equal(core.io.readSafetensors, core.readSafetensors);
  for (const [name, group] of Object.entries({ ops: core.ops, nn: core.nn, optim: core.optim, io: core.io, metrics: core.metrics })) {
    for (const [k, v] of Object.entries(group)) assert.equal((core as Record<string, unknown>)[k], v, `${name}.${k} is also exported as ${k}`);
  }
});
