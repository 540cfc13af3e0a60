/**
 * Every value from the data (client names, template URIs, user ids: anyone who can name an OAuth
 * client controls them) made neutral for where it is shown: Markdown/HTML (job summary, PR comment),
 * log lines and annotations, JSON (outputs, report.json) and CSV. Pure, no I/O.
 *
 * Written by hand: no maintained library covers GitHub's own post-processing (mentions, issue
 * references, autolinks) or the runner's workflow commands.
 */

/**
 * Characters that show as nothing or change how their neighbours show: controls (Cc), format
 * characters (Cf: bidi overrides and isolates, zero-width spaces and joiners, BOM, soft hyphen, tag
 * characters), line and paragraph separators, lone surrogates, and the fillers that render blank.
 */
const INVISIBLE = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Cs}\u034f\u115f\u1160\u3164\uffa0]/gu;
/** The same, but leaving the line breaks and tabs that JSON.stringify's layout puts between values. */
const INVISIBLE_IN_JSON = /(?![\n\r\t])[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Cs}\u034f\u115f\u1160\u3164\uffa0]/gu;

const NAMED: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

function hex4(unit: number): string {
  return `\\u${unit.toString(16).toUpperCase().padStart(4, '0')}`;
}

/** `\u202E`, `\n`, `\u{E0041}`: an invisible character written out so it is seen, not obeyed. */
function visible(char: string): string {
  const named = NAMED[char];
  if (named) return named;
  const point = char.codePointAt(0) as number;
  return point > 0xffff ? `\\u{${point.toString(16).toUpperCase()}}` : hex4(point);
}

/** Invisible and control characters shown as escapes; everything else as it is. */
export function showInvisible(value: string): string {
  return value.replace(INVISIBLE, visible);
}

/**
 * At most `max` UTF-16 units, ending in `…` when shortened, never splitting a surrogate pair.
 * The whole value stays in report.json and the NDJSON.
 */
export function shorten(value: string, max: number): string {
  if (value.length <= max) return value;
  let cut = Math.max(0, max - 1);
  const last = value.charCodeAt(cut - 1);
  if (cut > 0 && last >= 0xd800 && last <= 0xdbff) cut--;
  return `${value.slice(0, cut)}…`;
}

/** Longest value shown in a table cell or a one-line list item; report.json has the rest. */
export const MAX_SHOWN_CHARS = 100;

/**
 * An empty HTML comment: GitHub renders nothing for it, but it splits the text, so what follows an
 * `@` is no mention (no notification), what follows a `#` no issue reference, and `https://...` or
 * `www.` no link. Entities do not do this: GitHub finds mentions after decoding them (`&#64;octocat`
 * still notifies), and a backslash before `@` is not honoured either.
 */
const BREAK = '<!-- -->';

const ENTITIES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
  '|': '&#124;',
  '`': '&#96;',
  '*': '&#42;',
  _: '&#95;',
  '[': '&#91;',
  ']': '&#93;',
  '\\': '&#92;',
  '~': '&#126;',
  '!': '&#33;',
  $: '&#36;',
  '@': `@${BREAK}`,
  '#': `&#35;${BREAK}`,
};

/**
 * A value as inert Markdown text, safe in a paragraph, a table cell and inline HTML alike:
 * invisible characters shown as escapes, Markdown and HTML syntax as entities, mentions, issue
 * references and autolinks broken, and shortened to `max` characters.
 */
export function escapeMarkdown(value: string, max = Number.POSITIVE_INFINITY): string {
  return (
    showInvisible(shorten(value, max))
      .replace(/[&<>"'|`*_[\]\\~!$@#]/g, (c) => ENTITIES[c] as string)
      // The schemes GitHub links (GFM's extended autolinks); s3:// and the like stay as they are.
      .replace(/\b(https?|ftp):(?=\/\/)/gi, `$1:${BREAK}`)
      .replace(/\b(www)(?=\.)/gi, `$1${BREAK}`)
  );
}

/** Inline code that still escapes: entities are not decoded inside Markdown backticks, but are in <code>. */
export function code(value: string, max = Number.POSITIVE_INFINITY): string {
  return `<code>${escapeMarkdown(value, max)}</code>`;
}

/** A table cell or list item: escaped and shortened to MAX_SHOWN_CHARS. */
export function cellText(value: string): string {
  return escapeMarkdown(value, MAX_SHOWN_CHARS);
}

/**
 * One log line (`core.info` writes it raw): invisible characters and line breaks shown as escapes,
 * so a value cannot start a new line; a line that would start with `::` (a workflow command) or hold
 * `##[` (the runner's older command form, honoured anywhere in a line) has that written out instead.
 */
export function forLog(message: string): string {
  return breakCommands(showInvisible(message));
}

/**
 * An annotation's message (warning, error, setFailed): @actions/core encodes its line breaks, so
 * they stay; every other invisible character is shown as an escape.
 */
export function forAnnotation(message: string): string {
  return message
    .split('\n')
    .map((line) => breakCommands(showInvisible(line)))
    .join('\n');
}

function breakCommands(line: string): string {
  return line.replace(/^(\s*):(?=:)/, '$1\\u003A').replace(/##\[/g, '##\\u005B');
}

/**
 * JSON text whose invisible characters are written as `\uXXXX` escapes: it parses to exactly the
 * same values, but shows nothing misleading when printed (outputs, report.json). Invisible
 * characters only occur inside strings: JSON.stringify escapes controls, and the line breaks of its
 * layout are left alone.
 */
export function jsonSafe(json: string): string {
  return json.replace(INVISIBLE_IN_JSON, (char) => {
    let out = '';
    for (let i = 0; i < char.length; i++) out += hex4(char.charCodeAt(i));
    return out;
  });
}

/** JSON.stringify with invisible characters escaped (see jsonSafe). */
export function safeJson(value: unknown, indent?: number): string {
  return jsonSafe(JSON.stringify(value, null, indent));
}

/**
 * A list that safeJsonChunks writes item by item as it iterates it, each item made only when written
 * (a report's trend and files: tens of thousands of objects, never all held at once). Elsewhere,
 * JSON gives the array of its items.
 */
export class StreamedList<T> {
  constructor(readonly items: Iterable<T>) {}

  toJSON(): T[] {
    return [...this.items];
  }
}

/**
 * safeJson's text in chunks, for a file: a report of tens of thousands of files and days is never
 * one string of megabytes (nor two, with the escaping). The same text as safeJson of the value with
 * every StreamedList as its array. A string value never spans two chunks, so each is escaped on its own.
 */
export function* safeJsonChunks(value: unknown, indent?: number): Generator<string> {
  // JSON.stringify's indentation: at most 10 spaces, none below 1.
  const spaces = Math.min(10, Math.trunc(indent ?? 0));
  const space = spaces >= 1 ? ' '.repeat(spaces) : '';
  const top = viaToJson(value, '');
  if (omitted(top)) return;
  for (const chunk of jsonChunks(top, space, '')) yield jsonSafe(chunk);
}

/** What JSON.stringify writes in place of a value with a toJSON method: its result, for `key`. */
function viaToJson(value: unknown, key: string): unknown {
  const toJSON = (value as { toJSON?: unknown } | null | undefined)?.toJSON;
  return typeof toJSON === 'function' && !(value instanceof StreamedList)
    ? (toJSON as (key: string) => unknown).call(value, key)
    : value;
}

/** Values an object leaves out and an array writes as null. */
function omitted(value: unknown): boolean {
  return value === undefined || typeof value === 'function' || typeof value === 'symbol';
}

/**
 * `value`'s JSON (toJSON already applied), its first line at `pad` indentation: JSON.stringify's
 * algorithm, walked here down to what can hold a StreamedList or be long (plain objects, arrays), each
 * list item and every other value written by JSON.stringify itself. Written by hand: json-ext and the
 * like write arrays, not iterables made as they go. (Not matched: a toJSON whose result has a toJSON
 * of its own, which JSON.stringify does not call; no report value has one.)
 */
function* jsonChunks(value: unknown, space: string, pad: string): Generator<string> {
  const inner = pad + space;
  const newline = space ? `\n${inner}` : '';
  if (isList(value)) {
    let index = 0;
    for (const item of (value instanceof StreamedList ? value.items : value) as Iterable<unknown>) {
      yield (index ? ',' : '[') + newline;
      const resolved = viaToJson(item, String(index++));
      if (omitted(resolved)) yield 'null';
      else if (isList(resolved)) yield* jsonChunks(resolved, space, inner);
      else yield written(resolved, space, inner);
    }
    yield index ? (space ? `\n${pad}]` : ']') : '[]';
  } else if (isPlainObject(value)) {
    let count = 0;
    for (const [key, item] of Object.entries(value)) {
      const resolved = viaToJson(item, key);
      if (omitted(resolved)) continue;
      yield `${count++ ? ',' : '{'}${newline}${JSON.stringify(key)}:${space ? ' ' : ''}`;
      if (isList(resolved) || isPlainObject(resolved)) yield* jsonChunks(resolved, space, inner);
      else yield written(resolved, space, inner);
    }
    yield count ? (space ? `\n${pad}}` : '}') : '{}';
  } else yield written(value, space, pad);
}

/** A value written whole by JSON.stringify, its lines after the first indented by `pad`. */
function written(value: unknown, space: string, pad: string): string {
  const text = JSON.stringify(value, null, space) as string;
  // JSON has no raw line breaks but its layout's: indenting them indents the value.
  return pad ? text.replaceAll('\n', `\n${pad}`) : text;
}

function isList(value: unknown): value is StreamedList<unknown> | unknown[] {
  return value instanceof StreamedList || Array.isArray(value);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}

/** A number as spreadsheets read it: such a cell is left as it is. */
const CSV_NUMBER = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

/**
 * A CSV cell that a spreadsheet would run as a formula (it starts with `=`, `+`, `-`, `@`, a tab or
 * a carriage return, as OWASP lists) gets a leading `'`, which spreadsheets show as text. Numbers
 * (`-5`, `+1.5E3`) stay numbers. The quoting of the cell is left to the CSV writer.
 */
export function csvNeutral(value: string): string {
  if (!/^[=+\-@\t\r]/.test(value) || CSV_NUMBER.test(value)) return value;
  return `'${value}`;
}
