// A span per Redis command (the fan-out's client and the connections it duplicates). Most Redis calls
// are the fan-out's background work, so they are traces of their own; under a request, children.
import type { Redis } from 'ioredis';
import type { Tracer } from './tracing.js';

type Command = { name: string; promise: Promise<unknown> };

export function tracedRedis(tracer: Tracer, redis: Redis): Redis {
  const send = redis.sendCommand.bind(redis);
  redis.sendCommand = ((command: Command, stream?: unknown) => {
    const span = tracer.startSpan(`redis ${command.name.toUpperCase()}`, { 'db.system.name': 'redis', 'db.operation.name': command.name.toUpperCase() });
    command.promise.then(() => span.end(), (e: unknown) => {
      tracer.fail(span, e);
      span.end();
    });
    return send(command as never, stream as never);
  }) as Redis['sendCommand'];
  const duplicate = redis.duplicate.bind(redis);
  redis.duplicate = ((...args: Parameters<Redis['duplicate']>) => tracedRedis(tracer, duplicate(...args))) as Redis['duplicate'];
  return redis;
}
