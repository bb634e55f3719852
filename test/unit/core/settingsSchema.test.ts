import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { SETTINGS, type SettingSpec } from '../../../src/core/settingsSchema';

interface Contributed {
  default?: unknown;
  scope?: string;
}

const manifest = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', '..', '..', 'package.json'), 'utf8'));
const contributed: Record<string, Contributed> = manifest.contributes.configuration.properties;

describe("the settings table and package.json's contributed settings", () => {
  it('name the same settings', () => {
    assert.deepEqual(
      Object.keys(SETTINGS)
        .map((key) => `penny.${key}`)
        .sort(),
      Object.keys(contributed).sort(),
    );
  });

  for (const [key, spec] of Object.entries(SETTINGS) as [string, SettingSpec][]) {
    it(`penny.${key}: the same default${spec.userOnly ? ', and User settings only ("application")' : ', and a workspace may set it'}`, () => {
      const entry = contributed[`penny.${key}`];
      assert.ok(entry, `package.json contributes penny.${key}`);
      assert.deepEqual(entry.default, spec.default, `default of penny.${key}`);
      // "application": User settings only, in desktop and remote windows; any other scope lets a workspace (or, for "machine", only the remote) set it.
      assert.equal(entry.scope === 'application', spec.userOnly === true, `scope of penny.${key} is ${entry.scope ?? 'window'}`);
    });
  }
});
