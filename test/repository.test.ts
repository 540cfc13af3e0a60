/**
 * What a published action's repository owes its users: a short README whose links (and every doc's)
 * lead somewhere, a licence, a changelog entry for the version being released, a security policy,
 * and Node versions that agree between action.yml, package.json and the README.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { Lexer, type Token, type Tokens } from 'marked';
import { ROOT } from './support/run-action.js';

const read = (file: string) => readFileSync(path.join(ROOT, file), 'utf8');
const pkg = JSON.parse(read('package.json')) as {
  version: string;
  license: string;
  engines: { node: string };
  devDependencies: Record<string, string>;
};

const MARKDOWN = [
  'README.md',
  'CHANGELOG.md',
  'SECURITY.md',
  'BENCHMARKS.md',
  ...readdirSync(path.join(ROOT, 'docs'))
    .filter((f) => f.endsWith('.md'))
    .map((f) => `docs/${f}`),
];

/** Every token of a Markdown document, nested ones included. */
function tokens(markdown: string): Token[] {
  const all: Token[] = [];
  const walk = (list: Token[]) => {
    for (const token of list) {
      all.push(token);
      const t = token as Token & { tokens?: Token[]; items?: Token[]; header?: Token[]; rows?: Token[][] };
      if (t.tokens) walk(t.tokens);
      if (t.items) walk(t.items);
      if (token.type === 'table') {
        const table = token as Tokens.Table;
        for (const cell of [...table.header, ...table.rows.flat()]) walk(cell.tokens);
      }
    }
  };
  walk(Lexer.lex(markdown, { gfm: true }));
  return all;
}

/** GitHub's heading anchors: lower case, punctuation dropped, spaces as hyphens, repeats numbered. */
function anchors(markdown: string): Set<string> {
  const seen = new Map<string, number>();
  const result = new Set<string>();
  for (const token of tokens(markdown)) {
    if (token.type !== 'heading') continue;
    const text = (token as Tokens.Heading).text.replace(/\[([^\]]*)\]\([^)]*\)/g, '$1');
    const base = text
      .toLowerCase()
      .replace(/[^\p{L}\p{N}\- _]/gu, '')
      .replace(/ /g, '-');
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    result.add(n === 0 ? base : `${base}-${n}`);
  }
  return result;
}

/** The relative link targets (links and images) of a Markdown file. */
function relativeLinks(file: string): string[] {
  return tokens(read(file))
    .filter((t): t is Tokens.Link | Tokens.Image => t.type === 'link' || t.type === 'image')
    .map((t) => t.href)
    .filter((href) => !/^[a-z][a-z0-9+.-]*:/i.test(href));
}

describe('README.md', () => {
  const readme = read('README.md');

  it('is a landing page of at most 150 lines', () => {
    expect(readme.split('\n').length).toBeLessThanOrEqual(150);
  });

  it('gives the two quick-start commands, both installing only from the lockfile', () => {
    expect(readme).toMatch(/^npm run example\b/m);
    expect(readme).toMatch(/^npm ci && npm test\b/m);
    expect(readme).not.toMatch(/^npm (it|install|i)\b/m);
  });

  it('says how to pin the action: a major tag, an exact tag or a full commit SHA', () => {
    expect(readme).toMatch(/@v1\b/);
    expect(readme).toMatch(/@v1\.\d+\.\d+\b/);
    expect(readme).toMatch(/@(<commit-sha>|[0-9a-f]{40}) .*full 40-character commit SHA/);
  });

  it('links the reference, the guides, the changelog and the security policy', () => {
    const links = relativeLinks('README.md');
    for (const target of [
      'docs/reference.md',
      'docs/genesys.md',
      'docs/data-lake.md',
      'docs/where-to-run.md',
      'docs/how-it-works.md',
      'docs/development.md',
      'BENCHMARKS.md',
      'CHANGELOG.md',
      'SECURITY.md',
      'LICENSE',
    ]) {
      expect(links.map((l) => l.split('#')[0])).toContain(target);
    }
  });
});

describe.each(MARKDOWN)('%s', (file) => {
  it('links only to files and headings that exist', () => {
    const broken: string[] = [];
    for (const href of relativeLinks(file)) {
      const [target = '', anchor] = decodeURI(href).split('#');
      const resolved = target ? path.resolve(ROOT, path.dirname(file), target) : path.join(ROOT, file);
      if (!resolved.startsWith(ROOT + path.sep) || !existsSync(resolved)) {
        broken.push(`${href}: no such file`);
        continue;
      }
      if (anchor && statSync(resolved).isFile() && resolved.endsWith('.md')) {
        const known = anchors(readFileSync(resolved, 'utf8'));
        if (!known.has(anchor)) broken.push(`${href}: no heading with that anchor`);
      }
    }
    expect(broken).toEqual([]);
  });
});

describe('the link check', () => {
  it('finds a missing file, a missing anchor and makes GitHub anchors', () => {
    expect(
      anchors('## The data lake: S3, Glue and Athena\n\n## `api` (default)\n\n## Notes\n\n## Notes\n'),
    ).toEqual(new Set(['the-data-lake-s3-glue-and-athena', 'api-default', 'notes', 'notes-1']));
    const markdown =
      '[a](x.md#y) ![b](i.png) [c](https://e.com)\n\n| h |\n| - |\n| [d](#z) |\n\n```\n[e](no.md)\n```\n';
    const links = tokens(markdown)
      .filter((t) => t.type === 'link' || t.type === 'image')
      .map((t) => (t as Tokens.Link).href);
    expect(links).toEqual(['x.md#y', 'i.png', 'https://e.com', '#z']);
  });
});

describe('licence, changelog and security policy', () => {
  it('LICENSE is the MIT licence, and package.json says so', () => {
    expect(read('LICENSE')).toMatch(/^MIT License\n\nCopyright \(c\) \d{4} \S/);
    expect(pkg.license).toBe('MIT');
  });

  it('action.yml names a real author', () => {
    const author = /^author: (.+)$/m.exec(read('action.yml'))?.[1] ?? '';
    expect(author).not.toMatch(/^(|genesys-usage-report-action|<.*>|TODO.*)$/i);
  });

  it('CHANGELOG.md keeps a changelog with an entry for the version in package.json', () => {
    const changelog = read('CHANGELOG.md');
    expect(changelog).toMatch(/keepachangelog\.com/);
    expect(changelog).toMatch(/semver\.org/);
    expect(changelog).toMatch(/^## \[Unreleased\]$/m);
    const versions = [...changelog.matchAll(/^## \[(\d+\.\d+\.\d+)\] - (\d{4}-\d{2}-\d{2})$/gm)];
    expect(versions.map((m) => m[1])).toContain(pkg.version);
    for (const [, , date] of versions) expect(new Date(`${date}T00:00:00Z`).toISOString()).toContain(date);
    const sections = changelog.match(/^### \S.*$/gm) ?? [];
    const allowed = ['Added', 'Changed', 'Deprecated', 'Removed', 'Fixed', 'Security'];
    expect(sections.filter((s) => !allowed.includes(s.slice(4)))).toEqual([]);
  });

  it('SECURITY.md says how to report privately and what the action does with secrets', () => {
    const policy = read('SECURITY.md');
    expect(policy).toMatch(/report a vulnerability/i);
    expect(policy).toMatch(/private/i);
    for (const subject of ['client secret', 'OIDC', 'GitHub token', 'comment'])
      expect(policy).toContain(subject);
  });
});

describe('Node versions agree', () => {
  it('action.yml runs on node24; development needs Node 20 or later, typed against Node 20', () => {
    expect(read('action.yml')).toMatch(/^ {2}using: node24$/m);
    // The lowest versions the dependency tree accepts (ESLint 10: ^20.19.0 || ^22.13.0 || >=24).
    expect(pkg.engines.node).toBe('^20.19.0 || ^22.13.0 || >=24');
    // The lowest supported Node's types: a newer API used by mistake fails to type-check.
    expect(pkg.devDependencies['@types/node']).toMatch(/^\^20\./);
    expect(read('README.md')).toMatch(/Node\.js \(20\.19 or later, 22\.13 or later, or 24\)/);
  });
});
