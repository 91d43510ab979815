export { HttpAdapter, createHttpAdapter, guessLayout, parseHttpAdapterConfig, type HttpAdapterInternals } from './adapter.ts';
export { httpAdapterFactory, httpAdapterFactory as adapterFactory } from './factory.ts';
export { httpAdapterConfigSchema, PROTOCOLS, type HttpAdapterConfig, type HttpAdapterConfigInput, type Protocol } from './config.ts';
export { ERROR_CODES } from './codes.ts';
export { AddressGuard, type AddressPolicy, type CheckedAddress } from './address-guard.ts';
export { forbiddenReason, parseIp, parseCidr, inCidr } from './ip.ts';
