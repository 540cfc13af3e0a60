/**
 * The partial-bucket rule, pure. Every object records in its metadata which part of its bucket it
 * covers. An upload replaces an existing object only when it covers at least the same time range,
 * so an upload never shrinks what S3 holds: a partial bucket never overwrites a complete one, nor a
 * wider partial one. A complete bucket always replaces (it is the whole bucket, freshly queried).
 */
import type { Coverage } from '../layout.js';

/** S3 user metadata keys (sent as x-amz-meta-*; S3 returns them lower-cased). */
const META_START = 'coverage-start';
const META_END = 'coverage-end';
const META_COMPLETE = 'coverage-complete';
const META_RECORDS = 'records';

export function coverageMetadata(coverage: Coverage, records: number): Record<string, string> {
  return {
    [META_START]: coverage.start.toISOString(),
    [META_END]: coverage.end.toISOString(),
    [META_COMPLETE]: String(coverage.complete),
    [META_RECORDS]: String(records),
  };
}

/** The coverage an existing object declares; undefined when it declares none (or nonsense). */
export function readCoverageMetadata(metadata: Record<string, string> | undefined): Coverage | undefined {
  if (!metadata) return undefined;
  const lower = Object.fromEntries(Object.entries(metadata).map(([k, v]) => [k.toLowerCase(), v]));
  const start = new Date(lower[META_START] ?? '');
  const end = new Date(lower[META_END] ?? '');
  const complete = lower[META_COMPLETE];
  if (Number.isNaN(start.getTime()) || Number.isNaN(end.getTime()) || start > end) return undefined;
  if (complete !== 'true' && complete !== 'false') return undefined;
  return { start, end, complete: complete === 'true' };
}

/** What S3 holds at the key: nothing, an object with declared coverage, or one without. */
export type Existing = { kind: 'absent' } | { kind: 'covered'; coverage: Coverage } | { kind: 'undeclared' };

export interface UploadDecision {
  upload: boolean;
  reason: string;
}

function contains(outer: Coverage, inner: Coverage): boolean {
  return outer.start.getTime() <= inner.start.getTime() && outer.end.getTime() >= inner.end.getTime();
}

function span(c: Coverage): string {
  return `${c.start.toISOString()} to ${c.end.toISOString()}`;
}

export function decideUpload(ours: Coverage, existing: Existing): UploadDecision {
  if (ours.complete) return { upload: true, reason: 'complete bucket' };
  if (existing.kind === 'absent') return { upload: true, reason: 'partial bucket, no object yet' };
  // Written by an older version or by hand: assume it is complete, the safe side.
  if (existing.kind === 'undeclared') {
    return { upload: false, reason: 'partial bucket; the existing object declares no coverage' };
  }
  if (contains(ours, existing.coverage)) {
    return {
      upload: true,
      reason: `partial bucket covering at least the existing ${span(existing.coverage)}`,
    };
  }
  return {
    upload: false,
    reason: existing.coverage.complete
      ? 'partial bucket; the existing object is the complete bucket'
      : `partial bucket; the existing object covers ${span(existing.coverage)}, which this one does not contain`,
  };
}
