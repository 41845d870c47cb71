"""vitperf from Python: predicts Vision Transformer inference performance on GPUs.

Every query returns the same content as the command line's ``--json`` output (a plain dict), built
by the same C++ code; bad input raises ValueError with the command line's one-line message.

    import vitperf
    r = vitperf.predict(model="vit_b16", gpu="h100", batch=[1, 64])
    r["recommended_batch"], [row["throughput_ips"] for row in r["rows"]]

Keyword arguments are the command line's flags with "_" for "-" (``res=512``,
``precision="fp16"``, ``execution="compiled"``, ``latency_slo=50``); ``model`` also takes a config
dict, e.g. from ``config_from_timm``.
"""

import json
import warnings

from . import _vitperf
from .timm_config import Unsupported, config_from_timm

__all__ = ["predict", "best", "validate", "models", "gpus", "config_from_timm", "Unsupported"]


def _text(name, value):
    """A keyword's value as the command line would spell it."""
    if isinstance(value, bool):
        return "on" if value else "off"
    if isinstance(value, (list, tuple)):
        return ",".join(_text(name, v) for v in value)
    if isinstance(value, dict):
        return json.dumps(value)
    if isinstance(value, (int, float, str)):
        return str(value)
    raise ValueError(f"{name}: {type(value).__name__} is not accepted (a number, text, True/False"
                     f" or a list of numbers)")


def _fields(kwargs):
    fields = {}
    for name, value in kwargs.items():
        if value is None:
            continue
        if name == "model" and isinstance(value, dict):
            name = "config"  # a config dict instead of a preset name
        fields[name] = _text(name, value)
    return fields


def _argv(call, kwargs):
    """The meta block's "argv": the call as it was made."""
    return ["python", "vitperf." + call] + [f"{k}={v!r}" for k, v in kwargs.items()
                                            if v is not None]


def predict(model=None, gpu="h100", batch=None, **kwargs):
    """Latency, throughput, memory and the bottleneck over batch sizes (``vitperf predict``).

    ``model``: a preset or timm name (default vit_b16) or a config dict; ``batch``: a batch size
    or a list (default 1, 2, 4, ... up to the largest that fits).
    """
    kwargs = dict(model=model, gpu=gpu, batch=batch, **kwargs)
    return json.loads(_vitperf.predict(_fields(kwargs), _argv("predict", kwargs)))


def best(model=None, gpu="h100", **kwargs):
    """The best configurations and which optimisation first (``vitperf best``)."""
    kwargs = dict(model=model, gpu=gpu, **kwargs)
    return json.loads(_vitperf.best(_fields(kwargs), _argv("best", kwargs)))


def validate(profile, data, **kwargs):
    """A profile's predictions against measurement files (``vitperf validate``, no refit).

    ``data``: a path or a list of paths; ``max_mape``/``max_regret`` [%] set "passed" in the
    result (a failed bound does not raise). Records the reader skipped are reported as warnings.
    """
    paths = [data] if isinstance(data, str) else list(data)
    call = dict(profile=profile, data=paths, **kwargs)
    text, skipped = _vitperf.validate(str(profile), [str(p) for p in paths], _fields(kwargs),
                                      _argv("validate", call))
    for line in skipped:
        warnings.warn(line, stacklevel=2)
    return json.loads(text)


def models():
    """The named presets and the timm zoo (``vitperf models``)."""
    return json.loads(_vitperf.models(_argv("models", {})))


def gpus():
    """The shipped hardware profiles with their expected error (``vitperf gpus``)."""
    return json.loads(_vitperf.gpus(_argv("gpus", {})))
