// The launcher hands its OTEL_* environment to the API servers and the LB (and nothing else of it
// by this route), and passes --logging-format, -v and --tracing-config-file on.
import { expect, it } from 'vitest';
import { parseArgs, topology } from '../../compose/launcher.js';

const env = { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318', OTEL_SERVICE_NAME: 'kube', HOME: '/root', KUBECONFIG: '/x' };

it('the API servers and the LB get the OTEL_* environment; etcd and Redis do not', () => {
  const specs = topology(parseArgs(['start', '--plain-http'], '/repo'), '/repo', '/usr/bin/node', env);
  const otel = { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318', OTEL_SERVICE_NAME: 'kube' };
  for (const s of specs.filter((c) => c.role === 'apiserver' || c.role === 'lb')) expect(s.env, s.name).toEqual(otel);
  for (const s of specs.filter((c) => c.role === 'etcd' || c.role === 'redis')) expect(s.env, s.name).toBeUndefined();
});

it('--logging-format, -v and --tracing-config-file reach the API servers and the LB', () => {
  const opts = parseArgs(['start', '--plain-http', '--logging-format=json', '-v', '3', '--tracing-config-file', '/etc/tracing.yaml'], '/repo');
  const specs = topology(opts, '/repo', '/usr/bin/node', {});
  const apiserver = specs.find((c) => c.name === 'apiserver-1')!;
  expect(apiserver.args).toEqual(expect.arrayContaining(['--logging-format=json', '--v=3', '--tracing-config-file=/etc/tracing.yaml']));
  expect(specs.find((c) => c.role === 'lb')!.args).toEqual(expect.arrayContaining(['--logging-format=json', '--v=3', '--tracing-config-file=/etc/tracing.yaml']));
  expect(() => parseArgs(['start', '--logging-format=xml'])).toThrow(/text or json/);
  // Without them, nothing is added.
  expect(topology(parseArgs(['start', '--plain-http'], '/repo'), '/repo', '/usr/bin/node', {}).find((c) => c.name === 'apiserver-1')!.args.join(' '))
    .not.toMatch(/--logging-format|--v=|--tracing-config-file/);
});
