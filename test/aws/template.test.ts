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
  LAKE_FORMATION_PERMISSIONS,
  type ResourceKind,
} from '../../src/aws/permissions.js';
import { isProjected, projectionFits, tableFits, tableLocation } from '../../src/aws/glue.js';
import { COUNT_FIELDS, RECORD_FIELDS } from '../../src/records.js';
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
  GitHubRepositoryId: '456789',
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

interface Options {
  kms: boolean;
  crawler: boolean;
  lakeFormation: boolean;
}

/** What the role must allow for a stack made with these options. */
function required(options: Options): AwsPermission[] {
  return [
    ...AWS_ACTIONS_USED.filter((p) => p.onlyWith !== 'glue-crawler' || options.crawler),
    ...ATHENA_QUERY_PERMISSIONS,
    ...(options.kms ? KMS_PERMISSIONS : []),
    ...(options.lakeFormation ? LAKE_FORMATION_PERMISSIONS : []),
  ];
}

/** IAM's check of one statement: some Allow statement has the action on a matching resource. */
function allows(statements: Statement[], action: string, arn: string): boolean {
  return statements.some(
    (s) =>
      s.Effect === 'Allow' &&
      list(s.Action).includes(action) &&
      list(s.Resource).some((pattern) => (arn === '*' ? pattern === '*' : matches(pattern, arn))),
  );
}

describe.each([
  ['the defaults (partition projection, no crawler, SSE-S3)', {}],
  ['a KMS key', { KmsKeyArn: KMS_KEY }],
  ['the crawler, without projection', { CreateCrawler: 'true', PartitionProjection: 'false' }],
  ['Lake Formation', { LakeFormation: 'true' }],
])('the GitHub Actions role, with %s', (_label, parameters: Record<string, string>) => {
  const options: Options = {
    kms: 'KmsKeyArn' in parameters,
    crawler: parameters.CreateCrawler === 'true',
    lakeFormation: parameters.LakeFormation === 'true',
  };
  const { statements } = stack(parameters);

  it('allows every operation the code calls and Athena makes for it, on the right resources', () => {
    const missing: string[] = [];
    for (const permission of required(options)) {
      for (const action of permission.actions) {
        for (const kind of permission.resources) {
          for (const arn of EXAMPLES[kind]) {
            if (!allows(statements, action, arn)) missing.push(`${permission.call}: ${action} on ${arn}`);
          }
        }
      }
    }
    expect(missing).toEqual([]);
  });

  it('allows nothing broader: listed actions only, no wildcard actions, resources within this stack', () => {
    const permissions = required(options);
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
    const actions = statements.flatMap((s) => list(s.Action));
    if (!options.kms) expect(actions.filter((a) => a.startsWith('kms:'))).toEqual([]);
    if (!options.crawler) expect(actions.filter((a) => /Crawl/.test(a))).toEqual([]);
    if (!options.lakeFormation) expect(actions.filter((a) => a.startsWith('lakeformation:'))).toEqual([]);
  });
});

describe('the role trust policy', () => {
  const PROVIDER = `arn:aws:iam::${ACCOUNT}:oidc-provider/token.actions.githubusercontent.com`;
  const KEY = 'token.actions.githubusercontent.com';
  const AUD = `${KEY}:aud`;
  const SUB = `${KEY}:sub`;
  const REPO_ID_KEY = `${KEY}:repository_id`;
  // octo and usage, with the ids GitHub gives them.
  const OWNER_ID = '123456';
  const REPO_ID = '456789';

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

  /** A token's claims, as IAM sees them: the ones the conditions name. */
  interface Token {
    sub: string;
    aud?: string;
    repository_id?: string;
  }
  /**
   * IAM's evaluation of the trust conditions (every operator and every key must hold): StringEquals
   * and StringLike need the key present and one value to match; StringNotLike holds when none matches
   * (also for a missing key). StringLike's `*` matches any characters, `:` and `/` included; `?` one.
   */
  function accepts(t: Trust, token: Token): boolean {
    const claims: Record<string, string | undefined> = {
      [AUD]: token.aud ?? 'sts.amazonaws.com',
      [SUB]: token.sub,
      [REPO_ID_KEY]: token.repository_id ?? REPO_ID,
    };
    return Object.entries(t.Condition).every(([operator, keys]) =>
      Object.entries(keys).every(([key, values]) => {
        const value = claims[key];
        const any = (test: (v: string) => boolean) => value !== undefined && list(values).some(test);
        switch (operator) {
          case 'StringEquals':
            return any((v) => v === value);
          case 'StringLike':
            return any((v) => matches(v, value!));
          case 'StringNotLike':
            return !any((v) => matches(v, value!));
          default:
            throw new Error(`the test does not evaluate ${operator}`);
        }
      }),
    );
  }
  const immutable = (owner = 'octo', repo = 'usage', ownerId = OWNER_ID, repoId = REPO_ID) =>
    `${owner}@${ownerId}/${repo}@${repoId}`;
  const branch = (repo: string, name = 'main') => `repo:${repo}:ref:refs/heads/${name}`;
  const env = (repo: string, name = 'production') => `repo:${repo}:environment:${name}`;
  /** Tokens of other repositories (with their own repository_id) and other events of this one. */
  const strangers = (context: (repo: string) => string): Token[] => [
    ...['other/usage', 'octo/other', 'octo/usage2', 'octo/usag', 'octo-evil/usage', 'Octo/usage'].map(
      (repo) => ({ sub: context(repo), repository_id: '999' }),
    ),
    { sub: context(immutable('octo', 'other', OWNER_ID, '999')), repository_id: '999' },
    { sub: context(immutable('octo-evil', 'usage', '777', '999')), repository_id: '999' },
    { sub: 'repo:octo/usage:pull_request' },
    { sub: `repo:${immutable()}:pull_request` },
    { sub: 'repo:octo/usage:ref:refs/tags/main' },
    { sub: `repo:${immutable()}:ref:refs/tags/production` },
  ];

  it('pins the repository by its id, and the branch, in the legacy and the immutable subject', () => {
    const { r } = stack();
    expect(r.condition('CreateOidcProvider')).toBe(true);
    const t = trust();
    expect(t).toEqual({
      Effect: 'Allow',
      Principal: { Federated: PROVIDER },
      Action: ['sts:AssumeRoleWithWebIdentity', 'sts:TagSession'],
      Condition: {
        StringEquals: { [AUD]: 'sts.amazonaws.com', [REPO_ID_KEY]: REPO_ID },
        StringLike: {
          [SUB]: ['repo:octo/usage:ref:refs/heads/main', `repo:octo@*/usage@${REPO_ID}:ref:refs/heads/main`],
        },
        StringNotLike: { [SUB]: '*:*:*:*:*' },
      },
    });
    expect(accepts(t, { sub: branch('octo/usage') })).toBe(true);
    expect(accepts(t, { sub: branch(immutable()) })).toBe(true);
    expect(accepts(t, { sub: branch(immutable('octo', 'usage', '1')) })).toBe(true);
    for (const token of [
      ...strangers((repo) => branch(repo)),
      { sub: branch('octo/usage', 'main-2') },
      { sub: branch('octo/usage', 'feature/main') },
      { sub: branch(immutable(), 'release') },
      { sub: env('octo/usage') },
      { sub: env(immutable()) },
      // A name that once was this repository's: the legacy subject matches, the id does not.
      { sub: branch('octo/usage'), repository_id: '1000001' },
      { sub: branch('octo/usage'), aud: 'sts.amazonaws.com.cn' },
    ]) {
      expect([token, accepts(t, token)]).toEqual([token, false]);
    }
    const provider = r.resolve(template.Resources.GitHubOidcProvider!.Properties) as Record<string, unknown>;
    expect(provider).toMatchObject({
      Url: 'https://token.actions.githubusercontent.com',
      ClientIdList: ['sts.amazonaws.com'],
    });
  });

  it('cannot be matched by another repository of the same owner with a hostile, customised subject', () => {
    // Another repository of octo customises its subject (include_claim_keys) and picks an environment
    // name, so that the old pattern's `*` absorbs its own repository and the extra claims.
    const hostile = [
      `repo:octo@${OWNER_ID}/evil@31337:environment:x/usage@${REPO_ID}:ref:refs/heads/main`,
      `repo:octo@${OWNER_ID}/evil@31337:context:a/usage@${REPO_ID}:ref:refs/heads/main`,
      `repo:octo@${OWNER_ID}/evil@31337:job_workflow_ref:octo/usage@x/usage@${REPO_ID}:ref:refs/heads/main`,
    ];
    const oldPattern = 'repo:octo@*/usage@*:ref:refs/heads/main';
    for (const defaults of [{}, { GitHubOwnerId: OWNER_ID }] as Record<string, string>[]) {
      const t = trust(defaults);
      for (const sub of hostile) {
        expect(matches(oldPattern, sub)).toBe(true); // what the template used to trust
        // Refused with the attacker's repository id, and even with this repository's id (the extra
        // segments alone are refused), and without the id claim.
        for (const repository_id of ['31337', REPO_ID, undefined]) {
          const token = repository_id === undefined ? { sub, repository_id: '' } : { sub, repository_id };
          expect([token, accepts(t, token)]).toEqual([token, false]);
        }
      }
    }
  });

  it('uses an existing provider and a GitHub environment, in both subject forms, when given', () => {
    const parameters = {
      GitHubOidcProviderArn: PROVIDER,
      GitHubEnvironment: 'production',
      GitHubBranch: 'release',
    };
    const { r } = stack(parameters);
    expect(r.condition('CreateOidcProvider')).toBe(false);
    expect(template.Resources.GitHubOidcProvider!.Condition).toBe('CreateOidcProvider');
    const t = trust(parameters);
    expect(t.Principal).toEqual({ Federated: PROVIDER });
    expect(t.Condition.StringLike).toEqual({
      [SUB]: [
        'repo:octo/usage:environment:production',
        `repo:octo@*/usage@${REPO_ID}:environment:production`,
      ],
    });
    expect(accepts(t, { sub: env('octo/usage') })).toBe(true);
    expect(accepts(t, { sub: env(immutable()) })).toBe(true);
    for (const token of [
      ...strangers((repo) => env(repo)),
      { sub: env('octo/usage', 'staging') },
      { sub: env('octo/usage', 'production-2') },
      { sub: env(immutable(), 'Production') },
      { sub: branch('octo/usage', 'release') },
      { sub: branch(immutable(), 'release') },
    ]) {
      expect([token, accepts(t, token)]).toEqual([token, false]);
    }
  });

  it.each([
    ['branch', {}, branch],
    ['environment', { GitHubEnvironment: 'production' }, env],
  ])(
    'with the owner id as well, matches the immutable subject exactly (%s)',
    (_label, parameters: Record<string, string>, context: (repo: string) => string) => {
      const t = trust({ ...parameters, GitHubOwnerId: OWNER_ID });
      const subs = list(t.Condition.StringLike![SUB]);
      expect(subs).toEqual([context('octo/usage'), context(immutable())]);
      for (const sub of subs) expect(sub).not.toMatch(/[*?$]/);
      expect(accepts(t, { sub: context(immutable()) })).toBe(true);
      for (const token of [
        { sub: context(immutable('octo', 'usage', '1234567')) },
        { sub: context(immutable('octo', 'usage', OWNER_ID, '45678')) },
        ...strangers(context),
      ]) {
        expect([token, accepts(t, token)]).toEqual([token, false]);
      }
    },
  );

  it('trusts nothing broader: the repository id and names always pinned, the context exact', () => {
    const cases: Record<string, string>[] = [
      {},
      { GitHubBranch: 'release' },
      { GitHubEnvironment: 'production' },
      { GitHubOwnerId: OWNER_ID },
      { GitHubOwnerId: OWNER_ID, GitHubEnvironment: 'production' },
      { GitHubOidcProviderArn: PROVIDER },
    ];
    for (const parameters of cases) {
      const t = trust(parameters);
      expect(Object.keys(t)).toEqual(['Effect', 'Principal', 'Action', 'Condition']);
      expect(t.Principal).toEqual({ Federated: PROVIDER });
      expect(list(t.Action).sort()).toEqual(['sts:AssumeRoleWithWebIdentity', 'sts:TagSession']);
      // No ForAnyValue/ForAllValues (true when a claim is missing): plain operators only.
      expect(Object.keys(t.Condition).sort()).toEqual(['StringEquals', 'StringLike', 'StringNotLike']);
      expect(t.Condition.StringEquals).toEqual({ [AUD]: 'sts.amazonaws.com', [REPO_ID_KEY]: REPO_ID });
      expect(t.Condition.StringNotLike).toEqual({ [SUB]: '*:*:*:*:*' });
      for (const sub of list(t.Condition.StringLike![SUB])) {
        expect(sub).toMatch(
          /^repo:octo(@\*|@\d+)?\/usage(@456789)?:(ref:refs\/heads\/(main|release)|environment:production)$/,
        );
        // The one wildcard is the owner id; it cannot reach a ':' (the subject has exactly three).
        expect(sub.replace(/@\*(?=\/)/, '')).not.toMatch(/[*?$]/);
        expect(sub.split(':')).toHaveLength(4);
      }
    }
  });

  it('refuses parameters that would widen the subject or drop the pinning', () => {
    const pattern = (name: string) => new RegExp(String(template.Parameters?.[name]?.AllowedPattern));
    const verdicts = (name: string, values: string[]) => values.map((v) => [v, pattern(name).test(v)]);
    expect(template.Parameters?.GitHubRepositoryId?.Default).toBeUndefined();
    expect(template.Parameters?.GitHubOwnerId?.Default).toBe('');
    expect(verdicts('GitHubRepositoryId', ['1', '456789', '98765432101'])).toEqual(
      ['1', '456789', '98765432101'].map((v) => [v, true]),
    );
    expect(verdicts('GitHubRepositoryId', ['', '*', '12*', '?', '0', '012', 'usage', ' 1', '1 '])).toEqual(
      ['', '*', '12*', '?', '0', '012', 'usage', ' 1', '1 '].map((v) => [v, false]),
    );
    expect(verdicts('GitHubOwnerId', ['', '1', '123456'])).toEqual(['', '1', '123456'].map((v) => [v, true]));
    expect(verdicts('GitHubOwnerId', ['*', '12*', '?', '0', 'octo'])).toEqual(
      ['*', '12*', '?', '0', 'octo'].map((v) => [v, false]),
    );
    expect(verdicts('GitHubBranch', ['main', 'release/2026.11', 'feature/JIRA-1_x', 'v1@2'])).toEqual(
      ['main', 'release/2026.11', 'feature/JIRA-1_x', 'v1@2'].map((v) => [v, true]),
    );
    expect(verdicts('GitHubBranch', ['', '*', 'feature/*', 'mai?', '${aws:username}', 'a:b', 'a b'])).toEqual(
      ['', '*', 'feature/*', 'mai?', '${aws:username}', 'a:b', 'a b'].map((v) => [v, false]),
    );
    expect(verdicts('GitHubEnvironment', ['', 'production', 'Prod EU'])).toEqual(
      ['', 'production', 'Prod EU'].map((v) => [v, true]),
    );
    expect(verdicts('GitHubEnvironment', ['*', 'prod*', 'pr?d', '${x}', 'a:ref:refs/heads/main'])).toEqual(
      ['*', 'prod*', 'pr?d', '${x}', 'a:ref:refs/heads/main'].map((v) => [v, false]),
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

  it('defines the usage table once: the record fields as columns, partitions projected from the S3 layout', () => {
    expect(props('GlueDatabase')).toMatchObject({ DatabaseInput: { Name: 'genesys_usage' } });
    const table = props('UsageTable') as {
      DatabaseName: string;
      TableInput: {
        Name: string;
        TableType: string;
        Parameters: Record<string, string>;
        PartitionKeys: { Name: string; Type: string }[];
        StorageDescriptor: { Location: string; Columns: { Name: string; Type: string }[]; SerdeInfo: object };
      };
    };
    expect(table.DatabaseName).toBe('genesys_usage');
    expect(table.TableInput.Name).toBe('genesys_usage');
    expect(table.TableInput.TableType).toBe('EXTERNAL_TABLE');
    // Every record field, in order, lower-cased as Athena names them; the counts as integers.
    expect(table.TableInput.StorageDescriptor.Columns).toEqual(
      RECORD_FIELDS.map((f) => ({
        Name: f.toLowerCase(),
        Type: (COUNT_FIELDS as readonly string[]).includes(f) ? 'bigint' : 'string',
      })),
    );
    expect(table.TableInput.PartitionKeys).toEqual([
      { Name: 'granularity', Type: 'string' },
      { Name: 'dt', Type: 'string' },
    ]);
    expect(table.TableInput.StorageDescriptor.Location).toBe('s3://usage-src/genesys-usage/');
    expect(table.TableInput.Parameters).toEqual({
      classification: 'json',
      EXTERNAL: 'TRUE',
      'projection.enabled': 'true',
      'projection.granularity.type': 'enum',
      'projection.granularity.values': 'day,week,month,total',
      'projection.dt.type': 'date',
      'projection.dt.format': 'yyyy-MM-dd',
      'projection.dt.range': '2020-01-01,NOW',
      'projection.dt.interval': '1',
      'projection.dt.interval.unit': 'DAYS',
      'storage.location.template': 's3://usage-src/genesys-usage/granularity=${granularity}/dt=${dt}/',
    });
    // What the action checks before the query: a projected table that shows this run's partitions.
    const glueTable = {
      Name: table.TableInput.Name,
      Parameters: table.TableInput.Parameters,
      PartitionKeys: table.TableInput.PartitionKeys,
      StorageDescriptor: table.TableInput.StorageDescriptor,
    };
    expect(isProjected(glueTable)).toBe(true);
    const files = (['day', 'week', 'month', 'total'] as const).map((granularity) => ({
      granularity,
      dt: '2026-11-16',
      relativePath: '',
      path: '',
      records: 1,
    }));
    expect(projectionFits(glueTable, tableLocation('usage-src', 'genesys-usage'), files)).toEqual({
      fits: true,
    });
    // Without projection: a plain partitioned table, which the action registers partitions in.
    const plain = stack({ PartitionProjection: 'false' }).r.resolve(
      template.Resources.UsageTable!.Properties,
    ) as {
      TableInput: { Parameters: Record<string, string>; StorageDescriptor: object; PartitionKeys: object[] };
    };
    expect(plain.TableInput.Parameters).toEqual({ classification: 'json', EXTERNAL: 'TRUE' });
    expect(
      tableFits(
        { ...plain.TableInput, StorageDescriptor: plain.TableInput.StorageDescriptor } as never,
        tableLocation('usage-src', 'genesys-usage'),
      ),
    ).toEqual({ fits: true });
  });

  it('makes no crawler by default; with CreateCrawler, one over the table with an inline least-privilege role', () => {
    expect(r.condition('MakeCrawler')).toBe(false);
    expect(template.Resources.Crawler!.Condition).toBe('MakeCrawler');
    expect(template.Resources.CrawlerRole!.Condition).toBe('MakeCrawler');
    expect(template.Outputs?.GlueCrawler?.Condition).toBe('MakeCrawler');
    const withCrawler = stack({ CreateCrawler: 'true' }).r;
    const crawler = withCrawler.resolve(template.Resources.Crawler!.Properties) as Record<string, unknown>;
    expect(crawler).toMatchObject({
      Name: 'genesys-usage-crawler',
      DatabaseName: 'genesys_usage',
      Role: `arn:aws:iam::${ACCOUNT}:role/CrawlerRole`,
      Targets: { CatalogTargets: [{ DatabaseName: 'genesys_usage', Tables: ['genesys_usage'] }] },
      SchemaChangePolicy: { UpdateBehavior: 'LOG', DeleteBehavior: 'LOG' },
    });
    expect(JSON.parse(String(crawler.Configuration))).toMatchObject({ Version: 1 });
    const role = withCrawler.resolve(template.Resources.CrawlerRole!.Properties) as {
      ManagedPolicyArns?: unknown;
      Policies: { PolicyDocument: { Statement: Statement[] } }[];
    };
    expect(role.ManagedPolicyArns).toBeUndefined();
    const statements = role.Policies.flatMap((p) => p.PolicyDocument.Statement);
    const actions = statements.flatMap((st) => list(st.Action));
    expect(actions.filter((a) => /[*?]/.test(a) || a.startsWith('ec2:') || a.startsWith('iam:'))).toEqual([]);
    for (const st of statements) {
      for (const resource of list(st.Resource)) {
        expect(resource).not.toBe('*');
        for (const outsider of OUTSIDERS)
          expect([resource, matches(resource, outsider)]).toEqual([resource, false]);
      }
    }
    expect(allows(statements, 's3:GetObject', EXAMPLES['source-objects'][0]!)).toBe(true);
    expect(allows(statements, 'glue:BatchCreatePartition', EXAMPLES.table[0]!)).toBe(true);
    expect(
      allows(
        statements,
        'logs:PutLogEvents',
        `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:/aws-glue/crawlers:log-stream:genesys-usage-crawler`,
      ),
    ).toBe(true);
    // Lake Formation: GetDataAccess (which takes no resource) only when asked for.
    const lf = stack({ CreateCrawler: 'true', LakeFormation: 'true' }).r.resolve(
      template.Resources.CrawlerRole!.Properties,
    ) as typeof role;
    expect(
      allows(
        lf.Policies.flatMap((p) => p.PolicyDocument.Statement),
        'lakeformation:GetDataAccess',
        '*',
      ),
    ).toBe(true);
    expect(actions).not.toContain('lakeformation:GetDataAccess');
  });

  it('makes the workgroup the action uses, writing results to the results bucket', () => {
    expect(props('AthenaWorkGroup')).toMatchObject({
      Name: 'genesys-usage',
      WorkGroupConfiguration: {
        EnforceWorkGroupConfiguration: true,
        ResultConfiguration: { OutputLocation: 's3://usage-results/athena/' },
      },
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
