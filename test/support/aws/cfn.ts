/**
 * Reads a CloudFormation template (short-form tags such as !Sub, !Ref, !GetAtt) and resolves its
 * intrinsic functions for given parameter values, so tests can check concrete ARNs and policies.
 * YAML: js-yaml from node_modules (v3 or v4 API), taken through a typed require.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

interface YamlType {
  kind: string;
}
interface JsYaml {
  Type: new (
    tag: string,
    options: { kind: 'scalar' | 'sequence' | 'mapping'; construct: (data: unknown) => unknown },
  ) => YamlType;
  Schema: { create?: (types: YamlType[]) => unknown };
  DEFAULT_SCHEMA?: { extend?: (types: YamlType[]) => unknown };
  load(text: string, options: { schema: unknown }): unknown;
}

const yaml = createRequire(import.meta.url)('js-yaml') as JsYaml;

const FUNCTIONS = [
  'Ref',
  'Condition',
  'Sub',
  'GetAtt',
  'If',
  'Equals',
  'Not',
  'And',
  'Or',
  'Join',
  'Select',
  'Split',
  'FindInMap',
  'Base64',
  'ImportValue',
  'GetAZs',
  'Cidr',
];

function cfnTypes(): YamlType[] {
  const types: YamlType[] = [];
  for (const name of FUNCTIONS) {
    const key = name === 'Ref' || name === 'Condition' ? name : `Fn::${name}`;
    for (const kind of ['scalar', 'sequence', 'mapping'] as const) {
      types.push(
        new yaml.Type(`!${name}`, {
          kind,
          construct: (data) =>
            // !GetAtt Resource.Attribute is the short form of [Resource, Attribute].
            ({ [key]: name === 'GetAtt' && typeof data === 'string' ? data.split('.') : data }),
        }),
      );
    }
  }
  return types;
}

export type Template = {
  Parameters?: Record<string, { Default?: unknown; Type?: string; AllowedPattern?: string }>;
  Conditions?: Record<string, unknown>;
  /** Parameter checks CloudFormation makes before it changes anything; resolve Assert for given parameters. */
  Rules?: Record<
    string,
    { RuleCondition?: unknown; Assertions: { Assert: unknown; AssertDescription?: string }[] }
  >;
  Resources: Record<string, { Type: string; Condition?: string; Properties?: Record<string, unknown> }>;
  Outputs?: Record<string, { Value: unknown; Condition?: string; Description?: string }>;
};

export function loadTemplate(file: string): Template {
  const types = cfnTypes();
  // js-yaml 4: DEFAULT_SCHEMA.extend; js-yaml 3: Schema.create.
  const schema = yaml.DEFAULT_SCHEMA?.extend
    ? yaml.DEFAULT_SCHEMA.extend(types)
    : yaml.Schema.create?.(types);
  return yaml.load(readFileSync(file, 'utf8'), { schema }) as Template;
}

export const NO_VALUE = Symbol('AWS::NoValue');

export interface Stack {
  parameters: Record<string, string>;
  region: string;
  accountId: string;
}

/** Resolves intrinsics: a resource's Ref is its Name-like property (or its logical id), GetAtt X.Arn a fake ARN. */
export function resolver(template: Template, stack: Stack) {
  const pseudo: Record<string, string> = {
    'AWS::Region': stack.region,
    'AWS::AccountId': stack.accountId,
    'AWS::Partition': 'aws',
    'AWS::StackName': 'genesys-usage',
    'AWS::URLSuffix': 'amazonaws.com',
  };
  const params: Record<string, string> = {};
  for (const [name, p] of Object.entries(template.Parameters ?? {})) {
    params[name] = stack.parameters[name] ?? (p.Default === undefined ? '' : String(p.Default));
  }

  const condition = (name: string): boolean => {
    const expr = template.Conditions?.[name];
    if (expr === undefined) throw new Error(`unknown condition ${name}`);
    return Boolean(resolve(expr));
  };

  const ref = (name: string): unknown => {
    if (name === 'AWS::NoValue') return NO_VALUE;
    if (name in pseudo) return pseudo[name];
    if (name in params) return params[name];
    const resource = template.Resources[name];
    if (!resource) throw new Error(`Ref to unknown ${name}`);
    if (resource.Type === 'AWS::IAM::OIDCProvider') {
      return `arn:aws:iam::${stack.accountId}:oidc-provider/token.actions.githubusercontent.com`;
    }
    const props = resource.Properties ?? {};
    for (const key of ['BucketName', 'Name', 'RoleName']) {
      if (props[key] !== undefined) return resolve(props[key]);
    }
    if (resource.Type === 'AWS::Glue::Database') {
      return resolve((props.DatabaseInput as Record<string, unknown> | undefined)?.Name);
    }
    if (resource.Type === 'AWS::Glue::Table') {
      return resolve((props.TableInput as Record<string, unknown> | undefined)?.Name);
    }
    return name;
  };

  const getAtt = (resource: string, attribute: string): string => {
    const type = template.Resources[resource]?.Type;
    if (!type) throw new Error(`GetAtt of unknown ${resource}`);
    if (type === 'AWS::IAM::Role' && attribute === 'Arn')
      return `arn:aws:iam::${stack.accountId}:role/${resource}`;
    if (type === 'AWS::S3::Bucket' && attribute === 'Arn') return `arn:aws:s3:::${String(ref(resource))}`;
    return `${resource}.${attribute}`;
  };

  // `${!Literal}` is CloudFormation's escape: it becomes `${Literal}`, untouched.
  const sub = (text: string, vars: Record<string, unknown> = {}): string =>
    text.replace(/\$\{(!?)([^}]+)\}/g, (_m, escaped: string, name: string) => {
      if (escaped) return `\${${name}}`;
      if (name in vars) return String(resolve(vars[name]));
      if (name.includes('.')) {
        const [resource = '', attribute = ''] = name.split('.');
        return getAtt(resource, attribute);
      }
      return String(ref(name));
    });

  function resolve(value: unknown): unknown {
    if (Array.isArray(value)) return value.map(resolve).filter((v) => v !== NO_VALUE);
    if (!value || typeof value !== 'object') return value;
    const entries = Object.entries(value as Record<string, unknown>);
    const [key, arg] = entries[0] ?? [];
    if (entries.length === 1 && key) {
      const args = arg as unknown[];
      switch (key) {
        case 'Ref':
          return ref(String(arg));
        case 'Condition':
          return condition(String(arg));
        case 'Fn::Sub':
          return Array.isArray(arg)
            ? sub(String(args[0]), args[1] as Record<string, unknown>)
            : sub(String(arg));
        case 'Fn::GetAtt':
          return getAtt(String(args[0]), String(args[1]));
        case 'Fn::If':
          return condition(String(args[0])) ? resolve(args[1]) : resolve(args[2]);
        case 'Fn::Equals':
          return String(resolve(args[0])) === String(resolve(args[1]));
        case 'Fn::Not':
          return !resolve(args[0]);
        case 'Fn::And':
          return args.every((a) => Boolean(resolve(a)));
        case 'Fn::Or':
          return args.some((a) => Boolean(resolve(a)));
        case 'Fn::Join':
          return (resolve(args[1]) as unknown[]).join(String(args[0]));
        case 'Fn::Select':
          return (resolve(args[1]) as unknown[])[Number(resolve(args[0]))];
        case 'Fn::Split':
          return String(resolve(args[1])).split(String(args[0]));
        default:
          if (key.startsWith('Fn::')) throw new Error(`the test resolver does not know ${key}`);
      }
    }
    const out: Record<string, unknown> = {};
    for (const [k, v] of entries) {
      const resolved = resolve(v);
      if (resolved !== NO_VALUE) out[k] = resolved;
    }
    return out;
  }

  return { resolve, condition, params };
}
