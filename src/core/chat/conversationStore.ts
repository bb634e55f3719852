// Conversations on disk, one JSON file each, per workspace. Every save is atomic (write a temporary
// file, then rename), so a crash mid-write leaves the previous version, never a torn file.
import * as l10n from '@vscode/l10n';
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import type { ChatMessage, ConversationSummary } from '../../shared/protocol';
import type { Feature } from '../cost/record';
import { sumUsd } from '../cost/pricing';
import type { ChatMessageParam } from '../openaiClient';

/** How an answer was asked: what a retry sends again. */
export interface AnswerRequest {
  model: string;
  feature: Feature;
  /** The messages sent when they are not the conversation's (an escalation from the editor). */
  messages?: ChatMessageParam[];
}

export interface StoredConversation {
  id: string;
  title: string;
  createdAt: string;
  updatedAt: string;
  model: string;
  messages: ChatMessage[];
  /** The attached context of each question (by message id), sent again with follow-up questions. */
  contexts?: Record<string, { label: string; languageId: string; content: string }[]>;
  /** How each answer (by message id) was asked; files saved before retries existed have none. */
  requests?: Record<string, AnswerRequest>;
}

const FILE_PREFIX = 'conversation-';
const FILE_SUFFIX = '.json';
/** Older than any save in progress, in this window or another. */
const STALE_TEMPORARY_MS = 10 * 60_000;

export class ConversationStore {
  private writing = Promise.resolve();

  constructor(
    private readonly dir: string,
    private readonly options: { keep?: number; onWarning?: (message: string) => void } = {},
  ) {}

  /** Saves in order: a later save (or delete) of the same conversation never loses to an earlier one. */
  save(conversation: StoredConversation): Promise<void> {
    return this.queue(async () => {
      await fs.mkdir(this.dir, { recursive: true });
      const target = this.fileOf(conversation.id);
      const temporary = `${target}.${process.pid}.tmp`;
      await fs.writeFile(temporary, JSON.stringify(conversation));
      await fs.rename(temporary, target);
      await this.prune();
    });
  }

  delete(id: string): Promise<void> {
    return this.queue(() => fs.rm(this.fileOf(id), { force: true }));
  }

  private queue(work: () => Promise<void>): Promise<void> {
    this.writing = this.writing.then(work, work);
    return this.writing;
  }

  async load(id: string): Promise<StoredConversation | undefined> {
    try {
      return parseConversation(await fs.readFile(this.fileOf(id), 'utf8'));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') this.options.onWarning?.(`conversation ${id} is unreadable and was skipped`);
      return undefined;
    }
  }

  /** Newest first; unreadable files are skipped with a warning. */
  async list(): Promise<ConversationSummary[]> {
    const conversations = await this.readAll();
    return conversations.map((c) => ({
      id: c.id,
      title: c.title,
      updatedAt: c.updatedAt,
      messageCount: c.messages.length,
      totalUsd: totalUsd(c.messages),
    }));
  }

  async latest(): Promise<StoredConversation | undefined> {
    return (await this.readAll())[0];
  }

  private async readAll(): Promise<StoredConversation[]> {
    let names: string[];
    try {
      names = await fs.readdir(this.dir);
    } catch {
      return [];
    }
    const conversations: StoredConversation[] = [];
    for (const name of names) {
      if (!name.startsWith(FILE_PREFIX) || !name.endsWith(FILE_SUFFIX)) continue;
      try {
        const conversation = parseConversation(await fs.readFile(join(this.dir, name), 'utf8'));
        if (conversation) conversations.push(conversation);
        else this.options.onWarning?.(`${name} is not a conversation and was skipped`);
      } catch {
        this.options.onWarning?.(`${name} is unreadable and was skipped`);
      }
    }
    return conversations.sort((a, b) => b.updatedAt.localeCompare(a.updatedAt));
  }

  private async prune(): Promise<void> {
    const keep = this.options.keep ?? 200;
    const names = await fs.readdir(this.dir);
    await this.removeStaleTemporaries(names);
    if (names.filter((n) => n.startsWith(FILE_PREFIX) && n.endsWith(FILE_SUFFIX)).length <= keep) return;
    const all = await this.readAll();
    for (const old of all.slice(keep)) await fs.rm(this.fileOf(old.id), { force: true });
  }

  /** A crash between write and rename leaves a temporary file: remove it once no save can still own it. */
  private async removeStaleTemporaries(names: string[]): Promise<void> {
    const now = Date.now();
    for (const name of names.filter((n) => n.startsWith(FILE_PREFIX) && n.endsWith('.tmp'))) {
      const file = join(this.dir, name);
      const stat = await fs.stat(file).catch(() => undefined);
      if (stat && now - stat.mtimeMs > STALE_TEMPORARY_MS) await fs.rm(file, { force: true });
    }
  }

  private fileOf(id: string): string {
    // Ids are ours, but never let one name a path outside the folder.
    return join(this.dir, `${FILE_PREFIX}${id.replace(/[^A-Za-z0-9_-]/g, '_')}${FILE_SUFFIX}`);
  }
}

function parseConversation(text: string): StoredConversation | undefined {
  const value = JSON.parse(text) as Partial<StoredConversation>;
  if (typeof value?.id !== 'string' || !Array.isArray(value.messages)) return undefined;
  return value as StoredConversation;
}

export function totalUsd(messages: ChatMessage[]): number | null {
  const costs: number[] = [];
  for (const message of messages) {
    if (message.role !== 'assistant' || !message.cost) continue;
    if (message.cost.usd === null) return null;
    costs.push(message.cost.usd);
  }
  return sumUsd(costs);
}

/** A conversation's title: its first question, shortened. */
export function titleOf(messages: ChatMessage[]): string {
  const first = messages
    .find((m) => m.role === 'user')
    ?.text.replace(/\s+/g, ' ')
    .trim();
  if (!first) return l10n.t('New chat');
  return first.length > 60 ? `${first.slice(0, 57)}…` : first;
}
