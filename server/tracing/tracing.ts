// The tracing seam the server and the LB call. Off (nothing configured), activeTracer() is undefined:
// no OpenTelemetry SDK is loaded and each call site pays one undefined check. On, otel.ts is imported
// once at start-up and every span goes through it. Process-wide, as OpenTelemetry's own API is.
import type { Span } from '@opentelemetry/api';
import type { TracingSettings } from './settings.js';

export type { Span };

/** An opaque trace context (which span is current). */
export type TraceContext = unknown;

/** Headers a trace context travels in (W3C traceparent, tracestate). */
export type Carrier = Record<string, unknown>;

export type SpanAttributes = Record<string, string | number | boolean | undefined>;

export interface Tracer {
  /** A request's server span, its parent the client's traceparent when it sent one. */
  startRequest(name: string, headers: Carrier, attributes: SpanAttributes): Span;
  /** A span under the current one; undefined when no span is current (work outside a request is not traced). */
  startChild(name: string, attributes: SpanAttributes): Span | undefined;
  /** A span under the current one, or the root of a trace of its own when none is current (background calls). */
  startSpan(name: string, attributes: SpanAttributes): Span;
  /** Runs `fn` with `span` current, so what it calls (etcd, Redis) makes children of it. */
  withSpan<T>(span: Span, fn: () => T): T;
  current(): TraceContext;
  withContext<T>(ctx: TraceContext, fn: () => T): T;
  /** Writes `span`'s context as traceparent (and tracestate) into `headers`. */
  inject(span: Span, headers: Carrier): void;
  /** Writes the current context (the current span's) into `headers`. */
  injectCurrent(headers: Carrier): void;
  /** Marks the span failed (an exception event and an error status). */
  fail(span: Span, error: unknown): void;
  traceID(span: Span): string;
  shutdown(): Promise<void>;
}

let active: Tracer | undefined;

export function activeTracer(): Tracer | undefined {
  return active;
}

/** Loads the SDK and starts exporting, only when `settings` says to. */
export async function startTracing(settings: TracingSettings | undefined): Promise<Tracer | undefined> {
  if (!settings || active) return active;
  const { OtelTracer } = await import('./otel.js');
  active = await OtelTracer.start(settings);
  return active;
}

/** Flushes what is buffered; the process is about to exit. */
export async function stopTracing(): Promise<void> {
  const t = active;
  active = undefined;
  await t?.shutdown();
}

/** The current span's traceparent (and tracestate) for a call this request makes (kube's otelhttp transport); none when off. */
export function traceHeaders(): Record<string, string> {
  const headers: Record<string, string> = {};
  active?.injectCurrent(headers);
  return headers;
}

/** Runs `fn` in a child span of the current request's span; just `fn` when tracing is off or no request is current. */
export async function traced<T>(name: string, attributes: SpanAttributes, fn: () => Promise<T>): Promise<T> {
  const t = active;
  const span = t?.startChild(name, attributes);
  if (!span) return fn();
  try {
    return await t!.withSpan(span, fn);
  } catch (e) {
    t!.fail(span, e);
    throw e;
  } finally {
    span.end();
  }
}
