/**
 * Walking and rewriting JPEG marker segments (SOI, APPn, DQT, SOFn, DHT, SOS ...), so a mutation can target one
 * field, such as the frame size in SOF, rather than hoping a random flip lands there.
 */
import { concat, patch } from "./bytes";

export const SOS = 0xda;
export const DQT = 0xdb;
export const DHT = 0xc4;
export const COM = 0xfe;
export const APP1 = 0xe1;
export const APP2 = 0xe2;

export interface JpegSegment {
  marker: number;
  /** Offset of the 0xFF that starts the segment. */
  start: number;
  /** Offset just after the segment (for SOS: after its header, where the entropy-coded data begins). */
  end: number;
}

const isStartOfFrame = (marker: number) => marker >= 0xc0 && marker <= 0xcf && marker !== DHT && marker !== 0xc8 && marker !== 0xcc;

/** Segments from the first after SOI up to and including the first SOS (a well-formed file made by the corpus). */
export function readJpegSegments(jpeg: Uint8Array): JpegSegment[] {
  const view = new DataView(jpeg.buffer, jpeg.byteOffset, jpeg.byteLength);
  const segments: JpegSegment[] = [];
  let at = 2;
  while (at + 4 <= jpeg.length) {
    if (jpeg[at] !== 0xff) throw new RangeError(`no JPEG marker at ${at}`);
    const marker = jpeg[at + 1]!;
    const end = at + 2 + view.getUint16(at + 2);
    segments.push({ marker, start: at, end });
    if (marker === SOS) break;
    at = end;
  }
  return segments;
}

function segmentOf(jpeg: Uint8Array, predicate: (marker: number) => boolean): JpegSegment {
  const found = readJpegSegments(jpeg).find((segment) => predicate(segment.marker));
  if (!found) throw new RangeError("JPEG segment not found");
  return found;
}

export function startOfFrame(jpeg: Uint8Array): JpegSegment {
  return segmentOf(jpeg, isStartOfFrame);
}

/** The frame header's height and width (SOF: length, precision, height, width). */
export function withJpegSize(jpeg: Uint8Array, width: number, height: number): Uint8Array {
  const sof = startOfFrame(jpeg);
  return patch(jpeg, (view) => {
    view.setUint16(sof.start + 5, height);
    view.setUint16(sof.start + 7, width);
  });
}

export function encodeJpegSegment(marker: number, data: Uint8Array, length = data.length + 2): Uint8Array {
  const header = new Uint8Array(4);
  header[0] = 0xff;
  header[1] = marker;
  new DataView(header.buffer).setUint16(2, length);
  return concat(header, data);
}

/** Every segment with this marker removed (before SOS). */
export function withoutJpegSegments(jpeg: Uint8Array, marker: number): Uint8Array {
  const removed = readJpegSegments(jpeg).filter((segment) => segment.marker === marker);
  if (removed.length === 0) throw new RangeError(`no segment 0x${marker.toString(16)}`);
  const parts: Uint8Array[] = [];
  let at = 0;
  for (const segment of removed) {
    parts.push(jpeg.subarray(at, segment.start));
    at = segment.end;
  }
  parts.push(jpeg.subarray(at));
  return concat(...parts);
}

/** `inserted` (whole segments) placed right after SOI. */
export function withSegmentsAfterSoi(jpeg: Uint8Array, ...inserted: Uint8Array[]): Uint8Array {
  return concat(jpeg.subarray(0, 2), ...inserted, jpeg.subarray(2));
}

/** A copy of one existing segment placed again right before SOS (a second SOF, a second DQT ...). */
export function withSegmentRepeated(jpeg: Uint8Array, predicate: (marker: number) => boolean): Uint8Array {
  const segment = segmentOf(jpeg, predicate);
  const sos = segmentOf(jpeg, (marker) => marker === SOS);
  return concat(jpeg.subarray(0, sos.start), jpeg.subarray(segment.start, segment.end), jpeg.subarray(sos.start));
}

export { isStartOfFrame };
