/** The summary within GitHub's limits in their own units, whatever the sections and the names hold. */
import { ReportBuilder, type ReportMeta } from '../src/report.js';
import { normaliseRow, type RecordContext } from '../src/records.js';
import { PR_COMMENT_LIMIT_CHARS, renderSummary } from '../src/summary.js';
import { evaluateGate } from '../src/gate.js';
import { JOB_SUMMARY_LIMIT_BYTES } from '../src/limits.js';

const CTX: RecordContext = {
  api: 'aggregates',
  interval: 'i',
  defaultDate: '2026-11-01',
  queryId: 'job-1',
  collectedAt: 'now',
};
const META: ReportMeta = {
  api: 'aggregates',
  interval: '2026-11-01T00:00:00Z/2026-11-02T00:00:00Z',
  granularity: 'Day',
  queryId: 'job-1',
  generatedAt: 'now',
};

/** `count` groups with multi-byte names, all breaching a per-group limit of 0. */
function multiByteReport(count: number, nameChars: number, top: number) {
  const builder = new ReportBuilder();
  for (let i = 0; i < count; i++) {
    const name = `${i} ${'日本語の名前'.repeat(nameChars / 6)}`;
    builder.add(
      normaliseRow(
        { date: '2026-11-01', oauthClient: { id: `c${i}`, name }, requestCount: 10, status429: 1 },
        CTX,
      ),
    );
  }
  const report = builder.build(META, top);
  report.breaches = evaluateGate(report, builder.groupRows(), { max429PerGroup: 0 });
  return report;
}

const unclosedComment = (text: string) => text.lastIndexOf('<!--') > text.lastIndexOf('-->');

describe('renderSummary within the limits', () => {
  it('trims by bytes for the job summary when every cell is multi-byte', () => {
    // 3 bytes a character: counted in characters this would look three times smaller than it is.
    const report = multiByteReport(3_000, 90, 3_000);
    const full = renderSummary(report, {}, 100_000_000);
    expect(Buffer.byteLength(full)).toBeGreaterThan(1.5 * JOB_SUMMARY_LIMIT_BYTES);
    expect(full.length).toBeLessThan(JOB_SUMMARY_LIMIT_BYTES);
    const summary = renderSummary(report);
    expect(Buffer.byteLength(summary)).toBeLessThanOrEqual(JOB_SUMMARY_LIMIT_BYTES);
    expect(summary).toContain('✂️ Trimmed to fit');
    expect(summary).toContain('3,000 groups');
    const comment = renderSummary(report, {}, PR_COMMENT_LIMIT_CHARS, 'chars');
    expect(comment.length).toBeLessThanOrEqual(PR_COMMENT_LIMIT_CHARS);
    expect(comment).toContain('✂️ Trimmed to fit');
  });

  it('drops or cuts sections of any size from later stages, with a note', () => {
    const report = multiByteReport(3, 10, 10);
    const huge = `### Another section\n\n${'| 名前 | 値 |\n'.repeat(200_000)}`;
    const summary = renderSummary(report, { sections: [huge] });
    expect(Buffer.byteLength(summary)).toBeLessThanOrEqual(JOB_SUMMARY_LIMIT_BYTES);
    expect(summary).toMatch(/✂️ (Trimmed|Truncated) to fit/);
    const tiny = renderSummary(report, { sections: [huge] }, 600, 'bytes');
    expect(Buffer.byteLength(tiny)).toBeLessThanOrEqual(600);
    expect(tiny).toContain('✂️ Truncated to fit');
    expect(unclosedComment(tiny)).toBe(false);
  });

  it('shows names of 200,000 characters shortened, in a summary of a few KB', () => {
    const report = multiByteReport(2, 200_000, 10);
    const summary = renderSummary(report);
    expect(summary.length).toBeLessThan(20_000);
    expect(summary).toContain('…');
    expect(summary).not.toContain('日本語の名前'.repeat(20));
  });
});
