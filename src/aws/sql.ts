/**
 * The Athena SQL, pure: the built-in report query and the placeholder templating for user queries.
 * The built-in SQL runs unchanged on Athena (Trino) and DuckDB: identifiers double-quoted and
 * lower-cased as the crawler makes them, DOUBLE before dividing, lower snake_case aliases.
 */
import type { Api } from '../types.js';
import { UserError } from '../errors.js';
import { formatDate, formatInstant, type Interval } from '../interval.js';
import type { PartitionGranularity } from '../layout.js';

export const PLACEHOLDERS = ['database', 'table', 'start', 'end', 'start_date', 'end_date', 'top'] as const;
export type Placeholder = (typeof PLACEHOLDERS)[number];
export type QueryValues = Record<Placeholder, string>;

/** `{{name}}`, spaces inside the braces allowed. */
const PLACEHOLDER_PATTERN = /\{\{\s*([^}]*?)\s*\}\}/g;

/** The placeholder names in `template` that are not ours. */
export function unknownPlaceholders(template: string): string[] {
  return [...template.matchAll(PLACEHOLDER_PATTERN)]
    .map((m) => m[1] as string)
    .filter((name) => !(PLACEHOLDERS as readonly string[]).includes(name));
}

/** Database and table are substituted inside "..." identifiers: refuse what could end the quoting. */
export function checkIdentifiers(database: string, table: string): void {
  for (const [input, value] of [
    ['athena-database', database],
    ['athena-table', table],
  ] as const) {
    if (!/^[A-Za-z0-9_-]+$/.test(value)) {
      throw new UserError(
        `Input '${input}' has an invalid value '${value}': expected letters, digits, _ and - only.`,
      );
    }
  }
}

/** The values for an interval: ISO instants as the records carry them, and YYYY-MM-DD dates. */
export function queryValues(database: string, table: string, interval: Interval, top: number): QueryValues {
  checkIdentifiers(database, table);
  return {
    database,
    table,
    start: formatInstant(interval.start),
    end: formatInstant(interval.end),
    start_date: formatDate(interval.start),
    end_date: formatDate(interval.end),
    top: String(top),
  };
}

/** Replaces every `{{name}}` (spaces inside the braces allowed); an unknown name is an error. */
export function renderQuery(template: string, values: QueryValues): string {
  return template.replace(PLACEHOLDER_PATTERN, (_match, name: string) => {
    if (!(PLACEHOLDERS as readonly string[]).includes(name)) {
      throw new UserError(
        `Input 'athena-query' has an unknown placeholder '{{${name}}}': use ${PLACEHOLDERS.map((p) => `{{${p}}}`).join(', ')}.`,
      );
    }
    return values[name as Placeholder];
  });
}

export interface BuiltInQueryShape {
  /** The partition the run wrote to. */
  granularity: PartitionGranularity;
  /** The API the rows came from: both APIs' rows may share a table, and count differently. */
  api: Api;
  /**
   * With the query's interval known, select exactly the rows of queries over that interval
   * (records carry it); on a replay without one, every row of the run's partitions.
   */
  byInterval: boolean;
  /**
   * The first and the last bucket date (`dt`) the run wrote. `granularity` and `dt` are the table's
   * partition columns: filtering on them is what keeps Athena from reading every day ever written
   * (with partition projection, from even enumerating them), so the scan stays the size of one run.
   */
  dt: { first: string; last: string };
}

const DT_PATTERN = /^\d{4}-\d{2}-\d{2}$/;

/**
 * The top 429 offenders by client and template URI, with requests, 429s and the 429 rate (%).
 * A client is its id, or its name when only the name was grouped.
 */
export function builtInQuery(shape: BuiltInQueryShape): string {
  const { first, last } = shape.dt;
  // Our own bucket dates; checked all the same, since they go into the SQL as literals.
  if (!DT_PATTERN.test(first) || !DT_PATTERN.test(last) || first > last) {
    throw new Error(`builtInQuery: bad partition dates ${first}..${last}`);
  }
  const partitions = first === last ? `"dt" = '${first}'` : `"dt" BETWEEN '${first}' AND '${last}'`;
  return [
    'SELECT',
    '  "clientid" AS client_id,',
    '  max("clientname") AS client_name,',
    '  "templateuri" AS template_uri,',
    '  sum("requests") AS requests,',
    '  sum("status429") AS status_429,',
    '  round(CAST(sum("status429") AS DOUBLE) * 100 / NULLIF(CAST(sum("requests") AS DOUBLE), 0), 4) AS rate_429_pct',
    'FROM "{{database}}"."{{table}}"',
    `WHERE "granularity" = '${shape.granularity}'`,
    `  AND ${partitions}`,
    `  AND "api" = '${shape.api}'`,
    ...(shape.byInterval ? [`  AND "interval" = '{{start}}/{{end}}'`] : []),
    `GROUP BY "clientid", CASE WHEN "clientid" = '' THEN "clientname" ELSE '' END, "templateuri"`,
    'HAVING sum("status429") > 0',
    'ORDER BY status_429 DESC, requests DESC, client_id, template_uri',
    'LIMIT {{top}}',
  ].join('\n');
}
