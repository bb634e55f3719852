// The API key lives in SecretStorage, falling back to the extension host's OPENAI_API_KEY.
// It is never written to settings, logs, the webview or the ledger.
import * as vscode from 'vscode';
import { toPennyError } from '../core/errors';
import { OpenAIClient } from '../core/openaiClient';
import type { Logger } from './logger';
import { readSettings } from './settings';

const SECRET_KEY = 'penny.openaiApiKey';

export class ApiKeyStore {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChange = this.changed.event;

  constructor(private readonly secrets: vscode.SecretStorage) {}

  async get(): Promise<string | undefined> {
    return (await this.secrets.get(SECRET_KEY)) || process.env.OPENAI_API_KEY || undefined;
  }

  async set(key: string): Promise<void> {
    await this.secrets.store(SECRET_KEY, key);
    this.changed.fire();
  }

  async clear(): Promise<void> {
    await this.secrets.delete(SECRET_KEY);
    this.changed.fire();
  }

  dispose(): void {
    this.changed.dispose();
  }
}

/** `penny.setApiKey`: asks for the key, checks it with a cheap call, stores it, says whether it works. */
export async function setApiKeyCommand(store: ApiKeyStore, log: Logger): Promise<void> {
  const key = await vscode.window.showInputBox({
    title: vscode.l10n.t('Penny: Set API Key'),
    prompt: vscode.l10n.t("Your OpenAI (or compatible) API key. It is kept in VS Code's secret storage."),
    password: true,
    ignoreFocusOut: true,
    validateInput: (value) => (value.trim() ? undefined : vscode.l10n.t('Enter a key')),
  });
  if (!key) return;
  const { baseUrl } = readSettings();
  const result = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: vscode.l10n.t('Checking the key with {0}…', baseUrl) },
    async () => {
      try {
        const models = await new OpenAIClient({ baseUrl, apiKey: key.trim(), timeoutMs: 15_000 }).listModels();
        return { ok: true as const, models: models.length };
      } catch (error) {
        return { ok: false as const, error: toPennyError(error) };
      }
    },
  );
  if (result.ok) {
    await store.set(key.trim());
    log.info(`API key stored; ${baseUrl} lists ${result.models} models`);
    void vscode.window.showInformationMessage(vscode.l10n.t('Penny: the key works ({0} models available) and is stored.', result.models));
    return;
  }
  log.warn(`API key check failed: ${result.error.message}`);
  const storeAnyway = vscode.l10n.t('Store Anyway');
  const choice = await vscode.window.showErrorMessage(vscode.l10n.t('Penny: the key did not work: {0}', result.error.message), storeAnyway);
  if (choice === storeAnyway) await store.set(key.trim());
}

export async function clearApiKeyCommand(store: ApiKeyStore): Promise<void> {
  await store.clear();
  void vscode.window.showInformationMessage(
    process.env.OPENAI_API_KEY
      ? vscode.l10n.t('Penny: the stored API key was removed. OPENAI_API_KEY from the environment is still used.')
      : vscode.l10n.t('Penny: the stored API key was removed.'),
  );
}
