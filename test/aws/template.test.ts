/**
 * infra/template.yaml: parsed with its CloudFormation tags and resolved for example parameters. The
 * GitHub role must allow every AWS operation the code calls (and Athena makes on its behalf), on the
 * right resources, and nothing else: no wildcard actions, no resource beyond this stack's.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { defaultTableName } from '../../src/config.js';
import {
  ATHENA_QUERY_PERMISSIONS,
  AWS_ACTIONS_USED,
  type AwsPermission,
  KMS_PERMISSIONS,
  type ResourceKind,
} from '../../src/aws/permissions.js';
import { loadTemplate, resolver } from '../support/aws/cfn.js';
import { ROOT } from '../support/aws/usage-data.js';

const template = loadTemplate(path.join(ROOT, 'infra', 'template.yaml'));
const ACCOUNT = '123456789012';
const REGION = 'eu-west-1';
const KMS_KEY = `arn:aws:kms:${REGION}:${ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
const BASE = {
  SourceBucketName: 'usage-src',
  ResultsBucketName: 'usage-results',
  GitHubRepository: 'octo/usage',
};

const glueArn = (rest: string) => `arn:aws:glue:${REGION}:${ACCOUNT}:${rest}`;
/** Concrete ARNs the code and Athena touch, per kind, with the defaults of the template. */
const EXAMPLES: Record<ResourceKind, string[]> = {
  'source-objects': [
    'arn:aws:s3:::usage-src/genesys-usage/granularity=day/dt=2026-11-13/legacy.by-oauthclientid.0a1b2c3d.json.gz',
    'arn:aws:s3:::usage-src/genesys-usage/granularity=total/dt=2026-11-13/aggregates.all.until-2026-11-20.0a1b2c3d.json',
  ],
  'source-bucket': ['arn:aws:s3:::usage-src'],
  'results-objects': ['arn:aws:s3:::usage-results/athena/0b9d0e8e-1c1d-4a7e-9d55-3e2a7e0f6a11.csv'],
  'results-bucket': ['arn:aws:s3:::usage-results'],
  crawler: [glueArn('crawler/genesys-usage-crawler')],
  catalog: [glueArn('catalog')],
  database: [glueArn('database/genesys_usage')],
  table: [glueArn('table/genesys_usage/genesys_usage')],
  workgroup: [`arn:aws:athena:${REGION}:${ACCOUNT}:workgroup/genesys-usage`],
  'kms-key': [KMS_KEY],
  any: ['*'],
};
/** What the role must not reach. */
const OUTSIDERS = [
  'arn:aws:s3:::other-bucket',
  'arn:aws:s3:::other-bucket/genesys-usage/granularity=day/dt=2026-11-13/x.json.gz',
  'arn:aws:s3:::usage-src/other-prefix/x.json.gz',
  'arn:aws:s3:::usage-src/genesys-usage-other/x.json.gz',
  glueArn('crawler/other-crawler'),
  glueArn('database/other'),
  glueArn('table/genesys_usage/other_table'),
  glueArn('table/other/genesys_usage'),
  `arn:aws:glue:us-east-1:${ACCOUNT}:catalog`,
  `arn:aws:athena:${REGION}:${ACCOUNT}:workgroup/primary`,
  `arn:aws:kms:${REGION}:${ACCOUNT}:key/other`,
  `arn:aws:iam::${ACCOUNT}:role/admin`,
];

/** IAM's resource matching: `*` any run of characters, `?` one. */
function matches(pattern: string, arn: string): boolean {
  const regex = pattern
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${regex}$`).test(arn);
}

interface Statement {
  Sid?: string;
  Effect: string;
  Action?: string | string[];
  Resource?: string | string[];
  NotAction?: unknown;
  NotResource?: unknown;
  Condition?: unknown;
}
const list = (v: string | string[] | undefined) => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

function stack(parameters: Record<string, string> = {}) {
  const r = resolver(template, {
    parameters: { ...BASE, ...parameters },
    region: REGION,
    accountId: ACCOUNT,
  });
  const role = r.resolve(template.Resources.GitHubActionsRole!.Properties) as {
    AssumeRolePolicyDocument: { Statement: Statement[] & { Principal: { Federated: string } }[] };
    Policies: { PolicyDocument: { Statement: Statement[] } }[];
  };
  const statements = role.Policies.flatMap((p) => p.PolicyDocument.Statement);
  return { r, role, statements };
}

function required(kms: boolean): AwsPermission[] {
  return [...AWS_ACTIONS_USED, ...ATHENA_QUERY_PERMISSIONS, ...(kms ? KMS_PERMISSIONS : [])];
}

describe.each([
  ['with SSE-S3', {}],
  ['with a KMS key', { KmsKeyArn: KMS_KEY }],
])('the GitHub Actions role (%s)', (_label, parameters: Record<string, string>) => {
  const kms = 'KmsKeyArn' in parameters;
  const { statements } = stack(parameters);

  it('allows every operation the code calls and Athena makes for it, on the right resources', () => {
    const missing: string[] = [];
    for (const permission of required(kms)) {
      for (const action of permission.actions) {
        for (const kind of permission.resources) {
          for (const arn of EXAMPLES[kind]) {
            const allowed = statements.some(
              (s) =>
                s.Effect === 'Allow' &&
                list(s.Action).includes(action) &&
                list(s.Resource).some((pattern) =>
                  kind === 'any' ? pattern === '*' : matches(pattern, arn),
                ),
            );
            if (!allowed) missing.push(`${permission.call}: ${action} on ${arn}`);
          }
        }
      }
    }
    expect(missing).toEqual([]);
  });

  it('allows nothing broader: listed actions only, no wildcard actions, resources within this stack', () => {
    const permissions = required(kms);
    const problems: string[] = [];
    for (const s of statements) {
      expect(s.Effect).toBe('Allow');
      expect(s.NotAction).toBeUndefined();
      expect(s.NotResource).toBeUndefined();
      for (const action of list(s.Action)) {
        if (/[*?]/.test(action)) problems.push(`wildcard action ${action}`);
        const uses = permissions.filter((p) => p.actions.includes(action));
        if (!uses.length) problems.push(`unused action ${action}`);
        for (const pattern of list(s.Resource)) {
          if (pattern === '*') {
            if (!uses.some((p) => p.resources.includes('any'))) problems.push(`${action} on *`);
            continue;
          }
          const justified = uses.some((p) =>
            p.resources.some((kind) => EXAMPLES[kind].some((arn) => matches(pattern, arn))),
          );
          if (!justified) problems.push(`${action} on ${pattern} is not needed`);
          for (const outsider of OUTSIDERS) {
            if (matches(pattern, outsider)) problems.push(`${action} on ${pattern} reaches ${outsider}`);
          }
        }
      }
    }
    expect(problems).toEqual([]);
    if (!kms)
      expect(statements.flatMap((s) => list(s.Action)).filter((a) => a.startsWith('kms:'))).toEqual([]);
  });
});

describe('the role trust policy', () => {
  it('trusts only the repository’s branch through GitHub’s OIDC provider, created by the stack', () => {
    const { role, r } = stack();
    expect(r.condition('CreateOidcProvider')).toBe(true);
    const [trust, ...others] = role.AssumeRolePolicyDocument.Statement;
    expect(others).toEqual([]);
    expect(trust).toEqual({
      Effect: 'Allow',
      Principal: { Federated: `arn:aws:iam::${ACCOUNT}:oidc-provider/token.actions.githubusercontent.com` },
      Action: 'sts:AssumeRoleWithWebIdentity',
      Condition: {
        StringEquals: {
          'token.actions.githubusercontent.com:aud': 'sts.amazonaws.com',
          'token.actions.githubusercontent.com:sub': 'repo:octo/usage:ref:refs/heads/main',
        },
      },
    });
    const provider = r.resolve(template.Resources.GitHubOidcProvider!.Properties) as Record<string, unknown>;
    expect(provider).toMatchObject({
      Url: 'https://token.actions.githubusercontent.com',
      ClientIdList: ['sts.amazonaws.com'],
    });
  });

  it('uses an existing provider and a GitHub environment when given', () => {
    const existing = `arn:aws:iam::${ACCOUNT}:oidc-provider/token.actions.githubusercontent.com`;
    const { role, r } = stack({
      GitHubOidcProviderArn: existing,
      GitHubEnvironment: 'production',
      GitHubBranch: 'release',
    });
    expect(r.condition('CreateOidcProvider')).toBe(false);
    expect(template.Resources.GitHubOidcProvider!.Condition).toBe('CreateOidcProvider');
    const trust = role.AssumeRolePolicyDocument.Statement[0] as unknown as Record<
      string,
      Record<string, unknown>
    >;
    expect(trust.Principal).toEqual({ Federated: existing });
    expect(trust.Condition).toEqual({
      StringEquals: {
        'token.actions.githubusercontent.com:aud': 'sts.amazonaws.com',
        'token.actions.githubusercontent.com:sub': 'repo:octo/usage:environment:production',
      },
    });
  });
});

describe('the data lake resources', () => {
  const { r } = stack();
  const props = (name: string) => r.resolve(template.Resources[name]!.Properties) as Record<string, unknown>;

  it('makes encrypted, private buckets named by the parameters', () => {
    for (const [name, bucket] of [
      ['SourceBucket', 'usage-src'],
      ['ResultsBucket', 'usage-results'],
    ]) {
      expect(props(name!)).toMatchObject({
        BucketName: bucket,
        BucketEncryption: {
          ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
        },
        PublicAccessBlockConfiguration: {
          BlockPublicAcls: true,
          BlockPublicPolicy: true,
          IgnorePublicAcls: true,
          RestrictPublicBuckets: true,
        },
      });
    }
    const kms = resolver(template, {
      parameters: { ...BASE, KmsKeyArn: KMS_KEY },
      region: REGION,
      accountId: ACCOUNT,
    });
    expect(kms.resolve(template.Resources.SourceBucket!.Properties)).toMatchObject({
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [
          { ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: KMS_KEY } },
        ],
      },
    });
  });

  it('crawls the prefix into the database, and the workgroup writes results to the results bucket', () => {
    expect(props('GlueDatabase')).toMatchObject({ DatabaseInput: { Name: 'genesys_usage' } });
    const crawler = props('Crawler');
    expect(crawler).toMatchObject({
      Name: 'genesys-usage-crawler',
      DatabaseName: 'genesys_usage',
      Role: `arn:aws:iam::${ACCOUNT}:role/CrawlerRole`,
      Targets: { S3Targets: [{ Path: 's3://usage-src/genesys-usage/' }] },
    });
    expect(JSON.parse(String(crawler.Configuration))).toMatchObject({ Version: 1 });
    expect(props('AthenaWorkGroup')).toMatchObject({
      Name: 'genesys-usage',
      WorkGroupConfiguration: { ResultConfiguration: { OutputLocation: 's3://usage-results/athena/' } },
    });
  });

  it('defaults the table name to what the crawler and the action call it', () => {
    expect(template.Parameters?.AthenaTableName?.Default).toBe(
      defaultTableName(String(template.Parameters?.S3Prefix?.Default)),
    );
  });

  it('names its outputs after the action’s inputs', () => {
    const action = readFileSync(path.join(ROOT, 'action.yml'), 'utf8');
    const outputs = template.Outputs ?? {};
    const expected: Record<string, [string, string]> = {
      S3Bucket: ['s3-bucket', 'usage-src'],
      S3Prefix: ['s3-prefix', 'genesys-usage'],
      GlueCrawler: ['glue-crawler', 'genesys-usage-crawler'],
      AthenaDatabase: ['athena-database', 'genesys_usage'],
      AthenaTable: ['athena-table', 'genesys_usage'],
      AthenaWorkgroup: ['athena-workgroup', 'genesys-usage'],
      AthenaOutputLocation: ['athena-output-location', 's3://usage-results/athena/'],
      AwsRegion: ['aws-region', REGION],
    };
    for (const [name, [input, value]] of Object.entries(expected)) {
      expect(outputs[name]?.Description).toContain(`Input ${input}`);
      expect(action).toMatch(new RegExp(`^  ${input}:$`, 'm'));
      expect(r.resolve(outputs[name]!.Value)).toBe(value);
    }
    expect(r.resolve(outputs.RoleArn!.Value)).toBe(`arn:aws:iam::${ACCOUNT}:role/GitHubActionsRole`);
    expect(outputs.S3KmsKeyId?.Condition).toBe('UseKms');
  });
});
