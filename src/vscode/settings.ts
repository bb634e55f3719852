// Penny's settings, read in one place with their types and defaults.
import * as vscode from 'vscode';
import type { BudgetSettings } from '../core/cost/budget';
import type { ModelPrice } from '../core/cost/pricing';
import { compileExcludes, DEFAULT_EXCLUDES } from '../core/exclusions';

export const DEFAULT_BASE_URL = 'https://api.openai.com/v1';

export interface PennySettings {
  baseUrl: string;
  chatModel: string;
  completionModel: string;
  escalationModel: string;
  inlineCompletionsEnabled: boolean;
  debounceMs: number;
  prices: Record<string, ModelPrice>;
  budget: BudgetSettings;
  /** Ask before an escalation whose maximum cost is above this many USD. */
  escalationConfirmAboveUsd: number;
  /** Offer the escalation model after repeated regenerations or "that's wrong". */
  suggestEscalation: boolean;
}

export function readSettings(): PennySettings {
  const config = vscode.workspace.getConfiguration('penny');
  return {
    baseUrl: userValue(config, 'baseUrl', DEFAULT_BASE_URL),
    chatModel: config.get<string>('chatModel', 'gpt-4o-mini'),
    completionModel: config.get<string>('completionModel', 'gpt-4o-mini'),
    escalationModel: config.get<string>('escalationModel', 'gpt-4o'),
    inlineCompletionsEnabled: config.get<boolean>('inlineCompletions.enabled', true),
    debounceMs: config.get<number>('inlineCompletions.debounceMs', 275),
    prices: userValue(config, 'prices', {}),
    budget: {
      daily: userValue<number | null>(config, 'budget.daily', null),
      monthly: userValue<number | null>(config, 'budget.monthly', null),
      enforce: userValue(config, 'budget.enforce', false),
    },
    escalationConfirmAboveUsd: userValue(config, 'escalation.confirmAbove', 0.01),
    suggestEscalation: config.get<boolean>('escalation.suggest', true),
  };
}

/**
 * Reads a setting that decides where the key and data go, or what Penny may spend, from User
 * settings only. These are `"scope": "application"` in package.json: VS Code reads them from the
 * (local) User settings in desktop and remote windows alike, and ignores them in workspace and
 * folder settings. (`"machine"` would ignore the User settings in a remote window: code-server,
 * SSH, WSL, containers, Codespaces.) Reading the global value makes the rule explicit, so a cloned
 * repository can never choose where the key is sent.
 */
function userValue<T>(config: vscode.WorkspaceConfiguration, key: string, fallback: T): T {
  const inspected = config.inspect<T>(key);
  return (inspected?.globalValue ?? inspected?.defaultValue ?? fallback) as T;
}

let excludeCache: { patterns: string; matcher: (path: string) => boolean } | undefined;

/** The files Penny never sends: the defaults plus `penny.excludeFiles`, compiled once per change. */
export function excludedFiles(): (relativePath: string) => boolean {
  const user = vscode.workspace.getConfiguration('penny').inspect<string[]>('excludeFiles');
  // A workspace may add exclusions but never remove the defaults.
  const patterns = [...DEFAULT_EXCLUDES, ...(user?.globalValue ?? []), ...(user?.workspaceValue ?? []), ...(user?.workspaceFolderValue ?? [])];
  const key = patterns.join('\u0000');
  if (excludeCache?.patterns !== key) excludeCache = { patterns: key, matcher: compileExcludes(patterns) };
  return excludeCache.matcher;
}

export function onSettingsChanged(listener: () => void): vscode.Disposable {
  return vscode.workspace.onDidChangeConfiguration((event) => {
    if (event.affectsConfiguration('penny')) listener();
  });
}
