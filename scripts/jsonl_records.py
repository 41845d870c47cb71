"""Reading vitperf's JSONL record files from the scripts: one JSON object a line."""
import json


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
