// A loopback web site for the crawler tests: fixture pages on 127.0.0.1, port 0, with every
// request logged (path, time, Host header) so a test can say what the crawler asked for and when.
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Hit {
  path: string;
  at: number;
  host: string;
  userAgent: string;
}

export type Route = (req: http.IncomingMessage, res: http.ServerResponse, hits: number) => void;

export interface TestSite {
  origin: string;
  hits: Hit[];
  count(path: string): number;
  /** bytes the server managed to write per path (for the streamed large page) */
  written: Map<string, number>;
  close(): Promise<void>;
}

export async function startSite(routes: Record<string, Route>): Promise<TestSite> {
  const hits: Hit[] = [];
  const written = new Map<string, number>();
  const server = http.createServer((req, res) => {
    const p = req.url ?? '/';
    hits.push({ path: p, at: Date.now(), host: req.headers.host ?? '', userAgent: req.headers['user-agent'] ?? '' });
    const route = routes[p];
    if (!route) {
      res.writeHead(404, { 'Content-Type': 'text/html' });
      res.end('<html><body>not here</body></html>');
      return;
    }
    route(req, res, hits.filter((h) => h.path === p).length);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    hits,
    written,
    count: (path) => hits.filter((h) => h.path === path).length,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

export const html = (body: string, status = 200, headers: Record<string, string> = {}): Route => (_req, res) => {
  res.writeHead(status, { 'Content-Type': 'text/html; charset=utf-8', ...headers });
  res.end(`<!doctype html><html><head><title>t</title></head><body>${body}</body></html>`);
};

/** a page of real-looking prose, long enough for the pipeline's filters to keep it */
export function prose(topic: string, links = ''): string {
  const sentences = [
    `The ${topic} was first described in a short report that most readers found clear and useful.`,
    `Since then many people have written about the ${topic}, and the best of them explain it plainly.`,
    `This page collects what we know, with notes on where each fact came from and how it was checked.`,
    `If you find a mistake, please tell us, and we will correct it in the next edition of this page.`,
    `Our thanks go to the volunteers who read every draft and who suggested many of the examples here.`,
  ];
  return `<article><h1>About the ${topic}</h1>${sentences.map((s) => `<p>${s} ${s}</p>`).join('')}${links}</article>`;
}
