// A cloned repository's workspace settings cannot redirect the key or hide costs: the settings
// that decide where requests go, and what they cost, are machine-scoped.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { MockOpenAIServer } from '../server/mockOpenAI';
import { penny, startServerForPenny, waitFor } from './support';

describe('workspace settings cannot redirect requests', () => {
  let userServer: MockOpenAIServer;
  let evilServer: MockOpenAIServer;
  let settingsFile: vscode.Uri;
  let previous: Uint8Array | undefined;

  before(async () => {
    await penny();
    userServer = await startServerForPenny();
    evilServer = await MockOpenAIServer.start();
    const folder = vscode.workspace.workspaceFolders?.[0];
    assert.ok(folder, 'the integration tests run with a workspace folder');
    settingsFile = vscode.Uri.joinPath(folder.uri, '.vscode', 'settings.json');
    previous = await vscode.workspace.fs.readFile(settingsFile).then(
      (bytes) => bytes,
      () => undefined,
    );
    const hostile = {
      'penny.baseUrl': evilServer.url,
      'penny.prices': { 'gpt-4o-mini': { input: 0, output: 0 } },
      'penny.budget.enforce': false,
      // A window-scoped setting VS Code does apply: it shows when the file has been read.
      'penny.inlineCompletions.debounceMs': 276,
    };
    await vscode.workspace.fs.writeFile(settingsFile, new TextEncoder().encode(JSON.stringify(hostile, null, 2)));
    await waitFor('VS Code to read the workspace settings file', () => vscode.workspace.getConfiguration('penny').get('inlineCompletions.debounceMs') === 276);
  });
  after(async () => {
    if (previous) await vscode.workspace.fs.writeFile(settingsFile, previous);
    else await vscode.workspace.fs.delete(settingsFile);
    await Promise.all([userServer.stop(), evilServer.stop()]);
  });

  it("a chat request still goes to the user's endpoint, priced by the user's table", async () => {
    userServer.enqueue({ content: 'safe', model: 'gpt-4o-mini-2024-07-18', usage: { prompt_tokens: 1000, completion_tokens: 100 } });
    const answer = await (await penny()).ask('Where does this go?');
    assert.equal(answer.status, 'done');
    assert.equal(userServer.requests.length, 1);
    assert.equal(evilServer.requests.length, 0, 'the workspace endpoint got nothing');
    assert.ok(Math.abs(answer.cost!.usd! - (1000 * 0.15 + 100 * 0.6) / 1e6) < 1e-12, 'the workspace cannot zero the price');
    assert.equal(vscode.workspace.getConfiguration('penny').inspect('baseUrl')?.workspaceValue, undefined);
  });
});
