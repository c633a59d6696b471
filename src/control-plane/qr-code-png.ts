/**
 * A QR code as a PNG, for CreateVirtualMFADevice's QRCodePNG: qrcode-generator lays out the
 * modules, and the PNG is written here (8-bit grayscale, one deflated IDAT), which needs nothing
 * beyond node:zlib.
 */
import { crc32, deflateSync } from 'node:zlib';
import qrcode from 'qrcode-generator';

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
/** The blank border QR readers need around the code, in modules. */
const QUIET_ZONE = 4;
const BLACK = 0x00;
const WHITE = 0xff;

function chunk(type: string, data: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'ascii');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(data, crc32(head.subarray(4))), 0);
  return Buffer.concat([head, data, crc]);
}

/** `text` (Latin-1) as a QR code with error correction M, `scale` pixels per module. */
export function qrCodePng(text: string, scale = 5): Buffer {
  const qr = qrcode(0, 'M');
  qr.addData(text, 'Byte');
  qr.make();
  const modules = qr.getModuleCount();
  const size = (modules + 2 * QUIET_ZONE) * scale;
  const stride = size + 1; // each scanline starts with its filter type, 0 (none)
  const pixels = Buffer.alloc(stride * size, WHITE);
  for (let y = 0; y < size; y++) {
    pixels[y * stride] = 0;
    const row = Math.floor(y / scale) - QUIET_ZONE;
    if (row < 0 || row >= modules) continue;
    for (let x = 0; x < size; x++) {
      const col = Math.floor(x / scale) - QUIET_ZONE;
      if (col >= 0 && col < modules && qr.isDark(row, col)) pixels[y * stride + 1 + x] = BLACK;
    }
  }
  const header = Buffer.alloc(13); // width, height, bit depth 8, color type 0 (grayscale), then zeros
  header.writeUInt32BE(size, 0);
  header.writeUInt32BE(size, 4);
  header[8] = 8;
  return Buffer.concat([PNG_SIGNATURE, chunk('IHDR', header), chunk('IDAT', deflateSync(pixels)), chunk('IEND', Buffer.alloc(0))]);
}
