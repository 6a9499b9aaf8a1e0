/** Tiny `--name value` / `--flag` argument reader for the ml/training scripts (no dependency for two scripts). */
export function readArgs(argv: readonly string[] = process.argv.slice(2)): Map<string, string> {
  const args = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const key = argv[i]!;
    if (!key.startsWith("--")) throw new Error(`unexpected argument "${key}"`);
    const next = argv[i + 1];
    if (next === undefined || next.startsWith("--")) args.set(key.slice(2), "true");
    else {
      args.set(key.slice(2), next);
      i++;
    }
  }
  return args;
}

export function numberArg(args: Map<string, string>, name: string, fallback: number): number {
  const raw = args.get(name);
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value)) throw new Error(`--${name} must be a number, got "${raw}"`);
  return value;
}

export function jsonArg<T>(args: Map<string, string>, name: string, fallback: T): T {
  const raw = args.get(name);
  return raw === undefined ? fallback : (JSON.parse(raw) as T);
}
