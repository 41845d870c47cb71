#!/usr/bin/env python3
"""Model against CUPTI, by kernel class: for every traced pipeline record (pooled per point),
compare the CUPTI time of the GEMM kernels (class matmul without the patch conv), the fused
attention, the patch conv and the norm/elementwise kernels with the sums of the matching
operators of `vitperf predict --operators --json` (the same config, batch and precision, on
the given profile). Prints the per-class error by group, and the worst points.

  python3 docs/probes/kernel_class_check.py --gpu h100 [--set attention_check] [--binary B]

For fused-attention records the attention class is the fused kernel alone, so
`--set attention_check` gives the attention kernel's error on that held-out set.
"""
import argparse, collections, glob, json, os, subprocess, sys, tempfile

GEMM_OPS = {'qkv', 'proj', 'mlp_up', 'mlp_down', 'head', 'attn_scores', 'attn_values'}
NORM_OPS = {'layernorm', 'final_norm', 'residual_add', 'gelu', 'embed_assemble',
            'input_normalize', 'pool', 'attn_reshape', 'mlp_fused'}
# CUPTI's attention class (measure/cupti_tracer.h KernelClass) holds the fused kernel, or the
# math path's softmax; its score and value products are GEMMs.
ATTENTION_OPS = {'attn_fused', 'softmax'}


def conv_kernel(name):
    return ('implicit_convolve_sgemm' in name or
            ('fprop' in name and ('cutlass' in name or 'xmma' in name)))


def measured_classes(record):
    b = record.get('breakdown') or {}
    k = b.get('kernels') or {}
    top = b.get('top_kernels') or []
    conv = sum(t['time_ms'] for t in top if conv_kernel(t['name']))
    out = {'matmul': k.get('matmul', {}).get('time_ms', 0) - conv,
           'attention': k.get('attention', {}).get('time_ms', 0),
           'patch_conv': conv,
           'norm_elementwise': k.get('norm_elementwise', {}).get('time_ms', 0)}
    return out


def predicted_classes(binary, gpu, config, batch, execution):
    with tempfile.NamedTemporaryFile('w', suffix='.json', delete=False) as f:
        json.dump(config, f)
    cmd = [binary, 'predict', '--config', f.name, '--batch', str(batch), '--compute-only',
           '--operators', '--json', '--gpu', gpu, '--execution', execution,
           '--precision', config.get('precision', 'bf16')]
    p = subprocess.run(cmd, capture_output=True, text=True)
    os.unlink(f.name)
    if p.returncode:
        return None
    out = collections.Counter()
    for row in json.loads(p.stdout)['operators']['rows']:
        op = row['operator']
        if op in GEMM_OPS:
            out['matmul'] += row['time_ms']
        elif op in ATTENTION_OPS:
            out['attention'] += row['time_ms']
        elif op in ('patch_embed',):
            out['patch_conv'] += row['time_ms']
        elif op in NORM_OPS:
            out['norm_elementwise'] += row['time_ms']
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--gpu', default='h100')
    ap.add_argument('--profile', help='profile for predict (default: the --gpu name)')
    ap.add_argument('--binary', default='build-me/cli/vitperf')
    ap.add_argument('--set', default='*',
                    help='experiment files data/measurements/GPU/SET.jsonl (default: all of them)')
    ap.add_argument('--worst', type=int, default=12)
    a = ap.parse_args()
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    groups = collections.defaultdict(list)
    for path in glob.glob(os.path.join(root, 'data/measurements', a.gpu, a.set + '.jsonl')):
        for line in open(path):
            r = json.loads(line)
            if r.get('kind') != 'pipeline' or r.get('status') != 'ok' or not r.get('breakdown'):
                continue
            key = (json.dumps(r['config'], sort_keys=True), r['batch'], r['options']['execution'])
            groups[key].append(measured_classes(r))
    rows = []
    skipped = 0
    for (config_json, batch, execution), runs in groups.items():
        config = json.loads(config_json)
        pred = predicted_classes(a.binary, a.profile or a.gpu, config, batch, execution)
        if pred is None:
            skipped += 1
            continue
        for cls in ('matmul', 'attention', 'patch_conv', 'norm_elementwise'):
            m = sum(r[cls] for r in runs) / len(runs)
            if m <= 0 or pred[cls] <= 0:
                continue
            label = '%s %dpx %s %s %s b=%d' % (config.get('name'), config['image_height'],
                                              config.get('precision'), config.get('attention'),
                                              execution, batch)
            rows.append((cls, label, config['dim'], batch, m, pred[cls], pred[cls] / m - 1))
    if skipped:
        print('warning: vitperf predict failed for %d point(s); they are left out' % skipped,
              file=sys.stderr)
    if not rows:
        sys.exit('no traced pipeline record in data/measurements/%s/%s.jsonl' % (a.gpu, a.set))
    print('class             points  mean |err|  median |err|  max |err|  median err'
          '  (model over CUPTI - 1)')
    for cls in ('matmul', 'attention', 'patch_conv', 'norm_elementwise'):
        e = sorted(r[6] for r in rows if r[0] == cls)
        if e:
            size = sorted(map(abs, e))
            print('%-17s %6d  %9.1f%%  %11.1f%%  %8.0f%%  %+9.1f%%' % (
                cls, len(e), 100 * sum(size) / len(size), 100 * size[len(size) // 2],
                100 * size[-1], 100 * e[len(e) // 2]))
    print('\nby class and width (mean signed error):')
    by = collections.defaultdict(list)
    for r in rows:
        by[(r[0], r[2])].append(r[6])
    for (cls, dim), e in sorted(by.items()):
        print('  %-17s w%-5d %3d points %+6.1f%%' % (cls, dim, len(e), 100 * sum(e) / len(e)))
    print('\nworst:')
    for r in sorted(rows, key=lambda r: -abs(r[6]))[:a.worst]:
        print('  %-17s %-40s CUPTI %9.3f ms  model %9.3f ms  %+6.1f%%' % (r[0], r[1], r[4], r[5],
                                                                          100 * r[6]))


if __name__ == '__main__':
    sys.exit(main())
