// Every user-facing string goes through l10n: the bundle lists what the code translates, package.json
// takes its words from package.nls.json, and under a pseudo-locale the core's messages come out
// translated with only their arguments (hosts, models, amounts) left as they were.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as l10n from '@vscode/l10n';
import { getL10nJson, getL10nPseudoLocalized, type l10nJsonFormat } from '@vscode/l10n-dev';
import { budgetStatus } from '../../../src/core/cost/budget';
import { formatUsd } from '../../../src/core/cost/format';
import type { LedgerRecord } from '../../../src/core/cost/record';
import type { CostReport, Totals } from '../../../src/core/cost/tallies';
import { CostMeter } from '../../../src/core/costMeter';
import { costReportBody } from '../../../src/core/costReportHtml';
import { classifyError } from '../../../src/core/errors';
import { meterView } from '../../../src/core/meterView';
import { titleOf } from '../../../src/core/chat/conversationStore';
import { englishWords } from '../../support/pseudoLocale';

const root = path.resolve(__dirname, '../../../..');
const readJson = (file: string) => JSON.parse(fs.readFileSync(path.join(root, file), 'utf8'));

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const file = path.join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(file);
    return /\.tsx?$/.test(entry.name) && !entry.name.endsWith('.d.ts') ? [file] : [];
  });
}

describe('localization', () => {
  it('l10n/bundle.l10n.json lists exactly the strings the code translates (else: npm run l10n)', async function () {
    this.timeout(30_000); // the analyzer loads a tree-sitter grammar (WebAssembly) and parses all of src/
    const files = sourceFiles(path.join(root, 'src')).map((file) => ({ contents: fs.readFileSync(file, 'utf8'), extension: path.extname(file) }));
    const exported = await getL10nJson(files);
    assert.ok(Object.keys(exported).length > 100, `only ${Object.keys(exported).length} strings found: is the analyzer reading src/?`);
    assert.deepEqual(readJson('l10n/bundle.l10n.json'), exported);
  });

  it('package.json shows no word of its own: every title and description is a %key% of package.nls.json', () => {
    const manifest = readJson('package.json');
    const nls: Record<string, string> = readJson('package.nls.json');
    const literals: string[] = [];
    const used = new Set<string>();
    const userFacing = /^(displayName|description|markdownDescription|title|name|enumDescriptions|markdownEnumDescriptions|altText)$/;
    const walk = (value: unknown, at: string[], field: string | undefined) => {
      if (typeof value === 'string') {
        const key = /^%(.+)%$/.exec(value)?.[1];
        if (key) used.add(key);
        else if (field && userFacing.test(field) && /\s/.test(value)) literals.push(`${at.join('.')}: ${value}`);
      } else if (Array.isArray(value)) {
        value.forEach((item, i) => walk(item, [...at, String(i)], field));
      } else if (value && typeof value === 'object') {
        for (const [key, item] of Object.entries(value)) walk(item, [...at, key], key);
      }
    };
    walk(
      { displayName: manifest.displayName, description: manifest.description, contributes: manifest.contributes, capabilities: manifest.capabilities },
      [],
      undefined,
    );
    assert.deepEqual(literals, [], 'user-facing strings written in package.json instead of package.nls.json');
    assert.deepEqual(
      [...used].filter((key) => !(key in nls)),
      [],
      'keys missing from package.nls.json',
    );
    assert.deepEqual(
      Object.keys(nls).filter((key) => !used.has(key)),
      [],
      'unused keys in package.nls.json',
    );
    for (const command of manifest.contributes.commands) {
      assert.ok(command.category && command.icon, `${command.command} has a category and an icon`);
    }
  });

  describe('under a pseudo-locale', () => {
    const pseudo: l10nJsonFormat = getL10nPseudoLocalized(readJson('l10n/bundle.l10n.json'));
    before(() => l10n.config({ contents: pseudo as Record<string, string> }));
    after(() => l10n.config({ contents: {} }));

    const host = '127.0.0.1:8080';
    const ctx = { model: 'gpt-4o-mini', modelSetting: 'penny.chatModel', baseUrl: `http://${host}/v1`, promptTokens: 130_000, contextWindow: 128_000 };
    const headers = { get: (name: string) => (name === 'retry-after' ? '2' : null) };

    it('translates every error message', () => {
      const failures: unknown[] = [
        { name: 'AbortError' },
        { name: 'APIConnectionTimeoutError' },
        { name: 'APIConnectionError' },
        { name: 'SyntaxError' },
        { status: 401 },
        { status: 403 },
        { status: 404 },
        { status: 429, code: 'insufficient_quota' },
        { status: 429, headers },
        { status: 429, headers: { get: (name: string) => (name === 'retry-after-ms' ? '250' : null) } },
        { status: 429 },
        { status: 400, code: 'context_length_exceeded' },
        { status: 408 },
        { status: 503 },
        { status: 418 },
      ];
      const args = [
        host,
        'gpt-4o-mini',
        'penny.chatModel',
        'penny.baseUrl',
        'https://platform.openai.com/account/billing',
        'Penny: Set API Key',
        'insufficient_quota',
      ];
      for (const failure of failures) {
        const { message } = classifyError(failure, ctx);
        assert.deepEqual(englishWords(message, args), [], `${JSON.stringify(failure)} -> ${message}`);
      }
    });

    it('translates the status bar, its tooltip, budgets, the cost report and conversation titles', () => {
      const record: LedgerRecord = {
        id: 'r1',
        time: '2026-11-25T10:00:00.000Z',
        feature: 'completion',
        model: 'gpt-4o-mini',
        tier: 'default',
        promptTokens: 1000,
        cachedTokens: 0,
        completionTokens: 20,
        costUsd: 0.00016,
        exact: false,
        latencyMs: 300,
        outcome: 'cancelled',
      };
      const meter = new CostMeter();
      meter.finish(meter.begin('completion', 'gpt-4o-mini', 0, 1000), record);
      meter.begin('chat', 'gpt-4o-mini', null, 500);
      const budget = budgetStatus(1.2, 1.2, { daily: 1, monthly: null, enforce: true });
      meter.setBudget(budget, budget.message);
      const view = meterView(meter.state());
      const args = ['gpt-4o-mini', 'debug-pause', 'loading~spin', 'pulse'];
      for (const text of [view.text, view.accessibleLabel, view.tooltip, budget.message ?? '']) {
        assert.deepEqual(englishWords(text, args), [], text);
      }
      assert.notEqual(formatUsd(null), 'price unknown');

      const totals: Totals = { usd: 0.5, requests: 3, unpriced: 1, estimatedUsd: 0.1 };
      const report: CostReport = {
        today: totals,
        month: totals,
        byDay: [{ day: '2026-11-25', totals }],
        byModel: { 'gpt-4o': totals },
        byFeature: { chat: totals },
        value: [],
        valueByDay: [],
      };
      const html = costReportBody(report);
      const markupRemoved = html.replace(/<[^>]*>/g, ' ');
      assert.deepEqual(
        englishWords(markupRemoved, ['gpt-4o', 'penny.prices', 'o200k', 'class', 'summary', 'strong', 'note', 'num', 'empty', 'chart', 'axis', 'span']),
        [],
        html,
      );
      assert.notEqual(titleOf([]), 'New chat');
    });
  });
});
