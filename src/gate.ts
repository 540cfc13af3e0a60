/** The 429 gate: pure. A value at the limit is not a breach. */
import type { Thresholds } from './types.js';
import { type Breach, groupLabel, type GroupRow, type Report } from './report.js';
import { shorten, showInvisible } from './escape.js';

export function evaluateGate(
  report: Pick<Report, 'totals' | 'rate429Unknown'>,
  groups: GroupRow[],
  thresholds: Thresholds,
): Breach[] {
  const breaches: Breach[] = [];
  const { totals } = report;
  if (thresholds.max429 !== undefined && totals.status429 > thresholds.max429) {
    breaches.push({ threshold: 'max-429', limit: thresholds.max429, value: totals.status429 });
  }
  // The unrounded rate: 0.50004 % breaches a limit of 0.5 % although the report shows 0.5 % at 4 decimals.
  const exactRate = totals.requests > 0 ? (totals.status429 / totals.requests) * 100 : 0;
  // An unknown rate (no requests count) is not 0 %: applyGate says it cannot be evaluated.
  if (thresholds.max429Rate !== undefined && !report.rate429Unknown && exactRate > thresholds.max429Rate) {
    breaches.push({
      threshold: 'max-429-rate',
      limit: thresholds.max429Rate,
      // Shown at 4 decimals like the report, with more only where 4 would hide the breach.
      value: roundTo(exactRate, 4) > thresholds.max429Rate ? roundTo(exactRate, 4) : roundTo(exactRate, 8),
    });
  }
  if (thresholds.max429PerGroup !== undefined) {
    const limit = thresholds.max429PerGroup;
    const over = groups
      .filter((g) => g.status429 > limit)
      .sort((a, b) => b.status429 - a.status429 || groupLabel(a.group).localeCompare(groupLabel(b.group)));
    for (const g of over)
      breaches.push({ threshold: 'max-429-per-group', limit, value: g.status429, group: g.group });
  }
  return breaches;
}

/** One line per breach: the threshold, its limit, the value seen and the group where one applies. */
export function describeBreach(breach: Breach): string {
  return describeBreachShort(breach, Number.POSITIVE_INFINITY);
}

/**
 * describeBreach with each of the group's values shortened to `maxValueChars` (report.json keeps
 * them whole) and its invisible characters and line breaks shown as escapes, so one breach is one line.
 */
export function describeBreachShort(breach: Breach, maxValueChars: number): string {
  if (breach.threshold === 'max-rate-limit-events') {
    return `max-rate-limit-events breached: near-limit events ${breach.value} > limit ${breach.limit}`;
  }
  if (breach.threshold === 'max-requests-growth') {
    return `max-requests-growth breached: total requests grew ${breach.value}% against the previous window > limit ${breach.limit}%`;
  }
  const unit = breach.threshold === 'max-429-rate' ? '%' : '';
  const group =
    breach.group &&
    Object.fromEntries(
      Object.entries(breach.group).map(([field, value]) => [
        field,
        showInvisible(shorten(value ?? '', maxValueChars)),
      ]),
    );
  const where = group ? ` for ${groupLabel(group)}` : '';
  const what = breach.threshold === 'max-429-rate' ? '429 rate' : breach.group ? '429s' : 'total 429s';
  return `${breach.threshold} breached${where}: ${what} ${breach.value}${unit} > limit ${breach.limit}${unit}`;
}

function roundTo(value: number, decimals: number): number {
  const factor = 10 ** decimals;
  return Math.round(value * factor) / factor;
}

export interface GateMessages {
  /** One annotation each: the first few breaches, then one line with the total when there are more. */
  annotations: string[];
  /** The failure message: the same lines as one text of a few KB. */
  failure: string;
}

/**
 * What the gate prints for its breaches, within GitHub's limits whatever their number: a handful of
 * annotations (GitHub shows 10 per step) and a short failure message. Every breach stays in
 * report.json and, as far as 1 MB allows, in the `breaches` output.
 */
export function gateMessages(breaches: Breach[], maxAnnotations: number, maxValueChars = 100): GateMessages {
  const shown = breaches.slice(0, maxAnnotations).map((b) => describeBreachShort(b, maxValueChars));
  const more = breaches.length - shown.length;
  const total = more
    ? [
        `… and ${more} more breach${more === 1 ? '' : 'es'} (${breaches.length} in all): every one is in report.json, the worst in the breaches output.`,
      ]
    : [];
  const annotations = [...shown, ...total];
  return { annotations, failure: annotations.join('\n') };
}
