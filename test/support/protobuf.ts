// Protobuf request bodies as client-go's serializer writes them, built with protobufjs from the same
// official generated.proto the server reads (fetched by `npm run build`).
import { protobufRoot } from '../../server/protobuf/decode.js';

/** The prefix of every protobuf body client-go sends. */
export const protobufMagic = Buffer.from('k8s\0', 'binary');

/** The wire format: `k8s\0` + runtime.Unknown{typeMeta, raw}. */
export function protobufBody(apiVersion: string, kind: string, typeName: string, object: Record<string, unknown>): Buffer {
  const root = protobufRoot();
  const type = root.lookupType(typeName);
  const raw = type.encode(type.fromObject(object)).finish();
  const unknown = root.lookupType('k8s.io.apimachinery.pkg.runtime.Unknown');
  const envelope = unknown.encode(unknown.fromObject({ typeMeta: { apiVersion, kind }, raw, contentType: '' })).finish();
  return Buffer.concat([protobufMagic, envelope]);
}
