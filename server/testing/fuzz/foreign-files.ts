/**
 * Files that are not images, or not images we accept, as they would really arrive: a note, a web page, a PDF, a ZIP,
 * an SVG, a DICOM or HEIC header ... Each carries PAYLOAD where it has room, so a polyglot built from it can be
 * checked for leaking that text into a stored blob.
 */
import { ascii, concat } from "./bytes";
import { crc32 } from "./png-structure";

export const PAYLOAD = "FUZZ-PAYLOAD-7f3a";

/** A real (stored, uncompressed) ZIP archive with one file, readable by unzip. */
export function zipArchive(name = "payload.txt", content = `${PAYLOAD}\n`): Uint8Array {
  const nameBytes = ascii(name);
  const data = ascii(content);
  const crc = crc32(data);
  const local = new Uint8Array(30);
  const lv = new DataView(local.buffer);
  lv.setUint32(0, 0x04034b50, true);
  lv.setUint16(4, 20, true);
  lv.setUint32(14, crc, true);
  lv.setUint32(18, data.length, true);
  lv.setUint32(22, data.length, true);
  lv.setUint16(26, nameBytes.length, true);
  const central = new Uint8Array(46);
  const cv = new DataView(central.buffer);
  cv.setUint32(0, 0x02014b50, true);
  cv.setUint16(4, 20, true);
  cv.setUint16(6, 20, true);
  cv.setUint32(16, crc, true);
  cv.setUint32(20, data.length, true);
  cv.setUint32(24, data.length, true);
  cv.setUint16(28, nameBytes.length, true);
  const centralAt = local.length + nameBytes.length + data.length;
  const end = new Uint8Array(22);
  const ev = new DataView(end.buffer);
  ev.setUint32(0, 0x06054b50, true);
  ev.setUint16(8, 1, true);
  ev.setUint16(10, 1, true);
  ev.setUint32(12, central.length + nameBytes.length, true);
  ev.setUint32(16, centralAt, true);
  return concat(local, nameBytes, data, central, nameBytes, end);
}

export const HTML_PAGE = `<!DOCTYPE html><html><head><title>Lesion photo</title></head><body><img src="x" onerror="alert(1)"><script>/* ${PAYLOAD} */</script></body></html>\n`;

export const PDF_DOCUMENT = [
  "%PDF-1.7",
  "1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj",
  "2 0 obj << /Type /Pages /Kids [3 0 R] /Count 1 >> endobj",
  `3 0 obj << /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R >> endobj`,
  `4 0 obj << /Length 44 >> stream\nBT /F1 12 Tf 72 712 Td (${PAYLOAD}) Tj ET\nendstream endobj`,
  "trailer << /Root 1 0 R >>",
  "%%EOF",
  "",
].join("\n");

export const SVG_IMAGE = `<?xml version="1.0" encoding="UTF-8"?>\n<svg xmlns="http://www.w3.org/2000/svg" width="640" height="480"><rect width="640" height="480" fill="#a0522d"/><script>/* ${PAYLOAD} */</script></svg>\n`;

export const XML_DOCUMENT = `<?xml version="1.0"?>\n<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]>\n<report>&lol2; ${PAYLOAD}</report>\n`;

/** Text formats a clinician could pick by mistake, by name. */
export const TEXT_FILES: Readonly<Record<string, string>> = {
  "plain-text-note": "Patient reports the mole on the left shoulder grew over the summer. Photo to follow.\n",
  html: HTML_PAGE,
  svg: SVG_IMAGE,
  xml: XML_DOCUMENT,
  json: `{"lesion":"left shoulder","image":null,"note":"${PAYLOAD}"}\n`,
  csv: "lesion_id,image_id,dx\nHAM_0000118,ISIC_0027419,bkl\n",
  "text-starting-BM": "BMI 24.5, BP 120/80, mole on the back, no change since the last visit.\n",
  "text-starting-II*": "II* is not a TIFF header when the rest is a sentence about a lesion on the arm.\n",
};

/** Headers of formats the pipeline names but refuses (the rest of such a file is irrelevant to it). */
export function foreignHeaders(): Record<string, Uint8Array> {
  const dicom = concat(new Uint8Array(128), "DICM", new Uint8Array(64));
  return {
    pdf: ascii(PDF_DOCUMENT),
    zip: zipArchive(),
    "heic-ftyp-header": concat(Uint8Array.of(0, 0, 0, 0x18), "ftypheic", Uint8Array.of(0, 0, 0, 0), "mif1heic", new Uint8Array(200)),
    "mp4-ftyp-header": concat(Uint8Array.of(0, 0, 0, 0x18), "ftypisom", Uint8Array.of(0, 0, 2, 0), "isomiso2", new Uint8Array(200)),
    "bigtiff-header": concat(Uint8Array.of(0x49, 0x49, 0x2b, 0x00, 0x08, 0x00, 0x00, 0x00), new Uint8Array(200)),
    "dicom-preamble": dicom,
    "jpeg2000-signature": concat(Uint8Array.of(0, 0, 0, 0x0c, 0x6a, 0x50, 0x20, 0x20, 0x0d, 0x0a, 0x87, 0x0a), new Uint8Array(200)),
    "elf-executable-header": concat(Uint8Array.of(0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0), new Uint8Array(200)),
    "utf16-text-with-bom": concat(Uint8Array.of(0xff, 0xfe), new Uint8Array(Buffer.from("A note about a lesion, saved as UTF-16.", "utf16le"))),
    "all-zero-4-KiB": new Uint8Array(4096),
    "all-0xFF-4-KiB": new Uint8Array(4096).fill(0xff),
  };
}
