/**
 * The typed shape of one run's configuration, shared by every stage. Types only: this module imports
 * nothing above it, so any module may depend on it without forming an import circle.
 */
import type { Interval } from './interval.js';

export type Api = 'aggregates' | 'legacy';
export type Granularity = 'Day' | 'Week' | 'Month';
export type Compression = 'gzip' | 'none';
export type CrawlMode = 'always' | 'when-needed';
export type Metric = 'Requests' | 'Status200' | 'Status300' | 'Status400' | 'Status429' | 'Status500';
/** The record field a group-by dimension fills. */
export type GroupField =
  'clientId' | 'clientName' | 'organizationId' | 'userId' | 'templateUri' | 'httpMethod' | 'platform';

/** The organisation a live run's credentials belong to (`GET /api/v2/organizations/me`). */
export interface Organization {
  id: string;
  name: string;
}

export type Environment = { kind: 'region'; host: string } | { kind: 'gateway'; url: URL };

export interface GroupBy {
  /** The spelling the chosen API takes in its request body. */
  apiName: string;
  field: GroupField;
}

/** Request filters, named as the request fields; the optional ones are absent when not set. */
export interface Filters {
  templateUris: string[];
  httpMethods: string[];
  oauthClientIds: string[];
  platforms?: string[];
  /** Organisation endpoint only. */
  userIds?: string[];
  /** Client-scoped endpoint only. */
  organizationIds?: string[];
}

export interface Thresholds {
  max429?: number;
  max429Rate?: number;
  max429PerGroup?: number;
  /** Breach when the near-limit events are more than this (needs `rateLimitEvents`). */
  maxRateLimitEvents?: number;
  /** Breach when total requests grew by more than this percentage against the previous window. */
  maxRequestsGrowth?: number;
}

export interface Config {
  clientId: string;
  clientSecret: string;
  environment: Environment;
  api: Api;
  /** Absent only on a replay without an `interval` input. Whole UTC days. */
  interval?: Interval;
  /** Set when a live query's end lay in the future and was cut to today: the line to log. */
  intervalNotice?: string;
  granularity?: Granularity;
  groupBy: GroupBy[];
  metrics: Metric[];
  filters: Filters;
  /**
   * The client-scoped aggregates endpoint (permission `usage:client:view`): one OAuth client's usage across
   * the organisations it is used in.
   */
  usageClientId?: string;
  resultsFile?: string;
  outputDir: string;
  compression: Compression;
  /** `s3-prefix`: the key prefix in S3, and the NDJSON folder under output-dir, with or without a bucket. */
  prefix: string;
  s3?: {
    bucket: string;
    prefix: string;
    kmsKeyId?: string;
    forcePathStyle: boolean;
    expectedBucketOwner?: string;
  };
  awsRegion?: string;
  glue?: { crawler: string; crawl: CrawlMode };
  athena?: {
    database: string;
    table: string;
    workgroup: string;
    catalog: string;
    outputLocation?: string;
    query?: string;
  };
  thresholds: Thresholds;
  /** Also read the near-limit events (a rate limit reaching 90% of its maximum) for the interval. */
  rateLimitEvents?: boolean;
  /** Also read the window of equal length just before the interval, and report the change. */
  comparePrevious?: boolean;
  /** On a replay: the previous period's saved result, for `comparePrevious`. */
  previousResultsFile?: string;
  failOnBreach: boolean;
  top: number;
  summary: boolean;
  prComment: boolean;
  githubToken: string;
  queryTimeoutMs: number;
  crawlerTimeoutMs: number;
  athenaTimeoutMs: number;
}

export type InputReader = (name: string) => string;
export type Env = Record<string, string | undefined>;
