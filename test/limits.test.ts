/** Fitting texts and JSON arrays under GitHub's limits, in the unit each limit counts. */
import { fitJsonArray, fitText, sizeOf } from '../src/limits.js';
import { gateMessages } from '../src/gate.js';
import type { Breach } from '../src/report.js';

describe('fitText', () => {
  it('returns a text that fits unchanged', () => {
    expect(fitText('short\n', 100, 'bytes', 'note')).toBe('short\n');
  });

  it('cuts multi-byte text by bytes, at a line end, with the note', () => {
    const line = `| ${'名'.repeat(50)} |`;
    const text = Array.from({ length: 5_000 }, () => line).join('\n');
    expect(text.length).toBeLessThan(300_000);
    expect(sizeOf(text, 'bytes')).toBeGreaterThan(700_000);
    const fitted = fitText(text, 100_000, 'bytes', '> ✂️ Truncated.');
    expect(sizeOf(fitted, 'bytes')).toBeLessThanOrEqual(100_000);
    expect(fitted.endsWith('\n\n> ✂️ Truncated.\n')).toBe(true);
    // Only whole rows are kept.
    for (const row of fitted.split('\n\n')[0]!.split('\n')) expect(row).toBe(line);
  });

  it('counts characters (UTF-16 units) for comments and never splits a surrogate pair', () => {
    const text = '😀'.repeat(40_000);
    const fitted = fitText(text, 65_536, 'chars', 'note');
    expect(fitted.length).toBeLessThanOrEqual(65_536);
    expect(fitted).not.toMatch(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])/);
  });

  it('closes a code block and <details> the cut leaves open', () => {
    const text = `<details><summary>x</summary>\n\n\`\`\`mermaid\n${'a\n'.repeat(1000)}\`\`\`\n\n</details>\n`;
    const fitted = fitText(text, 500, 'chars', 'note');
    expect(fitted.length).toBeLessThanOrEqual(500);
    expect((fitted.match(/```/g) ?? []).length % 2).toBe(0);
    expect(fitted).toContain('</details>');
  });
});

describe('fitJsonArray', () => {
  const items = Array.from({ length: 200_000 }, (_, i) => ({
    threshold: 'x',
    value: i,
    name: 'é'.repeat(100),
  }));

  it('keeps the first items that fit in the byte limit and says how many there are', () => {
    const json = fitJsonArray(items, 1_000_000, (shown, total) => ({ truncated: true, shown, total }));
    expect(Buffer.byteLength(json)).toBeLessThanOrEqual(1_000_000);
    const parsed = JSON.parse(json) as Record<string, unknown>[];
    const note = parsed[parsed.length - 1]!;
    expect(note).toEqual({ truncated: true, shown: parsed.length - 1, total: 200_000 });
    expect(parsed.slice(0, -1)).toEqual(items.slice(0, parsed.length - 1));
  });

  it('returns every item, without a note, when all fit', () => {
    expect(fitJsonArray([1, 2, 3], 7, () => 'more')).toBe('[1,2,3]');
    expect(fitJsonArray([], 10, () => 'more')).toBe('[]');
  });
});

describe('gateMessages', () => {
  const breaches: Breach[] = Array.from({ length: 20_000 }, (_, i) => ({
    threshold: 'max-429-per-group',
    limit: 1,
    value: 20_000 - i,
    group: { clientId: `c${i}`, clientName: `${'x'.repeat(200_000)}` },
  }));

  it('gives a handful of annotations and one line with the total, in a few KB', () => {
    const { annotations, failure } = gateMessages(breaches, 5);
    expect(annotations).toHaveLength(6);
    expect(annotations[5]).toBe(
      '… and 19995 more breaches (20000 in all): every one is in report.json, the worst in the breaches output.',
    );
    expect(annotations[0]).toMatch(/^max-429-per-group breached for x{99}… \(c0\): 429s 20000 > limit 1$/);
    expect(failure.length).toBeLessThan(4_000);
  });

  it('lists every breach when there are only a few', () => {
    expect(gateMessages(breaches.slice(0, 2), 5).annotations).toHaveLength(2);
  });
});
