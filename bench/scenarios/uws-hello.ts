// The bare uWebSockets.js response rate: the same native addon the API server loads, answering
// every request with a small fixed JSON body and nothing else. Started by scenarios/limits.ts.
//   node dist/bench/scenarios/uws-hello.js <port>
import { uws } from '../../server/http/uws.js';

const body = '{"kind":"Status","apiVersion":"v1","status":"Success"}';
const port = Number(process.argv[2]);
uws.App().any('/*', (res) => {
  res.writeHeader('Content-Type', 'application/json').end(body);
}).listen('127.0.0.1', port, (token) => {
  if (!token) {
    console.error(`uws-hello: cannot listen on ${port}`);
    process.exit(1);
  }
});
