// One exporter per ledger: every VS Code window of an installation shares the ledger, so only the window
// holding `team-export.lock` exports. The holder touches the file on every cycle; a lock untouched for
// `staleMs` (a window that crashed or hung) is taken over. Taking over is not atomic: in a rare race two
// windows may both export for a moment, which sends some events twice (each carries its record id, so a
// backend de-duplicates them) and the same cumulative totals twice (harmless: a cumulative value sent
// again changes nothing).

import { randomUUID } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { isMissing } from '../cost/monthFile';

export const LOCK_FILE = 'team-export.lock';

export class ExportLock {
  private readonly file: string;
  private readonly token = randomUUID();
  private held = false;

  constructor(
    dir: string,
    private readonly staleMs: number,
  ) {
    this.file = path.join(dir, LOCK_FILE);
  }

  /** Takes the lock, or keeps it (and marks it fresh). False while another live exporter holds it. */
  async acquire(): Promise<boolean> {
    if (this.held && (await this.stillOurs())) {
      const now = new Date();
      await fs.utimes(this.file, now, now);
      return true;
    }
    this.held = false;
    await fs.mkdir(path.dirname(this.file), { recursive: true });
    if (await this.create()) return true;
    try {
      const stats = await fs.stat(this.file);
      if (Date.now() - stats.mtimeMs < this.staleMs) return false;
      await fs.unlink(this.file);
    } catch (error) {
      if (!isMissing(error)) throw error;
    }
    return (await this.create()) && (await this.stillOurs());
  }

  async release(): Promise<void> {
    if (!this.held) return;
    this.held = false;
    if (await this.stillOurs()) await fs.unlink(this.file).catch(() => undefined);
  }

  private async create(): Promise<boolean> {
    try {
      await fs.writeFile(this.file, JSON.stringify({ token: this.token, pid: process.pid }), { flag: 'wx' });
      this.held = true;
      return true;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
      throw error;
    }
  }

  private async stillOurs(): Promise<boolean> {
    try {
      return (JSON.parse(await fs.readFile(this.file, 'utf8')) as { token?: string }).token === this.token;
    } catch {
      return false;
    }
  }
}
