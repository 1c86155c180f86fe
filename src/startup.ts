// Process settings that must be in place before any other module loads (main.ts imports this first).

// cbor-x's native string extractor saves nothing on the small values Nimbus stores and costs
// startup time and memory to load; the pure JS decoder is as fast here.
process.env.CBOR_NATIVE_ACCELERATION_DISABLED ??= 'true';
