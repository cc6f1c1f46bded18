// Whether and how to trace, from the standard OTEL_* environment or kube's --tracing-config-file
// (a TracingConfiguration). Nothing configured: no settings, and no SDK is ever loaded.
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';

export type OtlpProtocol = 'http/protobuf' | 'http/json' | 'grpc';

/** How the sampler is built: OTEL_TRACES_SAMPLER's names; kube's file is parentbased_traceidratio. */
export interface SamplerSettings {
  name: 'always_on' | 'always_off' | 'traceidratio' | 'parentbased_always_on' | 'parentbased_always_off' | 'parentbased_traceidratio';
  ratio: number;
}

export interface TracingSettings {
  protocol: OtlpProtocol;
  /** Set by the tracing config file (kube: OTLP gRPC, host:port, insecure); unset, the exporter reads OTEL_EXPORTER_OTLP_*. */
  endpoint?: string;
  sampler: SamplerSettings;
  /** OTEL_SERVICE_NAME, else the component's own (kube-apiserver's is "apiserver"). */
  serviceName: string;
  /** service.instance.id: which instance of the service (apiserver-1, lb). */
  instanceName: string;
}

const samplerNames = new Set<SamplerSettings['name']>(['always_on', 'always_off', 'traceidratio', 'parentbased_always_on', 'parentbased_always_off', 'parentbased_traceidratio']);
const protocols = new Set<OtlpProtocol>(['http/protobuf', 'http/json', 'grpc']);

/**
 * The tracing config file wins (as in kube, where it is the only way); else OTEL_EXPORTER_OTLP_ENDPOINT,
 * OTEL_EXPORTER_OTLP_TRACES_ENDPOINT or OTEL_TRACES_EXPORTER=otlp turn tracing on. OTEL_SDK_DISABLED=true
 * and OTEL_TRACES_EXPORTER=none turn it off.
 */
export function tracingSettings(env: NodeJS.ProcessEnv, component: { serviceName: string; instanceName: string }, tracingConfigFile?: string): TracingSettings | undefined {
  if (env.OTEL_SDK_DISABLED?.trim().toLowerCase() === 'true') return undefined;
  const serviceName = env.OTEL_SERVICE_NAME?.trim() || component.serviceName;
  if (tracingConfigFile) return { ...fromTracingConfiguration(readFileSync(tracingConfigFile, 'utf8'), tracingConfigFile), serviceName, instanceName: component.instanceName };
  const exporters = (env.OTEL_TRACES_EXPORTER ?? '').split(',').map((e) => e.trim()).filter(Boolean);
  if (exporters.includes('none')) return undefined;
  const configured = exporters.includes('otlp') || !!env.OTEL_EXPORTER_OTLP_ENDPOINT?.trim() || !!env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT?.trim();
  if (!configured) return undefined;
  const protocol = (env.OTEL_EXPORTER_OTLP_TRACES_PROTOCOL?.trim() || env.OTEL_EXPORTER_OTLP_PROTOCOL?.trim() || 'http/protobuf') as OtlpProtocol;
  if (!protocols.has(protocol)) throw new Error(`OTEL_EXPORTER_OTLP_PROTOCOL must be one of ${[...protocols].join(', ')}, got ${protocol}`);
  return { protocol, sampler: samplerFromEnv(env), serviceName, instanceName: component.instanceName };
}

/** OTEL_TRACES_SAMPLER / OTEL_TRACES_SAMPLER_ARG, the specification's default parentbased_always_on. */
export function samplerFromEnv(env: NodeJS.ProcessEnv): SamplerSettings {
  const name = (env.OTEL_TRACES_SAMPLER?.trim().toLowerCase() || 'parentbased_always_on') as SamplerSettings['name'];
  if (!samplerNames.has(name)) throw new Error(`OTEL_TRACES_SAMPLER must be one of ${[...samplerNames].join(', ')}, got ${name}`);
  const arg = env.OTEL_TRACES_SAMPLER_ARG?.trim();
  let ratio = 1;
  if (arg) {
    ratio = Number(arg);
    if (!Number.isFinite(ratio) || ratio < 0 || ratio > 1) throw new Error(`OTEL_TRACES_SAMPLER_ARG must be a number from 0 to 1, got ${arg}`);
  }
  return { name, ratio };
}

/** kube's TracingConfiguration (apiserver.config.k8s.io/v1, v1beta1, v1alpha1): endpoint and samplingRatePerMillion. */
export function fromTracingConfiguration(text: string, file = 'the tracing config file'): Pick<TracingSettings, 'protocol' | 'endpoint' | 'sampler'> {
  const doc = parse(text) as Record<string, unknown> | null;
  if (!doc || typeof doc !== 'object') throw new Error(`${file}: not a TracingConfiguration`);
  if (doc.kind !== 'TracingConfiguration' || !/^apiserver\.config\.k8s\.io\/(v1|v1beta1|v1alpha1)$/.test(String(doc.apiVersion))) {
    throw new Error(`${file}: expected kind TracingConfiguration, apiVersion apiserver.config.k8s.io/v1, got ${String(doc.kind)} ${String(doc.apiVersion)}`);
  }
  const endpoint = doc.endpoint === undefined ? 'localhost:4317' : String(doc.endpoint);
  const perMillion = doc.samplingRatePerMillion === undefined ? 0 : Number(doc.samplingRatePerMillion);
  // kube's ValidateTracingConfiguration: a rate from 0 to 1,000,000.
  if (!Number.isInteger(perMillion) || perMillion < 0 || perMillion > 1_000_000) {
    throw new Error(`${file}: samplingRatePerMillion: Invalid value: ${String(doc.samplingRatePerMillion)}: sampling rate must be between 0 and 1,000,000 inclusive`);
  }
  // kube: ParentBased(NeverSample) at 0, else ParentBased(TraceIDRatioBased(rate / 1e6)).
  return { protocol: 'grpc', endpoint, sampler: { name: perMillion > 0 ? 'parentbased_traceidratio' : 'parentbased_always_off', ratio: perMillion / 1_000_000 } };
}
