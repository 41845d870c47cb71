"""Reading vitperf's JSONL record files from the scripts: one JSON object a line, and the
end-to-end throughput a pipeline record reports."""
import json
import re
import statistics

# What --since accepts: a UTC date, optionally with hours and minutes (and seconds).
_SINCE = re.compile(r"\d{4}-\d\d-\d\d(T\d\d:\d\d(:\d\d)?)?")


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


def measured_at(record):
    """The UTC time a record was measured, 'YYYY-MM-DDTHH:MM:SS' (its own provenance's, else its
    own `time_utc`: provenance lines), or '' when it carries none. vitperf writes '...Z' and the
    Python scripts '...+00:00': the first 19 characters compare in time order."""
    p = record.get("provenance")
    t = (p.get("time_utc") if isinstance(p, dict) else None) or record.get("time_utc") or ""
    return t[:19]


def since_error(since, field="since"):
    """'' when `since` is empty or a UTC time 'YYYY-MM-DD[THH:MM[:SS]]', else the one-line
    message naming the field (`field`: since, until)."""
    if not since or _SINCE.fullmatch(since):
        return ""
    return "%s: '%s' is not a UTC time YYYY-MM-DD[THH:MM[:SS]]" % (field, since)


def measured_since(records, since, until=""):
    """The records measured at or after `since` and, with `until`, before it (see since_error):
    one run of a file that holds every run of an experiment. Empty bounds keep everything."""
    kept = list(records)
    if since:
        kept = [r for r in kept if measured_at(r) >= since[:19]]  # '' (no time) sorts first
    if until:
        kept = [r for r in kept if measured_at(r) < until[:19]]
    return kept
