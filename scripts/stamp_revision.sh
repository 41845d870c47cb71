#!/usr/bin/env bash
# Writes the revision of the working tree (with -dirty when it has uncommitted changes) to
# .deps/git_revision, which travels to the GPU host where .git does not.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
mkdir -p .deps
rev=$(git rev-parse --short=12 HEAD)
git diff --quiet HEAD -- . ':!data/measurements' || rev="$rev-dirty"
echo "$rev" > .deps/git_revision
cat .deps/git_revision
