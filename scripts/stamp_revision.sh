#!/usr/bin/env bash
# Writes the revision of the working tree (with -dirty when it has uncommitted changes) to
# .deps/git_revision, which travels to the GPU host where .git does not, with the list of
# tracked files and a digest of their contents: scripts/build.sh recomputes the digest there
# and records <rev>-unstamped when the tree has moved on since the stamp (2026-12-05: H100
# records said 6c2abfb for a tree at b5301e6, the stamp having been left behind).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
mkdir -p .deps
rev=$(git rev-parse --short=12 HEAD)
git diff --quiet HEAD -- . ':!data/measurements' || rev="$rev-dirty"
echo "$rev" > .deps/git_revision
# Measured data is appended between stamps without changing what the code does.
git ls-files -- . ':!data/measurements' > .deps/git_tree_files
scripts/tree_digest.sh .deps/git_tree_files > .deps/git_tree_digest
cat .deps/git_revision
