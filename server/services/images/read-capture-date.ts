/**
 * When the photograph was taken, read from its EXIF (JPEG, PNG eXIf) or TIFF tags before the pipeline strips all
 * metadata. Preference: DateTimeOriginal (shutter), then DateTimeDigitized, then DateTime (last change: for scanners
 * and TIFF files often the only one).
 *
 * EXIF dates are local wall-clock time with no zone. When an OffsetTime* tag gives the zone it is applied; otherwise
 * the wall-clock time is kept as if it were UTC, so "2023:05:01 14:30:00" displays as 14:30 on 1 May 2023 whatever the
 * server's zone. Malformed or implausible metadata (zeros, before 1900, in the future) gives null: a broken tag is a
 * reason to lose the date, never to reject the image.
 */

const TAG_DATE_TIME = 0x0132;
const TAG_EXIF_IFD = 0x8769;
const TAG_DATE_TIME_ORIGINAL = 0x9003;
const TAG_DATE_TIME_DIGITIZED = 0x9004;
const TAG_OFFSET_TIME = 0x9010;
const TAG_OFFSET_TIME_ORIGINAL = 0x9011;
const TAG_OFFSET_TIME_DIGITIZED = 0x9012;

const TYPE_ASCII = 2;
const TYPE_LONG = 4;
const TYPE_IFD = 13;

type Tags = Map<number, string | number>;

class TiffReader {
  private readonly view: DataView;
  readonly littleEndian: boolean;

  constructor(private readonly bytes: Uint8Array) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.littleEndian = bytes[0] === 0x49;
  }

  static open(bytes: Uint8Array): TiffReader | null {
    if (bytes.length < 8) return null;
    const order = String.fromCharCode(bytes[0]!, bytes[1]!);
    if (order !== "II" && order !== "MM") return null;
    const reader = new TiffReader(bytes);
    return reader.u16(2) === 42 ? reader : null;
  }

  firstIfdOffset(): number {
    return this.u32(4);
  }

  private inBounds(offset: number, length: number): boolean {
    return offset >= 0 && offset + length <= this.bytes.length;
  }

  u16(offset: number): number {
    return this.inBounds(offset, 2) ? this.view.getUint16(offset, this.littleEndian) : -1;
  }

  u32(offset: number): number {
    return this.inBounds(offset, 4) ? this.view.getUint32(offset, this.littleEndian) : -1;
  }

  /** The ASCII and LONG/IFD entries of one IFD; other types are not needed here. */
  readIfd(offset: number, wanted: ReadonlySet<number>): Tags {
    const tags: Tags = new Map();
    const count = this.u16(offset);
    if (count <= 0 || !this.inBounds(offset + 2, count * 12)) return tags;
    for (let i = 0; i < count; i++) {
      const entry = offset + 2 + i * 12;
      const tag = this.u16(entry);
      if (!wanted.has(tag)) continue;
      const type = this.u16(entry + 2);
      const valueCount = this.u32(entry + 4);
      if (type === TYPE_ASCII && valueCount > 0 && valueCount <= 64) {
        const at = valueCount <= 4 ? entry + 8 : this.u32(entry + 8);
        if (!this.inBounds(at, valueCount)) continue;
        tags.set(tag, String.fromCharCode(...this.bytes.subarray(at, at + valueCount)).replace(/\0.*$/s, ""));
      } else if ((type === TYPE_LONG || type === TYPE_IFD) && valueCount === 1) {
        tags.set(tag, this.u32(entry + 8));
      }
    }
    return tags;
  }
}

const EXIF_DATE = /^(\d{4})[:-](\d{2})[:-](\d{2})[ T](\d{2}):(\d{2}):(\d{2})/;
const UTC_OFFSET = /^([+-])(\d{2}):(\d{2})$/;

/** "YYYY:MM:DD HH:MM:SS" (+ optional "+HH:MM") -> Date, or null when malformed or implausible. */
export function parseExifDate(text: string, offset?: string, now: Date = new Date()): Date | null {
  const match = EXIF_DATE.exec(text.trim());
  if (!match) return null;
  const [year, month, day, hour, minute, second] = match.slice(1).map(Number) as [number, number, number, number, number, number];
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 59) return null;
  let millis = Date.UTC(year, month - 1, day, hour, minute, second);
  // Date.UTC rolls 31 April over to 1 May: a date that does not round-trip does not exist.
  const check = new Date(millis);
  if (check.getUTCMonth() !== month - 1 || check.getUTCDate() !== day) return null;
  const zone = offset ? UTC_OFFSET.exec(offset.trim()) : null;
  if (zone) {
    const sign = zone[1] === "-" ? -1 : 1;
    millis -= sign * (Number(zone[2]) * 60 + Number(zone[3])) * 60_000;
  }
  if (year < 1900 || millis > now.getTime() + 24 * 60 * 60 * 1000) return null;
  return new Date(millis);
}

const IFD0_TAGS = new Set([TAG_DATE_TIME, TAG_EXIF_IFD]);
const EXIF_TAGS = new Set([
  TAG_DATE_TIME_ORIGINAL,
  TAG_DATE_TIME_DIGITIZED,
  TAG_OFFSET_TIME,
  TAG_OFFSET_TIME_ORIGINAL,
  TAG_OFFSET_TIME_DIGITIZED,
]);

function readDateFromTiffStructure(bytes: Uint8Array, now: Date): Date | null {
  const reader = TiffReader.open(bytes);
  if (!reader) return null;
  const ifd0 = reader.readIfd(reader.firstIfdOffset(), IFD0_TAGS);
  const exifOffset = ifd0.get(TAG_EXIF_IFD);
  const exif = typeof exifOffset === "number" && exifOffset > 0 ? reader.readIfd(exifOffset, EXIF_TAGS) : new Map();
  const text = (tags: Tags, tag: number): string | undefined => {
    const value = tags.get(tag);
    return typeof value === "string" ? value : undefined;
  };
  const candidates: [string | undefined, string | undefined][] = [
    [text(exif, TAG_DATE_TIME_ORIGINAL), text(exif, TAG_OFFSET_TIME_ORIGINAL)],
    [text(exif, TAG_DATE_TIME_DIGITIZED), text(exif, TAG_OFFSET_TIME_DIGITIZED)],
    [text(ifd0, TAG_DATE_TIME), text(exif, TAG_OFFSET_TIME)],
  ];
  for (const [date, offset] of candidates) {
    const parsed = date === undefined ? null : parseExifDate(date, offset, now);
    if (parsed) return parsed;
  }
  return null;
}

/** From an EXIF block as sharp's metadata() returns it (with or without the "Exif\0\0" prefix). */
export function readCaptureDateFromExif(exif: Uint8Array, now: Date = new Date()): Date | null {
  const prefix = [0x45, 0x78, 0x69, 0x66, 0x00, 0x00];
  const hasPrefix = exif.length >= 6 && prefix.every((byte, i) => exif[i] === byte);
  return readDateFromTiffStructure(hasPrefix ? exif.subarray(6) : exif, now);
}

/** From a TIFF file's own tags (a TIFF file is itself the structure EXIF borrows). */
export function readCaptureDateFromTiff(file: Uint8Array, now: Date = new Date()): Date | null {
  return readDateFromTiffStructure(file, now);
}
