// The ledger as RFC 4180 CSV: a header row of the record's fields, one row per record, CRLF line ends.

import { unitsToUsd, usdToUnits } from './pricing';
import { RECORD_FIELDS, type LedgerRecord } from './record';

/** RFC 4180 field; text that a spreadsheet would run as a formula gets a leading apostrophe. */
function csvField(value: string | number | boolean | null | undefined): string {
  if (value === null || value === undefined) return '';
  if (typeof value !== 'string') return String(value);
  const text = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** USD as a plain decimal to the nano-dollar (no exponent: 1.5e-7 is written 0.00000015). */
function csvUsd(usd: number | null): string {
  if (usd === null) return '';
  return unitsToUsd(usdToUnits(usd))
    .toFixed(9)
    .replace(/\.?0+$/, '');
}

/** Builds the CSV text a record at a time. */
export class CsvExport {
  private readonly rows: string[] = [RECORD_FIELDS.join(',')];

  add(record: LedgerRecord): void {
    this.rows.push(RECORD_FIELDS.map((field) => (field === 'costUsd' ? csvUsd(record.costUsd) : csvField(record[field]))).join(','));
  }

  text(): string {
    return this.rows.join('\r\n') + '\r\n';
  }
}
