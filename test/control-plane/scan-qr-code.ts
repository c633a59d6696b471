/** What a phone's camera reads from a PNG: the image decoded (pngjs), then the QR code in it (jsQR). */
import jsQR from 'jsqr';
import { PNG } from 'pngjs';

export function scanQrCode(png: Buffer): string | undefined {
  const image = PNG.sync.read(png);
  // jsQR is CommonJS with a `default` export: under NodeNext the default import is the module.
  return jsQR.default(new Uint8ClampedArray(image.data), image.width, image.height)?.data;
}
