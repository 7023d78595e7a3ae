/** DNS wire codec: the front door of src/dns/wire. */
export * from './types.ts';
export { WireError, isWireError } from './errors.ts';
export type { WireErrorCode } from './errors.ts';
export { decode, decodeQuery } from './decode.ts';
export type { QueryView } from './decode.ts';
export { encode, rcodeOf, setRcode } from './encode.ts';
export type { EncodeOptions } from './encode.ts';
export { readName, skipName, writeName, encodeName, nameKey, MAX_NAME, MAX_LABEL } from './name.ts';
export type { ReadName } from './name.ts';
export { Writer } from './writer.ts';
export { formatA, formatAAAA } from './ip.ts';
