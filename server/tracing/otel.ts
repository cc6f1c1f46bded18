// The OpenTelemetry SDK behind the Tracer seam: imported only when tracing is configured. Spans are
// batched and exported over OTLP (HTTP with protobuf or JSON, or gRPC); W3C trace context in and out.
import { context, propagation, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, type Context, type Span } from '@opentelemetry/api';
import { CompositePropagator, W3CBaggagePropagator, W3CTraceContextPropagator } from '@opentelemetry/core';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { AlwaysOffSampler, AlwaysOnSampler, BatchSpanProcessor, ParentBasedSampler, TraceIdRatioBasedSampler, type Sampler, type SpanExporter } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import type { SamplerSettings, TracingSettings } from './settings.js';
import type { Carrier, SpanAttributes, TraceContext, Tracer } from './tracing.js';

export class OtelTracer implements Tracer {
  private readonly tracer;

  private constructor(private readonly provider: NodeTracerProvider) {
    this.tracer = provider.getTracer('kube-apiserver-ts');
  }

  static async start(settings: TracingSettings): Promise<OtelTracer> {
    const provider = new NodeTracerProvider({
      resource: resourceFromAttributes({ 'service.name': settings.serviceName, 'service.instance.id': settings.instanceName }),
      sampler: sampler(settings.sampler),
      spanProcessors: [new BatchSpanProcessor(await exporter(settings))],
    });
    // kube's propagators: trace context and baggage. register() also installs the AsyncLocalStorage context manager.
    provider.register({ propagator: new CompositePropagator({ propagators: [new W3CTraceContextPropagator(), new W3CBaggagePropagator()] }) });
    return new OtelTracer(provider);
  }

  startRequest(name: string, headers: Carrier, attributes: SpanAttributes): Span {
    const parent = propagation.extract(ROOT_CONTEXT, headers);
    return this.tracer.startSpan(name, { kind: SpanKind.SERVER, attributes: defined(attributes) }, parent);
  }

  startChild(name: string, attributes: SpanAttributes): Span | undefined {
    const parent = context.active();
    if (!trace.getSpan(parent)) return undefined;
    return this.tracer.startSpan(name, { kind: SpanKind.INTERNAL, attributes: defined(attributes) }, parent);
  }

  startSpan(name: string, attributes: SpanAttributes): Span {
    return this.tracer.startSpan(name, { kind: SpanKind.CLIENT, attributes: defined(attributes) }, context.active());
  }

  withSpan<T>(span: Span, fn: () => T): T {
    return context.with(trace.setSpan(context.active(), span), fn);
  }

  current(): TraceContext {
    return context.active();
  }

  withContext<T>(ctx: TraceContext, fn: () => T): T {
    return context.with(ctx as Context, fn);
  }

  inject(span: Span, headers: Carrier): void {
    propagation.inject(trace.setSpan(ROOT_CONTEXT, span), headers);
  }

  injectCurrent(headers: Carrier): void {
    propagation.inject(context.active(), headers);
  }

  fail(span: Span, error: unknown): void {
    if (error instanceof Error) span.recordException(error);
    span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.message : String(error) });
  }

  traceID(span: Span): string {
    return span.spanContext().traceId;
  }

  async shutdown(): Promise<void> {
    await this.provider.shutdown();
  }
}

function defined(attributes: SpanAttributes): Record<string, string | number | boolean> {
  const out: Record<string, string | number | boolean> = {};
  for (const [k, v] of Object.entries(attributes)) if (v !== undefined) out[k] = v;
  return out;
}

function sampler(s: SamplerSettings): Sampler {
  switch (s.name) {
    case 'always_on': return new AlwaysOnSampler();
    case 'always_off': return new AlwaysOffSampler();
    case 'traceidratio': return new TraceIdRatioBasedSampler(s.ratio);
    case 'parentbased_always_on': return new ParentBasedSampler({ root: new AlwaysOnSampler() });
    case 'parentbased_always_off': return new ParentBasedSampler({ root: new AlwaysOffSampler() });
    case 'parentbased_traceidratio': return new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(s.ratio) });
  }
}

/** Only the exporter for the protocol asked for is loaded; each reads OTEL_EXPORTER_OTLP_* (endpoint, headers, timeout) itself. */
async function exporter(settings: TracingSettings): Promise<SpanExporter> {
  switch (settings.protocol) {
    case 'http/json': {
      const { OTLPTraceExporter } = await import('@opentelemetry/exporter-trace-otlp-http');
      return new OTLPTraceExporter();
    }
    case 'http/protobuf': {
      const { OTLPTraceExporter } = await import('@opentelemetry/exporter-trace-otlp-proto');
      return new OTLPTraceExporter();
    }
    case 'grpc': {
      const { OTLPTraceExporter } = await import('@opentelemetry/exporter-trace-otlp-grpc');
      // kube's tracing config file names host:port and dials it without TLS (otlptracegrpc.WithInsecure).
      return new OTLPTraceExporter(settings.endpoint ? { url: `http://${settings.endpoint}` } : {});
    }
  }
}
