/**
 * Finds the usage rows in a saved result without parsing the whole document at once, so a
 * 250 MB result never becomes one 250 MB string or one giant object tree. It accepts:
 *   - a legacy document        {"queryStatus": ..., "results": [row, ...]}
 *   - an aggregates page       {"queryStatus": ..., "entities": [row, ...]}
 *   - an array of such pages   [{"entities": [...]}, ...]  (or a plain array of rows)
 *   - NDJSON / concatenated JSON rows  {row}\n{row}\n...
 * It only tracks nesting and strings; each row's text is sliced out and handed to JSON.parse.
 * Metadata of documents (queryStatus, errorBody, ...) is reported separately.
 */
import { UserError } from './errors.js';
import { hasUsageCount, ROW_COUNT_KEYS } from './records.js';

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;
const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;
const COLON = 0x3a;
const COMMA = 0x2c;

/** candidate: a top-level (or page-level) object that is a row unless it turns out to hold rows. */
type Role = 'candidate' | 'document' | 'rows' | 'pages';

interface Frame {
  isObject: boolean;
  role: Role;
  expectKey: boolean;
  key: string;
  /** A candidate that has shown a usage count key is a row, whatever other keys follow. */
  sawCount?: boolean;
}

export interface SplitResult {
  rows: unknown[];
  /** The line (1-based) each row starts on, parallel to `rows`. */
  lines: number[];
  meta: [string, unknown][];
}

const ROW_CONTAINERS = new Set(['results', 'entities']);
const COUNT_KEYS = new Set(ROW_COUNT_KEYS);

function isWhitespace(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09 || c === 0xfeff;
}

/** A document without rows, such as `{"queryStatus":"Running"}`; a row that carries a queryStatus stays a row. */
function isStatusDocument(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && 'queryStatus' in value && !hasUsageCount(value);
}

export class UsageRowSplitter {
  private readonly frames: Frame[] = [];
  private inString = false;
  private escaped = false;
  /** Nesting deeper than the frames we track (inside a row). */
  private untrackedDepth = 0;
  // The value being captured: text from earlier chunks, start in the current chunk, depth it began at.
  private capturing = false;
  private captureCarry = '';
  private captureStart = 0;
  private captureDepth = 0;
  private captureKind: 'row' | 'candidate' | 'meta' = 'row';
  private captureKey = '';
  private scalar = false;
  // The key being read (only in candidate and document objects).
  private readingKey = false;
  private keyCarry = '';
  private keyStart = 0;
  /** Offset, within the candidate's captured text, of the current key's opening quote. */
  private keyQuoteOffset = 0;
  private sawValue = false;
  private position = 0;
  private line = 1;
  private captureLine = 1;

  /** Feed the next piece of text; returns the rows and metadata completed within it. */
  push(chunk: string): SplitResult {
    const out: SplitResult = { rows: [], lines: [], meta: [] };
    const n = chunk.length;
    // Where the next backslash is (n: none left); found lazily, once per stretch of the chunk.
    let backslashAt = -1;
    for (let i = 0; i < n; i++) {
      const c = chunk.charCodeAt(i);
      if (this.inString) {
        if (this.escaped) this.escaped = false;
        else if (c !== QUOTE && c !== BACKSLASH) {
          // Most of a row's text is inside strings: jump to the next quote or backslash at once.
          if (backslashAt < i) {
            const b = chunk.indexOf('\\', i);
            backslashAt = b === -1 ? n : b;
          }
          const q = chunk.indexOf('"', i);
          i = Math.min(q === -1 ? n : q, backslashAt) - 1;
        } else if (c === BACKSLASH) this.escaped = true;
        else {
          this.inString = false;
          if (this.readingKey) {
            this.readingKey = false;
            const frame = this.top();
            frame.key = this.keyCarry + chunk.slice(this.keyStart, i);
            this.keyCarry = '';
            if (COUNT_KEYS.has(frame.key)) frame.sawCount = true;
          } else if (
            this.capturing &&
            this.captureKind === 'meta' &&
            this.untrackedDepth === 0 &&
            this.depth() === this.captureDepth
          ) {
            this.finishCapture(chunk, i + 1, out);
          }
        }
        continue;
      }
      if (this.scalar) {
        if (c === COMMA || c === CLOSE_OBJECT || c === CLOSE_ARRAY || isWhitespace(c)) {
          this.scalar = false;
          if (this.capturing && this.captureKind === 'meta') this.finishCapture(chunk, i, out);
        } else continue;
      }
      if (isWhitespace(c)) {
        if (c === 0x0a) this.line++;
        continue;
      }
      // Inside a row: only nesting and strings matter.
      if (this.untrackedDepth > 0) {
        if (c === QUOTE) this.inString = true;
        else if (c === OPEN_OBJECT || c === OPEN_ARRAY) this.untrackedDepth++;
        else if (c === CLOSE_OBJECT || c === CLOSE_ARRAY) {
          this.untrackedDepth--;
          if (this.untrackedDepth === 0 && this.capturing && this.depth() === this.captureDepth) {
            this.finishCapture(chunk, i + 1, out);
          }
        }
        continue;
      }
      const frame = this.frames[this.frames.length - 1];
      if (frame?.isObject && frame.expectKey) {
        if (c === QUOTE) {
          this.inString = true;
          if (frame.role === 'candidate' || frame.role === 'document') {
            this.readingKey = true;
            this.keyStart = i + 1;
            if (frame.role === 'candidate' && this.capturing) {
              this.keyQuoteOffset = this.captureCarry.length + (i - this.captureStart);
            }
          }
          continue;
        }
        if (c === COMMA) continue;
        if (c === CLOSE_OBJECT) {
          this.close(chunk, i, out);
          continue;
        }
        if (c !== COLON) this.fail(c, i);
      }
      if (c === COLON) {
        if (!frame?.isObject) this.fail(c, i);
        frame.expectKey = false;
        continue;
      }
      if (c === COMMA) {
        if (!frame) this.fail(c, i);
        if (frame.isObject) frame.expectKey = true;
        continue;
      }
      if (c === CLOSE_OBJECT || c === CLOSE_ARRAY) {
        if (!frame || frame.isObject !== (c === CLOSE_OBJECT)) this.fail(c, i);
        this.close(chunk, i, out);
        continue;
      }
      this.startValue(chunk, i, c, out);
    }
    this.position += n;
    if (this.capturing) {
      this.captureCarry += chunk.slice(this.captureStart);
      this.captureStart = 0;
    }
    if (this.readingKey) {
      this.keyCarry += chunk.slice(this.keyStart);
      this.keyStart = 0;
    }
    return out;
  }

  /** Call after the last chunk: throws when the text stopped mid-value. */
  end(): void {
    if (this.frames.length || this.untrackedDepth || this.inString || this.capturing) {
      throw new UserError('The results file ends in the middle of a JSON value: is it truncated?');
    }
    if (!this.sawValue) throw new UserError('The results file is empty.');
  }

  private depth(): number {
    return this.frames.length;
  }

  private top(): Frame {
    return this.frames[this.frames.length - 1] as Frame;
  }

  private fail(
    c: number,
    i: number,
    why = 'expected a results document, aggregates pages or NDJSON rows',
  ): never {
    const shown = JSON.stringify(String.fromCharCode(c));
    throw new UserError(
      `The results file is not a usage result: unexpected character ${shown} at line ${this.line}, character ${this.position + i} (${why}).`,
    );
  }

  private startCapture(i: number, kind: 'row' | 'candidate' | 'meta', key = ''): void {
    this.capturing = true;
    this.captureCarry = '';
    this.captureStart = i;
    this.captureDepth = this.depth();
    this.captureKind = kind;
    this.captureKey = key;
    this.captureLine = this.line;
  }

  private finishCapture(chunk: string, endExclusive: number, out: SplitResult): void {
    const textValue = this.captureCarry + chunk.slice(this.captureStart, endExclusive);
    this.capturing = false;
    this.captureCarry = '';
    let value: unknown;
    try {
      value = JSON.parse(textValue);
    } catch {
      // Not JSON.parse's message: it quotes the text, which may be anything (a credentials file).
      throw new UserError(
        `The results file has a malformed JSON value starting on line ${this.captureLine} (near character ${this.position + endExclusive}).`,
      );
    }
    if (this.captureKind === 'meta') out.meta.push([this.captureKey, value]);
    else if (this.captureKind === 'candidate' && isStatusDocument(value))
      out.meta.push(...Object.entries(value));
    else {
      out.rows.push(value);
      out.lines.push(this.captureLine);
    }
  }

  private startValue(chunk: string, i: number, c: number, out: SplitResult): void {
    const parent = this.frames[this.frames.length - 1];
    const isContainer = c === OPEN_OBJECT || c === OPEN_ARRAY;
    if (!isContainer && c !== QUOTE && !/[-0-9tfn]/.test(String.fromCharCode(c))) this.fail(c, i);
    this.sawValue = true;

    if (!parent || parent.role === 'pages') {
      // A top-level value or an element of a top-level array: a row, or a page that holds rows.
      if (c === OPEN_ARRAY && !parent) {
        this.frames.push({ isObject: false, role: 'pages', expectKey: false, key: '' });
        return;
      }
      if (c !== OPEN_OBJECT) this.fail(c, i);
      this.startCapture(i, 'candidate');
      this.frames.push({ isObject: true, role: 'candidate', expectKey: true, key: '' });
      return;
    }
    if (parent.role === 'rows') {
      if (c !== OPEN_OBJECT)
        this.fail(c, i, `each element of '${this.frames[this.frames.length - 2]?.key}' must be an object`);
      this.startCapture(i, 'row');
      this.openUntracked(c);
      return;
    }
    if (parent.role === 'candidate' || parent.role === 'document') {
      if (c === OPEN_ARRAY && ROW_CONTAINERS.has(parent.key) && !parent.sawCount) {
        if (parent.role === 'candidate') this.becomeDocument(chunk, out);
        this.frames.push({ isObject: false, role: 'rows', expectKey: false, key: '' });
        return;
      }
      if (parent.role === 'document') this.startCapture(i, 'meta', parent.key);
      this.openUntracked(c);
      return;
    }
    this.openUntracked(c);
  }

  private openUntracked(c: number): void {
    if (c === OPEN_OBJECT || c === OPEN_ARRAY) this.untrackedDepth = 1;
    else if (c === QUOTE) this.inString = true;
    else this.scalar = true;
  }

  /** The candidate holds rows: it is a document, not a row. Keep the keys read so far as metadata. */
  private becomeDocument(chunk: string, out: SplitResult): void {
    const frame = this.top();
    frame.role = 'document';
    const sofar = (this.captureCarry + chunk.slice(this.captureStart)).slice(0, this.keyQuoteOffset);
    this.capturing = false;
    this.captureCarry = '';
    const prefix = sofar.replace(/[\s,]*$/, '') + '}';
    try {
      for (const entry of Object.entries(JSON.parse(prefix) as Record<string, unknown>)) out.meta.push(entry);
    } catch {
      // The fields before the rows are only metadata; a malformed one is reported by the rows' checks.
    }
  }

  private close(chunk: string, i: number, out: SplitResult): void {
    this.frames.pop();
    if (this.capturing && this.depth() === this.captureDepth) this.finishCapture(chunk, i + 1, out);
    const parent = this.frames[this.frames.length - 1];
    if (parent?.isObject) parent.expectKey = false;
  }
}
