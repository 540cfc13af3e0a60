/** The 429 gate: pure. A value at the limit is not a breach. */
import type { Thresholds } from './types.js';
import { type Breach, groupLabel, type GroupRow, type Report } from './report.js';

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
  const unit = breach.threshold === 'max-429-rate' ? '%' : '';
  const where = breach.group ? ` for ${groupLabel(breach.group)}` : '';
  const what = breach.threshold === 'max-429-rate' ? '429 rate' : breach.group ? '429s' : 'total 429s';
  return `${breach.threshold} breached${where}: ${what} ${breach.value}${unit} > limit ${breach.limit}${unit}`;
}

function roundTo(value: number, decimals: number): number {
  const factor = 10 ** decimals;
  return Math.round(value * factor) / factor;
}
