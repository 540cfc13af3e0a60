/**
 * The fast path for the common row: a flat row of either API (aggregates rows with their
 * `oauthClient {id, name}` and `user {id, name}`), read straight from the file's bytes. Its record
 * line is made by copying the row's value bytes between pre-encoded keys, counts are read from their
 * digits, and groups are found by hashing bytes: no UTF-8 decoding, no JSON.parse, no JSON.stringify.
 *
 * It takes only rows it can prove give exactly what `normaliseRow` + `recordLine` give, and that are
 * valid under the strictest rules the general path applies: every string already in the form
 * JSON.stringify writes (so its bytes can be copied), every count a plain integer of at most 15 digits
 * (a JSON number or a string of digits), a real calendar date in the row's API's format, no duplicate
 * or escaped keys, no field that our own records carry (interval, api, queryId, collectedAt). Anything
 * else is NOT_FAST and goes to the general path. Written by hand because no library reads JSON into
 * byte spans without building strings; pure, no I/O.
 */
import { isUtf8 } from 'node:buffer';
import { COUNT_FIELDS, type UsageRecord } from './records.js';

/** parseRow: the row runs past the end of the bytes read so far. */
export const NEED_MORE = -1;
/** parseRow: a row the fast path does not take; skipValue finds its end for the general path. */
export const NOT_FAST = -2;
/** skipValue: not valid JSON. */
export const INVALID = -3;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COLON = 0x3a;
const COMMA = 0x2c;
const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;
const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;
const ZERO = 0x30;
const NINE = 0x39;
const MINUS = 0x2d;

// String slots: where a string value's bytes (between the quotes) are.
const S_CLIENT_ID = 0;
const S_CLIENT_NAME = 1;
const S_ORGANIZATION_ID = 2;
const S_USER_ID = 3;
const S_TEMPLATE_URI = 4;
const S_HTTP_METHOD = 5;
const S_PLATFORM = 6;
const S_DATE = 7;
const S_OAUTH_ID = 8;
const S_OAUTH_NAME = 9;
const S_USER_OBJECT_ID = 10;
const STRING_SLOTS = 11;
// Count slots: requests, status200 ... status500 (COUNT_FIELDS order), then requestCount.
const C_REQUEST_COUNT = 6;
const COUNT_SLOTS = 7;
// Keys: string slots, then count slots (offset by STRING_SLOTS), then these.
const K_OAUTH_CLIENT = 100;
const K_USER = 101;
/** Keys only our own records carry: they change the record, so the general path handles them. */
const K_RECORD_ONLY = 102;

const KEYS: [string, number][] = [
  ['clientId', S_CLIENT_ID],
  ['clientName', S_CLIENT_NAME],
  ['organizationId', S_ORGANIZATION_ID],
  ['userId', S_USER_ID],
  ['templateUri', S_TEMPLATE_URI],
  ['httpMethod', S_HTTP_METHOD],
  ['platform', S_PLATFORM],
  ['date', S_DATE],
  ...COUNT_FIELDS.map((f, i): [string, number] => [f, STRING_SLOTS + i]),
  ['requestCount', STRING_SLOTS + C_REQUEST_COUNT],
  ['oauthClient', K_OAUTH_CLIENT],
  ['user', K_USER],
  ['interval', K_RECORD_ONLY],
  ['api', K_RECORD_ONLY],
  ['queryId', K_RECORD_ONLY],
  ['collectedAt', K_RECORD_ONLY],
];

/** Key lookup by length and first byte (an array, faster than a Map per key), then a full compare. */
const KEY_TABLE: ([Buffer, number][] | undefined)[] = [];
const LONGEST_KEY = Math.max(...KEYS.map(([name]) => name.length));
for (const [name, id] of KEYS) {
  const bytes = Buffer.from(name);
  const slot = bytes.length * 256 + (bytes[0] as number);
  KEY_TABLE[slot] = [...(KEY_TABLE[slot] ?? []), [bytes, id]];
}

function keyId(b: Buffer, start: number, end: number): number {
  if (end - start > LONGEST_KEY) return -1;
  const candidates = KEY_TABLE[(end - start) * 256 + (b[start] as number)];
  if (candidates) {
    for (const [bytes, id] of candidates) {
      let k = 0;
      while (k < bytes.length && bytes[k] === b[start + k]) k++;
      if (k === bytes.length) return id;
    }
  }
  return -1;
}

function isWhitespace(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
}

function isHexLower(c: number): boolean {
  return (c >= ZERO && c <= NINE) || (c >= 0x61 && c <= 0x66);
}

function hexValue(c: number): number {
  return c <= NINE ? c - ZERO : c - 0x57;
}

/**
 * The string starting after its opening quote at `i`. Returns the index of the closing quote, or
 * NEED_MORE, or NOT_FAST when its bytes are not what JSON.stringify would write for its value:
 * an escape JSON.stringify does not use (`\/`, `\u0041`, a surrogate pair), a raw control character
 * (invalid JSON), or bytes that are not valid UTF-8.
 */
function canonicalStringEnd(b: Buffer, i: number, limit: number): number {
  let nonAscii = false;
  const start = i;
  for (; i < limit; i++) {
    const c = b[i] as number;
    if (c === QUOTE) {
      if (nonAscii && !isUtf8(b.subarray(start, i))) return NOT_FAST;
      return i;
    }
    if (c < 0x20) return NOT_FAST;
    if (c >= 0x80) nonAscii = true;
    else if (c === BACKSLASH) {
      if (i + 1 >= limit) return NEED_MORE;
      const e = b[i + 1] as number;
      if (
        e === QUOTE ||
        e === BACKSLASH ||
        e === 0x62 ||
        e === 0x66 ||
        e === 0x6e ||
        e === 0x72 ||
        e === 0x74
      ) {
        i++;
      } else if (e === 0x75) {
        if (i + 5 >= limit) return NEED_MORE;
        // JSON.stringify writes \u00XX (lower-case hex) only for control characters without a short form.
        if (b[i + 2] !== ZERO || b[i + 3] !== ZERO) return NOT_FAST;
        const h = b[i + 4] as number;
        const l = b[i + 5] as number;
        if ((h !== ZERO && h !== 0x31) || !isHexLower(l)) return NOT_FAST;
        const code = (h - ZERO) * 16 + hexValue(l);
        if (code === 0x08 || code === 0x09 || code === 0x0a || code === 0x0c || code === 0x0d)
          return NOT_FAST;
        i += 5;
      } else return NOT_FAST;
    }
  }
  return NEED_MORE;
}

/** Days in a month of the proleptic Gregorian calendar. */
function daysInMonth(year: number, month: number): number {
  if (month === 2) return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

const LEGACY_DATE_TAIL = Buffer.from('T00:00:00Z');
const DATE_DIGITS = [0, 1, 2, 3, 5, 6, 8, 9];

/**
 * `YYYY-MM-DD` (length 10) or `YYYY-MM-DDT00:00:00Z` (length 20) at b[s..e): YYYYMMDD as a number when
 * it is a real date (years 1900-2999), else -1.
 */
function dateNumber(b: Buffer, s: number, e: number): number {
  const length = e - s;
  if (length !== 10 && length !== 20) return -1;
  if (b[s + 4] !== MINUS || b[s + 7] !== MINUS) return -1;
  let value = 0;
  for (const k of DATE_DIGITS) {
    const c = b[s + k] as number;
    if (c < ZERO || c > NINE) return -1;
    value = value * 10 + (c - ZERO);
  }
  if (length === 20) {
    for (let k = 0; k < 10; k++) if (b[s + 10 + k] !== LEGACY_DATE_TAIL[k]) return -1;
  }
  const year = Math.floor(value / 10000);
  const month = Math.floor(value / 100) % 100;
  const day = value % 100;
  if (year < 1900 || year > 2999 || month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) {
    return -1;
  }
  return value;
}

/**
 * The end (exclusive) of the JSON value at b[i], checked as strictly as JSON.parse checks it, or
 * NEED_MORE, or INVALID. Used for values the fast path does not read: metadata and other rows.
 */
export function skipValue(b: Buffer, i: number, limit: number, depth = 0): number {
  if (i >= limit) return NEED_MORE;
  if (depth > 64) return INVALID;
  const c = b[i] as number;
  if (c === QUOTE) {
    for (let j = i + 1; j < limit; j++) {
      const d = b[j] as number;
      if (d === QUOTE) return j + 1;
      if (d < 0x20) return INVALID;
      if (d === BACKSLASH) {
        if (j + 1 >= limit) return NEED_MORE;
        const e = b[j + 1] as number;
        if (e === 0x75) {
          if (j + 5 >= limit) return NEED_MORE;
          for (let k = 2; k <= 5; k++) {
            const h = (b[j + k] as number) | 0x20;
            if (!isHexLower(h)) return INVALID;
          }
          j += 5;
        } else if (
          e === QUOTE ||
          e === BACKSLASH ||
          e === 0x2f ||
          e === 0x62 ||
          e === 0x66 ||
          e === 0x6e ||
          e === 0x72 ||
          e === 0x74
        ) {
          j++;
        } else return INVALID;
      }
    }
    return NEED_MORE;
  }
  if (c === OPEN_OBJECT || c === OPEN_ARRAY) {
    const isObject = c === OPEN_OBJECT;
    const close = isObject ? CLOSE_OBJECT : CLOSE_ARRAY;
    let j = skipWhitespace(b, i + 1, limit);
    if (j >= limit) return NEED_MORE;
    if (b[j] === close) return j + 1;
    for (;;) {
      if (isObject) {
        if (b[j] !== QUOTE) return INVALID;
        j = skipValue(b, j, limit, depth + 1);
        if (j < 0) return j;
        j = skipWhitespace(b, j, limit);
        if (j >= limit) return NEED_MORE;
        if (b[j] !== COLON) return INVALID;
        j = skipWhitespace(b, j + 1, limit);
      }
      j = skipValue(b, j, limit, depth + 1);
      if (j < 0) return j;
      j = skipWhitespace(b, j, limit);
      if (j >= limit) return NEED_MORE;
      if (b[j] === close) return j + 1;
      if (b[j] !== COMMA) return INVALID;
      j = skipWhitespace(b, j + 1, limit);
      if (j >= limit) return NEED_MORE;
    }
  }
  if (c === MINUS || (c >= ZERO && c <= NINE)) {
    let j = c === MINUS ? i + 1 : i;
    const digits = (from: number): number => {
      let k = from;
      while (k < limit && (b[k] as number) >= ZERO && (b[k] as number) <= NINE) k++;
      return k;
    };
    if (j >= limit) return NEED_MORE;
    if (b[j] === ZERO) j++;
    else {
      const k = digits(j);
      if (k === j) return INVALID;
      j = k;
    }
    if (j < limit && b[j] === 0x2e) {
      const k = digits(j + 1);
      if (k === j + 1) return k >= limit ? NEED_MORE : INVALID;
      j = k;
    }
    if (j < limit && (b[j] === 0x65 || b[j] === 0x45)) {
      j++;
      if (j < limit && (b[j] === 0x2b || b[j] === MINUS)) j++;
      const k = digits(j);
      if (k === j) return k >= limit ? NEED_MORE : INVALID;
      j = k;
    }
    // A number may go on in the next read.
    return j >= limit ? NEED_MORE : j;
  }
  for (const word of LITERALS) {
    if (c === word[0]) {
      if (i + word.length > limit) return NEED_MORE;
      for (let k = 1; k < word.length; k++) if (b[i + k] !== word[k]) return INVALID;
      return i + word.length;
    }
  }
  return INVALID;
}

const LITERALS = [Buffer.from('true'), Buffer.from('false'), Buffer.from('null')];

export function skipWhitespace(b: Buffer, i: number, limit: number): number {
  while (i < limit && isWhitespace(b[i] as number)) i++;
  return i;
}

/** What every record of the run shares, as the record line ends. */
export interface FastContext {
  interval: string;
  queryId: string;
  collectedAt: string;
}

const OUT_KEYS = [
  '{"date":"',
  '","clientId":"',
  '","clientName":"',
  '","organizationId":"',
  '","userId":"',
  '","templateUri":"',
  '","httpMethod":"',
  '","platform":"',
  '","requests":',
  ',"status200":',
  ',"status300":',
  ',"status400":',
  ',"status429":',
  ',"status500":',
].map((k) => Buffer.from(k));
const OUT_KEYS_LENGTH = OUT_KEYS.reduce((sum, k) => sum + k.length, 0);

function tail(ctx: FastContext, api: 'legacy' | 'aggregates'): Buffer {
  // The same text JSON.stringify writes for the record's last four fields.
  const last = { interval: ctx.interval, api, queryId: ctx.queryId, collectedAt: ctx.collectedAt };
  return Buffer.from(',' + JSON.stringify(last).slice(1) + '\n');
}

function copy(from: Buffer, s: number, e: number, to: Buffer, at: number): number {
  while (s < e) to[at++] = from[s++] as number;
  return at;
}

/** One row read by the fast path: byte spans into the buffer it was read from, and its counts. */
export class FastRow {
  /** String slots: start and end (exclusive) of the bytes between the quotes; start -1 when absent. */
  readonly stringStart = new Int32Array(STRING_SLOTS);
  readonly stringEnd = new Int32Array(STRING_SLOTS);
  /** Count slots: the digits' span, and the value. */
  readonly countStart = new Int32Array(COUNT_SLOTS);
  readonly countEnd = new Int32Array(COUNT_SLOTS);
  readonly countValue = new Float64Array(COUNT_SLOTS);
  aggregates = false;
  /** YYYYMMDD. */
  date = 0;
  /** The record's fields, resolved from the slots: [start, end) of each of the 7 text fields. */
  readonly fieldStart = new Int32Array(7);
  readonly fieldEnd = new Int32Array(7);
  /** Count slot of requests (requestCount for aggregates rows). */
  requestsSlot = 0;
  private readonly tails: { legacy: Buffer; aggregates: Buffer };

  constructor(ctx: FastContext) {
    this.tails = { legacy: tail(ctx, 'legacy'), aggregates: tail(ctx, 'aggregates') };
  }

  /**
   * Reads the row at b[start] (an opening brace). Returns the end of the row (exclusive) when the
   * fast path takes it, else NEED_MORE or NOT_FAST.
   */
  parse(b: Buffer, start: number, limit: number): number {
    this.stringStart.fill(-1);
    this.countStart.fill(-1);
    let seen = 0;
    let i = skipWhitespace(b, start + 1, limit);
    if (i >= limit) return NEED_MORE;
    if (b[i] === CLOSE_OBJECT) return NOT_FAST;
    let nestedKey = -1;
    let nestedSeen = 0;
    for (;;) {
      // A key: plain bytes, no escapes.
      if (b[i] !== QUOTE) return NOT_FAST;
      const keyStart = i + 1;
      let j = keyStart;
      while (j < limit && b[j] !== QUOTE && b[j] !== BACKSLASH && (b[j] as number) >= 0x20) j++;
      if (j >= limit) return NEED_MORE;
      if (b[j] !== QUOTE || j === keyStart) return NOT_FAST;
      let id = keyId(b, keyStart, j);
      if (nestedKey !== -1) {
        // Inside oauthClient or user: only id and name, as strings.
        const isId = j - keyStart === 2 && b[keyStart] === 0x69 && b[keyStart + 1] === 0x64;
        const isName =
          j - keyStart === 4 &&
          b[keyStart] === 0x6e &&
          b[keyStart + 1] === 0x61 &&
          b[keyStart + 2] === 0x6d &&
          b[keyStart + 3] === 0x65;
        if (!isId && !isName) return NOT_FAST;
        const bit = isId ? 1 : 2;
        if (nestedSeen & bit) return NOT_FAST;
        nestedSeen |= bit;
        id = nestedKey === K_OAUTH_CLIENT ? (isId ? S_OAUTH_ID : S_OAUTH_NAME) : isId ? S_USER_OBJECT_ID : -2;
      } else if (id >= 0) {
        const bit = 1 << (id >= K_OAUTH_CLIENT ? STRING_SLOTS + COUNT_SLOTS + id - K_OAUTH_CLIENT : id);
        if (seen & bit) return NOT_FAST;
        seen |= bit;
      }
      i = skipWhitespace(b, j + 1, limit);
      if (i >= limit) return NEED_MORE;
      if (b[i] !== COLON) return NOT_FAST;
      i = skipWhitespace(b, i + 1, limit);
      if (i >= limit) return NEED_MORE;
      const c = b[i] as number;
      if (id === K_RECORD_ONLY) return NOT_FAST;
      if (id === K_OAUTH_CLIENT || id === K_USER) {
        if (c !== OPEN_OBJECT) return NOT_FAST;
        nestedKey = id;
        nestedSeen = 0;
        i = skipWhitespace(b, i + 1, limit);
        if (i >= limit) return NEED_MORE;
        if (b[i] === CLOSE_OBJECT) return NOT_FAST;
        continue;
      }
      if (id >= 0 && id < STRING_SLOTS) {
        if (c !== QUOTE) return NOT_FAST;
        const end = canonicalStringEnd(b, i + 1, limit);
        if (end < 0) return end;
        this.stringStart[id] = i + 1;
        this.stringEnd[id] = end;
        i = end + 1;
      } else if (id >= STRING_SLOTS) {
        const slot = id - STRING_SLOTS;
        const quoted = c === QUOTE;
        const s = quoted ? i + 1 : i;
        let e = s;
        let value = 0;
        while (e < limit && (b[e] as number) >= ZERO && (b[e] as number) <= NINE) {
          value = value * 10 + ((b[e] as number) - ZERO);
          e++;
        }
        if (e >= limit) return NEED_MORE;
        // 1 to 15 digits, no leading zero, and nothing after them (a fraction, an exponent).
        if (e === s || e - s > 15 || (b[s] === ZERO && e - s > 1)) return NOT_FAST;
        if (quoted) {
          if (b[e] !== QUOTE) return NOT_FAST;
          i = e + 1;
        } else {
          const d = b[e] as number;
          if (d !== COMMA && d !== CLOSE_OBJECT && !isWhitespace(d)) return NOT_FAST;
          i = e;
        }
        this.countStart[slot] = s;
        this.countEnd[slot] = e;
        this.countValue[slot] = value;
      } else if (id === -2) {
        // user.name: not part of the record, but still a string to check.
        if (c !== QUOTE) return NOT_FAST;
        const end = canonicalStringEnd(b, i + 1, limit);
        if (end < 0) return end;
        i = end + 1;
      } else {
        // A field the record does not use: any plain value, checked, and skipped.
        if (c === OPEN_OBJECT || c === OPEN_ARRAY) return NOT_FAST;
        const end = skipValue(b, i, limit);
        if (end === INVALID) return NOT_FAST;
        if (end < 0) return end;
        i = end;
      }
      i = skipWhitespace(b, i, limit);
      if (i >= limit) return NEED_MORE;
      if (b[i] === COMMA) {
        i = skipWhitespace(b, i + 1, limit);
        if (i >= limit) return NEED_MORE;
        continue;
      }
      if (b[i] !== CLOSE_OBJECT) return NOT_FAST;
      if (nestedKey !== -1) {
        nestedKey = -1;
        i = skipWhitespace(b, i + 1, limit);
        if (i >= limit) return NEED_MORE;
        if (b[i] === COMMA) {
          i = skipWhitespace(b, i + 1, limit);
          if (i >= limit) return NEED_MORE;
          continue;
        }
        if (b[i] !== CLOSE_OBJECT) return NOT_FAST;
      }
      return this.resolve(b, seen) ? i + 1 : NOT_FAST;
    }
  }

  /** Applies normaliseRow's rules to the slots; false when the row is not one the fast path proves. */
  private resolve(b: Buffer, seen: number): boolean {
    const hasOauth = (seen & (1 << (STRING_SLOTS + COUNT_SLOTS))) !== 0;
    const hasUser = (seen & (1 << (STRING_SLOTS + COUNT_SLOTS + 1))) !== 0;
    const hasRequestCount = (seen & (1 << (STRING_SLOTS + C_REQUEST_COUNT))) !== 0;
    const ds = this.stringStart[S_DATE] as number;
    if (ds < 0) return false;
    const dateLength = (this.stringEnd[S_DATE] as number) - ds;
    const aggregates =
      hasRequestCount || hasOauth || (seen & (1 << S_PLATFORM)) !== 0 || hasUser || dateLength === 10;
    // Each API's own date format only.
    if (dateLength !== (aggregates ? 10 : 20)) return false;
    const date = dateNumber(b, ds, this.stringEnd[S_DATE] as number);
    if (date < 0) return false;
    // A legacy row with oauthClient or user is aggregates by the rule above; their ids only count there.
    if (!aggregates && (hasOauth || hasUser)) return false;
    // Every count present, once: missing or doubled ones are for the general path to judge.
    const requests = aggregates && hasRequestCount ? C_REQUEST_COUNT : 0;
    if (requests === C_REQUEST_COUNT && (seen & (1 << STRING_SLOTS)) !== 0) return false;
    if ((this.countStart[requests] as number) < 0) return false;
    for (let k = 1; k < 6; k++) if ((this.countStart[k] as number) < 0) return false;
    this.requestsSlot = requests;
    this.aggregates = aggregates;
    this.date = date;
    this.pick(0, aggregates ? S_OAUTH_ID : -1, S_CLIENT_ID);
    this.pick(1, aggregates ? S_OAUTH_NAME : -1, S_CLIENT_NAME);
    this.pick(2, -1, S_ORGANIZATION_ID);
    this.pick(3, aggregates ? S_USER_OBJECT_ID : -1, S_USER_ID);
    this.pick(4, -1, S_TEMPLATE_URI);
    this.pick(5, -1, S_HTTP_METHOD);
    this.pick(6, -1, S_PLATFORM);
    return true;
  }

  /** The record's field `field` comes from string slot `primary` when the row has it, else `slot`. */
  private pick(field: number, primary: number, slot: number): void {
    const from = primary >= 0 && (this.stringStart[primary] as number) >= 0 ? primary : slot;
    this.fieldStart[field] = this.stringStart[from] as number;
    this.fieldEnd[field] = this.stringEnd[from] as number;
  }

  /** Bytes of the record line. */
  lineLength(): number {
    let n = OUT_KEYS_LENGTH + 10 + (this.aggregates ? this.tails.aggregates : this.tails.legacy).length;
    for (let f = 0; f < 7; f++) {
      const s = this.fieldStart[f] as number;
      if (s >= 0) n += (this.fieldEnd[f] as number) - s;
    }
    n += (this.countEnd[this.requestsSlot] as number) - (this.countStart[this.requestsSlot] as number);
    for (let k = 1; k < 6; k++) n += (this.countEnd[k] as number) - (this.countStart[k] as number);
    return n;
  }

  /** Writes the record line (exactly recordLine(normaliseRow(row))) at `to[at]`; returns the end. */
  writeLine(b: Buffer, to: Buffer, at: number): number {
    const ds = this.stringStart[S_DATE] as number;
    at = copy(OUT_KEYS[0] as Buffer, 0, (OUT_KEYS[0] as Buffer).length, to, at);
    at = copy(b, ds, ds + 10, to, at);
    for (let f = 0; f < 7; f++) {
      const key = OUT_KEYS[f + 1] as Buffer;
      at = copy(key, 0, key.length, to, at);
      const s = this.fieldStart[f] as number;
      if (s >= 0) at = copy(b, s, this.fieldEnd[f] as number, to, at);
    }
    for (let k = 0; k < 6; k++) {
      const key = OUT_KEYS[k + 8] as Buffer;
      at = copy(key, 0, key.length, to, at);
      const slot = k === 0 ? this.requestsSlot : k;
      at = copy(b, this.countStart[slot] as number, this.countEnd[slot] as number, to, at);
    }
    const end = this.aggregates ? this.tails.aggregates : this.tails.legacy;
    return copy(end, 0, end.length, to, at);
  }

  /** requests, status200 ... status500. */
  count(k: number): number {
    return this.countValue[k === 0 ? this.requestsSlot : k] as number;
  }
}

/** A record's text field as the bytes between the quotes JSON.stringify would write. */
function rawBytes(value: string): Buffer {
  return Buffer.from(JSON.stringify(value).slice(1, -1));
}

function decodeRaw(b: Buffer, s: number, e: number): string {
  return s < 0 ? '' : (JSON.parse('"' + b.toString('utf8', s, e) + '"') as string);
}

const FIELD_INDEXES = [0, 1, 2, 3, 4, 5, 6];

export interface CountedGroup {
  /** The 7 grouped fields of the group's first record (clientName: the first non-empty one). */
  fields: [string, string, string, string, string, string, string];
  counts: Float64Array;
}

/**
 * ReportBuilder.add's groups, keyed by bytes: the key is the group's fields (the client's id, else
 * its name, then organizationId ... platform) as they appear in the record line, 0-separated
 * (a 0 byte is always escaped inside a JSON string). Groups keep their first-seen order and add
 * their counts row by row, in the same order add() would, so the sums are the same numbers.
 */
export class GroupCounter {
  readonly groups: CountedGroup[] = [];
  private keys = Buffer.allocUnsafe(1 << 16);
  private keysUsed = 0;
  private keyStart: number[] = [];
  private keyEnd: number[] = [];
  private table = new Int32Array(1 << 12).fill(-1);
  private readonly scratch = { buffer: Buffer.allocUnsafe(1 << 12) };
  private freeSlot = 0;

  /** Adds a fast row's counts to its group. */
  addRow(b: Buffer, row: FastRow): void {
    let length = 6;
    for (let f = 0; f < 7; f++) {
      const s = row.fieldStart[f] as number;
      if (s >= 0) length += (row.fieldEnd[f] as number) - s;
    }
    if (this.scratch.buffer.length < length) this.scratch.buffer = Buffer.allocUnsafe(length * 2);
    const key = this.scratch.buffer;
    let at = 0;
    // The client's id identifies it; its name only when there is no id.
    const idStart = row.fieldStart[0] as number;
    const idEnd = row.fieldEnd[0] as number;
    const byName = idStart < 0 || idEnd === idStart;
    for (let f = byName ? 1 : 0; f < 7; f++) {
      if (f === 1 && !byName) continue;
      if (f > 1) key[at++] = 0;
      const s = row.fieldStart[f] as number;
      if (s >= 0) at = copy(b, s, row.fieldEnd[f] as number, key, at);
    }
    let group = this.find(key, at);
    group ??= this.insert(
      key,
      at,
      FIELD_INDEXES.map((f) =>
        decodeRaw(b, row.fieldStart[f] as number, row.fieldEnd[f] as number),
      ) as CountedGroup['fields'],
    );
    if (!group.fields[1]) {
      const s = row.fieldStart[1] as number;
      if (s >= 0 && (row.fieldEnd[1] as number) > s)
        group.fields[1] = decodeRaw(b, s, row.fieldEnd[1] as number);
    }
    const counts = group.counts;
    for (let k = 0; k < 6; k++) counts[k] = (counts[k] as number) + row.count(k);
  }

  /** Adds a record of the general path to its group. */
  addRecord(record: UsageRecord): void {
    const parts = [
      record.clientId || record.clientName,
      record.organizationId,
      record.userId,
      record.templateUri,
      record.httpMethod,
      record.platform,
    ].map(rawBytes);
    const key = Buffer.concat(parts.flatMap((p, i) => (i ? [Buffer.of(0), p] : [p])));
    const group =
      this.find(key, key.length) ??
      this.insert(key, key.length, [
        record.clientId,
        record.clientName,
        record.organizationId,
        record.userId,
        record.templateUri,
        record.httpMethod,
        record.platform,
      ]);
    if (!group.fields[1] && record.clientName) group.fields[1] = record.clientName;
    const counts = group.counts;
    counts[0] = (counts[0] as number) + record.requests;
    counts[1] = (counts[1] as number) + record.status200;
    counts[2] = (counts[2] as number) + record.status300;
    counts[3] = (counts[3] as number) + record.status400;
    counts[4] = (counts[4] as number) + record.status429;
    counts[5] = (counts[5] as number) + record.status500;
  }

  /** The group of this key, or undefined (then `insert` goes to the free slot found). */
  private find(key: Buffer, length: number): CountedGroup | undefined {
    // FNV-1a over the key's bytes.
    let hash = 0x811c9dc5;
    for (let k = 0; k < length; k++) hash = Math.imul(hash ^ (key[k] as number), 0x01000193);
    const mask = this.table.length - 1;
    let slot = hash & mask;
    for (;;) {
      const index = this.table[slot] as number;
      if (index === -1) break;
      const s = this.keyStart[index] as number;
      const e = this.keyEnd[index] as number;
      if (e - s === length && this.keys.compare(key, 0, length, s, e) === 0) {
        return this.groups[index] as CountedGroup;
      }
      slot = (slot + 1) & mask;
    }
    this.freeSlot = slot;
    return undefined;
  }

  private insert(key: Buffer, length: number, fields: CountedGroup['fields']): CountedGroup {
    const slot = this.freeSlot;
    const index = this.groups.length;
    if (this.keysUsed + length > this.keys.length) {
      const grown = Buffer.allocUnsafe(Math.max(this.keys.length * 2, this.keysUsed + length));
      this.keys.copy(grown, 0, 0, this.keysUsed);
      this.keys = grown;
    }
    key.copy(this.keys, this.keysUsed, 0, length);
    this.keyStart.push(this.keysUsed);
    this.keysUsed += length;
    this.keyEnd.push(this.keysUsed);
    const group: CountedGroup = { fields, counts: new Float64Array(6) };
    this.groups.push(group);
    this.table[slot] = index;
    if (this.groups.length * 2 > this.table.length) this.rehash();
    return group;
  }

  private rehash(): void {
    this.table = new Int32Array(this.table.length * 2).fill(-1);
    const mask = this.table.length - 1;
    for (let index = 0; index < this.groups.length; index++) {
      const s = this.keyStart[index] as number;
      const e = this.keyEnd[index] as number;
      let hash = 0x811c9dc5;
      for (let k = s; k < e; k++) hash = Math.imul(hash ^ (this.keys[k] as number), 0x01000193);
      let slot = hash & mask;
      while (this.table[slot] !== -1) slot = (slot + 1) & mask;
      this.table[slot] = index;
    }
  }
}
