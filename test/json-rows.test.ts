import { readFileSync } from 'node:fs';
import { UsageRowSplitter } from '../src/json-rows.js';
import { replayResultsFile } from '../src/replay.js';
import { UserError } from '../src/errors.js';

const fixture = (name: string) => new URL(`./fixtures/${name}`, import.meta.url).pathname;

function split(chunks: string[]): { rows: unknown[]; meta: Record<string, unknown> } {
  const splitter = new UsageRowSplitter();
  const rows: unknown[] = [];
  const meta: Record<string, unknown> = {};
  for (const chunk of chunks) {
    const out = splitter.push(chunk);
    rows.push(...out.rows);
    for (const [k, v] of out.meta) meta[k] = v;
  }
  splitter.end();
  return { rows, meta };
}

describe('UsageRowSplitter', () => {
  it('finds the rows of a legacy document and its status after them', () => {
    const text = readFileSync(fixture('legacy-totals.json'), 'utf8');
    const { rows, meta } = split([text]);
    expect(rows).toEqual(JSON.parse(text).results);
    expect(meta).toEqual({ queryStatus: 'Complete' });
  });

  it('finds the rows of an aggregates page and the metadata before and after them', () => {
    const text = readFileSync(fixture('aggregates-page.json'), 'utf8');
    const { rows, meta } = split([text]);
    expect(rows).toEqual(JSON.parse(text).entities);
    expect(meta.queryStatus).toBe('Succeeded');
    expect(meta.nextUri).toBe('/api/v2/usage/aggregates/query/jobs/j1?after=abc');
  });

  it('finds the rows of an array of pages, including an empty page', () => {
    const text = readFileSync(fixture('aggregates-pages.json'), 'utf8');
    const pages = JSON.parse(text) as { entities: unknown[] }[];
    expect(split([text]).rows).toEqual(pages.flatMap((p) => p.entities));
  });

  it('reads NDJSON rows of any shape, skipping blank lines', () => {
    const text = readFileSync(fixture('rows.ndjson'), 'utf8');
    const lines = text.split('\n').filter((l) => l.trim());
    expect(split([text]).rows).toEqual(lines.map((l) => JSON.parse(l)));
  });

  it('keeps objects and arrays that follow the rows as metadata', () => {
    const text =
      '{"entities":[{"requestCount":1}],"errorBody":{"m":{"n":[1,"}"]}},"sortBy":["a"],"nextUri":null}';
    for (let cut = 1; cut < text.length; cut++) {
      const { rows, meta } = split([text.slice(0, cut), text.slice(cut)]);
      expect(rows).toEqual([{ requestCount: 1 }]);
      expect(meta).toEqual({ errorBody: { m: { n: [1, '}'] } }, sortBy: ['a'], nextUri: null });
    }
  });

  it('reads a plain array of rows', () => {
    expect(split(['[{"requests":1},{"requests":2}]']).rows).toEqual([{ requests: 1 }, { requests: 2 }]);
  });

  it('gives the same rows wherever the text is cut into chunks', () => {
    for (const name of [
      'legacy-totals.json',
      'aggregates-page.json',
      'aggregates-pages.json',
      'rows.ndjson',
    ]) {
      const text = readFileSync(fixture(name), 'utf8');
      const whole = split([text]);
      for (let cut = 1; cut < text.length; cut++) {
        expect(split([text.slice(0, cut), text.slice(cut)])).toEqual(whole);
      }
      // And one character at a time.
      expect(split([...text])).toEqual(whole);
    }
  });

  it('keeps strings with braces, brackets, quotes, escapes and keys named like containers', () => {
    const row = {
      clientName: 'a "}]{[" \\ \u2603 results',
      templateUri: 'api/v2/{id}',
      requests: 3,
      extra: { results: [1] },
    };
    const text = JSON.stringify({ meta: { entities: 'x' }, results: [row] });
    expect(split([text]).rows).toEqual([row]);
  });

  it.each([
    ['truncated', '{"results":[{"requests":1},{"req'],
    ['not JSON', 'clientId,requests\na,1'],
    ['a scalar at the top', '42'],
    ['rows that are not objects', '{"results":[1,2]}'],
    ['a stray closing bracket', '{"results":[]}]'],
    ['empty', '   \n'],
  ])('rejects %s with a UserError', (_name, text) => {
    expect(() => split([text])).toThrow(UserError);
  });
});

describe('replayResultsFile', () => {
  it('streams the rows of a file in batches', async () => {
    const batches: unknown[][] = [];
    const result = await replayResultsFile(fixture('aggregates-pages.json'), async (rows) => {
      batches.push(rows);
    });
    expect(result.rows).toBe(2);
    expect(batches.flat()).toHaveLength(2);
  });

  it.each([
    ['legacy-running.json', /queryStatus "Running"/],
    ['truncated.json', /truncated/],
    ['not-json.csv', /not a usage result/],
    ['missing.json', /not a readable file/],
  ])('%s fails with a clear message', async (name, message) => {
    await expect(replayResultsFile(fixture(name), async () => undefined)).rejects.toThrow(message);
  });
});
