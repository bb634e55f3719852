// Pure text decisions of the chat view: cost lines, link and image policy, code languages.
// No DOM types here: the unit tests compile this file under the root tsconfig and run it in Node.
import * as l10n from '@vscode/l10n';
import { formatUsd } from '../core/cost/format';
import type { AttachmentInfo, ConversationSummary, ErrorActionId, MessageCost, MessageStatus } from '../shared/protocol';

// Fixed locale so the UI (and its tests) read "1,234" whatever the user's locale, like the status bar.
const tokenFormat = new Intl.NumberFormat('en-US');

export function formatTokens(count: number): string {
  return tokenFormat.format(count);
}

/** The conversation total: "Total $0.0012", or says so when any answer's price is unknown. */
export function formatTotal(totalUsd: number | null): string {
  return totalUsd === null ? l10n.t('Total: price unknown') : l10n.t('Total {0}', formatUsd(totalUsd));
}

/** The price part of a cost line; an estimate is marked so it is never mistaken for a bill. */
export function formatPrice(cost: MessageCost, status: MessageStatus): string {
  if (cost.usd === null) return formatUsd(null);
  if (status === 'streaming') return l10n.t('~{0} (estimating)', formatUsd(cost.usd));
  return cost.exact ? l10n.t('{0} (exact)', formatUsd(cost.usd)) : l10n.t('~{0} (estimated)', formatUsd(cost.usd));
}

/**
 * The line under an assistant answer, e.g.
 * "gpt-4o-mini-2024-07-18 · 1,234 in (1,024 cached) · 56 out · $0.00012 (exact)",
 * "... · stopped" after Stop. Empty when there is nothing to say yet.
 */
export function costLine(model: string | undefined, cost: MessageCost | undefined, status: MessageStatus): string {
  const parts: string[] = [];
  if (model) parts.push(model);
  if (cost) {
    const tokensIn = formatTokens(cost.promptTokens);
    parts.push(
      cost.cachedTokens > 0 ? l10n.t('{0} in ({1} cached)', tokensIn, formatTokens(cost.cachedTokens)) : l10n.t('{0} in', tokensIn),
      l10n.t('{0} out', formatTokens(cost.completionTokens)),
      formatPrice(cost, status),
    );
  }
  if (status === 'stopped') parts.push(l10n.t('stopped'));
  return parts.join(' · ');
}

/** "1 token", "1,234 tokens". */
export function tokenCount(count: number): string {
  return count === 1 ? l10n.t('1 token') : l10n.t('{0} tokens', formatTokens(count));
}

/** "1 message", "3 messages". */
export function messageCount(count: number): string {
  return count === 1 ? l10n.t('1 message') : l10n.t('{0} messages', formatTokens(count));
}

/** A chip of attached context: "src/app.ts · 1,234 tokens". */
export function attachmentText(attachment: Pick<AttachmentInfo, 'label' | 'tokens'>): string {
  return `${attachment.label} · ${tokenCount(attachment.tokens)}`;
}

/** The button that re-asks an answer with the strong model: "Ask gpt-4o (~$0.004)". */
export function askStrongerLabel(model: string, estimateUsd: number | null): string {
  return estimateUsd === null ? l10n.t('Ask {0} ({1})', model, formatUsd(null)) : l10n.t('Ask {0} (~{1})', model, formatUsd(estimateUsd));
}

function dateFormat(options: Intl.DateTimeFormatOptions, timeZone: string | undefined, locale: string): Intl.DateTimeFormat {
  return new Intl.DateTimeFormat(locale, { ...options, timeZone });
}

const minuteMs = 60_000;
const hourMs = 60 * minuteMs;
const dayMs = 24 * hourMs;

/**
 * When something happened, relative to `now`: "just now", "5 min ago", "3 hours ago",
 * "yesterday", "4 days ago", then "Mar 4" (this year) or "Mar 4, 2023". Empty for an invalid date.
 * `timeZone` (default: the local one) and `locale` (VS Code's display language) only matter for the absolute dates.
 */
export function relativeTime(iso: string, now: Date, timeZone?: string, locale = 'en-US'): string {
  const time = Date.parse(iso);
  if (Number.isNaN(time)) return '';
  const elapsed = now.getTime() - time;
  if (elapsed < minuteMs) return l10n.t('just now'); // also a clock slightly ahead of ours
  if (elapsed < hourMs) return l10n.t('{0} min ago', Math.floor(elapsed / minuteMs));
  if (elapsed < 2 * hourMs) return l10n.t('1 hour ago');
  if (elapsed < dayMs) return l10n.t('{0} hours ago', Math.floor(elapsed / hourMs));
  if (elapsed < 2 * dayMs) return l10n.t('yesterday');
  if (elapsed < 7 * dayMs) return l10n.t('{0} days ago', Math.floor(elapsed / dayMs));
  const date = new Date(time);
  const year = dateFormat({ year: 'numeric' }, timeZone, locale);
  const sameYear = year.format(date) === year.format(now);
  return dateFormat(sameYear ? { month: 'short', day: 'numeric' } : { month: 'short', day: 'numeric', year: 'numeric' }, timeZone, locale).format(date);
}

/** The line under a conversation in the history: "yesterday · 4 messages · $0.0012". */
export function historyMeta(
  summary: Pick<ConversationSummary, 'updatedAt' | 'messageCount' | 'totalUsd'>,
  now: Date,
  timeZone?: string,
  locale?: string,
): string {
  const parts = [relativeTime(summary.updatedAt, now, timeZone, locale), messageCount(summary.messageCount), formatUsd(summary.totalUsd)];
  return parts.filter(Boolean).join(' · ');
}

/** Conversations newest first (by `updatedAt`; unreadable dates last). */
export function newestFirst<T extends Pick<ConversationSummary, 'updatedAt'>>(items: readonly T[]): T[] {
  const time = (item: T) => {
    const value = Date.parse(item.updatedAt);
    return Number.isNaN(value) ? -Infinity : value;
  };
  return [...items].sort((a, b) => time(b) - time(a) || 0); // -Infinity - -Infinity is NaN
}

/** The label of an error's action button. */
export function errorActionLabel(action: ErrorActionId): string {
  switch (action) {
    case 'setApiKey':
      return l10n.t('Set API Key');
    case 'retry':
      return l10n.t('Retry');
    case 'openSettings':
      return l10n.t('Open Settings');
    case 'raiseBudget':
      return l10n.t('Raise Budget');
    case 'allowOnce':
      return l10n.t('Allow Once');
  }
}

/**
 * What a link in model output may point to: an absolute http(s) URL, normalized, or nothing.
 * Rejects other schemes (javascript:, command:, file:, vscode:...), relative links (they would
 * resolve inside the webview) and URLs with credentials (https://bank.com@evil.example).
 */
export function safeLinkHref(href: string | null | undefined): string | null {
  if (!href) return null;
  let url: URL;
  try {
    url = new URL(href.trim());
  } catch {
    return null;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return null;
  if (url.username || url.password) return null;
  return url.href;
}

/** Images in model output may only be inline raster data: remote images would leak that the answer was read. */
export function isSafeImageSrc(src: string | null | undefined): boolean {
  return !!src && /^data:image\/(?:png|gif|jpeg|webp);base64,[a-z0-9+/=\s]*$/i.test(src.trim());
}

/** The language of a fence info string ("TypeScript title=x" -> "typescript", "ts:src/a.ts" -> "ts"), or undefined. */
export function codeLanguage(info: string | undefined): string | undefined {
  // Some writers wrap it: ```{python} or ```.python
  const word =
    info
      ?.trim()
      .toLowerCase()
      .replace(/^[{.]+/, '') ?? '';
  return /^[\w+#-]+/.exec(word)?.[0];
}

// Fence names that are not VS Code language ids; the rest (python, go, json...) already are.
const vscodeLanguageIds = new Map<string, string>(
  Object.entries({
    ts: 'typescript',
    mts: 'typescript',
    cts: 'typescript',
    tsx: 'typescriptreact',
    js: 'javascript',
    mjs: 'javascript',
    cjs: 'javascript',
    jsx: 'javascriptreact',
    py: 'python',
    rb: 'ruby',
    rs: 'rust',
    golang: 'go',
    kt: 'kotlin',
    cs: 'csharp',
    'c#': 'csharp',
    'c++': 'cpp',
    cc: 'cpp',
    cxx: 'cpp',
    hpp: 'cpp',
    h: 'c',
    sh: 'shellscript',
    bash: 'shellscript',
    zsh: 'shellscript',
    shell: 'shellscript',
    console: 'shellscript',
    ps1: 'powershell',
    yml: 'yaml',
    md: 'markdown',
    htm: 'html',
    patch: 'diff',
    text: 'plaintext',
    txt: 'plaintext',
  }),
);

/** The VS Code language id for a fence language, for code opened in a new file. */
export function vscodeLanguageId(language: string | undefined): string | undefined {
  return language === undefined ? undefined : (vscodeLanguageIds.get(language) ?? language);
}
