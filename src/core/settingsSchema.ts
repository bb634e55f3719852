// Penny's settings as package.json contributes them: each key (under `penny.`), its default, and
// whether only the User settings may set it (`"scope": "application"`: where requests go and what
// they may cost). src/vscode/settings.ts reads through this table; a unit test checks it against
// package.json, so a default changed in one place cannot silently differ in the other.
export interface SettingSpec {
  readonly default: unknown;
  /** Read from the User settings only, never from a workspace or folder. */
  readonly userOnly?: true;
}

export const SETTINGS = {
  baseUrl: { default: 'https://api.openai.com/v1', userOnly: true },
  completionModel: { default: 'gpt-4o-mini' },
  chatModel: { default: 'gpt-4o-mini' },
  escalationModel: { default: 'gpt-4o' },
  'inlineCompletions.enabled': { default: true },
  'inlineCompletions.debounceMs': { default: 275 },
  excludeFiles: { default: [] },
  prices: { default: {}, userOnly: true },
  'budget.daily': { default: null, userOnly: true },
  'budget.monthly': { default: null, userOnly: true },
  'budget.enforce': { default: false, userOnly: true },
  'escalation.confirmAbove': { default: 0.01, userOnly: true },
  'escalation.suggest': { default: true },
  'teamExport.otlpEndpoint': { default: '', userOnly: true },
  'teamExport.member': { default: '', userOnly: true },
} as const satisfies Record<string, SettingSpec>;

export type SettingKey = keyof typeof SETTINGS;
