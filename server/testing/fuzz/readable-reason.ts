/**
 * What makes a refusal readable by the clinician who uploaded the file: one or more plain sentences, no decoder or
 * runtime internals (library names, error class names, errno codes, stack frames), no placeholders that leaked from
 * code (undefined, NaN, [object Object]), and no self-contradiction such as "The file is 25 MB; the largest accepted is
 * 25 MB". Returns the problems found, empty when the reason is fine.
 */
const INTERNALS = /\b(?:vips\w*|libjpeg|libpng|spng|libtiff|TIFF\w+:|VipsForeign\w*|Error:|TypeError|RangeError|ENOENT|EISDIR|errno|stack)\b|\bat \S+:\d+:\d+/;
const LEAKED_PLACEHOLDERS = /\b(?:undefined|NaN|null|Infinity)\b|\[object \w+\]/;
const MAX_LENGTH = 300;

export function reasonProblems(reason: string): string[] {
  const problems: string[] = [];
  const text = reason.trim();
  if (text.length === 0) return ["the reason is empty"];
  if (text.length > MAX_LENGTH) problems.push(`the reason is ${text.length} characters long`);
  if (/[\r\n]/.test(text)) problems.push("the reason spans several lines");
  if (!/^[A-Z]/.test(text)) problems.push("the reason does not start like a sentence");
  if (!/[.!?)]$/.test(text)) problems.push("the reason does not end like a sentence");
  const internals = INTERNALS.exec(text);
  if (internals) problems.push(`the reason shows internals ("${internals[0]}")`);
  const placeholder = LEAKED_PLACEHOLDERS.exec(text);
  if (placeholder) problems.push(`the reason shows "${placeholder[0]}"`);
  const sameSize = /is ([\d.]+ (?:bytes|KB|MB|GB))[^.]*(?:largest|limit|allowed)[^.]*?\b\1\b/.exec(text);
  if (sameSize) problems.push(`the reason gives the same size (${sameSize[1]}) for the file and for the limit`);
  return problems;
}
