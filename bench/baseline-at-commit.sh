#!/usr/bin/env bash
# An older commit's own load benchmarks, run on this machine: the same-machine baseline for issue 17's bars, which
# compare with the code of the day the issue was filed (e09beec, whose bench/results/load.json the issue quotes).
# Timings move with the machine (the same e09beec code gave 226 requests/s on November's machine), so a comparison
# is only fair between runs on one machine, close in time, with nothing else running.
#
#   bash bench/baseline-at-commit.sh e09beec    # writes bench/results/baseline-e09beec/{load,queue-load}.json
set -euo pipefail
commit=${1:?usage: bash bench/baseline-at-commit.sh <commit>}
repo=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/dermflag-baseline-XXXXXX")
# Readable by the unprivileged account the embedded PostgreSQL runs as when started by root (mktemp makes it 0700).
chmod 755 "$work"
cleanup() {
  git -C "$repo" worktree remove --force "$work/tree" > /dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT
git -C "$repo" worktree add -q --detach "$work/tree" "$commit"
# The same installed packages, as hard links (no copy; Turbopack refuses a node_modules symlinked from outside the
# tree). The old build generates its Prisma client inside its own tree (server/db/generated), never in node_modules.
cp -al "$repo/node_modules" "$work/tree/node_modules"
# The shared data beside the tree, where the benchmarks look for it (../shared).
ln -s "$(cd "$repo/../shared" && pwd)" "$work/shared"
cd "$work/tree"
# The commit's own reports go first, so that a benchmark that fails cannot leave an old report to be copied.
rm -f bench/results/load.json bench/results/queue-load.json
npm run build
npx tsx bench/load.ts
npx tsx bench/queue-load.ts
out="$repo/bench/results/baseline-$commit"
mkdir -p "$out"
cp bench/results/load.json bench/results/queue-load.json "$out/"
echo "wrote $out"
