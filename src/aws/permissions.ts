import type { Config } from '../types.js';

/**
 * Every AWS permission the action needs, as data: the IAM role in infra/template.yaml is tested
 * against these lists (it must allow each, on the right resource, and nothing else).
 */

/** What a permission applies to; the template test maps each kind to concrete ARNs. */
export type ResourceKind =
  | 'source-objects'
  | 'source-bucket'
  | 'results-objects'
  | 'results-bucket'
  | 'crawler'
  | 'catalog'
  | 'database'
  | 'table'
  | 'workgroup'
  | 'kms-key'
  /** The action supports no resource-level permissions: `*` is the only resource IAM accepts. */
  | 'any';

export interface AwsPermission {
  /** The SDK command that needs it (`S3.PutObject`), or what Athena does on the caller's behalf. */
  call: string;
  actions: string[];
  resources: ResourceKind[];
  /** Needed only with this input set (a role for runs without it may leave the permission out). */
  onlyWith?: 'glue-crawler';
}

/** The calls this code makes itself. Tests check that the commands sent are all listed here. */
export const AWS_ACTIONS_USED: readonly AwsPermission[] = [
  { call: 'S3.HeadObject', actions: ['s3:GetObject'], resources: ['source-objects'] },
  // Without ListBucket, S3 answers 403 instead of 404 for a key that does not exist yet.
  { call: 'S3.HeadObject', actions: ['s3:ListBucket'], resources: ['source-bucket'] },
  { call: 'S3.PutObject', actions: ['s3:PutObject'], resources: ['source-objects'] },
  { call: 'S3.CreateMultipartUpload', actions: ['s3:PutObject'], resources: ['source-objects'] },
  { call: 'S3.UploadPart', actions: ['s3:PutObject'], resources: ['source-objects'] },
  { call: 'S3.CompleteMultipartUpload', actions: ['s3:PutObject'], resources: ['source-objects'] },
  // Only when the partition holds an object of the other compression (.json beside .json.gz).
  { call: 'S3.DeleteObject', actions: ['s3:DeleteObject'], resources: ['source-objects'] },
  { call: 'S3.AbortMultipartUpload', actions: ['s3:AbortMultipartUpload'], resources: ['source-objects'] },
  { call: 'Glue.GetCrawler', actions: ['glue:GetCrawler'], resources: ['crawler'], onlyWith: 'glue-crawler' },
  {
    call: 'Glue.StartCrawler',
    actions: ['glue:StartCrawler'],
    resources: ['crawler'],
    onlyWith: 'glue-crawler',
  },
  // The crawl's DPU-hours, for the cost line; best effort.
  { call: 'Glue.ListCrawls', actions: ['glue:ListCrawls'], resources: ['crawler'], onlyWith: 'glue-crawler' },
  {
    call: 'Glue.GetCrawlerMetrics',
    actions: ['glue:GetCrawlerMetrics'],
    resources: ['any'],
    onlyWith: 'glue-crawler',
  },
  { call: 'Glue.GetTable', actions: ['glue:GetTable'], resources: ['catalog', 'database', 'table'] },
  {
    call: 'Glue.BatchCreatePartition',
    actions: ['glue:BatchCreatePartition'],
    resources: ['catalog', 'database', 'table'],
  },
  { call: 'Athena.StartQueryExecution', actions: ['athena:StartQueryExecution'], resources: ['workgroup'] },
  { call: 'Athena.GetQueryExecution', actions: ['athena:GetQueryExecution'], resources: ['workgroup'] },
  { call: 'Athena.GetQueryResults', actions: ['athena:GetQueryResults'], resources: ['workgroup'] },
  { call: 'Athena.StopQueryExecution', actions: ['athena:StopQueryExecution'], resources: ['workgroup'] },
];

/** What Athena does with the caller's credentials while it runs a query and serves its results. */
export const ATHENA_QUERY_PERMISSIONS: readonly AwsPermission[] = [
  { call: 'Athena reads the catalog', actions: ['glue:GetDatabase'], resources: ['catalog', 'database'] },
  {
    call: 'Athena reads the catalog',
    actions: ['glue:GetTable', 'glue:GetPartition', 'glue:GetPartitions', 'glue:BatchGetPartition'],
    resources: ['catalog', 'database', 'table'],
  },
  { call: 'Athena reads the data', actions: ['s3:GetObject'], resources: ['source-objects'] },
  {
    call: 'Athena reads the data',
    actions: ['s3:ListBucket', 's3:GetBucketLocation'],
    resources: ['source-bucket'],
  },
  {
    call: 'Athena writes and reads the results',
    actions: ['s3:GetObject', 's3:PutObject', 's3:AbortMultipartUpload', 's3:ListMultipartUploadParts'],
    resources: ['results-objects'],
  },
  {
    call: 'Athena writes and reads the results',
    actions: ['s3:ListBucket', 's3:GetBucketLocation', 's3:ListBucketMultipartUploads'],
    resources: ['results-bucket'],
  },
];

/**
 * Only in accounts where Lake Formation governs the Data Catalog: Athena (and a crawler) then read the
 * data with credentials Lake Formation vends, after the grants on the database and table.
 */
export const LAKE_FORMATION_PERMISSIONS: readonly AwsPermission[] = [
  { call: 'Lake Formation vends data access', actions: ['lakeformation:GetDataAccess'], resources: ['any'] },
];

/** Only with `s3-kms-key-id` (or a KMS-encrypted bucket): writing and reading SSE-KMS objects. */
export const KMS_PERMISSIONS: readonly AwsPermission[] = [
  { call: 'SSE-KMS', actions: ['kms:GenerateDataKey', 'kms:Decrypt'], resources: ['kms-key'] },
];

/**
 * The permissions one run with this configuration needs: what its stages call (index.ts) and what
 * Athena does for it. Pure, so a workflow's inputs can be checked against a role before it runs.
 */
export function permissionsNeeded(config: Pick<Config, 's3' | 'glue' | 'athena'>): AwsPermission[] {
  const calls = (prefix: string) => AWS_ACTIONS_USED.filter((p) => p.call.startsWith(prefix));
  const needed: AwsPermission[] = [];
  if (config.s3) needed.push(...calls('S3.'));
  if (config.s3 && config.glue) needed.push(...calls('Glue.').filter((p) => p.onlyWith === 'glue-crawler'));
  // Before the query, the table is read (partition projection?) and, without projection, partitions registered.
  if (config.s3 && config.athena && config.glue?.crawl !== 'always') {
    needed.push(...calls('Glue.').filter((p) => p.onlyWith === undefined));
  }
  if (config.athena) needed.push(...calls('Athena.'), ...ATHENA_QUERY_PERMISSIONS);
  if (config.s3?.kmsKeyId) needed.push(...KMS_PERMISSIONS);
  return needed;
}
