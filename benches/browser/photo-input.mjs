// The 12-megapixel input the image benches share: a photo scaled and cropped
// (cover) to 4000×3000, encoded by the browser as JPEG q92, with a camera's
// EXIF APP1 segment (make, model, a GPS position) inserted right after SOI.
// Imported by image.html and worker.html.

export const INPUT_WIDTH = 4000;
export const INPUT_HEIGHT = 3000;

export function base64ToBytes(b64) {
  if (typeof Uint8Array.fromBase64 === 'function') return Uint8Array.fromBase64(b64);
  const s = atob(b64);
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
}

const ascii = (s) => new TextEncoder().encode(`${s}\0`);
const u16 = (v) => new Uint8Array(new Uint16Array([v]).buffer); // little-endian hosts only
const u32 = (v) => new Uint8Array(new Uint32Array([v]).buffer);
const rationals = (pairs) => new Uint8Array(new Uint32Array(pairs.flat()).buffer);
const [BYTE, ASCII, SHORT, LONG, RATIONAL] = [1, 2, 3, 4, 5];

/** Bytes one IFD takes: count, 12-byte entries, next-IFD offset, then values over 4 bytes (word-aligned). */
const ifdSize = (entries) =>
  2 + entries.length * 12 + 4 + entries.reduce((n, [, , , v]) => n + (v.length > 4 ? v.length + (v.length & 1) : 0), 0);

/** Writes one IFD at `at` of the TIFF block; entries are [tag, type, count, valueBytes], sorted by tag. */
function writeIfd(u8, at, entries) {
  const dv = new DataView(u8.buffer, u8.byteOffset, u8.byteLength);
  dv.setUint16(at, entries.length, true);
  let data = at + 2 + entries.length * 12 + 4;
  dv.setUint32(data - 4, 0, true); // no next IFD
  entries.forEach(([tag, type, count, value], i) => {
    const e = at + 2 + i * 12;
    dv.setUint16(e, tag, true);
    dv.setUint16(e + 2, type, true);
    dv.setUint32(e + 4, count, true);
    if (value.length <= 4) {
      u8.set(value, e + 8); // left-justified in the 4-byte field
    } else {
      dv.setUint32(e + 8, data, true);
      u8.set(value, data);
      data += value.length + (value.length & 1);
    }
  });
}

/**
 * An EXIF APP1 segment as a camera writes one: a little-endian TIFF block whose
 * IFD0 has Make, Model, Orientation (1) and a pointer to a GPS IFD with
 * latitude and longitude (the Eiffel Tower).
 */
function exifSegment() {
  const gps = [
    [0x0000, BYTE, 4, new Uint8Array([2, 3, 0, 0])], // GPSVersionID
    [0x0001, ASCII, 2, ascii('N')], // GPSLatitudeRef
    [0x0002, RATIONAL, 3, rationals([[48, 1], [51, 1], [2964, 100]])], // GPSLatitude
    [0x0003, ASCII, 2, ascii('E')], // GPSLongitudeRef
    [0x0004, RATIONAL, 3, rationals([[2, 1], [17, 1], [4020, 100]])], // GPSLongitude
  ];
  const make = ascii('Canon');
  const model = ascii('Canon EOS 5D Mark IV');
  const ifd0 = (gpsOffset) => [
    [0x010f, ASCII, make.length, make], // Make
    [0x0110, ASCII, model.length, model], // Model
    [0x0112, SHORT, 1, u16(1)], // Orientation: as stored
    [0x8825, LONG, 1, u32(gpsOffset)], // GPSInfo IFD pointer
  ];
  const gpsOffset = 8 + ifdSize(ifd0(0));
  const tiff = new Uint8Array(gpsOffset + ifdSize(gps));
  tiff.set([0x49, 0x49, 0x2a, 0x00, 0x08, 0x00, 0x00, 0x00]); // "II", 42, IFD0 at 8
  writeIfd(tiff, 8, ifd0(gpsOffset));
  writeIfd(tiff, gpsOffset, gps);

  const payload = new Uint8Array(6 + tiff.length);
  payload.set(new TextEncoder().encode('Exif\0\0'));
  payload.set(tiff, 6);
  const length = payload.length + 2;
  if (length > 0xffff) throw new Error('EXIF segment too long');
  const segment = new Uint8Array(4 + payload.length);
  segment.set([0xff, 0xe1, length >> 8, length & 0xff]);
  segment.set(payload, 4);
  return segment;
}

/**
 * The 12 MP input: the photo scaled and cropped (cover) to 4000×3000, encoded
 * as JPEG q92 by the browser, with the EXIF segment inserted right after SOI.
 */
export async function buildInput(photoBase64) {
  const photo = base64ToBytes(photoBase64);
  const bmp = await createImageBitmap(new Blob([photo], { type: 'image/jpeg' }));
  const source = { width: bmp.width, height: bmp.height, bytes: photo.length };
  const scale = Math.max(INPUT_WIDTH / bmp.width, INPUT_HEIGHT / bmp.height);
  const sw = INPUT_WIDTH / scale;
  const sh = INPUT_HEIGHT / scale;
  const canvas = new OffscreenCanvas(INPUT_WIDTH, INPUT_HEIGHT);
  const ctx = canvas.getContext('2d');
  ctx.imageSmoothingQuality = 'high';
  ctx.drawImage(bmp, (bmp.width - sw) / 2, (bmp.height - sh) / 2, sw, sh, 0, 0, INPUT_WIDTH, INPUT_HEIGHT);
  bmp.close();
  const jpeg = new Uint8Array(await (await canvas.convertToBlob({ type: 'image/jpeg', quality: 0.92 })).arrayBuffer());
  if (jpeg[0] !== 0xff || jpeg[1] !== 0xd8) throw new Error('the browser did not encode a JPEG');
  const exif = exifSegment();
  const bytes = new Uint8Array(jpeg.length + exif.length);
  bytes.set(jpeg.subarray(0, 2));
  bytes.set(exif, 2);
  bytes.set(jpeg.subarray(2), 2 + exif.length);
  return { source, bytes, exifBytes: exif.length };
}

/** Whether a JPEG still carries an EXIF segment (APP1 "Exif\0\0") before its scan. */
export function hasExif(bytes) {
  let i = 2;
  while (i + 4 <= bytes.length && bytes[i] === 0xff) {
    const marker = bytes[i + 1];
    if (marker === 0xda || marker === 0xd9) return false; // start of scan, end of image
    const length = (bytes[i + 2] << 8) | bytes[i + 3];
    if (marker === 0xe1 && String.fromCharCode(...bytes.subarray(i + 4, i + 10)) === 'Exif\0\0') return true;
    i += 2 + length;
  }
  return false;
}
