#!/usr/bin/env python3
"""Sets an architecture's biased_attention_slowdown from the attention probes of an
attention_bias run: the fused attention's rate without a bias over its rate with one, at the
same batch and token count, median over the shapes of batch >= 64 (the GPU full).

  python3 scripts/biased_attention_slowdown.py data/measurements/h200/attention_bias.jsonl \
      --arch data/arch/sm90.json

Without --arch it prints.
"""
import argparse
import json
import statistics
import sys
from pathlib import Path

from arch_constants import write_constants

NAME = "biased_attention_slowdown"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("data", help="JSONL of an attention_bias run")
    ap.add_argument("--arch", help="architecture file to update")
    args = ap.parse_args()
    rates, ids, provenance = {}, {}, {}
    for line in Path(args.data).read_text().splitlines():
        r = json.loads(line)
        if r.get("kind") == "provenance":
            provenance = r
        if r.get("kind") != "probe" or r.get("probe") != "attention" or r.get("status") != "ok":
            continue
        p = r["params"]
        key = (p["batch"], p["tokens"], bool(p.get("bias", False)))
        rates[key], ids[key] = r["value"], r["id"]
    ratios, used = [], []
    for (batch, tokens, bias), rate in sorted(rates.items()):
        if bias or batch < 64 or (batch, tokens, True) not in rates:
            continue
        ratios.append(rate / rates[(batch, tokens, True)])
        used += [ids[(batch, tokens, False)], ids[(batch, tokens, True)]]
        print(f"batch {batch} tokens {tokens}: {ratios[-1]:.3f}")
    if not ratios:
        sys.exit(f"data: no attention probe pairs (bias false and true) of batch >= 64 in {args.data}")
    value = round(statistics.median(ratios), 4)
    print(f"{NAME}: {value}")
    if args.arch:
        write_constants(args.arch, {NAME: (value, used)}, "attention", args.data, provenance,
                        "biased_attention_slowdown.py")

if __name__ == "__main__":
    main()
