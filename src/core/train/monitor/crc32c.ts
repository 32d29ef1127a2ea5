// CRC-32C (Castagnoli), the checksum TFRecord framing uses, with TensorFlow's masking on top.

const TABLE = (() => {
  const t = new Uint32Array(256);
  for (let i = 0; i < 256; i++) {
    let c = i;
    // 0x82f63b78 is the Castagnoli polynomial 0x1edc6f41 bit-reversed (the CRC is computed LSB first).
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0x82f63b78 : c >>> 1;
    t[i] = c >>> 0;
  }
  return t;
})();

/** CRC-32C of `bytes` (a string is taken as its UTF-8 bytes), as an unsigned 32-bit number. */
export function crc32c(bytes: Uint8Array | string): number {
  const data = typeof bytes === 'string' ? new TextEncoder().encode(bytes) : bytes;
  let crc = 0xffffffff;
  for (let i = 0; i < data.length; i++) crc = TABLE[(crc ^ data[i]!) & 0xff]! ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

/** TFRecord's masked CRC: rotated and offset so a CRC stored inside CRC'd data does not weaken the check. */
export function maskedCrc32c(bytes: Uint8Array): number {
  const crc = crc32c(bytes);
  return (((crc >>> 15) | (crc << 17)) + 0xa282ead8) >>> 0;
}
