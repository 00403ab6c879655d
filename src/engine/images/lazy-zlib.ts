/**
 * node:zlib, loaded when a layer is first compressed or decompressed rather than when berthd starts
 * (an idle daemon never needs it; loading it costs start-up time and ~0.2 MB of memory).
 */
export const zlib = (): typeof import('node:zlib') => process.getBuiltinModule('node:zlib')
