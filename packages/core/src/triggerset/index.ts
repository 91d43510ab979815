export {
  DEFAULT_MAX_HEADER_BYTES,
  decodeSafetensors,
  encodeSafetensors,
  halfToFloat32,
} from './safetensors.ts';
export type {
  DecodeSafetensorsOptions,
  SafetensorsArray,
  SafetensorsDtype,
  SafetensorsEntry,
  SafetensorsFile,
  SafetensorsTensor,
  WritableSafetensorsDtype,
} from './safetensors.ts';
export { TRIGGER_SET_FORMAT, TRIGGER_SET_FORMAT_VERSION } from './metadata.ts';
export type { JsonValue, TriggerSetMetadata } from './metadata.ts';
export {
  MIN_SIGNING_KEY_BYTES,
  SIGNATURE_ALGORITHM,
  SIGNING_KEY_ENV,
  signingKeyFromEnv,
} from './signature.ts';
export type { SigningKey } from './signature.ts';
export { decodeTriggerSet, encodeTriggerSet } from './triggerSet.ts';
export type {
  DecodeTriggerSetOptions,
  DecodedTriggerSet,
  EncodeTriggerSetOptions,
  SignatureStatus,
  TriggerSet,
} from './triggerSet.ts';
export { readTriggerSetFile, writeTriggerSetFile } from './file.ts';
export * from './fromFragilization.ts';
