/**
 * Which code trained a model: the git commit (and whether tracked files had uncommitted changes) when the
 * repository is available, and always the package version, for installs without git. Read-only git commands only;
 * `--no-optional-locks` keeps `git status` from taking the index lock while someone else uses the repository.
 */
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

export interface CodeVersion {
  gitCommit: string | null;
  /** True when tracked files differ from the commit; null when git is unavailable. */
  gitDirty: boolean | null;
  packageVersion: string;
}

function git(args: string[]): string | null {
  try {
    return execFileSync("git", args, { cwd: repoRoot, encoding: "utf8", stdio: ["ignore", "pipe", "ignore"], timeout: 10_000 }).trim();
  } catch {
    return null;
  }
}

export function codeVersion(): CodeVersion {
  const commit = git(["rev-parse", "HEAD"]);
  const gitCommit = commit !== null && /^[0-9a-f]{40,64}$/.test(commit) ? commit : null;
  const status = gitCommit === null ? null : git(["--no-optional-locks", "status", "--porcelain", "--untracked-files=no"]);
  let packageVersion = "unknown";
  try {
    const parsed: unknown = JSON.parse(readFileSync(path.join(repoRoot, "package.json"), "utf8"));
    if (typeof parsed === "object" && parsed !== null && "version" in parsed && typeof parsed.version === "string") packageVersion = parsed.version;
  } catch {
    // An install without package.json still gets a model; "unknown" says so.
  }
  return { gitCommit, gitDirty: status === null ? null : status.length > 0, packageVersion };
}
