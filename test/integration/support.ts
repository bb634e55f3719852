// Shared by the integration tests: the extension's API, a local server, settings, bounded waits.
import * as vscode from 'vscode';
import type { PennyApi } from '../../src/extension';
import { MockOpenAIServer } from '../server/mockOpenAI';

export const EXTENSION_ID = 'penny-dev.penny';

export async function penny(): Promise<PennyApi> {
  const extension = vscode.extensions.getExtension<PennyApi>(EXTENSION_ID);
  if (!extension) throw new Error(`extension ${EXTENSION_ID} is not installed`);
  return extension.activate();
}

/** Starts a local OpenAI-compatible server and points penny.baseUrl at it (user settings). */
export async function startServerForPenny(): Promise<MockOpenAIServer> {
  const server = await MockOpenAIServer.start();
  await setSetting('baseUrl', server.url);
  return server;
}

export async function setSetting(key: string, value: unknown): Promise<void> {
  await vscode.workspace.getConfiguration('penny').update(key, value, vscode.ConfigurationTarget.Global);
}

/** Polls until `condition` returns a truthy value; the timeout error names what was awaited. */
export async function waitFor<T>(what: string, condition: () => T | Promise<T>, timeoutMs = 10_000): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await condition();
      if (value) return value as NonNullable<T>;
    } catch (error) {
      last = error;
    }
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? ` (last error: ${(last as Error).message})` : ''}`);
}
