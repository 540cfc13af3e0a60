/**
 * GitHub's size limits, each in the unit GitHub counts, and pure helpers that fit a text or a JSON
 * array under one with a visible note. Whatever is cut stays whole in report.json.
 */
import { safeJson } from './escape.js';

/** One step output: 1 MB. */
export const OUTPUT_LIMIT_BYTES = 1_000_000;
/** A job summary is dropped above 1 MiB (1,048,576 bytes); the margin is for what GitHub adds. */
export const JOB_SUMMARY_LIMIT_BYTES = 1_000_000;
/** A comment body: 65,536 characters. */
export const COMMENT_LIMIT_CHARS = 65_536;
/** GitHub shows 10 warning and 10 error annotations per step: a few breaches, then one line with the total. */
export const MAX_BREACH_ANNOTATIONS = 5;
/** A failure message (an error annotation) of a few KB. */
export const FAILURE_MESSAGE_LIMIT_CHARS = 4_000;
/** A warning or error annotation, or a log line, longer than this is cut. */
export const LOG_LINE_LIMIT_CHARS = 8_000;

export type SizeUnit = 'bytes' | 'chars';

export function sizeOf(text: string, unit: SizeUnit): number {
  return unit === 'bytes' ? Buffer.byteLength(text, 'utf8') : text.length;
}

/** The longest prefix of `text` whose size is at most `limit`, never splitting a character. */
function prefixWithin(text: string, limit: number, unit: SizeUnit): string {
  if (limit <= 0) return '';
  let end = Math.min(text.length, limit);
  if (unit === 'bytes') {
    // Each UTF-16 unit is at most 3 bytes (a surrogate pair, 2 units, is 4): shrink until it fits.
    while (end > 0 && Buffer.byteLength(text.slice(0, end), 'utf8') > limit) {
      const over = Buffer.byteLength(text.slice(0, end), 'utf8') - limit;
      end -= Math.max(1, Math.floor(over / 3));
    }
  }
  const last = text.charCodeAt(end - 1);
  if (end > 0 && last >= 0xd800 && last <= 0xdbff) end--;
  return text.slice(0, end);
}

/**
 * `text` if it fits, else its leading whole lines (an entity, an HTML comment or a table row is
 * never cut in half; an unopened `<!--` would hide the rest), an open code block or `<details>`
 * closed, then `note`. At most `limit` in `unit`.
 */
export function fitText(text: string, limit: number, unit: SizeUnit, note: string): string {
  if (sizeOf(text, unit) <= limit) return text;
  const tail = `\n\n${note}\n`;
  let room = limit - sizeOf(tail, unit);
  // Closing what the cut left open adds a little: cut shorter until all of it fits.
  for (;;) {
    const out = closeOpenBlocks(cutCleanly(text, room, unit)) + tail;
    const over = sizeOf(out, unit) - limit;
    if (over <= 0) return out;
    if (room <= 0) return prefixWithin(out, limit, unit);
    room -= over;
  }
}

function cutCleanly(text: string, room: number, unit: SizeUnit): string {
  const kept = prefixWithin(text, room, unit);
  const lineEnd = kept.lastIndexOf('\n');
  if (lineEnd >= kept.length / 2) return kept.slice(0, lineEnd);
  // One long line: cut inside it, but never inside a tag, an HTML comment or an entity.
  let cut = kept;
  const tag = cut.lastIndexOf('<');
  if (tag > cut.lastIndexOf('>')) cut = cut.slice(0, tag);
  const entity = cut.lastIndexOf('&');
  if (entity > cut.lastIndexOf(';')) cut = cut.slice(0, entity);
  return cut;
}

function closeOpenBlocks(kept: string): string {
  let out = kept;
  if ((out.match(/^```/gm) ?? []).length % 2 === 1) out += '\n```';
  const open = (out.match(/<details>/g) ?? []).length - (out.match(/<\/details>/g) ?? []).length;
  for (let i = 0; i < Math.min(open, 8); i++) out += '\n\n</details>';
  return out;
}

/**
 * A JSON array (invisible characters escaped) of as many leading items as fit in `limitBytes`.
 * When some are left out, the last element is `more(shown, total)`, which says how many there are.
 * Stringifies item by item and stops at the limit, so a huge list costs no more than the output.
 */
export function fitJsonArray<T>(
  items: readonly T[],
  limitBytes: number,
  more: (shown: number, total: number) => unknown,
): string {
  // The note's size with the largest counts it can hold, so adding it never breaks the limit.
  const noteBytes = Buffer.byteLength(safeJson(more(items.length, items.length)), 'utf8') + 16;
  const parts: string[] = [];
  let bytes = 2;
  // How many leading items still leave room for the note.
  let withRoom = 0;
  for (const item of items) {
    const json = safeJson(item);
    bytes += Buffer.byteLength(json, 'utf8') + (parts.length ? 1 : 0);
    if (bytes > limitBytes) {
      const kept = parts.slice(0, withRoom);
      kept.push(safeJson(more(withRoom, items.length)));
      return `[${kept.join(',')}]`;
    }
    parts.push(json);
    if (bytes + noteBytes <= limitBytes) withRoom = parts.length;
  }
  return `[${parts.join(',')}]`;
}
