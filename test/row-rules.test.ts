/** The row rules (checkUsageRow): every value checked, problems named by row, field and value. */
import { checkUsageRow, describeProblem, normaliseRow, type RecordContext } from '../src/records.js';

const CTX: RecordContext = {
  api: 'aggregates',
  detectApi: true,
  interval: '',
  defaultDate: '2026-11-18',
  queryId: '',
  collectedAt: '2026-11-21T06:00:00.000Z',
};

describe('checkUsageRow', () => {
  it.each([
    ['requests', -4990],
    ['status429', -1],
    ['requests', 1.5],
    ['requests', 2 ** 53],
    ['requests', '9007199254740992'],
    ['requests', '1e3'],
    ['requests', '-3'],
    ['requests', ' 12'],
    ['requests', ''],
    ['requests', true],
    ['status200', {}],
    ['date', '2026-02-30'],
    ['date', '2026-13-01'],
    ['date', '2026-11-18T10:00:00Z'],
    ['date', '18/11/2026'],
    ['date', 20261118],
    ['clientId', 42],
    ['templateUri', ['a']],
    ['api', 'other'],
  ])('refuses %s = %j, naming the field and the value', (field, value) => {
    const result = checkUsageRow({ status429: 1, [field]: value });
    expect(result.problem).toBe(true);
    if (!result.problem) return;
    expect(result.field).toBe(field);
    const line = describeProblem(result, 'row 3 (line 3)');
    expect(line).toContain("row 3 (line 3) has an invalid '" + field + "'");
    expect(line).not.toContain('\n');
  });

  it.each([
    [0, 0],
    [9007199254740991, 9007199254740991],
    ['9007199254740991', 9007199254740991],
    ['0012', 12],
    [null, 0],
  ])('takes the count %j as %j', (value, expected) => {
    const result = checkUsageRow({ requests: value, date: '2024-02-29' });
    expect(result.problem).toBe(false);
    if (!result.problem) expect(result.counts.requests).toBe(expected);
  });

  it('takes both APIs date formats, real dates only', () => {
    expect(normaliseRow({ requests: 1, date: '2024-02-29T00:00:00Z' }, CTX).date).toBe('2024-02-29');
    expect(normaliseRow({ requestCount: 1, date: '2024-02-29' }, CTX).date).toBe('2024-02-29');
    expect(() => normaliseRow({ requests: 1, date: '2023-02-29' }, CTX, 'row 9')).toThrow(
      "The usage result's row 9 has an invalid 'date' \"2023-02-29\"",
    );
  });

  it('knows whether a row has a requests count', () => {
    const without = checkUsageRow({ status429: 3 });
    const withIt = checkUsageRow({ requestCount: 0, status429: 0 });
    expect(!without.problem && without.hasRequests).toBe(false);
    expect(!withIt.problem && withIt.hasRequests).toBe(true);
  });

  it('shows a value escaped and cut, never the rest of the row', () => {
    const secret = 'sk_live_' + 'x'.repeat(100);
    const result = checkUsageRow({ requests: 'bad\n::error::x' + 'y'.repeat(100), token: secret });
    expect(result.problem).toBe(true);
    if (!result.problem) return;
    const line = describeProblem(result, 'row 1');
    expect(line).toContain('"bad\\n::error::x');
    expect(line).not.toContain(secret.slice(0, 12));
    expect(line.length).toBeLessThan(250);
  });

  it('describes an object that is not a usage row by its keys, not its values', () => {
    const result = checkUsageRow({ aws_access_key_id: 'AKIAEXAMPLE', aws_secret_access_key: 'abc/def' });
    expect(result.problem).toBe(true);
    if (!result.problem) return;
    const line = describeProblem(result, 'row 1 (line 1)');
    expect(line).toContain('"aws_access_key_id", "aws_secret_access_key"');
    expect(line).not.toContain('AKIAEXAMPLE');
    expect(line).not.toContain('abc/def');
  });

  it('keeps rows whatever extra fields they carry', () => {
    const result = checkUsageRow({
      requests: 2,
      results: [1],
      entities: {},
      queryStatus: 'Complete',
      x: null,
    });
    expect(result.problem).toBe(false);
  });
});
