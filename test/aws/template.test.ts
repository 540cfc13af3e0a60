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
import { ROOT } from '../support/run-action.js';

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
  const PROVIDER = `arn:aws:iam::${ACCOUNT}:oidc-provider/token.actions.githubusercontent.com`;
  const AUD = 'token.actions.githubusercontent.com:aud';
  const SUB = 'token.actions.githubusercontent.com:sub';
  // octo and usage, with the ids GitHub's immutable subject would carry for them.
  const OWNER_ID = '123456';
  const REPO_ID = '456789';
  const PINNED = { GitHubOwnerId: OWNER_ID, GitHubRepositoryId: REPO_ID };

  interface Trust {
    Effect: string;
    Principal: { Federated: string };
    Action: string | string[];
    Condition: Record<string, Record<string, string | string[]>>;
  }
  function trust(parameters: Record<string, string> = {}): Trust {
    const statements = stack(parameters).role.AssumeRolePolicyDocument.Statement as unknown as Trust[];
    expect(statements).toHaveLength(1);
    return statements[0]!;
  }
  /** Whether IAM would accept a token with this sub (and aud sts.amazonaws.com) for every action. */
  function accepts(t: Trust, sub: string, aud = 'sts.amazonaws.com'): boolean {
    return (
      list(t.Condition.StringEquals?.[AUD]).includes(aud) &&
      list(t.Condition.StringLike?.[SUB]).some((pattern) => matches(pattern, sub))
    );
  }
  /** The repository part of an immutable subject: OWNER@OWNER_ID/REPO@REPO_ID. */
  const immutable = (owner = 'octo', repo = 'usage', ownerId = OWNER_ID, repoId = REPO_ID) =>
    `${owner}@${ownerId}/${repo}@${repoId}`;
  const branch = (repo: string, name = 'main') => `repo:${repo}:ref:refs/heads/${name}`;
  const env = (repo: string, name = 'production') => `repo:${repo}:environment:${name}`;
  /** Tokens of other repositories and events that must never get in, whatever the parameters. */
  const strangers = (context: (repo: string) => string) => [
    ...['other/usage', 'octo/other', 'octo/usage2', 'octo/usag', 'octo-evil/usage', 'Octo/usage'].map(
      context,
    ),
    context(immutable('other')),
    context(immutable('octo', 'other')),
    context(immutable('octo', 'usage-fork')),
    context(immutable('octo-evil')),
    context(immutable('octo', 'Usage')),
    'repo:octo/usage:pull_request',
    `repo:${immutable()}:pull_request`,
    'repo:octo/usage:ref:refs/tags/main',
    `repo:${immutable()}:ref:refs/tags/production`,
  ];

  it('trusts the repository’s branch, in the legacy and the immutable subject, through the stack’s provider', () => {
    const { r } = stack();
    expect(r.condition('CreateOidcProvider')).toBe(true);
    expect(r.condition('PinGitHubIds')).toBe(false);
    const t = trust();
    expect(t).toEqual({
      Effect: 'Allow',
      Principal: { Federated: PROVIDER },
      Action: ['sts:AssumeRoleWithWebIdentity', 'sts:TagSession'],
      Condition: {
        StringEquals: { [AUD]: 'sts.amazonaws.com' },
        StringLike: {
          [SUB]: ['repo:octo/usage:ref:refs/heads/main', 'repo:octo@*/usage@*:ref:refs/heads/main'],
        },
      },
    });
    expect(accepts(t, branch('octo/usage'))).toBe(true);
    expect(accepts(t, branch(immutable()))).toBe(true);
    expect(accepts(t, 'repo:octocat@123456/my-repo@456789:ref:refs/heads/main')).toBe(false);
    expect(accepts(t, branch(immutable('octo', 'usage', '1', '98765432101')))).toBe(true);
    for (const sub of [
      ...strangers((repo) => branch(repo)),
      branch('octo/usage', 'main-2'),
      branch('octo/usage', 'feature/main'),
      branch(immutable(), 'release'),
      env('octo/usage'),
      env(immutable()),
    ]) {
      expect([sub, accepts(t, sub)]).toEqual([sub, false]);
    }
    expect(accepts(t, branch('octo/usage'), 'sts.amazonaws.com.cn')).toBe(false);

    const provider = r.resolve(template.Resources.GitHubOidcProvider!.Properties) as Record<string, unknown>;
    expect(provider).toMatchObject({
      Url: 'https://token.actions.githubusercontent.com',
      ClientIdList: ['sts.amazonaws.com'],
    });
  });

  it('uses an existing provider and a GitHub environment, in both subject forms, when given', () => {
    const { r } = stack({
      GitHubOidcProviderArn: PROVIDER,
      GitHubEnvironment: 'production',
      GitHubBranch: 'release',
    });
    expect(r.condition('CreateOidcProvider')).toBe(false);
    expect(template.Resources.GitHubOidcProvider!.Condition).toBe('CreateOidcProvider');
    const t = trust({
      GitHubOidcProviderArn: PROVIDER,
      GitHubEnvironment: 'production',
      GitHubBranch: 'release',
    });
    expect(t.Principal).toEqual({ Federated: PROVIDER });
    expect(t.Action).toEqual(['sts:AssumeRoleWithWebIdentity', 'sts:TagSession']);
    expect(t.Condition).toEqual({
      StringEquals: { [AUD]: 'sts.amazonaws.com' },
      StringLike: {
        [SUB]: ['repo:octo/usage:environment:production', 'repo:octo@*/usage@*:environment:production'],
      },
    });
    expect(accepts(t, env('octo/usage'))).toBe(true);
    expect(accepts(t, env(immutable()))).toBe(true);
    for (const sub of [
      ...strangers((repo) => env(repo)),
      env('octo/usage', 'staging'),
      env('octo/usage', 'production-2'),
      env(immutable(), 'Production'),
      branch('octo/usage', 'release'),
      branch(immutable(), 'release'),
    ]) {
      expect([sub, accepts(t, sub)]).toEqual([sub, false]);
    }
  });

  it.each([
    ['branch', {}, branch],
    ['environment', { GitHubEnvironment: 'production' }, env],
  ])(
    'pins the owner and repository ids when both are given (%s), and then refuses the legacy subject',
    (_label, parameters: Record<string, string>, context: (repo: string) => string) => {
      const subject = context(immutable());
      const { r } = stack({ ...parameters, ...PINNED });
      expect(r.condition('PinGitHubIds')).toBe(true);
      const t = trust({ ...parameters, ...PINNED });
      expect(t.Action).toEqual(['sts:AssumeRoleWithWebIdentity', 'sts:TagSession']);
      expect(t.Condition).toEqual({
        StringEquals: { [AUD]: 'sts.amazonaws.com' },
        StringLike: { [SUB]: [subject] },
      });
      expect(subject).toMatch(
        /^repo:octo@123456\/usage@456789:(ref:refs\/heads\/main|environment:production)$/,
      );
      expect(accepts(t, subject)).toBe(true);
      for (const sub of [
        // The form that name recycling can abuse, and the same names with other ids.
        context('octo/usage'),
        context(immutable('octo', 'usage', '1234567')),
        context(immutable('octo', 'usage', OWNER_ID, '45678')),
        context(immutable('octo', 'usage', REPO_ID, OWNER_ID)),
        ...strangers(context),
      ]) {
        expect([sub, accepts(t, sub)]).toEqual([sub, false]);
      }
    },
  );

  it('splits the owner and the name out of GitHubRepository for the immutable subject', () => {
    const t = trust({ GitHubRepository: 'Acme-Org/contact.centre_2', GitHubBranch: 'release/2026.11' });
    expect(t.Condition.StringLike?.[SUB]).toEqual([
      'repo:Acme-Org/contact.centre_2:ref:refs/heads/release/2026.11',
      'repo:Acme-Org@*/contact.centre_2@*:ref:refs/heads/release/2026.11',
    ]);
    expect(accepts(t, 'repo:Acme-Org@42/contact.centre_2@4242:ref:refs/heads/release/2026.11')).toBe(true);
    expect(accepts(t, 'repo:Acme-Org@42/contactXcentre_2@4242:ref:refs/heads/release/2026.11')).toBe(false);
  });

  it('trusts nothing broader: the owner and repository name always pinned, no other conditions or actions', () => {
    const cases: Record<string, string>[] = [
      {},
      { GitHubBranch: 'release' },
      { GitHubEnvironment: 'production' },
      PINNED,
      { ...PINNED, GitHubEnvironment: 'production' },
      { GitHubOidcProviderArn: PROVIDER },
    ];
    for (const parameters of cases) {
      const t = trust(parameters);
      expect(t.Effect).toBe('Allow');
      expect(Object.keys(t)).toEqual(['Effect', 'Principal', 'Action', 'Condition']);
      expect(t.Principal).toEqual({ Federated: PROVIDER });
      expect(list(t.Action).sort()).toEqual(['sts:AssumeRoleWithWebIdentity', 'sts:TagSession']);
      // No ForAnyValue/ForAllValues, no StringNotEquals and the like: one exact aud, subjects by pattern.
      expect(Object.keys(t.Condition).sort()).toEqual(['StringEquals', 'StringLike']);
      expect(t.Condition.StringEquals).toEqual({ [AUD]: 'sts.amazonaws.com' });
      expect(Object.keys(t.Condition.StringLike!)).toEqual([SUB]);
      const subs = list(t.Condition.StringLike![SUB]);
      expect(subs.length).toBeGreaterThan(0);
      for (const sub of subs) {
        // The only wildcards are the ids of the immutable form; the context is exact.
        expect(sub).toMatch(
          /^repo:octo(@\*|@\d+)?\/usage(@\*|@\d+)?:(ref:refs\/heads\/(main|release)|environment:production)$/,
        );
        expect(sub.replace(/@\*(?=[/:])/g, '')).not.toMatch(/[*?$]/);
        for (const any of ['*', 'repo:*', 'repo:octo/*', 'repo:octo@*', 'repo:octo@*/*'])
          expect(sub).not.toBe(any);
      }
    }
  });

  it('refuses parameters that would widen the subject or break the pinning', () => {
    const pattern = (name: string) => new RegExp(String(template.Parameters?.[name]?.AllowedPattern));
    const verdicts = (name: string, values: string[]) => values.map((v) => [v, pattern(name).test(v)]);
    for (const name of ['GitHubOwnerId', 'GitHubRepositoryId']) {
      expect(template.Parameters?.[name]?.Default).toBe('');
      expect(verdicts(name, ['', '1', '123456', '98765432101'])).toEqual([
        ['', true],
        ['1', true],
        ['123456', true],
        ['98765432101', true],
      ]);
      expect(verdicts(name, ['*', '12*', '?', '0', '012', 'octo', ' 123', '123 ', '1-2'])).toEqual(
        ['*', '12*', '?', '0', '012', 'octo', ' 123', '123 ', '1-2'].map((v) => [v, false]),
      );
    }
    expect(verdicts('GitHubBranch', ['main', 'release/2026.11', 'feature/JIRA-1_x', 'v1@2'])).toEqual(
      ['main', 'release/2026.11', 'feature/JIRA-1_x', 'v1@2'].map((v) => [v, true]),
    );
    expect(verdicts('GitHubBranch', ['', '*', 'feature/*', 'mai?', '${aws:username}', 'a:b', 'a b'])).toEqual(
      ['', '*', 'feature/*', 'mai?', '${aws:username}', 'a:b', 'a b'].map((v) => [v, false]),
    );
    expect(verdicts('GitHubEnvironment', ['', 'production', 'Prod EU'])).toEqual(
      ['', 'production', 'Prod EU'].map((v) => [v, true]),
    );
    expect(verdicts('GitHubEnvironment', ['*', 'prod*', 'pr?d', '${x}'])).toEqual(
      ['*', 'prod*', 'pr?d', '${x}'].map((v) => [v, false]),
    );
    expect(verdicts('GitHubRepository', ['octo/usage', 'octo/*', '*/usage', 'octo', 'octo/usage/x'])).toEqual(
      [
        ['octo/usage', true],
        ['octo/*', false],
        ['*/usage', false],
        ['octo', false],
        ['octo/usage/x', false],
      ],
    );

    // The stack refuses one id without the other (a rule CloudFormation checks before any change).
    const assertions = Object.values(template.Rules ?? {}).flatMap((rule) => {
      expect(rule.RuleCondition).toBeUndefined();
      return rule.Assertions;
    });
    expect(assertions.length).toBeGreaterThan(0);
    const valid = (parameters: Record<string, string>) =>
      assertions.every((a) => stack(parameters).r.resolve(a.Assert) === true);
    expect(valid({})).toBe(true);
    expect(valid(PINNED)).toBe(true);
    expect(valid({ GitHubOwnerId: OWNER_ID })).toBe(false);
    expect(valid({ GitHubRepositoryId: REPO_ID })).toBe(false);
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
