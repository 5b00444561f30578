import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { configJsonSchema, experiments } from './experiment.js';
import './kinds.js';

describe('config JSON Schemas', () => {
  it('schema/<kind>.schema.json is current for every kind (regenerate with npm run schemas)', () => {
    for (const exp of experiments()) {
      const path = join(import.meta.dirname, '..', '..', 'schema', `${exp.kind}.schema.json`);
      const onDisk = JSON.parse(readFileSync(path, 'utf8')) as unknown;
      assert.deepEqual(onDisk, JSON.parse(JSON.stringify(configJsonSchema(exp))), `${path} is out of date: run npm run schemas`);
    }
  });

  it('declares every setting with its type, range, default and help, and closes the object', () => {
    const toy = configJsonSchema(experiments().find((e) => e.kind === 'toy')!) as { properties: Record<string, Record<string, unknown>>; additionalProperties: boolean };
    assert.equal(toy.additionalProperties, false);
    assert.deepEqual(
      { ...toy.properties.lambda },
      { type: 'number', minimum: 0, maximum: 1000000, default: 0.1, description: 'gradient-penalty weight λ (wgan-gp; gan_toy.py: 0.1)' },
    );
    assert.deepEqual(toy.properties.loss!.enum, ['wgan-gp', 'wgan', 'gan', 'lsgan']);
    assert.equal(toy.properties.iters!.type, 'integer');
    assert.deepEqual(toy.properties.preset!.enum, ['toy-8gaussians', 'toy-25gaussians', 'toy-swissroll', null]);
  });
});
