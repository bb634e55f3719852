// Builds the OpenAI client for the current settings and key, and rebuilds it when either changes.
import * as vscode from 'vscode';
import { PriceBook } from '../core/cost/pricing';
import { Disposable } from '../core/disposable';
import { PennyError } from '../core/errors';
import { OpenAIClient } from '../core/openaiClient';
import { RefusedParameters } from '../core/refusedParameters';
import type { ApiKeyStore } from './apiKey';
import type { Logger } from './logger';
import { onSettingsChanged, readSettings } from './settings';

export class ClientProvider extends Disposable {
  private client?: Promise<OpenAIClient>;
  private prices?: PriceBook;
  /** Outlives the clients: a server that refused a parameter is not asked with it again after a settings change. */
  private readonly refusedParameters = new RefusedParameters();

  constructor(
    private readonly keys: ApiKeyStore,
    private readonly log: Logger,
  ) {
    super();
    this.register(keys.onDidChange(() => (this.client = undefined)));
    this.register(
      onSettingsChanged(() => {
        this.client = undefined;
        this.prices = undefined;
      }),
    );
  }

  /** The client for the current settings and key; rejects with a PennyError when there is no key. */
  get(): Promise<OpenAIClient> {
    this.client ??= this.create();
    return this.client;
  }

  priceBook(): PriceBook {
    if (!this.prices) {
      this.prices = new PriceBook(readSettings().prices);
      for (const problem of this.prices.problems) this.log.warn(`penny.prices: ${problem}`);
    }
    return this.prices;
  }

  private async create(): Promise<OpenAIClient> {
    const apiKey = await this.keys.get();
    if (!apiKey) throw noKeyError();
    const { baseUrl } = readSettings();
    return new OpenAIClient({
      baseUrl,
      apiKey,
      refusedParameters: this.refusedParameters,
      onRetry: ({ attempt, delayMs, error }) => this.log.warn(`retry ${attempt} in ${delayMs} ms: ${error.message}`),
    });
  }
}

function noKeyError(): PennyError {
  return new PennyError('noKey', vscode.l10n.t('No API key. Run "Penny: Set API Key", or set OPENAI_API_KEY before starting VS Code.'), {
    actions: ['setApiKey'],
  });
}
