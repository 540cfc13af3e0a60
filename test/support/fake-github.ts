/**
 * A loopback fake of the GitHub REST API, just what the sticky comment uses: GET /user, and list,
 * create and update issue comments, with Link-header pagination, an optional path prefix (GitHub
 * Enterprise Server's /api/v3) and GitHub's 65,536-character body limit. Listens on 127.0.0.1:0.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeComment {
  id: number;
  issue: number;
  body: string;
  user: { login: string; type: 'User' | 'Bot' };
}

export interface TokenInfo {
  /** The user the token writes as. */
  login: string;
  /** An installation token (GITHUB_TOKEN): GET /user answers 403. */
  installation?: boolean;
  /** Read-only (fork pull requests): writes answer 403. */
  readOnly?: boolean;
}

export interface RecordedRequest {
  method: string;
  path: string;
  authorization?: string;
}

export interface FakeGitHubOptions {
  /** e.g. '/api/v3' for GitHub Enterprise Server. */
  prefix?: string;
  tokens?: Record<string, TokenInfo>;
  /** Page size when the client sends no per_page (GitHub's default is 30, its maximum 100). */
  maxPerPage?: number;
}

export const BODY_LIMIT = 65_536;

export class FakeGitHub {
  readonly requests: RecordedRequest[] = [];
  readonly comments: FakeComment[] = [];
  private nextId = 1000;
  private server: Server;
  private port = 0;
  readonly prefix: string;
  private readonly tokens: Record<string, TokenInfo>;
  private readonly maxPerPage: number;

  constructor(options: FakeGitHubOptions = {}) {
    this.prefix = options.prefix ?? '';
    this.tokens = options.tokens ?? { 'ghs-actions': { login: 'github-actions[bot]', installation: true } };
    this.maxPerPage = options.maxPerPage ?? 100;
    this.server = createServer((req, res) => {
      this.handle(req, res).catch((error: unknown) => send(res, 500, { message: String(error) }));
    });
  }

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
    return this;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /** The API base URL, as GITHUB_API_URL would hold it. */
  get url(): string {
    return `http://127.0.0.1:${this.port}${this.prefix}`;
  }

  /** A comment someone already wrote. */
  addComment(issue: number, login: string, body: string): FakeComment {
    const comment: FakeComment = {
      id: this.nextId++,
      issue,
      body,
      user: { login, type: login.endsWith('[bot]') ? 'Bot' : 'User' },
    };
    this.comments.push(comment);
    return comment;
  }

  commentsOn(issue: number): FakeComment[] {
    return this.comments.filter((c) => c.issue === issue);
  }

  private json(comment: FakeComment) {
    return {
      id: comment.id,
      body: comment.body,
      user: comment.user,
      html_url: `https://github.example/c/${comment.id}`,
    };
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', `http://${req.headers.host ?? '127.0.0.1'}`);
    const method = req.method ?? 'GET';
    this.requests.push({ method, path: url.pathname + url.search, authorization: req.headers.authorization });
    if (!url.pathname.startsWith(`${this.prefix}/`)) return send(res, 404, { message: 'Not Found' });
    const path = url.pathname.slice(this.prefix.length);

    const token = /^(?:token|bearer) (.+)$/i.exec(req.headers.authorization ?? '')?.[1];
    const who = token ? this.tokens[token] : undefined;
    if (!who) return send(res, 401, { message: 'Bad credentials' });

    if (method === 'GET' && path === '/user') {
      if (who.installation) return send(res, 403, { message: 'Resource not accessible by integration' });
      return send(res, 200, { login: who.login, type: 'User' });
    }

    const list = /^\/repos\/[^/]+\/[^/]+\/issues\/(\d+)\/comments$/.exec(path);
    if (list) {
      const issue = Number(list[1]);
      if (method === 'GET') {
        const perPage = Math.min(Number(url.searchParams.get('per_page') ?? 30), this.maxPerPage);
        const page = Math.max(1, Number(url.searchParams.get('page') ?? 1));
        const all = this.commentsOn(issue);
        const last = Math.max(1, Math.ceil(all.length / perPage));
        const link = (p: number, rel: string) => {
          const next = new URL(url);
          next.searchParams.set('per_page', String(perPage));
          next.searchParams.set('page', String(p));
          return `<${next.toString()}>; rel="${rel}"`;
        };
        const headers: Record<string, string> = {};
        if (page < last) headers.link = [link(page + 1, 'next'), link(last, 'last')].join(', ');
        const slice = all.slice((page - 1) * perPage, page * perPage);
        return send(
          res,
          200,
          slice.map((c) => this.json(c)),
          headers,
        );
      }
      if (method === 'POST') {
        if (who.readOnly) return send(res, 403, { message: 'Resource not accessible by integration' });
        const body = await readBody(req);
        if (body.length > BODY_LIMIT)
          return send(res, 422, {
            message: 'Validation Failed: body is too long (maximum is 65536 characters)',
          });
        return send(res, 201, this.json(this.addComment(issue, who.login, body)));
      }
    }

    const one = /^\/repos\/[^/]+\/[^/]+\/issues\/comments\/(\d+)$/.exec(path);
    if (one && method === 'PATCH') {
      if (who.readOnly) return send(res, 403, { message: 'Resource not accessible by integration' });
      const comment = this.comments.find((c) => c.id === Number(one[1]));
      if (!comment) return send(res, 404, { message: 'Not Found' });
      const body = await readBody(req);
      if (body.length > BODY_LIMIT)
        return send(res, 422, {
          message: 'Validation Failed: body is too long (maximum is 65536 characters)',
        });
      comment.body = body;
      return send(res, 200, this.json(comment));
    }
    return send(res, 404, { message: 'Not Found' });
  }
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const parsed = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as { body?: unknown };
  return typeof parsed.body === 'string' ? parsed.body : '';
}

function send(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
  res.end(JSON.stringify(body));
}
