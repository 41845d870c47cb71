#!/usr/bin/env bash
# Prints the CMake prefix of PyTorch's LibTorch when python3 imports a torch built with CUDA,
# else says on stderr what is missing and exits 1. Used for GPU builds: Debian's libtorch-dev
# is CPU-only, so a GPU run must build against PyTorch's own LibTorch.
set -euo pipefail
python3 - <<'PY'
import sys
try:
    import torch
except ImportError as e:
    sys.exit(f"vitperf: no PyTorch for a GPU build ({e}); install it: pip install torch")
if not torch.version.cuda:
    sys.exit(f"vitperf: PyTorch {torch.__version__} has no CUDA; install a CUDA build of torch")
print(torch.utils.cmake_prefix_path)
PY
