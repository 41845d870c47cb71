#!/usr/bin/env python3
"""How cuDNN's flash attention kernel tiles, from the CUPTI times in the shipped records.

For every traced bf16/fp16 fused-attention record of the fitted datasets (calibration,
campaign, quick_test of every run; pooled per distinct shape: tokens, head
dim, batch x heads), the per-layer attention kernel time is fitted as
    t = latency + waves x (setup + per_block x key_blocks x head_dim_factor)
by linear least squares on relative error, for query tiles of 64 or 128 rows, key blocks of
64 or 128 keys, and fractional or whole waves over the multiprocessors. Prints each variant's
coefficients and MAPE, then the per-shape errors of the one chosen with --show. This is the
table in docs/accuracy.md (2026-11-24, step 8) behind model/roofline.h TimeFlashAttention.

  python3 docs/probes/flash_tiling_fit.py --gpu h100 [--show 128,128,whole] [--head-dim padded|raw]
"""
import argparse, collections, glob, json, math, os, sys


FITTED_EXPERIMENTS = ('calibration', 'campaign', 'quick_test')


def shapes(gpu):
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    runs = collections.defaultdict(list)
    paths = [p for e in FITTED_EXPERIMENTS
             for p in glob.glob(os.path.join(root, 'data/measurements', gpu, e + '.jsonl'))]
    for path in paths:
        for line in open(path):
            r = json.loads(line)
            if r.get('kind') != 'pipeline' or r.get('status') != 'ok':
                continue
            c = r['config']
            if c.get('attention') != 'fused' or c.get('precision') not in ('bf16', 'fp16'):
                continue
            attention = ((r.get('breakdown') or {}).get('kernels') or {}).get('attention')
            if not attention:
                continue
            tokens = (c['image_height'] // c['patch']) * (c['image_width'] // c['patch']) + 1
            head_dim = c['dim'] // c['heads']
            key = (tokens, head_dim, r['batch'] * c['heads'])
            runs[key].append(attention['time_ms'] / attention['count'] * 1e3)  # [us] per layer
    return [(n, hd, count, sum(v) / len(v)) for (n, hd, count), v in sorted(runs.items())]


def features(shape, query_tile, key_block, whole, head_dim_mode, sms):
    tokens, head_dim, count, _ = shape
    waves = math.ceil(tokens / query_tile) * count / sms
    waves = math.ceil(waves) if whole else max(waves, 1.0)
    blocks = math.ceil(tokens / key_block)
    factor = (64 if head_dim <= 64 else 128) / 64 if head_dim_mode == 'padded' else head_dim / 64
    return [1.0, waves, waves * blocks * factor]


def solve(a, b):  # Gauss-Jordan with partial pivoting, 3x3
    n = len(b)
    m = [row[:] + [b[i]] for i, row in enumerate(a)]
    for i in range(n):
        pivot = max(range(i, n), key=lambda r: abs(m[r][i]))
        m[i], m[pivot] = m[pivot], m[i]
        for r in range(n):
            if r != i:
                f = m[r][i] / m[i][i]
                m[r] = [x - f * y for x, y in zip(m[r], m[i])]
    return [m[i][n] / m[i][i] for i in range(n)]


def fit(points, *variant):
    x = [features(p, *variant) for p in points]
    y = [p[3] for p in points]
    a = [[sum(x[k][i] * x[k][j] / y[k] ** 2 for k in range(len(y))) for j in range(3)]
         for i in range(3)]
    b = [sum(x[k][i] / y[k] for k in range(len(y))) for i in range(3)]
    coef = solve(a, b)
    errors = [sum(f * c for f, c in zip(x[k], coef)) / y[k] - 1 for k in range(len(y))]
    return coef, errors


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--gpu', default='h100')
    ap.add_argument('--sms', type=int, default=132, help='multiprocessors (H100 and H200: 132)')
    ap.add_argument('--head-dim', choices=('padded', 'raw'), default='padded',
                    help='block cost scales with the head dim padded to 64/128, or as it is')
    ap.add_argument('--show', default='128,128,whole', help='QUERY_TILE,KEY_BLOCK,whole|fractional')
    a = ap.parse_args()
    points = shapes(a.gpu)
    if not points:
        sys.exit('no traced bf16/fp16 fused-attention record for ' + a.gpu)
    print('%d shapes; per-layer time [us] = latency + waves x (setup + per_block x blocks)'
          % len(points))
    for query_tile in (64, 128):
        for key_block in (64, 128):
            for whole in (False, True):
                coef, e = fit(points, query_tile, key_block, whole, a.head_dim, a.sms)
                size = [abs(v) for v in e]
                print('query %3d key %3d %-10s latency %.2f setup %.2f per_block %.2f  '
                      'MAPE %.1f%% max %.1f%%' % (query_tile, key_block,
                                                  'whole' if whole else 'fractional', *coef,
                                                  100 * sum(size) / len(size), 100 * max(size)))
    query_tile, key_block, mode = a.show.split(',')
    _, e = fit(points, int(query_tile), int(key_block), mode == 'whole', a.head_dim, a.sms)
    print('\nper shape (tokens, head dim, batch x heads), %s:' % a.show)
    for p, v in zip(points, e):
        print('  %5d %3d %5d  %8.1f us  %+.3f' % (p[0], p[1], p[2], p[3], v))


if __name__ == '__main__':
    sys.exit(main())
