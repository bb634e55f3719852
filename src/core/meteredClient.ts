// Every request of every feature goes through here, so none escapes the meter or the ledger:
// the prompt is counted before sending, the cost is estimated live while it streams, and exactly
// one ledger record is written at the end: exact when the API reported usage, else estimated.
import * as l10n from '@vscode/l10n';
import { budgetStatus, type BudgetSettings, type BudgetStatus } from './cost/budget';
import { RequestCostEstimator } from './cost/estimate';
import type { Ledger } from './cost/ledger';
import { newRequestRecord, type Feature, type LedgerRecord, type Outcome } from './cost/record';
import { contextWindow, costOf, type PriceBook, type TokenUsage } from './cost/pricing';
import { countChatTokens } from './cost/tokenCount';
import type { CostMeter } from './costMeter';
import { errorMessage, PennyError, toPennyError } from './errors';
import type { ChatRequest, ChatResult, OpenAIClient } from './openaiClient';

export interface MeteredResult extends ChatResult {
  record?: LedgerRecord;
  /** The prompt as counted before sending. */
  promptTokensEstimate: number;
}

export interface MeteredClientDeps {
  /** The client for the current settings and key; rejects with a PennyError that explains why there is none. */
  client(): Promise<OpenAIClient>;
  priceBook(): PriceBook;
  budget(): BudgetSettings;
  ledger: Ledger;
  meter: CostMeter;
  now?: () => Date;
  onLedgerError?: (message: string) => void;
}

export interface RunOptions {
  /** The VS Code language id of the code the request is about, kept in its record (completions). */
  language?: string;
  /** Live cost of this request as it streams (usd null: price unknown). */
  onCost?: (usd: number | null, usage: TokenUsage, exact: boolean) => void;
  /** One request past an enforced budget, after the user said so. */
  allowOverBudget?: boolean;
  /** The id its record will have (newRecordId), when the caller must name it before the request ends. */
  recordId?: string;
}

/** What the features ask of the metered client (chat, escalation, completions): the one part they use, so a test can fake it. */
export interface MeteredRunner {
  /** Never rejects: every failure comes back as the result's error. */
  run(feature: Feature, request: ChatRequest, options?: RunOptions): Promise<MeteredResult>;
}

/** What the budget watchers ask of it (warnings, paused completions). */
export interface BudgetSource {
  budgetStatus(): Promise<BudgetStatus>;
}

export class MeteredClient implements MeteredRunner, BudgetSource {
  private readonly now: () => Date;

  constructor(private readonly deps: MeteredClientDeps) {
    this.now = deps.now ?? (() => new Date());
  }

  async budgetStatus(): Promise<BudgetStatus> {
    const settings = this.deps.budget();
    if (settings.daily === null && settings.monthly === null) return { level: 'ok', blocked: false };
    const { today, month } = await this.deps.ledger.totals();
    return budgetStatus(today.usd, month.usd, settings);
  }

  async run(feature: Feature, request: ChatRequest, options: RunOptions = {}): Promise<MeteredResult> {
    const promptTokensEstimate = countChatTokens(request.messages);
    const window = contextWindow(request.model);
    const refused = (error: PennyError): MeteredResult => ({
      text: '',
      model: request.model,
      serviceTier: 'default',
      outcome: 'error',
      sent: false,
      error,
      latencyMs: 0,
      promptTokensEstimate,
    });

    if (window !== undefined && promptTokensEstimate + (request.maxTokens ?? 0) > window) {
      return refused(
        new PennyError(
          'contextLength',
          l10n.t(
            'The prompt is {0} tokens; {1} takes at most {2}. Send less context.',
            promptTokensEstimate.toLocaleString('en-US'),
            request.model,
            window.toLocaleString('en-US'),
          ),
        ),
      );
    }
    if (!options.allowOverBudget) {
      let budget: BudgetStatus;
      try {
        budget = await this.budgetStatus();
      } catch (error) {
        // An unreadable ledger must not stop the user's work: say so, and send.
        this.deps.onLedgerError?.(`Could not read the cost ledger to check the budget: ${errorMessage(error)}`);
        budget = { level: 'ok', blocked: false };
      }
      if (budget.blocked) {
        return refused(
          new PennyError('budget', l10n.t('{0}. Penny sent nothing.', budget.message ?? l10n.t('Budget reached')), {
            actions: ['allowOnce', 'raiseBudget'],
          }),
        );
      }
    }
    let client: OpenAIClient;
    try {
      client = await this.deps.client();
    } catch (error) {
      return refused(toPennyError(error));
    }

    const price = this.deps.priceBook().lookup(request.model);
    const estimator = new RequestCostEstimator(promptTokensEstimate, price);
    const startedAt = this.now();
    const initial = estimator.current();
    const liveId = this.deps.meter.begin(feature, request.model, initial.usd, promptTokensEstimate);
    options.onCost?.(initial.usd, initial.usage, false);

    const result = await client.streamChat({
      ...request,
      promptTokens: promptTokensEstimate,
      contextWindow: window,
      onDelta: (text, model) => {
        estimator.addCompletionText(text);
        const live = estimator.current();
        this.deps.meter.update(liveId, live.usd, estimator.completionTokens);
        options.onCost?.(live.usd, live.usage, false);
        request.onDelta?.(text, model);
      },
    });

    const record = this.recordFor(feature, startedAt, result, estimator, options);
    if (record.exact && result.usage) options.onCost?.(record.costUsd, result.usage, true);
    this.deps.meter.finish(liveId, record);
    try {
      await this.deps.ledger.append(record);
    } catch (error) {
      this.deps.onLedgerError?.(`Could not write the cost ledger: ${errorMessage(error)}`);
    }
    return { ...result, record, promptTokensEstimate };
  }

  private recordFor(feature: Feature, startedAt: Date, result: ChatResult, estimator: RequestCostEstimator, { language, recordId }: RunOptions): LedgerRecord {
    const base = {
      time: startedAt.toISOString(),
      feature,
      language,
      model: result.model,
      tier: result.serviceTier,
      latencyMs: result.latencyMs,
      outcome: result.outcome as Outcome,
    };
    if (result.usage) {
      const price = this.deps.priceBook().lookup(result.model, result.serviceTier);
      return newRequestRecord({ ...base, ...result.usage, costUsd: price ? costOf(result.usage, price) : null, exact: true }, recordId);
    }
    if (!result.sent || (result.outcome === 'error' && result.error?.status !== undefined)) {
      // Refused before generating (an HTTP error) or never sent: nothing was billed.
      return newRequestRecord({ ...base, promptTokens: 0, cachedTokens: 0, completionTokens: 0, costUsd: 0, exact: true }, recordId);
    }
    // Sent but no usage (cancelled, cut, stalled): it was billed; record our estimate as such.
    const estimate = estimator.current();
    return newRequestRecord({ ...base, ...estimate.usage, costUsd: estimate.usd, exact: false }, recordId);
  }
}
