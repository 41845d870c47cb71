#!/usr/bin/env bash
# Prints one digest of the contents of the files listed (one path per line, relative to the
# repository root): scripts/stamp_revision.sh records it beside the revision, and
# scripts/build.sh recomputes it on the GPU host (no .git there) to tell a stale stamp.
#   scripts/tree_digest.sh LIST_FILE
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
list=${1:?usage: scripts/tree_digest.sh LIST_FILE}
cd "$root"
# A listed file that is gone hashes as "missing", so a deletion changes the digest too.
while IFS= read -r path; do
  if [ -f "$path" ]; then sha256sum -- "$path"; else echo "missing  $path"; fi
done <"$list" | sha256sum | cut -d' ' -f1
