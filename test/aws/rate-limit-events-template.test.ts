/**
 * The near-limit events table in infra/template.yaml: where the action writes the events (a sibling of
 * the usage prefix), the records' columns, partition projection, and the role allowed exactly that folder.
 */
import path from 'node:path';
import { RATE_LIMIT_EVENT_FIELDS, rateLimitEventsPrefix } from '../../src/rate-limit-events.js';
import { loadTemplate, resolver } from '../support/aws/cfn.js';
import { ROOT } from '../support/run-action.js';

const template = loadTemplate(path.join(ROOT, 'infra', 'template.yaml'));
const r = resolver(template, {
  parameters: {
    SourceBucketName: 'usage-src',
    ResultsBucketName: 'usage-results',
    GitHubRepository: 'octo/usage',
  },
  region: 'eu-west-1',
  accountId: '123456789012',
});
const prefix = String(template.Parameters?.S3Prefix?.Default);

interface TableProps {
  DatabaseName: string;
  TableInput: {
    Name: string;
    PartitionKeys: { Name: string }[];
    Parameters: Record<string, string>;
    StorageDescriptor: { Location: string; Columns: { Name: string; Type: string }[] };
  };
}

describe('the near-limit events table', () => {
  const table = r.resolve(template.Resources.RateLimitEventsTable!.Properties) as TableProps;

  it('reads the folder the action writes, beside the usage table, with the records’ columns', () => {
    const folder = rateLimitEventsPrefix(prefix);
    expect(table.TableInput.StorageDescriptor.Location).toBe(`s3://usage-src/${folder}/`);
    expect(folder.startsWith(`${prefix}/`)).toBe(false);
    expect(table.TableInput.StorageDescriptor.Columns.map((c) => c.Name)).toEqual(
      RATE_LIMIT_EVENT_FIELDS.map((f) => f.toLowerCase()),
    );
    expect(table.TableInput.PartitionKeys.map((k) => k.Name)).toEqual(['granularity', 'dt']);
    // `${!name}` is CloudFormation's literal `${name}` (Athena's projection placeholder), kept as is by the resolver.
    expect(table.TableInput.Parameters['storage.location.template']!.replace(/\$\{!/g, '${')).toBe(
      `s3://usage-src/${folder}/granularity=\${granularity}/dt=\${dt}/`,
    );
    expect(table.DatabaseName).toBe('genesys_usage');
  });

  it('lets the action’s role write and read that folder only', () => {
    const policy = r.resolve(template.Resources.RateLimitEventsAccess!.Properties) as {
      Roles: string[];
      PolicyDocument: { Statement: { Action: string[]; Resource: string | string[] }[] };
    };
    expect(policy.Roles).toEqual(['GitHubActionsRole']);
    const s3 = policy.PolicyDocument.Statement.find((s) => s.Action.includes('s3:PutObject'))!;
    expect(s3.Resource).toBe(`arn:aws:s3:::usage-src/${rateLimitEventsPrefix(prefix)}/*`);
  });
});
