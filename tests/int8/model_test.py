#!/usr/bin/env python3
"""model_test.py — effcc's int8 models against LiteRT's reference interpreter.

    model_test.py --effcc EFFCC --values INT8_VALUES --src SOURCE_DIR --work DIR
                  [--released WEIGHTS PHOTOS_DIR INPUTS.f32]

For each model, effcc quantizes and runs it:

    effcc run SPEC ... --quantize int8 --calibration CAL --input X.f32
        --output Y.f32 --save-quantized Q.safetensors

tools/tflite_export.py turns Q.safetensors into a full-integer .tflite,
and LiteRT's Interpreter runs it on the same inputs (NCHW transposed to
NHWC) with OpResolverType.BUILTIN_REF: TFLite's reference kernels, the
semantics ir_eval_int8 follows (docs/int8.md). The tolerance is 0: both
sides end in the same int8 logits dequantized by the same expression,
float(scale·(q − zp)) with a double product, so any difference in the
integers shows as a difference in the floats, and only one would. Then
INT8_VALUES (int8_values.c: effcc's own option parser and int8_prepare,
the same model, checked byte for byte) gives every value of ir_eval_int8,
compared with LiteRT's tensors (experimental_preserve_all_tensors) node by
node, also with tolerance 0, so a failure names the first op that differs.

Models: EfficientNet-Lite0 at resolution 64 and B0 at 57 (odd sizes: SAME
and PAD paddings both), seeded synthetic weights, calibrated on random
normal inputs written here; with --released, Lite0 at 224 with its released
weights, calibrated on the photos of PHOTOS_DIR and run on INPUTS.f32.

Last, the comparison is shown to see drift: each seeded model's export is
changed on purpose (one value's zero point moved by 1; one int8 weight of
the stem moved by 1) and each change must make some value differ.
"""
import argparse
import os
import re
import subprocess
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, '..', '..', 'tools'))
import st  # noqa: E402  (tools/st.py)
import tflite_export  # noqa: E402  (tools/tflite_export.py)

from ai_edge_litert.interpreter import Interpreter, OpResolverType  # noqa: E402


def run(cmd):
    out = subprocess.run(cmd, capture_output=True, text=True)
    if out.returncode != 0:
        sys.exit('model_test: %s failed (%d):\n%s' % (' '.join(cmd), out.returncode, out.stderr))


def random_inputs(path, rng, shape, count, spread=False):
    """count NCHW float32 inputs back to back; spread: some beyond the
    calibrated range (the QUANTIZE clamp) and some uniform."""
    xs = [rng.normal(0, 1, shape) for _ in range(count)]
    if spread:
        xs[-1] = rng.uniform(-1, 1, shape)
        xs[-2] *= 3
    np.concatenate([x.ravel() for x in xs]).astype('<f4').tofile(path)


def litert(model, inputs, shape):
    """LiteRT BUILTIN_REF on each input: (logits, {tensor name: int8 array})."""
    c, h, w = shape
    it = Interpreter(model_content=model, experimental_op_resolver_type=OpResolverType.BUILTIN_REF,
                     experimental_preserve_all_tensors=True)
    it.allocate_tensors()
    names = {d['name']: d['index'] for d in it.get_tensor_details()}
    results = []
    for x in inputs.reshape(-1, c, h, w):
        nhwc = x.reshape(1, c, h, w).transpose(0, 2, 3, 1)
        it.set_tensor(it.get_input_details()[0]['index'], nhwc)
        it.invoke()
        logits = it.get_tensor(it.get_output_details()[0]['index']).ravel().copy()
        results.append((logits, {n: it.get_tensor(i).copy() for n, i in names.items()}))
    return results


def node_values(nodes, values, count):
    """effcc's values (int8_values.c, dequantized floats, NCHW) as int8 per input
    and node: q = round(v/s) + zp is exact, |q − zp| ≤ 255 being far inside
    float's precision."""
    sizes = [int(np.prod(n.shape)) for n in nodes]
    per_input = sum(sizes)
    if values.size != count * per_input:
        sys.exit('model_test: %d values, expected %d inputs of %d'
                 % (values.size, count, per_input))
    out = []
    for i in range(count):
        pos, mine = i * per_input, {}
        for n, k in zip(nodes, sizes):
            v = values[pos:pos + k].astype(np.float64).reshape(n.shape)
            mine[n.index] = np.round(v / float(n.scale)).astype(np.int64) + n.zp
            pos += k
        out.append(mine)
    return out


def theirs(n, tensors):
    """LiteRT's int8 tensor of node n, NCHW."""
    name = '%0 input quantized' if n.index == 0 else '%%%d %s' % (n.index, n.op)
    c, h, w = n.shape
    return tensors[name].reshape(h, w, c).transpose(2, 0, 1).astype(np.int64)


def compare(name, nodes, logits, mine, results, quiet=False):
    """The number of values that differ (logits, then each node); each
    difference printed unless quiet."""
    k = logits.size // len(results)
    bad = 0
    for i, (their_logits, tensors) in enumerate(results):
        ours = logits[i * k:(i + 1) * k]
        diff = np.count_nonzero(ours.view(np.int32) != their_logits.view(np.int32))
        if diff and not quiet:
            j = int(np.nonzero(ours.view(np.int32) != their_logits.view(np.int32))[0][0])
            print('  %s input %d: %d of %d logits differ (first [%d]: effcc %r, LiteRT %r)' % (
                name, i, diff, k, j, float(ours[j]), float(their_logits[j])))
        bad += diff
        for n in nodes:
            a, b = mine[i][n.index], theirs(n, tensors)
            d = np.count_nonzero(a != b)
            if d and not quiet:
                at = tuple(int(v) for v in np.argwhere(a != b)[0])
                op = n.op + ('.' + n.act if n.act else '')
                print('  %s input %d: %%%d %s: %d of %d values differ (first at c,h,w %s: '
                      'effcc %d, LiteRT %d)' % (name, i, n.index, op, d, a.size, at, a[at], b[at]))
            bad += d
    return bad


def mutants(tensors, metadata, nodes):
    """Deliberately changed copies of the model: (what, tensors, metadata)."""
    lines = metadata['ir'].split('\n')
    mid = next(n for n in nodes[len(nodes) // 2:] if n.op == 'conv2d')
    zp = mid.zp + 1 if mid.zp < 127 else mid.zp - 1
    changed = dict(metadata)
    lines[mid.index] = re.sub(r'(q=\S+,)-?\d+$', r'\g<1>%d' % zp, lines[mid.index])
    changed['ir'] = '\n'.join(lines)
    yield 'zero point of %%%d %d -> %d' % (mid.index, mid.zp, zp), tensors, changed

    stem = next(n for n in nodes if n.op == 'conv2d')
    w = tensors[stem.attrs['qw']].copy()
    w.flat[0] = w.flat[0] + 1 if w.flat[0] < 127 else w.flat[0] - 1
    yield ('weight [0] of %%%d %s' % (stem.index, stem.attrs['qw']),
           {**tensors, stem.attrs['qw']: w}, metadata)


def check_model(args, name, spec, options, calibration, inputs, changes=True):
    work = os.path.join(args.work, name)
    os.makedirs(work, exist_ok=True)
    q, y = os.path.join(work, 'q.safetensors'), os.path.join(work, 'y.f32')
    common = [os.path.join(args.src, spec)] + options + [
        '--quantize', 'int8', '--calibration', calibration, '--input', inputs]
    run([args.effcc, 'run'] + common + ['--output', y, '--save-quantized', q])
    if not os.path.exists(q):
        sys.exit('model_test: %s: effcc run --save-quantized wrote no %s' % (name, q))
    q2, y2, v = (os.path.join(work, f) for f in ('q2.safetensors', 'y2.f32', 'values.f32'))
    run([args.values, v, 'run'] + common + ['--output', y2, '--save-quantized', q2])
    with open(q, 'rb') as f1, open(q2, 'rb') as f2:
        if f1.read() != f2.read():
            sys.exit('model_test: %s: int8_values quantized another model than effcc run' % name)

    tensors, metadata = st.load_with_metadata(q)
    nodes, _ = tflite_export.parse_ir(metadata['ir'])
    model = tflite_export.export_model(tensors, metadata)
    with open(os.path.join(work, 'model.tflite'), 'wb') as f:
        f.write(model)
    x = np.fromfile(inputs, '<f4')
    logits = np.fromfile(y, '<f4')
    if not np.array_equal(logits.view(np.int32), np.fromfile(y2, '<f4').view(np.int32)):
        sys.exit('model_test: %s: int8_values and effcc run give different logits' % name)
    count = x.size // int(np.prod(nodes[0].shape))
    mine = node_values(nodes, np.fromfile(v, '<f4'), count)
    results = litert(model, x, nodes[0].shape)
    bad = compare(name, nodes, logits, mine, results)
    total = count * sum(int(np.prod(n.shape)) for n in nodes)
    print('model_test: %-15s %d inputs, %d nodes: %d logits and %d int8 values, %d differ'
          % (name, count, len(nodes), logits.size, total, bad))

    missed = []
    for what, t, m in mutants(tensors, metadata, nodes) if changes else ():
        changed = compare(name, nodes, logits, mine,
                          litert(tflite_export.export_model(t, m), x, nodes[0].shape), quiet=True)
        print('model_test: %-15s changed %s: %s (%d values differ)' % (
            name, what, 'caught' if changed else 'MISSED', changed))
        if not changed:
            missed.append(what)
    return bad == 0 and not missed


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--effcc', required=True)
    ap.add_argument('--values', required=True, help='the int8_values program')
    ap.add_argument('--src', required=True, help="effcc's source folder")
    ap.add_argument('--work', required=True)
    ap.add_argument('--released', nargs=3, metavar=('WEIGHTS', 'PHOTOS', 'INPUTS'),
                    help="Lite0's released weights, calibration photos, inputs")
    args = ap.parse_args()
    rng = np.random.default_rng(20261201)
    ok = True
    seeded = [('lite0-seeded', 'examples/efficientnet-lite.yaml', 64, 5),
              ('b0-seeded', 'examples/efficientnet.yaml', 57, 7)]
    for name, spec, resolution, seed in seeded:
        options = ['--resolution', str(resolution), '--seed', str(seed)]
        shape = (3, resolution, resolution)
        cal = os.path.join(args.work, name + '-calibration')
        os.makedirs(cal, exist_ok=True)
        for i in range(4):
            random_inputs(os.path.join(cal, '%d.f32' % i), rng, shape, 1)
        inputs = os.path.join(args.work, name + '-inputs.f32')
        random_inputs(inputs, rng, shape, 4, spread=True)
        ok &= check_model(args, name, spec, options, cal, inputs)
    if args.released:
        weights, photos, inputs = args.released
        ok &= check_model(args, 'lite0-released', 'examples/efficientnet-lite.yaml',
                          ['--weights', weights], photos, inputs, changes=False)
    if not ok:
        print('model_test: effcc int8 differs from LiteRT BUILTIN_REF')
        return 1
    return 0


if __name__ == '__main__':
    sys.exit(main())
