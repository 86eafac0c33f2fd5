/**
 * An app for `start` to start in tests: a loopback server on a given port that can come up late, hang a request,
 * or exit when asked (`/die`), and logs what it serves to its stdout (so to start.log).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export const APP_SERVER = `const http = require('node:http');
const [port, delayMs = '0'] = process.argv.slice(2);
setTimeout(() => {
  http
    .createServer((request, response) => {
      console.log('served', request.url);
      if (request.url === '/hang') return;
      if (request.url === '/die') {
        response.writeHead(200, { 'content-type': 'text/html' });
        response.end('<!doctype html><title>bye</title><p id="bye">bye</p>', () => process.exit(7));
        return;
      }
      response.writeHead(200, { 'content-type': 'text/html' });
      response.end('<!doctype html><title>App</title><h1 id="app">app is up</h1>');
    })
    .listen(Number(port), '127.0.0.1', () => console.log('listening on', port));
}, Number(delayMs));
`;

/** A port nothing listens on (right now). */
export async function freePort(): Promise<number> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
