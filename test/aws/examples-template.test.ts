/**
 * Every example workflow works against infra/template.yaml deployed with its defaults: the names it
 * gives the action (bucket, prefix, database, table, workgroup, crawler) are the stack's, the Athena
 * results land where the role may write them, and every AWS call the run makes (permissionsNeeded,
 * from the config the action would parse out of the example) is allowed by the role on those resources.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { parseConfig } from '../../src/config.js';
import { type AwsPermission, permissionsNeeded, type ResourceKind } from '../../src/aws/permissions.js';
import type { Config } from '../../src/types.js';
import { loadTemplate, resolver } from '../support/aws/cfn.js';
import { ROOT } from '../support/run-action.js';

const yaml = createRequire(import.meta.url)('js-yaml') as { load(text: string): unknown };

const template = loadTemplate(path.join(ROOT, 'infra', 'template.yaml'));
const DIR = path.join(ROOT, 'examples', 'workflows');
const ACCOUNT = '123456789012';
const REGION = 'eu-west-1';
const USES = '<owner>/genesys-usage-report-action@v1';
/** What the user stores as repository variables: the stack's outputs. */
const VARS: Record<string, string> = {
  GENESYS_USAGE_BUCKET: 'acme-genesys-usage',
  GENESYS_USAGE_ROLE_ARN: `arn:aws:iam::${ACCOUNT}:role/GitHubActionsRole`,
  AWS_REGION: REGION,
};
const STACK = {
  SourceBucketName: VARS.GENESYS_USAGE_BUCKET!,
  ResultsBucketName: 'acme-genesys-usage-results',
  GitHubRepository: 'acme/contact-centre',
  GitHubRepositoryId: '89012345',
};

/** IAM's resource matching: `*` any run of characters, `?` one. */
function matches(pattern: string, arn: string): boolean {
  const regex = pattern
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${regex}$`).test(arn);
}
const list = (v: string | string[] | undefined) => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

interface Statement {
  Effect: string;
  Action?: string | string[];
  Resource?: string | string[];
}

/** The stack for these parameters: its outputs and the GitHub role's statements. */
function deploy(parameters: Record<string, string> = {}) {
  const r = resolver(template, {
    parameters: { ...STACK, ...parameters },
    region: REGION,
    accountId: ACCOUNT,
  });
  const outputs = Object.fromEntries(
    Object.entries(template.Outputs ?? {})
      .filter(([, o]) => !o.Condition || r.condition(o.Condition))
      .map(([name, o]) => [name, String(r.resolve(o.Value))]),
  );
  const role = r.resolve(template.Resources.GitHubActionsRole!.Properties) as {
    Policies: { PolicyDocument: { Statement: Statement[] } }[];
  };
  const workgroup = r.resolve(template.Resources.AthenaWorkGroup!.Properties) as {
    WorkGroupConfiguration: { ResultConfiguration: { OutputLocation: string } };
  };
  return {
    outputs,
    statements: role.Policies.flatMap((p) => p.PolicyDocument.Statement),
    workgroupOutput: workgroup.WorkGroupConfiguration.ResultConfiguration.OutputLocation,
  };
}

/** `${{ vars.X }}`, `${{ secrets.X }}`, `${{ runner.temp }}` as a run would see them. */
function evaluate(value: unknown, defaults: Record<string, string>): string {
  return String(value).replace(/\$\{\{\s*([^}]+?)\s*\}\}/g, (_m, expression: string) => {
    const variable = /^vars\.([A-Z0-9_]+)$/.exec(expression)?.[1];
    if (variable) {
      if (!(variable in VARS))
        throw new Error(`the example uses vars.${variable}, which the stack does not give`);
      return VARS[variable]!;
    }
    if (expression.startsWith('secrets.')) return 'secret';
    if (expression === 'runner.temp') return '/home/runner/work/_temp';
    if (expression === 'github.token') return 'token';
    // A workflow_dispatch input: its default; an expression over inputs (a choice mapped to ''): empty.
    const input = /^inputs\.([A-Za-z0-9_-]+)$/.exec(expression)?.[1];
    if (input) return defaults[input] ?? '';
    if (expression.startsWith('inputs.')) return '';
    throw new Error(`the test cannot evaluate \${{ ${expression} }}`);
  });
}

interface Step {
  uses?: string;
  with?: Record<string, unknown>;
}
interface Workflow {
  on: { workflow_dispatch?: { inputs?: Record<string, { default?: unknown }> } };
  jobs: Record<string, { steps: Step[] }>;
}

/** The inputs of each step that uses the action. */
function actionSteps(file: string): Record<string, string>[] {
  const workflow = yaml.load(readFileSync(path.join(DIR, file), 'utf8')) as Workflow;
  const defaults = Object.fromEntries(
    Object.entries(workflow.on.workflow_dispatch?.inputs ?? {}).map(([k, v]) => [k, String(v.default ?? '')]),
  );
  return Object.values(workflow.jobs)
    .flatMap((job) => job.steps)
    .filter((step) => step.uses === USES)
    .map((step) =>
      Object.fromEntries(Object.entries(step.with ?? {}).map(([k, v]) => [k, evaluate(v, defaults)])),
    );
}

function configOf(inputs: Record<string, string>): Config {
  return parseConfig((name) => inputs[name] ?? '', { AWS_REGION: REGION }, new Date('2026-11-21T06:00:00Z'));
}

/** Everything wrong with running these inputs against the stack; empty when the run can work. */
function problems(inputs: Record<string, string>, parameters: Record<string, string> = {}): string[] {
  const config = configOf(inputs);
  const stack = deploy(parameters);
  const out: string[] = [];
  const same = (what: string, used: string | undefined, output: string | undefined) => {
    if (used !== output) out.push(`${what} ${used ?? '(none)'} is not the stack's ${output ?? '(none)'}`);
  };
  if (config.s3) {
    same('s3-bucket', config.s3.bucket, stack.outputs.S3Bucket);
    same('s3-prefix', config.s3.prefix, stack.outputs.S3Prefix);
  }
  if (config.glue) same('glue-crawler', config.glue.crawler, stack.outputs.GlueCrawler);
  let results: string | undefined;
  if (config.athena) {
    same('athena-database', config.athena.database, stack.outputs.AthenaDatabase);
    same('athena-table', config.athena.table, stack.outputs.AthenaTable);
    same('athena-workgroup', config.athena.workgroup, stack.outputs.AthenaWorkgroup);
    // The template's workgroup enforces its own location; a location given must be one the role may use.
    results = config.athena.outputLocation ?? stack.workgroupOutput;
  }
  const [resultsBucket = '', resultsPrefix = ''] = (results ?? 's3://none/')
    .replace(/^s3:\/\//, '')
    .split(/\/(.*)/);
  const glue = (rest: string) => `arn:aws:glue:${REGION}:${ACCOUNT}:${rest}`;
  const database = config.athena?.database ?? '';
  const arns: Record<ResourceKind, string[]> = {
    'source-objects': config.s3
      ? ['day', 'total'].map(
          (g) =>
            `arn:aws:s3:::${config.s3!.bucket}/${config.s3!.prefix}/granularity=${g}/dt=2026-11-20/x.json.gz`,
        )
      : [],
    'source-bucket': config.s3 ? [`arn:aws:s3:::${config.s3.bucket}`] : [],
    'results-objects': [`arn:aws:s3:::${resultsBucket}/${resultsPrefix}0b9d0e8e.csv`],
    'results-bucket': [`arn:aws:s3:::${resultsBucket}`],
    crawler: config.glue ? [glue(`crawler/${config.glue.crawler}`)] : [],
    catalog: [glue('catalog')],
    database: [glue(`database/${database}`)],
    table: [glue(`table/${database}/${config.athena?.table ?? ''}`)],
    workgroup: config.athena
      ? [`arn:aws:athena:${REGION}:${ACCOUNT}:workgroup/${config.athena.workgroup}`]
      : [],
    'kms-key': config.s3?.kmsKeyId ? [config.s3.kmsKeyId] : [],
    any: ['*'],
  };
  const denied = new Set<string>();
  for (const permission of permissionsNeeded(config) as AwsPermission[]) {
    for (const action of permission.actions) {
      for (const kind of permission.resources) {
        for (const arn of arns[kind]) {
          const allowed = stack.statements.some(
            (s) =>
              s.Effect === 'Allow' &&
              list(s.Action).includes(action) &&
              list(s.Resource).some((pattern) => (arn === '*' ? pattern === '*' : matches(pattern, arn))),
          );
          if (!allowed) denied.add(`AccessDenied: ${action} on ${arn} (${permission.call})`);
        }
      }
    }
  }
  return [...out, ...denied];
}

const files = readdirSync(DIR).filter((f) => /\.ya?ml$/.test(f));

describe('the example workflows against infra/template.yaml', () => {
  it('finds the action in every example, and the data lake in at least one', () => {
    const steps = files.flatMap((f) => actionSteps(f));
    expect(steps.length).toBeGreaterThanOrEqual(files.length);
    expect(steps.some((inputs) => configOf(inputs).athena && configOf(inputs).s3)).toBe(true);
  });

  it.each(files)(
    '%s: names, workgroup, results location and every AWS call fit the stack’s defaults',
    (file) => {
      for (const inputs of actionSteps(file)) expect(problems(inputs)).toEqual([]);
    },
  );

  it('daily-usage.yml needs no crawler, and runs against a stack made with defaults only', () => {
    const [inputs] = actionSteps('daily-usage.yml');
    const config = configOf(inputs!);
    expect(config.glue).toBeUndefined();
    expect(config.s3).toBeDefined();
    expect(config.athena?.workgroup).toBe('genesys-usage');
    // Its Glue calls are the table lookup only: no crawler permission is needed (nor granted).
    const glueCalls = permissionsNeeded(config)
      .map((p) => p.call)
      .filter((c) => c.startsWith('Glue.'));
    expect(glueCalls.sort()).toEqual(['Glue.BatchCreatePartition', 'Glue.GetTable']);
  });

  it('catches the mistakes the old daily example made: three AccessDenied on a first run', () => {
    // The daily example before this check: another crawler name, the primary workgroup, results
    // outside the results bucket.
    const old = {
      'client-id': 'secret',
      'client-secret': 'secret',
      interval: 'P1D',
      granularity: 'Day',
      's3-bucket': VARS.GENESYS_USAGE_BUCKET!,
      's3-prefix': 'genesys-usage',
      'glue-crawler': 'genesys-usage',
      crawl: 'when-needed',
      'athena-database': 'genesys_usage',
      'athena-output-location': `s3://${VARS.GENESYS_USAGE_BUCKET!}/athena-results/`,
    };
    const found = problems(old, { CreateCrawler: 'true' });
    expect(found).toEqual(
      expect.arrayContaining([
        "glue-crawler genesys-usage is not the stack's genesys-usage-crawler",
        "athena-workgroup primary is not the stack's genesys-usage",
        `AccessDenied: glue:StartCrawler on arn:aws:glue:${REGION}:${ACCOUNT}:crawler/genesys-usage (Glue.StartCrawler)`,
        `AccessDenied: athena:StartQueryExecution on arn:aws:athena:${REGION}:${ACCOUNT}:workgroup/primary (Athena.StartQueryExecution)`,
        `AccessDenied: s3:PutObject on arn:aws:s3:::acme-genesys-usage/athena-results/0b9d0e8e.csv (Athena writes and reads the results)`,
      ]),
    );
    // And a crawler the stack does not make at all (the default): refused too.
    expect(problems({ ...old, 'glue-crawler': 'genesys-usage-crawler' })).toEqual(
      expect.arrayContaining(["glue-crawler genesys-usage-crawler is not the stack's (none)"]),
    );
  });
});
