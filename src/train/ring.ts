// Data-parallel training's one collective: a ring all-reduce of float32 gradients over TCP sockets
// (the algorithm of Baidu's ring all-reduce and NCCL's ring: a reduce-scatter then an all-gather, each
// N-1 steps in which every rank sends one chunk to its right neighbour and receives one from its left,
// so each rank sends 2(N-1)/N of the buffer whatever N is). Rendezvous: rank 0 listens at the address
// every rank is given (host:port; `curate train --workers` picks a free local port, under Slurm the first
// node's host name); the others register their own ring listener with it, rank 0 hands out the table,
// and each rank connects to its right neighbour. The order of additions is fixed by N, so a run with the
// same world size gives the same bits every time.
import net from 'node:net';
import os from 'node:os';

export interface Collective {
  readonly rank: number;
  readonly world: number;
  /** sum `buf` over every rank, in place; every rank gets the same bits */
  allReduceSum(buf: Float32Array): Promise<void>;
  close(): void;
}

/** a world of one: nothing to exchange */
export const SOLO: Collective = { rank: 0, world: 1, allReduceSum: async () => {}, close: () => {} };

/** exact-length reads from a socket, and an error for every read still waiting when it closes */
class Peer {
  private chunks: Buffer[] = [];
  private have = 0;
  private waiting: { n: number; resolve: (b: Buffer) => void; reject: (e: Error) => void } | undefined;
  private failed: Error | undefined;

  constructor(
    readonly socket: net.Socket,
    readonly name: string,
  ) {
    socket.setNoDelay(true);
    socket.on('data', (c: Buffer) => {
      this.chunks.push(c);
      this.have += c.length;
      this.pump();
    });
    const fail = (e?: Error) => {
      this.failed ??= new Error(`${name}: the connection ${e ? `failed (${e.message})` : 'closed'}: a rank stopped`);
      if (this.waiting) {
        const w = this.waiting;
        this.waiting = undefined;
        w.reject(this.failed);
      }
    };
    socket.on('error', fail);
    socket.on('close', () => fail());
  }

  private pump(): void {
    const w = this.waiting;
    if (!w || this.have < w.n) return;
    this.waiting = undefined;
    const all = this.chunks.length === 1 ? this.chunks[0]! : Buffer.concat(this.chunks, this.have);
    const out = all.subarray(0, w.n);
    const rest = all.subarray(w.n);
    this.chunks = rest.length ? [rest] : [];
    this.have = rest.length;
    w.resolve(out);
  }

  read(n: number): Promise<Buffer> {
    if (this.failed && this.have < n) return Promise.reject(this.failed);
    return new Promise((resolve, reject) => {
      this.waiting = { n, resolve, reject };
      this.pump();
    });
  }

  async readLine(): Promise<string> {
    for (;;) {
      const all = Buffer.concat(this.chunks, this.have);
      const nl = all.indexOf(10);
      if (nl !== -1) {
        this.chunks = [all.subarray(nl + 1)];
        this.have = all.length - nl - 1;
        return all.subarray(0, nl).toString('utf8');
      }
      // wait for one more byte than is here, then put what was read back in front of the rest
      const b = await this.read(this.have + 1);
      this.chunks.unshift(b);
      this.have += b.length;
    }
  }

  write(b: Uint8Array): Promise<void> {
    return new Promise((resolve, reject) => this.socket.write(b, (e) => (e ? reject(e) : resolve())));
  }
}

function connect(host: string, port: number, timeoutMs: number, name: string): Promise<Peer> {
  const deadline = Date.now() + timeoutMs;
  return new Promise((resolve, reject) => {
    const attempt = () => {
      const s = net.connect(port, host);
      s.once('connect', () => {
        s.removeAllListeners('error');
        resolve(new Peer(s, name));
      });
      s.once('error', (e) => {
        s.destroy();
        // the listener may not be up yet (ranks start in any order): try again until the deadline
        if (Date.now() < deadline) setTimeout(attempt, 100);
        else reject(new Error(`${name}: cannot connect to ${host}:${port} within ${timeoutMs} ms: ${e.message}`));
      });
    };
    attempt();
  });
}

function listen(port: number, host?: string): Promise<net.Server> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(port, host, () => resolve(server));
  });
}

function acceptOne(server: net.Server, name: string, timeoutMs: number): Promise<Peer> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${name}: no connection within ${timeoutMs} ms`)), timeoutMs);
    server.once('connection', (s) => {
      clearTimeout(timer);
      resolve(new Peer(s, name));
    });
  });
}

export interface RingOptions {
  rank: number;
  world: number;
  /** rank 0's rendezvous address, host:port */
  addr: string;
  /** how long rendezvous waits for every rank */
  timeoutMs?: number;
  /** the host name the other ranks reach this one at (default: this machine's name, 127.0.0.1 for a local rendezvous) */
  host?: string;
}

export class TcpRing implements Collective {
  private constructor(
    readonly rank: number,
    readonly world: number,
    private readonly left: Peer,
    private readonly right: Peer,
    private readonly servers: net.Server[],
  ) {}

  /** join the ring: every rank calls it with the same world and address */
  static async join(o: RingOptions): Promise<TcpRing> {
    const { rank, world } = o;
    const timeoutMs = o.timeoutMs ?? 120_000;
    const [rvHost, rvPortText] = o.addr.split(/:(?=\d+$)/) as [string, string];
    const rvPort = Number(rvPortText);
    if (!rvHost || !Number.isInteger(rvPort)) throw new Error(`rendezvous address must be host:port, got '${o.addr}'`);
    const local = ['127.0.0.1', 'localhost'].includes(rvHost);
    const myHost = o.host ?? (local ? '127.0.0.1' : os.hostname());
    const ringServer = await listen(0, local ? '127.0.0.1' : undefined);
    const myPort = (ringServer.address() as net.AddressInfo).port;
    const servers = [ringServer];
    let table: Array<{ host: string; port: number }>;
    if (rank === 0) {
      const rv = await listen(rvPort, local ? '127.0.0.1' : undefined);
      servers.push(rv);
      table = new Array(world);
      table[0] = { host: myHost, port: myPort };
      const peers: Peer[] = [];
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`rendezvous at ${o.addr}: ${peers.length + 1} of ${world} ranks joined within ${timeoutMs} ms`)), timeoutMs);
        rv.on('connection', (s) => {
          const p = new Peer(s, 'rendezvous');
          p.readLine().then((line) => {
            const m = JSON.parse(line) as { rank: number; host: string; port: number };
            if (!(m.rank > 0 && m.rank < world) || table[m.rank]) return reject(new Error(`rendezvous: rank ${m.rank} joined twice or is outside the world of ${world}`));
            table[m.rank] = { host: m.host, port: m.port };
            peers.push(p);
            if (peers.length === world - 1) {
              clearTimeout(timer);
              resolve();
            }
          }, reject);
        });
      });
      const msg = Buffer.from(JSON.stringify(table) + '\n');
      await Promise.all(peers.map((p) => p.write(msg)));
      for (const p of peers) p.socket.end();
    } else {
      const rv = await connect(rvHost, rvPort, timeoutMs, `rank ${rank} -> rendezvous`);
      await rv.write(Buffer.from(JSON.stringify({ rank, host: myHost, port: myPort }) + '\n'));
      table = JSON.parse(await rv.readLine()) as typeof table;
      rv.socket.end();
    }
    const next = table[(rank + 1) % world]!;
    const [right, left] = await Promise.all([connect(next.host, next.port, timeoutMs, `rank ${rank} -> rank ${(rank + 1) % world}`), acceptOne(ringServer, `rank ${(rank + world - 1) % world} -> rank ${rank}`, timeoutMs)]);
    // each side says who it is, so a crossed wire is an error, not wrong sums
    const id = Buffer.alloc(4);
    id.writeUInt32LE(rank);
    await right.write(id);
    const from = (await left.read(4)).readUInt32LE(0);
    if (from !== (rank + world - 1) % world) throw new Error(`ring: rank ${rank} expected its left neighbour ${(rank + world - 1) % world}, got ${from}`);
    return new TcpRing(rank, world, left, right, servers);
  }

  async allReduceSum(buf: Float32Array): Promise<void> {
    const N = this.world;
    const L = buf.length;
    const start = (c: number) => Math.floor((c * L) / N);
    const chunk = (c: number) => buf.subarray(start(c), start(c + 1));
    const mod = (x: number) => ((x % N) + N) % N;
    // reduce-scatter: after N-1 steps this rank holds the full sum of chunk (rank + 1) mod N
    for (let s = 0; s < N - 1; s++) {
      const send = chunk(mod(this.rank - s));
      const into = chunk(mod(this.rank - s - 1));
      const [, got] = await Promise.all([this.right.write(new Uint8Array(send.buffer, send.byteOffset, send.byteLength)), this.left.read(into.byteLength)]);
      const add = new Float32Array(got.buffer.slice(got.byteOffset, got.byteOffset + got.byteLength));
      for (let i = 0; i < into.length; i++) into[i]! += add[i]!;
    }
    // all-gather: pass the finished chunks round
    for (let s = 0; s < N - 1; s++) {
      const send = chunk(mod(this.rank + 1 - s));
      const into = chunk(mod(this.rank - s));
      const [, got] = await Promise.all([this.right.write(new Uint8Array(send.buffer, send.byteOffset, send.byteLength)), this.left.read(into.byteLength)]);
      into.set(new Float32Array(got.buffer.slice(got.byteOffset, got.byteOffset + got.byteLength)));
    }
  }

  close(): void {
    this.left.socket.destroy();
    this.right.socket.destroy();
    for (const s of this.servers) s.close();
  }
}
