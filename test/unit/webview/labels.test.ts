import * as assert from 'node:assert/strict';
import { askStrongerLabel, attachmentText, historyMeta, messageCount, newestFirst, relativeTime, tokenCount } from '../../../src/webview/format';

const now = new Date('2025-06-15T12:00:00Z');
const ago = (ms: number) => new Date(now.getTime() - ms).toISOString();
const minute = 60_000;
const hour = 60 * minute;
const day = 24 * hour;

describe('webview/format: labels', () => {
  it('counts with grouping and singular for one', () => {
    assert.equal(messageCount(1), '1 message');
    assert.equal(messageCount(0), '0 messages');
    assert.equal(tokenCount(1234), '1,234 tokens');
    assert.equal(tokenCount(1), '1 token');
  });

  it('attachmentText shows the label and its size', () => {
    assert.equal(attachmentText({ label: 'src/app.ts', tokens: 1234 }), 'src/app.ts · 1,234 tokens');
    assert.equal(attachmentText({ label: 'src/app.ts:10-42', tokens: 1 }), 'src/app.ts:10-42 · 1 token');
  });

  describe('askStrongerLabel', () => {
    it('shows the estimate with the usual USD formatting, marked as approximate', () => {
      assert.equal(askStrongerLabel('gpt-4o', 0.004), 'Ask gpt-4o (~$0.004)');
      assert.equal(askStrongerLabel('gpt-4o', 0.00123), 'Ask gpt-4o (~$0.0012)');
      assert.equal(askStrongerLabel('gpt-4o', 1.5), 'Ask gpt-4o (~$1.50)');
    });
    it('says so when the price is unknown, never $0', () => {
      assert.equal(askStrongerLabel('o3-pro', null), 'Ask o3-pro (price unknown)');
    });
  });

  describe('relativeTime', () => {
    it('counts minutes and hours', () => {
      assert.equal(relativeTime(ago(10_000), now), 'just now');
      assert.equal(relativeTime(ago(5 * minute + 30_000), now), '5 min ago');
      assert.equal(relativeTime(ago(hour), now), '1 hour ago');
      assert.equal(relativeTime(ago(23 * hour + 59 * minute), now), '23 hours ago');
    });
    it('says "yesterday" and counts days within a week', () => {
      assert.equal(relativeTime(ago(day + hour), now), 'yesterday');
      assert.equal(relativeTime(ago(3 * day), now), '3 days ago');
      assert.equal(relativeTime(ago(6 * day + 23 * hour), now), '6 days ago');
    });
    it('shows older dates, with the year only when it differs', () => {
      assert.equal(relativeTime('2025-03-04T12:00:00Z', now, 'UTC'), 'Mar 4');
      assert.equal(relativeTime('2023-12-31T12:00:00Z', now, 'UTC'), 'Dec 31, 2023');
      assert.equal(relativeTime('2025-03-04T12:00:00Z', now, 'UTC', 'de'), '4. März', 'in the display language');
    });
    it('treats a time slightly in the future as now, and an invalid date as nothing', () => {
      assert.equal(relativeTime(new Date(now.getTime() + 5000).toISOString(), now), 'just now');
      assert.equal(relativeTime('not a date', now), '');
    });
  });

  describe('historyMeta', () => {
    it('joins when, how many messages and what it cost', () => {
      assert.equal(historyMeta({ updatedAt: ago(2 * hour), messageCount: 4, totalUsd: 0.0012 }, now), '2 hours ago · 4 messages · $0.0012');
      assert.equal(historyMeta({ updatedAt: ago(3 * day), messageCount: 1, totalUsd: 0 }, now), '3 days ago · 1 message · $0');
    });
    it('never shows an unknown price as $0', () => {
      assert.equal(historyMeta({ updatedAt: ago(minute), messageCount: 2, totalUsd: null }, now), '1 min ago · 2 messages · price unknown');
    });
    it('leaves out an unreadable date', () => {
      assert.equal(historyMeta({ updatedAt: '', messageCount: 2, totalUsd: 0.5 }, now), '2 messages · $0.50');
    });
  });

  it('newestFirst sorts by updatedAt, unreadable dates last, without changing its input', () => {
    const items = [
      { id: 'old', updatedAt: '2025-01-01T00:00:00Z' },
      { id: 'bad', updatedAt: 'x' },
      { id: 'new', updatedAt: '2025-06-01T00:00:00Z' },
      { id: 'mid', updatedAt: '2025-03-01T00:00:00Z' },
    ];
    assert.deepEqual(
      newestFirst(items).map((i) => i.id),
      ['new', 'mid', 'old', 'bad'],
    );
    assert.equal(items[0].id, 'old');
  });
});
