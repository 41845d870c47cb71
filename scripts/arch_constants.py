"""Writes probe-measured architecture constants into a data/arch file with their sources.

Shared by the scripts that derive a constant from a probe run (strided_read_rates.py,
biased_attention_slowdown.py): each value's source names the run's file, device, date, the
records used and the script.
"""
import json
from pathlib import Path


def write_constants(arch_path, values, probes, data_path, provenance, script, extra="",
                    source=None):
    """values: {name: (value, [record ids])}; probes: the probe names, for the source text.
    source: the whole source text instead (a constant read from CUPTI records, not a probe)."""
    arch = json.loads(Path(arch_path).read_text())
    device = provenance.get("device_name", "?")
    when = provenance.get("time_utc", "?")[:10]
    for name, (value, used) in values.items():
        arch["constants"][name] = value
        arch["sources"][name] = source or (
            f"this project's measurement: {probes} probes in {data_path}{extra} "
            f"({device}, {when}; records {', '.join(used)}) via scripts/{script}")
    arch["sources"] = dict(sorted(arch["sources"].items()))
    Path(arch_path).write_text(json.dumps(arch, indent=1) + "\n")
