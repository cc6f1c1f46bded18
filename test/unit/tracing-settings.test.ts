// When tracing is on and how: the OTEL_* environment, kube's TracingConfiguration file, and off
// (no settings, so no SDK is loaded) when nothing is configured.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, it } from 'vitest';
import { fromTracingConfiguration, tracingSettings } from '../../server/tracing/settings.js';
import { activeTracer, startTracing, traced } from '../../server/tracing/tracing.js';

const component = { serviceName: 'apiserver', instanceName: 'apiserver-1' };

it('is off when nothing is configured, and when OTEL_SDK_DISABLED or OTEL_TRACES_EXPORTER=none says so', () => {
  expect(tracingSettings({}, component)).toBeUndefined();
  expect(tracingSettings({ OTEL_SERVICE_NAME: 'x', OTEL_TRACES_SAMPLER: 'always_on' }, component)).toBeUndefined();
  expect(tracingSettings({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318', OTEL_SDK_DISABLED: 'true' }, component)).toBeUndefined();
  expect(tracingSettings({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318', OTEL_TRACES_EXPORTER: 'none' }, component)).toBeUndefined();
});

it('an OTLP endpoint turns it on, with the protocol, sampler and service name from the environment', () => {
  expect(tracingSettings({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318' }, component)).toEqual({
    protocol: 'http/protobuf', sampler: { name: 'parentbased_always_on', ratio: 1 }, serviceName: 'apiserver', instanceName: 'apiserver-1',
  });
  expect(tracingSettings({
    OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://c:4318/v1/traces', OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc', OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'http/json',
    OTEL_TRACES_SAMPLER: 'parentbased_traceidratio', OTEL_TRACES_SAMPLER_ARG: '0.25', OTEL_SERVICE_NAME: 'kube',
  }, component)).toEqual({ protocol: 'http/json', sampler: { name: 'parentbased_traceidratio', ratio: 0.25 }, serviceName: 'kube', instanceName: 'apiserver-1' });
  expect(tracingSettings({ OTEL_TRACES_EXPORTER: 'otlp' }, component)?.protocol).toBe('http/protobuf');
  expect(() => tracingSettings({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c', OTEL_EXPORTER_OTLP_PROTOCOL: 'thrift' }, component)).toThrow(/OTEL_EXPORTER_OTLP_PROTOCOL/);
  expect(() => tracingSettings({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c', OTEL_TRACES_SAMPLER: 'sometimes' }, component)).toThrow(/OTEL_TRACES_SAMPLER/);
  expect(() => tracingSettings({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c', OTEL_TRACES_SAMPLER_ARG: '2' }, component)).toThrow(/OTEL_TRACES_SAMPLER_ARG/);
});

it('kube\'s --tracing-config-file: OTLP gRPC to its endpoint, ParentBased(TraceIDRatio(rate per million)), never without a rate', () => {
  expect(fromTracingConfiguration('apiVersion: apiserver.config.k8s.io/v1\nkind: TracingConfiguration\nendpoint: collector:4317\nsamplingRatePerMillion: 250000\n'))
    .toEqual({ protocol: 'grpc', endpoint: 'collector:4317', sampler: { name: 'parentbased_traceidratio', ratio: 0.25 } });
  expect(fromTracingConfiguration('apiVersion: apiserver.config.k8s.io/v1beta1\nkind: TracingConfiguration\n'))
    .toEqual({ protocol: 'grpc', endpoint: 'localhost:4317', sampler: { name: 'parentbased_always_off', ratio: 0 } });
  expect(() => fromTracingConfiguration('apiVersion: apiserver.config.k8s.io/v1\nkind: TracingConfiguration\nsamplingRatePerMillion: 1000001\n')).toThrow(/between 0 and 1,000,000/);
  expect(() => fromTracingConfiguration('apiVersion: v1\nkind: ConfigMap\n')).toThrow(/TracingConfiguration/);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'kats-tracing-'));
  try {
    const file = path.join(dir, 'tracing.yaml');
    writeFileSync(file, 'apiVersion: apiserver.config.k8s.io/v1\nkind: TracingConfiguration\nendpoint: 127.0.0.1:4317\nsamplingRatePerMillion: 1000000\n');
    // The file wins over the environment, as it is kube's only way.
    expect(tracingSettings({ OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json' }, component, file)).toEqual({
      protocol: 'grpc', endpoint: '127.0.0.1:4317', sampler: { name: 'parentbased_traceidratio', ratio: 1 }, serviceName: 'apiserver', instanceName: 'apiserver-1',
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

it('off, nothing is loaded and traced() just runs the call', async () => {
  expect(await startTracing(undefined)).toBeUndefined();
  expect(activeTracer()).toBeUndefined();
  expect(await traced('etcd get', {}, async () => 42)).toBe(42);
});
