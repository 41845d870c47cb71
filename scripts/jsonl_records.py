"""Reading vitperf's JSONL record files from the scripts: one JSON object a line, and the
end-to-end throughput a pipeline record reports."""
import json
import statistics


def read_jsonl(path):
    """Every record of a JSONL file, skipping blank lines and a torn last line (an interrupted
    run leaves at most one)."""
    out = []
    with open(path, "r", encoding="utf-8") as f:
        for line in f:
            line = line.strip()
            if not line:
                continue
            try:
                out.append(json.loads(line))
            except ValueError:
                pass  # a torn last line of an interrupted run
    return out


def pipeline_e2e_ips(record):
    """[images/s] a pipeline record's end-to-end throughput, estimated as the Python side by side
    does: the median of its timed windows (`window_ips`, overlapped records since they were
    measured), else `throughput_ips` (over the whole timed span)."""
    windows = record.get("window_ips") or []
    return statistics.median(windows) if windows else record["throughput_ips"]
