// Smoke test in a real extension host: Penny is installed, activates, and contributes what it promises.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { PennyApi } from '../../src/extension';

const EXTENSION_ID = 'penny-dev.penny';

const COMMANDS = [
  'penny.setApiKey',
  'penny.clearApiKey',
  'penny.escalateSelection',
  'penny.showCostReport',
  'penny.focusChat',
  'penny.toggleInlineCompletions',
];

const DEFAULTS: Record<string, unknown> = {
  'penny.baseUrl': 'https://api.openai.com/v1',
  'penny.completionModel': 'gpt-4o-mini',
  'penny.chatModel': 'gpt-4o-mini',
  'penny.escalationModel': 'gpt-4o',
};

/** The settings that choose where the key and data go, or what Penny may spend. */
const USER_ONLY_SETTINGS = [
  'penny.baseUrl',
  'penny.prices',
  'penny.budget.daily',
  'penny.budget.monthly',
  'penny.budget.enforce',
  'penny.escalation.confirmAbove',
];

interface ConfigurationContribution {
  properties?: Record<string, { scope?: string; default?: unknown }>;
}

function contributedProperties(extension: vscode.Extension<unknown>): Record<string, { scope?: string; default?: unknown }> {
  const configuration = extension.packageJSON?.contributes?.configuration as ConfigurationContribution | ConfigurationContribution[] | undefined;
  const sections = Array.isArray(configuration) ? configuration : configuration ? [configuration] : [];
  return Object.assign({}, ...sections.map((section) => section.properties ?? {}));
}

describe('Penny activation', () => {
  it('is installed and activates', async () => {
    const extension = vscode.extensions.getExtension(EXTENSION_ID);
    assert.ok(
      extension,
      `extension ${EXTENSION_ID} not found; installed: ${vscode.extensions.all
        .map((e) => e.id)
        .filter((id) => !id.startsWith('vscode.'))
        .join(', ')}`,
    );
    await extension.activate();
    assert.equal(extension.isActive, true);
  });

  it('registers all six commands', async () => {
    await vscode.extensions.getExtension(EXTENSION_ID)?.activate();
    const registered = new Set(await vscode.commands.getCommands(true));
    const missing = COMMANDS.filter((command) => !registered.has(command));
    assert.deepEqual(missing, [], `commands not registered: ${missing.join(', ')}`);
  });

  it('gives the public settings their defaults', () => {
    const configuration = vscode.workspace.getConfiguration();
    for (const [key, expected] of Object.entries(DEFAULTS)) {
      // The default, not the effective value: the runner points penny.baseUrl at a local mock server.
      assert.equal(configuration.inspect(key)?.defaultValue, expected, `default of ${key}`);
    }
    assert.equal(configuration.inspect('penny.inlineCompletions.enabled')?.defaultValue, true, 'default of penny.inlineCompletions.enabled');
    assert.equal(typeof configuration.inspect('penny.inlineCompletions.debounceMs')?.defaultValue, 'number', 'default of penny.inlineCompletions.debounceMs');
  });

  it('reads where requests go and what they may cost from User settings only, in every kind of window', () => {
    const extension = vscode.extensions.getExtension(EXTENSION_ID);
    assert.ok(extension);
    const properties = contributedProperties(extension);
    // "application": User settings only, local and remote windows alike; never a workspace or folder.
    // ("machine" would ignore the User settings in a remote window.)
    for (const key of USER_ONLY_SETTINGS) {
      assert.ok(properties[key], `${key} is contributed`);
      assert.equal(properties[key].scope, 'application', `scope of ${key}`);
    }
  });

  it('reports its activation time (the tokenizer and the ledger load after activation)', async () => {
    const api = await vscode.extensions.getExtension<PennyApi>(EXTENSION_ID)!.activate();
    assert.equal(typeof api.activationMs, 'number');
    console.log(`      activation took ${api.activationMs.toFixed(1)} ms`);
  });
});
