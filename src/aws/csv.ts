/**
 * CSV (RFC 4180 quoting), pure. A null cell is empty, an empty string is `""`, as Athena writes them.
 * A cell a spreadsheet would run as a formula is neutralised as OWASP recommends (escape.ts).
 */
import { csvNeutral } from '../escape.js';

export function csvField(cell: string | undefined): string {
  if (cell === undefined) return '';
  const value = csvNeutral(cell);
  if (value === '' || /[",\r\n]/.test(value) || /^\s|\s$/.test(value)) {
    return `"${value.replace(/"/g, '""')}"`;
  }
  return value;
}

export function csvLine(values: (string | undefined)[]): string {
  return values.map(csvField).join(',') + '\n';
}
