#!/usr/bin/env python3
"""Does a destroyed CUDA graph's private pool stay reserved until emptyCache?

Captures a graph that allocates `--gib` GiB in its private pool, destroys it, and repeats,
printing the allocator's reserved memory after each round, without and then with
torch.cuda.empty_cache() before each capture (which torch.cuda.graph does and a bare
CUDAGraph.capture_begin, like LibTorch's C++ API, does not). Prints one JSON line per round.
"""
import argparse
import gc
import json

import torch


def one_round(gib: float, empty_first: bool) -> dict:
    if empty_first:
        torch.cuda.synchronize()
        torch.cuda.empty_cache()
    x = torch.ones(1024, device="cuda")
    side = torch.cuda.Stream()
    side.wait_stream(torch.cuda.current_stream())
    graph = torch.cuda.CUDAGraph()
    n = int(gib * 2**30 / 4)
    with torch.cuda.stream(side):
        graph.capture_begin()
        try:
            y = x.repeat(n // 1024)  # allocated in the graph's private pool
        finally:
            # An out-of-memory error inside the capture must still end it, or the stream stays
            # capturing and every later CUDA call fails (the first version of this script).
            graph.capture_end()
    graph.replay()
    torch.cuda.synchronize()
    del y, graph
    gc.collect()
    return {
        "reserved_gib": torch.cuda.memory_reserved() / 2**30,
        "allocated_gib": torch.cuda.memory_allocated() / 2**30,
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--gib", type=float, default=20.0, help="private pool per graph [GiB]")
    ap.add_argument("--rounds", type=int, default=8)
    a = ap.parse_args()
    for empty_first in (False, True):
        torch.cuda.empty_cache()
        for i in range(a.rounds):
            rec = {"empty_cache_before_capture": empty_first, "round": i}
            try:
                rec.update(one_round(a.gib, empty_first))
            except torch.OutOfMemoryError as e:
                rec["error"] = str(e).split(". ")[0:4]
                print(json.dumps(rec), flush=True)
                break
            print(json.dumps(rec), flush=True)


if __name__ == "__main__":
    main()
