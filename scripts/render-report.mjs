#!/usr/bin/env node
// Renders summary.md the way people see it on GitHub (Markdown to HTML, the Mermaid chart drawn),
// in headless Chromium, checks the headings, tables and chart are there, and saves a screenshot.
// Offline: Mermaid is loaded from node_modules by file path and every non-file request is refused.
// Needs Chromium (Debian: apt-get install -y chromium; fonts-noto-color-emoji for the status emoji).
// Not part of `npm test`: CI has no browser.
//
//   npm run example && npm run render-report [-- summary.md [out.png]]
//
// Defaults: genesys-usage-report/summary.md -> docs/report-example.png. CHROMIUM overrides the
// browser path (default /usr/bin/chromium).
/* global window, document -- inside page.evaluate callbacks, which run in the page */
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Marked } from 'marked';
import { chromium } from 'playwright-core';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const [summaryArg, outArg] = process.argv.slice(2);
const summaryPath = path.resolve(summaryArg ?? path.join(root, 'genesys-usage-report', 'summary.md'));
const outPath = path.resolve(outArg ?? path.join(root, 'docs', 'report-example.png'));
const executablePath = process.env.CHROMIUM ?? '/usr/bin/chromium';
const mermaidPath = path.join(
  path.dirname(createRequire(import.meta.url).resolve('mermaid/package.json')),
  'dist',
  'mermaid.min.js',
);

if (!existsSync(summaryPath)) {
  console.error(
    `No ${summaryPath}: run \`npm run example\` first (it writes genesys-usage-report/summary.md).`,
  );
  process.exit(1);
}
if (!existsSync(executablePath)) {
  console.error(`No Chromium at ${executablePath}: apt-get install -y chromium, or set CHROMIUM.`);
  process.exit(1);
}

const escapeHtml = (s) =>
  s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]);

// GitHub-flavoured Markdown; a mermaid block becomes what GitHub renders it into: a diagram.
const marked = new Marked({ gfm: true }).use({
  renderer: {
    code({ text, lang }) {
      return lang === 'mermaid' ? `<pre class="mermaid">${escapeHtml(text)}</pre>\n` : false;
    },
  },
});
const markdown = await readFile(summaryPath, 'utf8');
const body = await marked.parse(markdown);

// Close to GitHub's Markdown styles (light theme), so the screenshot reads like a job summary.
const css = `
  body { margin: 0; background: #fff; }
  .markdown-body { box-sizing: border-box; max-width: 1012px; margin: 0 auto; padding: 32px;
    font: 14px/1.5 -apple-system, BlinkMacSystemFont, "Segoe UI", "Noto Sans", Helvetica, Arial, sans-serif,
      "Apple Color Emoji", "Segoe UI Emoji", "Noto Color Emoji"; color: #1f2328; }
  h2 { font-size: 1.5em; border-bottom: 1px solid #d1d9e0; padding-bottom: .3em; margin: 24px 0 16px; }
  h3 { font-size: 1.25em; margin: 24px 0 16px; }
  p, blockquote, table, pre, ul, details { margin: 0 0 16px; }
  blockquote { padding: 0 1em; color: #59636e; border-left: .25em solid #d1d9e0; }
  blockquote p { margin: 0; }
  table { border-collapse: collapse; display: block; width: max-content; max-width: 100%; overflow: auto;
    font-variant-numeric: tabular-nums; }
  th, td { padding: 6px 13px; border: 1px solid #d1d9e0; }
  th { font-weight: 600; }
  tr:nth-child(2n) { background: #f6f8fa; }
  code { font: 85% ui-monospace, SFMono-Regular, Menlo, Consolas, "Liberation Mono", monospace;
    background: rgba(129, 139, 152, .12); border-radius: 6px; padding: .2em .4em; }
  sub { color: #59636e; }
  pre.mermaid { background: none; text-align: center; }
  details summary { cursor: pointer; }
`;
const html = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Genesys Cloud API usage report</title>
<style>${css}</style>
<script src="${pathToFileURL(mermaidPath)}"></script>
</head><body><article class="markdown-body">
${body}
</article>
<script>
  mermaid.initialize({ startOnLoad: false, theme: 'default', securityLevel: 'strict' });
  window.mermaidDone = mermaid.run({ querySelector: 'pre.mermaid' }).then(
    () => 'ok',
    (e) => (e && (e.message || e.str)) || JSON.stringify(e),
  );
</script>
</body></html>`;

const work = await mkdtemp(path.join(tmpdir(), 'render-report-'));
const htmlPath = path.join(work, 'report.html');
await writeFile(htmlPath, html);

const failures = [];
const check = (ok, what) => {
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${what}`);
  if (!ok) failures.push(what);
};

// A new, empty profile; no GPU, no sandbox (containers), and nothing that phones home.
const context = await chromium.launchPersistentContext(path.join(work, 'profile'), {
  executablePath,
  headless: true,
  viewport: { width: 1012, height: 800 },
  deviceScaleFactor: 1,
  args: [
    '--headless',
    '--no-sandbox',
    '--disable-gpu',
    '--disable-quic',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
  ],
});
const refused = [];
try {
  await context.route('**/*', (route) => {
    const url = route.request().url();
    if (url.startsWith('file:') || url.startsWith('data:')) return route.continue();
    refused.push(url);
    return route.abort();
  });
  const page = context.pages()[0] ?? (await context.newPage());
  const consoleErrors = [];
  page.on('console', (msg) => msg.type() === 'error' && consoleErrors.push(msg.text()));
  page.on('pageerror', (error) => consoleErrors.push(String(error)));
  await page.goto(pathToFileURL(htmlPath).href, { waitUntil: 'load' });
  const mermaidResult = await page.evaluate(() => window.mermaidDone);

  const found = await page.evaluate(() => ({
    h2: [...document.querySelectorAll('h2')].map((h) => h.textContent.trim()),
    h3: [...document.querySelectorAll('h3')].map((h) => h.textContent.trim()),
    tables: [...document.querySelectorAll('table')].map((t) => ({
      head: [...t.querySelectorAll('thead th')].map((th) => th.textContent.trim()),
      rows: t.querySelectorAll('tbody tr').length,
    })),
    charts: [...document.querySelectorAll('pre.mermaid')].map((pre) => {
      const svg = pre.querySelector('svg');
      return {
        svg: Boolean(svg),
        bars: svg ? svg.querySelectorAll('.bar-plot-0 rect, [class*="bar-plot"] rect').length : 0,
        text: svg ? svg.textContent : pre.textContent,
      };
    }),
  }));
  const expectedH2 = markdown.match(/^## .*/gm)?.length ?? 0;
  const expectedH3 = markdown.match(/^### .*/gm)?.length ?? 0;
  const expectedTables = markdown.match(/^\| (?:-|:)?-{3}/gm)?.length ?? 0;
  const expectedCharts = markdown.match(/^```mermaid$/gm)?.length ?? 0;
  const expectedBars = [...markdown.matchAll(/^ {2}bar \[(.*)\]$/gm)].map((m) => m[1].split(',').length);

  check(found.h2.length === expectedH2 && expectedH2 > 0, `headings h2: ${JSON.stringify(found.h2)}`);
  check(
    found.h3.length === expectedH3,
    `headings h3 (${found.h3.length}/${expectedH3}): ${found.h3.join(' | ')}`,
  );
  check(
    found.tables.length === expectedTables && found.tables.every((t) => t.head.length > 0 && t.rows > 0),
    `tables (${found.tables.length}/${expectedTables}): ${found.tables.map((t) => `${t.head.length} cols × ${t.rows} rows`).join(', ')}`,
  );
  check(
    !markdown.includes('| ---') || !(await page.evaluate(() => document.body.innerText.includes('| ---'))),
    'no raw Markdown table left in the page',
  );
  check(mermaidResult === 'ok', `mermaid.run: ${mermaidResult}`);
  check(
    found.charts.length === expectedCharts && found.charts.every((c) => c.svg),
    `charts rendered as svg: ${found.charts.length}/${expectedCharts}`,
  );
  found.charts.forEach((c, i) =>
    check(
      c.bars === (expectedBars[i] ?? -1),
      `chart ${i + 1}: ${c.bars} bars (${expectedBars[i]} in the source)`,
    ),
  );
  check(!found.charts.some((c) => /syntax error/i.test(c.text)), 'no Mermaid syntax error');
  check(
    refused.length === 0,
    `no network requests${refused.length ? `: refused ${refused.join(', ')}` : ''}`,
  );
  check(
    consoleErrors.length === 0,
    `no page errors${consoleErrors.length ? `: ${consoleErrors.join(' | ')}` : ''}`,
  );

  await mkdir(path.dirname(outPath), { recursive: true });
  await page.screenshot({ path: outPath, fullPage: true });
  console.log(`Screenshot: ${path.relative(process.cwd(), outPath)}`);
} finally {
  await context.close();
  await rm(work, { recursive: true, force: true });
}

if (failures.length) {
  console.error(`${failures.length} check(s) failed.`);
  process.exit(1);
}
