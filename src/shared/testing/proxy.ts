// For the proxy tests: a tiny forward proxy on 127.0.0.1 (absolute-URI requests and CONNECT tunnels, optionally
// demanding Proxy-Authorization) that records what passed through it, and a self-signed certificate for 127.0.0.1
// so an HTTPS target can stand in for a real one.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { type IncomingMessage, type Server, createServer, request } from 'node:http';
import { type AddressInfo, type Socket, connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** One request the proxy saw: an absolute-URI request (`GET http://host/path`) or a CONNECT tunnel (`host:port`). */
export interface ProxiedRequestRecord {
  kind: 'absolute' | 'connect';
  method: string;
  target: string;
  proxyAuthorization?: string;
  /** The status the proxy answered itself with (407), or 200 when it passed the request on. */
  status: number;
}

/** A running forward proxy. */
export interface ForwardProxy {
  /** e.g. http://127.0.0.1:41234 */
  url: string;
  requests: ProxiedRequestRecord[];
  close(): Promise<void>;
}

/** Options of startForwardProxy. */
export interface ForwardProxyOptions {
  /** Demand `Proxy-Authorization: Basic base64(credentials)` (e.g. "user:pass"), else answer 407. */
  credentials?: string;
}

/** Starts a forward proxy on 127.0.0.1 (a free port). */
export async function startForwardProxy(opts: ForwardProxyOptions = {}): Promise<ForwardProxy> {
  const requests: ProxiedRequestRecord[] = [];
  const sockets = new Set<Socket>();
  const want = opts.credentials ? `Basic ${Buffer.from(opts.credentials).toString('base64')}` : undefined;
  const allowed = (req: IncomingMessage) => !want || req.headers['proxy-authorization'] === want;
  const server: Server = createServer((req, res) => {
    const record: ProxiedRequestRecord = {
      kind: 'absolute',
      method: req.method ?? '',
      target: req.url ?? '',
      proxyAuthorization: req.headers['proxy-authorization'],
      status: 200,
    };
    requests.push(record);
    if (!allowed(req)) {
      record.status = 407;
      res.writeHead(407, { 'proxy-authenticate': 'Basic realm="test"' }).end('proxy auth required');
      return;
    }
    if (!/^http:\/\//.test(req.url ?? '')) {
      record.status = 400;
      res.writeHead(400).end('not an absolute-URI request');
      return;
    }
    const headers = { ...req.headers };
    // biome-ignore lint/performance/noDelete: the header must not be passed on to the target.
    delete headers['proxy-authorization'];
    const upstream = request(req.url as string, { method: req.method, headers }, (up) => {
      res.writeHead(up.statusCode ?? 502, up.headers);
      up.pipe(res);
    });
    upstream.on('error', () => res.writeHead(502).end('bad gateway'));
    req.pipe(upstream);
  });
  server.on('connect', (req: IncomingMessage, client: Socket, head: Buffer) => {
    sockets.add(client);
    client.on('close', () => sockets.delete(client));
    client.on('error', () => client.destroy());
    const record: ProxiedRequestRecord = {
      kind: 'connect',
      method: 'CONNECT',
      target: req.url ?? '',
      proxyAuthorization: req.headers['proxy-authorization'],
      status: 200,
    };
    requests.push(record);
    if (!allowed(req)) {
      record.status = 407;
      client.end(
        'HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm="test"\r\nContent-Length: 0\r\n\r\n',
      );
      return;
    }
    const [host, port] = (req.url ?? '').split(/:(?=\d+$)/);
    const upstream = connect(Number(port), (host ?? '').replace(/^\[|\]$/g, ''), () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      if (head.length) upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    sockets.add(upstream);
    upstream.on('close', () => sockets.delete(upstream));
    upstream.on('error', () => client.end('HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n'));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A self-signed certificate for 127.0.0.1 and localhost (made with the openssl command), PEM. */
export function selfSignedCert(): { key: string; cert: string } {
  const dir = mkdtempSync(join(tmpdir(), 'pt-cert-'));
  try {
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-days',
        '1',
        '-subj',
        '/CN=127.0.0.1',
        '-addext',
        'subjectAltName=IP:127.0.0.1,DNS:localhost',
        '-keyout',
        join(dir, 'key.pem'),
        '-out',
        join(dir, 'cert.pem'),
      ],
      { stdio: 'ignore' },
    );
    return { key: readFileSync(join(dir, 'key.pem'), 'utf8'), cert: readFileSync(join(dir, 'cert.pem'), 'utf8') };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
