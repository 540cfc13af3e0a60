/**
 * The contracts between run() and its stages (query, data lake, comment), and the error a data lake
 * stage throws with what it finished. main.ts wires them; the stages implement them; neither side
 * imports the other.
 */
import { UserError } from './errors.js';
import type { ActionIO } from './io.js';
import type { PartitionFile } from './partition-writer.js';
import type { RowsHandler } from './replay.js';
import type { Report } from './report.js';
import type { Config, Env, Organization } from './types.js';

export interface StageContext {
  io: ActionIO;
  env: Env;
  now: () => Date;
  sleep: (ms: number) => Promise<void>;
}

/** Queries Genesys Cloud and hands every page of rows on; returns the job or execution ids. */
export type UsageQuery = (
  config: Config,
  ctx: StageContext,
  onRows: RowsHandler,
  /** Told each job or execution id as soon as it exists, so a failure later can still name it. */
  onSubmitted?: (id: string) => void,
  /** Told the credentials' organisation once, after the login and before any row is handed on. */
  onOrganization?: (organization: Organization) => void,
) => Promise<{ queryIds: string[]; organization?: Organization }>;

export interface DataLakeInput {
  files: PartitionFile[];
  ndjsonDir: string;
  report: Report;
  /** Other tables' files (the near-limit events), uploaded like the records under their own prefix. */
  extraUploads?: { label: string; prefix: string; files: PartitionFile[] }[];
}

/**
 * The near-limit events answer for an interval (the body as received), or `forbidden` when the OAuth
 * client lacks the permission (HTTP 403): the caller decides whether that fails the run.
 */
export type RateLimitEventsAnswer =
  { kind: 'answered'; body: unknown } | { kind: 'forbidden'; message: string };

/** Queries the near-limit events (`POST /api/v2/analytics/ratelimits/aggregates/query`). */
export type RateLimitEventsQuery = (
  config: Config,
  ctx: StageContext,
  body: Record<string, unknown>,
) => Promise<RateLimitEventsAnswer>;

export interface DataLakeResult {
  s3Uris: string[];
  crawlerStatus: string;
  athenaQueryExecutionId: string;
  athenaResultsCsv: string;
  /** Markdown sections for the summary, escaped by their builders. */
  sections: string[];
}

export type DataLake = (config: Config, ctx: StageContext, input: DataLakeInput) => Promise<DataLakeResult>;

/** Creates or updates the sticky pull-request comment; does nothing off pull requests. */
export type PublishComment = (config: Config, ctx: StageContext, markdown: string) => Promise<void>;

/** A data lake failure, with what was done before it (uploads, the crawler's status) for the outputs. */
export class DataLakeError extends UserError {
  constructor(
    message: string,
    readonly partial: DataLakeResult,
  ) {
    super(message);
    this.name = 'DataLakeError';
  }
}
