#!/usr/bin/env python3
"""litert_ops.py — ir/quant.c against LiteRT's reference interpreter, op by op.

    litert_ops.py --cases QUANT_CASES --work DIR [--seed N] [--mutants]

Random cases (seeded): sizes, scales, zero points, int8 data, some with
power-of-two scales, whose exact ties reach every rounding step. Each case
is a single-op int8 model written with ai_edge_litert.schema_py_generated
(the flatbuffers object API of TFLite's schema) and run by LiteRT's
Interpreter with OpResolverType.BUILTIN_REF: TFLite's reference kernels,
not the optimised ones nor XNNPACK, which round otherwise. The same cases,
as text, go to QUANT_CASES (tests/int8/quant_cases.c, ir/quant.c's
functions); every output must be the same integer.

  conv      CONV_2D, per-channel weights, SAME or VALID, stride 1 or 2,
            fused RELU6 or none
  dw        DEPTHWISE_CONV_2D, per channel, multiplier 1, the same
  fc        FULLY_CONNECTED, per channel
  mean      MEAN over H and W, keep_dims true or false: BUILTIN_REF runs
            reference_ops::QuantizedMeanOrSum for both (reduce.cc EvalMean);
            the optimised resolver would run optimized_integer_ops::Mean
            for keep_dims true, which differs by up to 1
  add, mul  ADD and MUL (MUL also broadcast over channels, as the SE gate)
  logistic  LOGISTIC on all 256 inputs
  swish     LOGISTIC then MUL(x, sigma) on all 256 inputs, against one table
  quantize  float CONV_2D and DEPTHWISE_CONV_2D models quantised by LiteRT's
            calibrator (_pywrap_tensorflow_lite_calibration_wrapper, i.e.
            tflite/tools/optimize QuantizeModelAllOperators): weights,
            their scales, biases, and the activations' scales and zero
            points from the ranges it recorded

--mutants runs QUANT_CASES once per deliberate error it knows (--mutant)
and fails unless the comparison catches each one.
"""
import argparse
import math
import os
import subprocess
import sys

import numpy as np
import ai_edge_litert.schema_py_generated as S
from ai_edge_litert import _pywrap_tensorflow_lite_calibration_wrapper as calibration
from ai_edge_litert.interpreter import Interpreter, OpResolverType

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', 'tools'))
from tflite_export import Model  # noqa: E402  (the exporter's flatbuffer builder)

I8, I32, F32 = S.TensorType.INT8, S.TensorType.INT32, S.TensorType.FLOAT32
OP = S.BuiltinOperator
OPTIONS = S.BuiltinOptions
# The version TFLite's converter gives each op with int8 (per-channel) tensors.
VERSIONS = {OP.CONV_2D: 3, OP.DEPTHWISE_CONV_2D: 3, OP.FULLY_CONNECTED: 4, OP.MEAN: 2,
            OP.ADD: 2, OP.MUL: 2, OP.LOGISTIC: 2}
MUTANTS = {  # name: the ops it should change
    'single-rounding': 'conv dw mean add mul swish',
    'mean-optimized': 'mean',
}
LOGISTIC_SCALE, LOGISTIC_ZP = np.float32(1 / 256), -128


def hexf(x):
    return float(np.float32(x)).hex()


def ints(a):
    return ' '.join(str(int(v)) for v in np.asarray(a).ravel())


def floats(a):
    return ' '.join(hexf(v) for v in np.asarray(a).ravel())


def run_reference(model, inputs):
    it = Interpreter(model_content=model,
                     experimental_op_resolver_type=OpResolverType.BUILTIN_REF)
    it.allocate_tensors()
    for d, x in zip(it.get_input_details(), inputs):
        it.set_tensor(d['index'], x)
    it.invoke()
    return [it.get_tensor(d['index']).copy() for d in it.get_output_details()]


class Cases:
    """Random cases: each is (op, text for quant_cases, the expected ints)."""

    def __init__(self, seed):
        self.rng = np.random.default_rng(seed)
        self.cases = []

    def scale(self, lo, hi, pow2=False):
        e = self.rng.uniform(math.log2(lo), math.log2(hi))
        return np.float32(2.0 ** round(e) if pow2 else 2.0 ** e)

    def zp(self):
        return int(self.rng.integers(-128, 128))

    def int8(self, shape):
        return self.rng.integers(-128, 128, shape).astype(np.int8)

    def add(self, op, text, expected):
        self.cases.append((op, text, np.asarray(expected).astype(np.int64).ravel()))

    # ---- CONV_2D, DEPTHWISE_CONV_2D ---------------------------------------------
    def conv(self, depthwise, i):
        r = self.rng
        pow2 = i % 5 == 4
        h, w = (int(v) for v in r.integers(1, 11, 2))
        k = int(r.choice([3, 5] if depthwise else [1, 3, 5]))
        stride = int(r.choice([1, 2]))
        same = k > min(h, w) or bool(r.integers(2))
        cin = int(r.integers(1, 13 if depthwise else 9))
        cout = cin if depthwise else int(r.integers(1, 9))
        relu6 = bool(r.integers(2))
        s_in, zp_in, zp_out = self.scale(2**-8, 2**-2, pow2), self.zp(), self.zp()
        s_w = np.array([self.scale(2**-9, 2**-5, pow2) for _ in range(cout)], np.float32)
        if i % 7 == 6:  # small weights, multipliers above 1: shifts left
            wq = r.integers(-2, 3, (cout, k, k, cin) if not depthwise else (1, k, k, cout))
        else:
            wq = r.integers(-127, 128, (cout, k, k, cin) if not depthwise else (1, k, k, cout))
        wq = wq.astype(np.int8)
        bias = r.integers(-2**15, 2**15, cout).astype(np.int32)
        taps = k * k * (1 if depthwise else cin)
        typical = math.sqrt(taps) * float(np.abs(wq).mean() + 0.5) * 74
        s_out = self.scale(2**-9, 2**-2) if i % 7 == 6 else np.float32(
            s_in * float(np.median(s_w)) * typical / 60 * 2.0 ** r.uniform(-1.5, 1.5))
        if pow2:
            s_out = np.float32(2.0 ** round(math.log2(s_out)))
        if same:
            oh, ow = -(-h // stride), -(-w // stride)
            pt = max((oh - 1) * stride + k - h, 0) // 2
            pl = max((ow - 1) * stride + k - w, 0) // 2
        else:
            oh, ow, pt, pl = (h - k) // stride + 1, (w - k) // stride + 1, 0, 0
        x = self.int8((1, h, w, cin))

        m = Model()
        tx = m.tensor('x', [1, h, w, cin], I8, s_in, zp_in)
        tw = m.tensor('w', wq.shape, I8, s_w, np.zeros(cout), 3 if depthwise else 0, wq)
        tb = m.tensor('b', [cout], I32, np.float32(s_in) * s_w, np.zeros(cout), 0, bias)
        ty = m.tensor('y', [1, oh, ow, cout], I8, s_out, zp_out)
        o = S.DepthwiseConv2DOptionsT() if depthwise else S.Conv2DOptionsT()
        o.padding = S.Padding.SAME if same else S.Padding.VALID
        o.strideH = o.strideW = stride
        o.dilationHFactor = o.dilationWFactor = 1
        o.fusedActivationFunction = (S.ActivationFunctionType.RELU6 if relu6
                                     else S.ActivationFunctionType.NONE)
        if depthwise:
            o.depthMultiplier = 1
            m.op(OP.DEPTHWISE_CONV_2D, [tx, tw, tb], [ty], OPTIONS.DepthwiseConv2DOptions, o)
        else:
            m.op(OP.CONV_2D, [tx, tw, tb], [ty], OPTIONS.Conv2DOptions, o)
        y, = run_reference(m.build([tx], [ty]), [x])

        sizes = [oh, ow, h, w, cin] + ([] if depthwise else [cout]) + [k, k, stride, pt, pl]
        text = ' '.join(str(v) for v in sizes)
        text += ' %s %s %d %s %d\n' % ('relu6' if relu6 else 'none', hexf(s_in), zp_in,
                                        hexf(s_out), zp_out)
        text += '\n'.join([floats(s_w), ints(bias), ints(wq), ints(x)])
        self.add('dw' if depthwise else 'conv', text, y)

    # ---- FULLY_CONNECTED ----------------------------------------------------------
    def fc(self, i):
        r = self.rng
        cin, cout = int(r.integers(1, 65)), int(r.integers(1, 17))
        s_in, zp_in, zp_out = self.scale(2**-8, 2**-2), self.zp(), self.zp()
        s_w = np.array([self.scale(2**-9, 2**-5) for _ in range(cout)], np.float32)
        wq = r.integers(-127, 128, (cout, cin)).astype(np.int8)
        bias = r.integers(-2**15, 2**15, cout).astype(np.int32)
        s_out = np.float32(s_in * float(np.median(s_w)) * math.sqrt(cin) * 64 * 74 / 60
                           * 2.0 ** r.uniform(-1.5, 1.5))
        x = self.int8((1, cin))
        m = Model()
        tx = m.tensor('x', [1, cin], I8, s_in, zp_in)
        tw = m.tensor('w', [cout, cin], I8, s_w, np.zeros(cout), 0, wq)
        tb = m.tensor('b', [cout], I32, np.float32(s_in) * s_w, np.zeros(cout), 0, bias)
        ty = m.tensor('y', [1, cout], I8, s_out, zp_out)
        m.op(OP.FULLY_CONNECTED, [tx, tw, tb], [ty], OPTIONS.FullyConnectedOptions,
             S.FullyConnectedOptionsT())
        y, = run_reference(m.build([tx], [ty]), [x])
        text = '%d %d %s %d %s %d\n' % (cin, cout, hexf(s_in), zp_in, hexf(s_out), zp_out)
        text += '\n'.join([floats(s_w), ints(bias), ints(wq), ints(x)])
        self.add('fc', text, y)

    # ---- MEAN -------------------------------------------------------------------
    def mean(self, i):
        r = self.rng
        pow2 = i % 5 == 4
        sizes = [(1, 1), (1, 2), (3, 1), (7, 7), (14, 14), (56, 56), (2, 4), (8, 8)]
        h, w = sizes[i] if i < len(sizes) else (int(v) for v in r.integers(1, 17, 2))
        c = int(r.integers(1, 5 if h * w > 1000 else 17))
        keep = bool(r.integers(2))
        s_in, zp_in, zp_out = self.scale(2**-8, 2**-1, pow2), self.zp(), self.zp()
        s_out = np.float32(s_in * 2.0 ** (round(r.uniform(-3, 1)) if pow2 else r.uniform(-3, 1)))
        x = self.int8((1, h, w, c))
        m = Model()
        tx = m.tensor('x', [1, h, w, c], I8, s_in, zp_in)
        ta = m.tensor('axes', [2], I32, data=np.array([1, 2], np.int32))
        ty = m.tensor('y', [1, 1, 1, c] if keep else [1, c], I8, s_out, zp_out)
        o = S.ReducerOptionsT()
        o.keepDims = keep
        m.op(OP.MEAN, [tx, ta], [ty], OPTIONS.ReducerOptions, o)
        y, = run_reference(m.build([tx], [ty]), [x])
        text = '%d %d %s %d %s %d\n%s' % (h * w, c, hexf(s_in), zp_in, hexf(s_out), zp_out,
                                          ints(x))
        self.add('mean', text, y)

    # ---- ADD, MUL ---------------------------------------------------------------
    def binary(self, code, i):
        r = self.rng
        pow2 = i % 5 == 4
        h, w, c = (int(v) for v in r.integers(1, 9, 3))
        broadcast = code == OP.MUL and i % 3 == 1  # the SE gate: [1, 1, 1, C]
        gate = broadcast and i % 2 == 1           # … a LOGISTIC output
        relu6 = code == OP.ADD and i % 4 == 3
        s1, zp1 = self.scale(2**-8, 2**-1, pow2), self.zp()
        s2, zp2 = self.scale(2**-8, 2**-1, pow2), self.zp()
        if gate:
            s2, zp2 = LOGISTIC_SCALE, LOGISTIC_ZP
        if i % 6 == 2:
            s2 = s1  # equal scales
        if code == OP.ADD:
            s_out = np.float32(max(s1, s2) * 2.0 ** r.uniform(-1, 2))
        else:
            s_out = np.float32(s1 * s2 * 2.0 ** r.uniform(3, 9))
        if pow2:
            s_out = np.float32(2.0 ** round(math.log2(s_out)))
        zp_out = self.zp()
        a = self.int8((1, h, w, c))
        b = self.int8((1, 1, 1, c) if broadcast else (1, h, w, c))
        m = Model()
        ta = m.tensor('a', a.shape, I8, s1, zp1)
        tb = m.tensor('b', b.shape, I8, s2, zp2)
        ty = m.tensor('y', a.shape, I8, s_out, zp_out)
        act = S.ActivationFunctionType.RELU6 if relu6 else S.ActivationFunctionType.NONE
        if code == OP.ADD:
            o = S.AddOptionsT()
            o.fusedActivationFunction = act
            m.op(OP.ADD, [ta, tb], [ty], OPTIONS.AddOptions, o)
        else:
            o = S.MulOptionsT()
            o.fusedActivationFunction = act
            m.op(OP.MUL, [ta, tb], [ty], OPTIONS.MulOptions, o)
        y, = run_reference(m.build([ta, tb], [ty]), [a, b])
        quant = '%s %s %d %s %d %s %d\n' % ('relu6' if relu6 else 'none', hexf(s1), zp1,
                                            hexf(s2), zp2, hexf(s_out), zp_out)
        if code == OP.ADD:
            self.add('add', '%d %s%s\n%s' % (a.size, quant, ints(a), ints(b)), y)
        else:
            self.add('mul', '%d %d %s%s\n%s' % (a.size, b.size, quant, ints(a), ints(b)), y)

    # ---- LOGISTIC, swish ----------------------------------------------------------
    def table(self, swish, i):
        r = self.rng
        pow2 = i % 5 == 4
        s_in, zp_in = self.scale(2**-8, 2.0, pow2), self.zp()
        x = np.arange(-128, 128, dtype=np.int8).reshape(1, 16, 16, 1)
        m = Model()
        tx = m.tensor('x', x.shape, I8, s_in, zp_in)
        ts = m.tensor('sigmoid', x.shape, I8, LOGISTIC_SCALE, LOGISTIC_ZP)
        m.op(OP.LOGISTIC, [tx], [ts])
        if not swish:
            y, = run_reference(m.build([tx], [ts]), [x])
            self.add('logistic', '%s %d' % (hexf(s_in), zp_in), y)
            return
        top = float(s_in) * (127 - zp_in)
        s_out = np.float32(max(top, float(s_in) * 8) / 200 * 2.0 ** r.uniform(-0.5, 0.5))
        if pow2:
            s_out = np.float32(2.0 ** round(math.log2(s_out)))
        zp_out = int(r.integers(-128, -40))
        ty = m.tensor('y', x.shape, I8, s_out, zp_out)
        m.op(OP.MUL, [tx, ts], [ty], OPTIONS.MulOptions, S.MulOptionsT())
        y, = run_reference(m.build([tx], [ty]), [x])
        self.add('swish', '%s %d %s %d' % (hexf(s_in), zp_in, hexf(s_out), zp_out), y)

    # ---- the calibrating quantizer ------------------------------------------------
    def quantize(self, depthwise, i):
        r = self.rng
        ties = i % 4 == 0
        h = w = 6
        k = 3
        c = int(r.integers(1, 9))
        cout = c if depthwise else int(r.integers(1, 9))
        wshape = (1, k, k, cout) if depthwise else (cout, k, k, c)
        wf = r.normal(0, 0.3, wshape).astype(np.float32)
        bf = r.normal(0, 0.5, cout).astype(np.float32)
        feed = [r.normal(0.3, 1, (1, h, w, c)).astype(np.float32) for _ in range(3)]
        if ties:
            # input range [0, 15.9375]: s_in = 2^-4; every channel's largest
            # |w| 15.875: s_w = 2^-3; the other weights (2j + 1)/16 and the
            # biases (2j + 1)/256 land on .5 exactly (in units of their scale)
            feed = [r.uniform(0, 15.9375, (1, h, w, c)).astype(np.float32)]
            feed[0].flat[0], feed[0].flat[1] = 0, 15.9375
            wf = ((2 * r.integers(-120, 120, wshape) + 1) / 16).astype(np.float32)
            bf = ((2 * r.integers(-5000, 5000, cout) + 1) / 256).astype(np.float32)
            if depthwise:
                wf[0, 0, 0, :] = 15.875
            else:
                wf[:, 0, 0, 0] = -15.875
        m = Model()
        tx = m.tensor('x', [1, h, w, c], F32)
        tw = m.tensor('w', wshape, F32, data=wf)
        tb = m.tensor('b', [cout], F32, data=bf)
        ty = m.tensor('y', [1, h, w, cout], F32)
        o = S.DepthwiseConv2DOptionsT() if depthwise else S.Conv2DOptionsT()
        o.padding, o.strideH, o.strideW = S.Padding.SAME, 1, 1
        o.dilationHFactor = o.dilationWFactor = 1
        o.fusedActivationFunction = S.ActivationFunctionType.NONE
        if depthwise:
            o.depthMultiplier = 1
            m.op(OP.DEPTHWISE_CONV_2D, [tx, tw, tb], [ty], OPTIONS.DepthwiseConv2DOptions, o, 1)
        else:
            m.op(OP.CONV_2D, [tx, tw, tb], [ty], OPTIONS.Conv2DOptions, o, 1)
        model = m.build([tx], [ty])  # the wrapper keeps a pointer into it: keep it alive
        cal = calibration.CalibrationWrapper(model, [], [])
        cal.Prepare()
        for f in feed:
            cal.FeedTensor([f])
        f32, i8, i32 = (np.dtype(t).num for t in (np.float32, np.int8, np.int32))
        q = S.ModelT.InitFromPackedBuf(cal.QuantizeModel(f32, f32, False, i8, i32, False, False),
                                       0)
        g = q.subgraphs[0]
        code = OP.DEPTHWISE_CONV_2D if depthwise else OP.CONV_2D
        op = next(o for o in g.operators if q.operatorCodes[o.opcodeIndex].builtinCode == code)
        qx, qw, qb = (g.tensors[t] for t in op.inputs)
        qy = g.tensors[op.outputs[0]]

        def data(t, dtype):
            return np.frombuffer(bytes(bytearray(q.buffers[t.buffer].data)), dtype)

        # quant_weights takes each channel's weights together
        per_channel = wf.reshape(k * k, cout).T if depthwise else wf.reshape(cout, -1)
        wq = data(qw, np.int8).reshape(k * k, cout).T if depthwise else data(qw, np.int8)
        s_in = np.float32(qx.quantization.scale[0])
        text = '%d %d %s\n%s\n%s' % (cout, per_channel.shape[1], hexf(s_in),
                                     floats(per_channel), floats(bf))
        expected = np.concatenate([np.asarray(qw.quantization.scale, np.float32).view(np.int32),
                                   wq.ravel(), data(qb, np.int32)])
        self.add('quantize', text, expected)
        for t in (qx, qy):
            qp = t.quantization
            self.add('act', '%s %s' % (hexf(qp.min[0]), hexf(qp.max[0])),
                     [np.float32(qp.scale[0]).view(np.int32), qp.zeroPoint[0]])


def effcc_outputs(quant_cases, cases, work, mutant=None):
    """quant_cases' answer to every case, as ints in the order of cases."""
    path = os.path.join(work, 'cases.txt')
    with open(path, 'w') as f:
        for op, text, _ in cases:
            f.write('%s %s\n' % (op, text))
    cmd = [quant_cases] + (['--mutant', mutant] if mutant else [])
    with open(path) as f:
        out = subprocess.run(cmd, stdin=f, capture_output=True, text=True)
    if out.returncode != 0:
        sys.exit('litert_ops: %s failed (%d): %s' % (' '.join(cmd), out.returncode, out.stderr))
    lines = iter(out.stdout.splitlines())
    got = []
    for op, _, _ in cases:
        if op == 'quantize':  # scales (hex floats, compared as bits), weights, biases
            scales = np.array([float.fromhex(v) for v in next(lines).split()], np.float32)
            got.append(np.concatenate([scales.view(np.int32).astype(np.int64),
                                       np.array(next(lines).split(), np.int64),
                                       np.array(next(lines).split(), np.int64)]))
        elif op == 'act':
            scale, zp = next(lines).split()
            got.append(np.array([np.float32(float.fromhex(scale)).view(np.int32), int(zp)],
                                np.int64))
        else:
            got.append(np.array(next(lines).split(), np.int64))
    return got


OPS = ['conv', 'dw', 'fc', 'mean', 'add', 'mul', 'logistic', 'swish', 'quantize', 'act']


def differences(cases, got):
    """Per op: [cases, values compared, values that differ], and the first few."""
    count = {op: [0, 0, 0] for op in OPS}
    examples = []
    for (op, text, want), have in zip(cases, got):
        count[op][0] += 1
        count[op][1] += want.size
        if have.shape != want.shape:
            count[op][2] += want.size
            examples.append('%s: %d values, %d expected' % (op, have.size, want.size))
            continue
        bad = np.nonzero(have != want)[0]
        count[op][2] += bad.size
        if bad.size and len(examples) < 5:
            examples.append('%s %s …: at %d effcc %d, LiteRT %d' % (
                op, text.split('\n')[0][:120], bad[0], have[bad[0]], want[bad[0]]))
    return count, examples


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--cases', required=True, help='the quant_cases program')
    ap.add_argument('--work', required=True, help='a folder for cases.txt')
    ap.add_argument('--seed', type=int, default=20261201)
    ap.add_argument('--mutants', action='store_true')
    args = ap.parse_args()
    os.makedirs(args.work, exist_ok=True)

    c = Cases(args.seed)
    for i in range(60):
        c.conv(False, i)
        c.conv(True, i)
        c.mean(i)
        c.binary(OP.ADD, i)
        c.binary(OP.MUL, i)
        c.table(False, i)
        c.table(True, i)
    for i in range(30):
        c.fc(i)
    for i in range(12):
        c.quantize(False, i)
        c.quantize(True, i)

    count, examples = differences(c.cases, effcc_outputs(args.cases, c.cases, args.work))
    for op in OPS:
        n, values, bad = count[op]
        print('litert_ops: %-8s %4d cases, %6d values, %d differ' % (op, n, values, bad))
    for e in examples:
        print('  ' + e)
    if any(count[op][2] for op in OPS):
        print('litert_ops: effcc differs from LiteRT BUILTIN_REF')
        return 1
    if not args.mutants:
        return 0

    missed = []
    for mutant, ops in MUTANTS.items():
        count, _ = differences(c.cases, effcc_outputs(args.cases, c.cases, args.work, mutant))
        caught = ', '.join('%s %d/%d' % (op, count[op][2], count[op][1])
                           for op in ops.split())
        total = sum(count[op][2] for op in OPS)
        print('litert_ops: mutant %-16s %s: %s' % (mutant, 'caught' if total else 'MISSED',
                                                   caught))
        if not total:
            missed.append(mutant)
    if missed:
        print('litert_ops: the comparison misses %s' % ', '.join(missed))
        return 1
    return 0


if __name__ == '__main__':
    sys.exit(main())
