/** The escaping module against one table of hostile values, for every place a value is shown. */
import {
  cellText,
  code,
  csvNeutral,
  escapeMarkdown,
  forAnnotation,
  forLog,
  jsonSafe,
  MAX_SHOWN_CHARS,
  safeJson,
  safeJsonChunks,
  shorten,
  StreamedList,
  showInvisible,
} from '../src/escape.js';
import { csvLine } from '../src/aws/csv.js';

const BREAK = '<!-- -->';

/** What Markdown leaves as live syntax once the empty comments (inert by design) are taken out. */
const LIVE_MARKUP = /[<>|`*[\]\\~!$_"'\n\r]/;
/** A GitHub mention, issue reference or autolink as GitHub finds them in the rendered text. */
const MENTION = /(^|[^\w])@[a-z0-9][a-z0-9-]*/i;
const ISSUE_REF = /#\d/;
const AUTOLINK = /(https?:\/\/|www\.)/i;

/** The text GitHub's mention and link finders see: entities decoded. */
function decode(html: string): string {
  const named: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"' };
  return html.replace(/&(#\d+|\w+);/g, (_m, e: string) =>
    e.startsWith('#') ? String.fromCodePoint(Number(e.slice(1))) : (named[e] ?? ''),
  );
}

/** name, raw value, and the exact Markdown it must become. */
const HOSTILE: [string, string, string][] = [
  [
    'mentions of a user and a team',
    '@octocat please look @acme/security-team',
    `@${BREAK}octocat please look @${BREAK}acme/security-team`,
  ],
  ['an email address', 'ops@acme.example', `ops@${BREAK}acme.example`],
  ['an issue reference', 'fixes #12 and acme/app#7', `fixes &#35;${BREAK}12 and acme/app&#35;${BREAK}7`],
  ['a bare URL', 'see https://evil.example/x', `see https:${BREAK}//evil.example/x`],
  ['a www link', 'www.evil.example', `www${BREAK}.evil.example`],
  ['an FTP URL', 'FTP://evil.example', `FTP:${BREAK}//evil.example`],
  ['an S3 URI (GitHub does not link it)', 's3://bucket/key', 's3://bucket/key'],
  ['a Markdown link', '[click](javascript:alert(1))', '&#91;click&#93;(javascript:alert(1))'],
  ['an image tag', '<img src=x onerror=alert(1)>', '&lt;img src=x onerror=alert(1)&gt;'],
  ['a table pipe and code', 'a | `b`', 'a &#124; &#96;b&#96;'],
  ['a heading', '# Title', `&#35;${BREAK} Title`],
  ['a bidi override', 'abc\u202Etxt.exe', 'abc&#92;u202Etxt.exe'],
  ['bidi isolates and marks', '\u2066x\u2069\u200F', '&#92;u2066x&#92;u2069&#92;u200F'],
  ['a line separator', 'one\u2028two', 'one&#92;u2028two'],
  ['a newline, a tab and a carriage return', 'a\nb\tc\rd', 'a&#92;nb&#92;tc&#92;rd'],
  ['a zero-width space and a BOM', 'o\u200Bk\uFEFF', 'o&#92;u200Bk&#92;uFEFF'],
  ['a tag character', 'x\u{E0041}', 'x&#92;u{E0041}'],
  ['a Hangul filler', 'x\u3164y', 'x&#92;u3164y'],
  ['C0 and C1 controls', '\u0000\u001b[31m\u0085', '&#92;u0000&#92;u001B&#91;31m&#92;u0085'],
  ['a lone surrogate', 'a\uD800b', 'a&#92;uD800b'],
  ['a workflow command', '::add-mask::x', '::add-mask::x'],
  ['math', '$x$ and ~~s~~', '&#36;x&#36; and &#126;&#126;s&#126;&#126;'],
  ['plain multi-byte text', 'Ünïcødé 日本語 😀', 'Ünïcødé 日本語 😀'],
];

describe('escapeMarkdown on hostile values', () => {
  it.each(HOSTILE)('%s', (_name, raw, expected) => {
    const md = escapeMarkdown(raw);
    expect(md).toBe(expected);
    const text = md.replaceAll(BREAK, '\u0001');
    expect(text.replaceAll('\u0001', '')).not.toMatch(LIVE_MARKUP);
    // Split by the comment, no piece holds a mention, an issue reference or a link.
    for (const piece of text.split('\u0001').map(decode)) {
      expect(piece).not.toMatch(MENTION);
      expect(piece).not.toMatch(ISSUE_REF);
      expect(piece).not.toMatch(AUTOLINK);
    }
    // Nothing invisible is left.
    expect(md).not.toMatch(/[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Cs}]/u);
  });

  it('wraps code in <code> with the same escaping', () => {
    expect(code('@octocat')).toBe(`<code>@${BREAK}octocat</code>`);
  });
});

describe('shorten and cellText', () => {
  it('shortens long values with an ellipsis, never splitting a surrogate pair', () => {
    expect(shorten('abcdef', 4)).toBe('abc…');
    expect(shorten('abc', 4)).toBe('abc');
    expect(shorten('ab😀cd', 4)).toBe('ab…');
    const name = '名'.repeat(200_000);
    const cell = cellText(name);
    expect(cell).toBe(`${'名'.repeat(MAX_SHOWN_CHARS - 1)}…`);
  });
});

describe('log lines and annotations', () => {
  it.each([
    ['a command after a line break', 'name\n::error::pwned', 'name\\n::error::pwned'],
    ['a command at the start', '::stop-commands::abc', '\\u003A:stop-commands::abc'],
    ['a command after spaces', '  ::add-mask::x', '  \\u003A:add-mask::x'],
    ['the older command form anywhere', 'x ##[error]y', 'x ##\\u005Berror]y'],
    ['a bidi override', 'a\u202Eb', 'a\\u202Eb'],
  ])('forLog: %s', (_name, raw, expected) => {
    expect(forLog(raw)).toBe(expected);
    expect(forLog(raw)).not.toMatch(/\n/);
    expect(forLog(raw)).not.toMatch(/^\s*::/);
  });

  it('forAnnotation keeps line breaks (core encodes them) and guards every line', () => {
    expect(forAnnotation('one\n::warning::two\u202E')).toBe('one\n\\u003A:warning::two\\u202E');
  });
});

describe('JSON', () => {
  it('escapes invisible characters inside strings and parses back to the same value', () => {
    const value = { name: 'a\u202Eb\u2028c\u0085d\u{E0041}', n: 1, nested: ['\u200B'] };
    const json = safeJson(value, 2);
    expect(json).not.toMatch(/[\u202E\u2028\u0085\u200B]|\u{E0041}/u);
    expect(json).toContain('a\\u202Eb\\u2028c\\u0085d\\uDB40\\uDC41');
    expect(JSON.parse(json)).toEqual(value);
    expect(jsonSafe('{\n  "a": 1\n}')).toBe('{\n  "a": 1\n}');
  });

  it("safeJsonChunks gives safeJson's text in chunks of about 64 KiB, for any value", () => {
    // Long enough for many chunks; hostile strings across the whole of it, undefined and dates as
    // JSON.stringify treats them, empty containers.
    const value = {
      files: Array.from({ length: 5_000 }, (_, i) => ({
        path: `granularity=day/dt=${i}\u202E/x\u{E0041}.json.gz`,
        records: i,
        gone: undefined,
      })),
      trend: [[], {}, null, new Date(0), '\u2028', [undefined]],
      empty: '',
    };
    const chunks = [...safeJsonChunks(value, 2)];
    expect(chunks.join('')).toBe(safeJson(value, 2));
    expect(chunks.length).toBeGreaterThan(5);
    // 64 KiB of JSON, a little more once escaped.
    expect(Math.max(...chunks.map((c) => c.length))).toBeLessThan(2 * 65_536);
    expect([...safeJsonChunks({ a: 1 })].join('')).toBe('{"a":1}');
  });

  it('writes a StreamedList item by item, as safeJson writes its array', () => {
    const hostile = (i: number) => ({ path: `dt=${i}\u202E/@x\u{E0041}`, n: i, gone: undefined, f: () => 1 });
    let made = 0;
    // Iterable again and again, each item made as it is reached.
    const lazy = () =>
      new StreamedList({
        *[Symbol.iterator]() {
          for (let i = 0; i < 3_000; i++) {
            made++;
            yield hostile(i);
          }
        },
      });
    const plain = Array.from({ length: 3_000 }, (_, i) => hostile(i));
    const shapes: [unknown, unknown][] = [
      [
        { a: 1, files: lazy(), b: { c: [1, { d: 'x' }], e: {} }, z: undefined },
        { a: 1, files: plain, b: { c: [1, { d: 'x' }], e: {} } },
      ],
      [
        {
          empty: new StreamedList([]),
          nested: { list: new StreamedList([undefined, null, [], {}, new Date(0)]) },
        },
        { empty: [], nested: { list: [null, null, [], {}, new Date(0)] } },
      ],
      [new StreamedList([{ a: [1, 2] }, '\u2028']), [{ a: [1, 2] }, '\u2028']],
      [{}, {}],
      [Object.assign(Object.create(null) as object, { x: 1 }), { x: 1 }],
    ];
    for (const indent of [2, undefined, 4]) {
      for (const [streamed, materialised] of shapes) {
        const text = [...safeJsonChunks(streamed, indent)].join('');
        expect(text).toBe(safeJson(materialised, indent));
      }
    }
    // toJSON as JSON.stringify calls it: with the key (a list item's index), once, and a result it
    // omits leaves the key out (null in a list); indentation clamped as JSON.stringify clamps it.
    const keyed = { toJSON: (key: string) => `k=${key}` };
    const gone = { toJSON: () => undefined };
    const tricky = { a: keyed, b: gone, c: { d: keyed, e: gone }, f: [keyed, gone], g: new Date(5) };
    const trickyList = new StreamedList([keyed, gone, tricky]);
    for (const indent of [2, 12, -3, Number.NaN, 2.7]) {
      expect([...safeJsonChunks(tricky, indent)].join('')).toBe(safeJson(tricky, indent));
      expect([...safeJsonChunks({ list: trickyList }, indent)].join('')).toBe(
        safeJson({ list: [keyed, gone, tricky] }, indent),
      );
    }
    // Random values of every kind JSON.stringify treats specially, lists of them streamed.
    let state = 20261201;
    const random = () => ((state = (state * 1103515245 + 12345) % 2 ** 31) / 2 ** 31) as number;
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)] as T;
    const leaf = () =>
      pick<() => unknown>([
        () => Math.floor(random() * 1e6) - 5e5,
        () => random(),
        () => pick([Number.NaN, Infinity, -0, null, true, false, undefined]),
        () => pick(['', 'x', '\u202E@x', '\u2028', '"\\\n', '\ud800', '😀']),
        () => new Date(Math.floor(random() * 1e12)),
        () => keyed,
        () => gone,
        () => () => 1,
        () => Symbol('s'),
      ])();
    const value = (depth: number): [streamed: unknown, materialised: unknown] => {
      if (depth > 3 || random() < 0.35) {
        const v = leaf();
        return [v, v];
      }
      const n = Math.floor(random() * 5);
      const parts = Array.from({ length: n }, () => value(depth + 1));
      const kind = random();
      if (kind < 0.3) return [parts.map((p) => p[0]), parts.map((p) => p[1])];
      if (kind < 0.55) return [new StreamedList(parts.map((p) => p[0])), parts.map((p) => p[1])];
      const keys = parts.map((_, i) => pick(['a', 'b', '1', '0', `k${i}`, '__proto__x', '']));
      const build = (k: 0 | 1) => {
        const o: Record<string, unknown> =
          random() < 0.2 ? (Object.create(null) as Record<string, unknown>) : {};
        parts.forEach((p, i) => (o[keys[i] as string] = p[k]));
        return o;
      };
      return [build(0), build(1)];
    };
    for (let n = 0; n < 500; n++) {
      const [streamed, materialised] = value(0);
      const indent = pick([undefined, 0, 2, 4]);
      expect({ n, text: [...safeJsonChunks({ v: streamed }, indent)].join('') }).toEqual({
        n,
        text: safeJson({ v: materialised }, indent),
      });
    }
    // Made as it is written: when the first items are out, the rest are not made yet.
    made = 0;
    const chunks = safeJsonChunks({ files: lazy() }, 2);
    for (let i = 0; i < 10; i++) chunks.next();
    expect(made).toBeLessThan(10);
    // Elsewhere, the array.
    expect(JSON.stringify(new StreamedList(new Set([1, 2])))).toBe('[1,2]');
  });
});

describe('CSV (OWASP formula injection)', () => {
  it.each([
    ['=HYPERLINK("http://evil","x")', `'=HYPERLINK("http://evil","x")`],
    ['@SUM(A1:A2)', `'@SUM(A1:A2)`],
    ['+1+1', `'+1+1`],
    ['-2+3', `'-2+3`],
    ['\tTAB', `'\tTAB`],
    ['\rCR', `'\rCR`],
    ['-5', '-5'],
    ['+1.5E3', '+1.5E3'],
    ['42', '42'],
    ['0.25', '0.25'],
    ['plain', 'plain'],
    ['', ''],
  ])('%j', (raw, expected) => {
    expect(csvNeutral(raw)).toBe(expected);
  });

  it('quotes the neutralised cell as RFC 4180 requires', () => {
    expect(csvLine(['=1+2', '-7', '@x,y', 'a"b', undefined])).toBe(`'=1+2,-7,"'@x,y","a""b",\n`);
  });
});

describe('showInvisible', () => {
  it('leaves visible text alone', () => {
    expect(showInvisible('Billing sync (EU) – v2')).toBe('Billing sync (EU) – v2');
  });
});
