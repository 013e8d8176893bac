import { createServer, type Server } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { Http1Connection } from './http1-connection.js';

let server: Server | undefined;

async function serve(handler: Parameters<typeof createServer>[1]): Promise<string> {
  server = createServer(handler);
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  const address = server.address() as { port: number };
  return `http://127.0.0.1:${address.port}`;
}

afterEach(async () => {
  if (!server) return;
  server.closeAllConnections();
  await new Promise((resolve) => server!.close(resolve));
  server = undefined;
});

describe('Http1Connection', () => {
  it('sends requests one after the other on one kept-alive socket and reads status and body', async () => {
    const sockets = new Set<unknown>();
    const url = await serve((req, res) => {
      sockets.add(req.socket);
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = JSON.stringify({ method: req.method, url: req.url, type: req.headers['content-type'], echo: Buffer.concat(chunks).toString() });
        res.writeHead(req.url === '/missing' ? 404 : 202, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
        res.end(body);
      });
    });
    const connection = new Http1Connection(url);
    const first = await connection.request('POST', '/v1/events', '{"a":"é"}');
    expect(first.status).toBe(202);
    expect(JSON.parse(first.body)).toEqual({ method: 'POST', url: '/v1/events', type: 'application/json', echo: '{"a":"é"}' });
    const second = await connection.request('GET', '/missing');
    expect(second.status).toBe(404);
    expect(JSON.parse(second.body)).toMatchObject({ method: 'GET', echo: '' });
    expect(sockets.size).toBe(1);
    connection.close();
  });

  it('assembles a reply that arrives in pieces', async () => {
    const url = await serve((_req, res) => {
      const body = 'x'.repeat(70_000);
      res.writeHead(200, { 'content-length': body.length });
      res.write(body.slice(0, 10));
      setTimeout(() => res.end(body.slice(10)), 20);
    });
    const connection = new Http1Connection(url);
    const reply = await connection.request('GET', '/');
    expect(reply.body.length).toBe(70_000);
    connection.close();
  });

  it('reconnects after the server closed the kept-alive socket', async () => {
    const url = await serve((_req, res) => {
      res.writeHead(200, { 'content-length': 2, connection: 'close' });
      res.end('ok');
    });
    const connection = new Http1Connection(url);
    expect((await connection.request('GET', '/')).body).toBe('ok');
    expect((await connection.request('GET', '/')).body).toBe('ok');
    connection.close();
  });

  it('refuses a reply without Content-Length, and a dead server, with an error', async () => {
    const url = await serve((_req, res) => {
      res.writeHead(200, { 'transfer-encoding': 'chunked' });
      res.end('chunked body');
    });
    const connection = new Http1Connection(url);
    await expect(connection.request('GET', '/')).rejects.toThrow(/expected a Content-Length reply/);
    server!.closeAllConnections();
    await new Promise((resolve) => server!.close(resolve));
    server = undefined;
    await expect(new Http1Connection(url).request('GET', '/')).rejects.toThrow();
  });

  it('refuses a second request while one is open', async () => {
    const url = await serve((_req, res) => setTimeout(() => res.end(), 50));
    const connection = new Http1Connection(url);
    const first = connection.request('GET', '/');
    await expect(connection.request('GET', '/')).rejects.toThrow(/one request at a time/);
    await first;
    connection.close();
  });
});
