"""scripts/heldout_timm.py: the compile gain pairs each release's eager and -dynamo tables model
by model, and the predicted command is the tables' own setting (autocast at fp16)."""
import os
import sys
import unittest
from unittest import mock

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "scripts"))
import heldout_timm  # noqa: E402


def table(name, compiled, rows):
    """A report entry as heldout_timm.main builds it (test fixture, not measurements)."""
    return {"table": name, "gpu": "rtx4090", "compiled": compiled,
            "rows": [{"model": m, "measured_ips": meas, "predicted_ips": pred}
                     for m, meas, pred in rows]}


class CompileGains(unittest.TestCase):
    def test_pairs_models_of_one_release(self):
        report = [
            table("timm-a.csv", False, [("m1", 100.0, 80.0), ("m2", 200.0, 150.0),
                                         ("only_eager", 10.0, 10.0)]),
            table("timm-a-dynamo.csv", True, [("m1", 125.0, 96.0), ("m2", 240.0, 180.0)]),
            table("timm-b.csv", False, [("m1", 1.0, 1.0)]),  # no -dynamo table: no gain
        ]
        gains = heldout_timm.compile_gains(report)
        self.assertEqual(len(gains), 1)
        g = gains[0]
        self.assertEqual((g["eager_table"], g["compiled_table"]),
                         ("timm-a.csv", "timm-a-dynamo.csv"))
        self.assertEqual([r["model"] for r in g["rows"]], ["m1", "m2"])
        # m1: measured 1.25x, predicted 1.20x; m2: both 1.20x
        self.assertAlmostEqual(g["rows"][0]["error"], 1.20 / 1.25 - 1)
        self.assertAlmostEqual(g["rows"][1]["error"], 0.0)
        self.assertAlmostEqual(g["mape"], (1 - 1.20 / 1.25) / 2)
        self.assertAlmostEqual(g["measured_median"], (1.25 + 1.20) / 2)

    def test_predicts_the_tables_setting(self):
        calls = []

        def run(cmd, capture_output, text):
            calls.append(cmd)
            return mock.Mock(returncode=0, stdout='{"rows": [{"throughput_ips": 5.0}]}')

        with mock.patch.object(heldout_timm.subprocess, "run", side_effect=run):
            heldout_timm.predict("vitperf", "vit_base_patch16_224", "rtx4090", 256, 224, True, True)
            heldout_timm.predict("vitperf", "vit_base_patch16_224", "rtx4090", 256, 224, False,
                                 False)
        self.assertIn("--autocast", calls[0])
        self.assertEqual(calls[0][calls[0].index("--autocast") + 1], "on")
        self.assertIn("compiled", calls[0])
        self.assertEqual(calls[1][calls[1].index("--autocast") + 1], "off")
        self.assertNotIn("compiled", calls[1])


if __name__ == "__main__":
    unittest.main()
