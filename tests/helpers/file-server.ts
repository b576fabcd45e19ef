// A real HTTP server on loopback that serves files and misbehaves on cue, for the remote-input tests:
// drop the connection after N bytes, ignore Range, answer a status (503 with Retry-After, 404) first.
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export type Fault =
  /** send the headers and this many body bytes, then cut the connection */
  | { drop: number }
  /** answer this status (with Retry-After when given) instead of the file */
  | { status: number; retryAfter?: string }
  /** send the headers and this many body bytes, then stop sending (the client's idle timeout must fire) */
  | { stall: number };

export interface Route {
  /** what the path serves */
  body: Buffer;
  /** faults answered in order, one per request, before the file is served properly */
  faults?: Fault[];
  /** answer every request with the whole file (200), whatever its Range */
  ignoreRange?: boolean;
  etag?: string;
}

export interface FileServer {
  url: string;
  routes: Map<string, Route>;
  /** every request: path and Range header */
  requests: Array<{ path: string; range?: string; method: string }>;
  close(): Promise<void>;
}

/** serve `routes` (path -> route) on 127.0.0.1 at a free port */
export async function startFileServer(routes: Record<string, Route | Buffer | string> = {}): Promise<FileServer> {
  const map = new Map<string, Route>();
  for (const [p, r] of Object.entries(routes)) map.set(p, Buffer.isBuffer(r) ? { body: r } : typeof r === 'string' ? { body: fs.readFileSync(r) } : r);
  const requests: FileServer['requests'] = [];
  const sockets = new Set<import('node:net').Socket>();
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    requests.push({ path: url.pathname, range: req.headers.range, method: req.method ?? 'GET' });
    const route = map.get(url.pathname);
    if (!route) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      return;
    }
    // a HEAD (the size asked when a run lists its inputs) is answered properly and takes no fault
    const fault = req.method === 'HEAD' ? undefined : route.faults?.shift();
    if (fault && 'status' in fault) {
      res.writeHead(fault.status, fault.retryAfter !== undefined ? { 'retry-after': fault.retryAfter } : {}).end(`status ${fault.status}`);
      return;
    }
    const size = route.body.length;
    const m = !route.ignoreRange && req.headers.range ? /^bytes=(\d+)-(\d*)$/.exec(req.headers.range) : null;
    let start = 0;
    let end = size; // exclusive
    const headers: Record<string, string | number> = { 'accept-ranges': route.ignoreRange ? 'none' : 'bytes', etag: route.etag ?? '"v1"', 'content-type': 'application/octet-stream' };
    if (m) {
      start = Number(m[1]);
      end = m[2] ? Math.min(size, Number(m[2]) + 1) : size;
      if (start >= size) {
        res.writeHead(416, { 'content-range': `bytes */${size}` }).end();
        return;
      }
      res.writeHead(206, { ...headers, 'content-range': `bytes ${start}-${end - 1}/${size}`, 'content-length': end - start });
    } else res.writeHead(200, { ...headers, 'content-length': size });
    if (req.method === 'HEAD') return void res.end();
    if (fault && 'drop' in fault) {
      res.write(route.body.subarray(start, Math.min(end, start + fault.drop)), () => res.socket?.destroy());
      return;
    }
    if (fault && 'stall' in fault) {
      res.write(route.body.subarray(start, Math.min(end, start + fault.stall)));
      return; // never ends: the socket is closed by the client's timeout or by close()
    }
    res.end(route.body.subarray(start, end));
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    routes: map,
    requests,
    close: () =>
      new Promise((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  };
}
