#!/usr/bin/env python3
"""tflite_export.py — effcc's quantized model as a full-integer .tflite.

    tflite_export.py Q.safetensors OUT.tflite

Q.safetensors is what `effcc run ... --quantize int8 --save-quantized Q`
writes (driver/quant_export.c): the int8 weights, their per-channel scales
and int32 biases, and in its metadata the graph as effcc's IR text, every
value with its scale (a hexadecimal float, exact) and zero point. The
.tflite computes the same model with TFLite's int8 ops, so that LiteRT's
reference kernels (OpResolverType.BUILTIN_REF) can check ir_eval_int8 bit
for bit (tests/int8/model_test.py):

    float32 input [1, H, W, C] (NHWC) -> QUANTIZE (the input value's params)
    conv2d      CONV_2D, or DEPTHWISE_CONV_2D when groups == channels;
                weights OHWI / [1, KH, KW, C], per channel (quantized
                dimension 0 / 3); act=relu6 is the fused activation
    linear      FULLY_CONNECTED, per channel
    act.swish   LOGISTIC (1/256, -128) then MUL(x, sigma)
    act.sigmoid LOGISTIC (the value must have TFLite's 1/256, -128)
    act.relu6   RELU6 (one that did not fuse into a conv)
    avgpool     MEAN over axes 1, 2, keep_dims
    scale       MUL(x, gate) with the gate [1, 1, 1, C] broadcast
    add         ADD
    output      DEQUANTIZE to float32 [1, K]

Padding: TFLite knows only SAME and VALID. A conv whose pads (top, left,
bottom, right) are TFLite's SAME ones uses SAME, one without pads VALID;
any other (PyTorch's symmetric padding of a strided conv) gets an int8 PAD
first, which pads with the input's zero point, exactly the value a skipped
tap stands for in the reference conv, then VALID.

Needs numpy, flatbuffers and ai_edge_litert (tests/int8/venv.sh). Importable:
export_model(tensors, metadata) returns the .tflite's bytes.
"""
import os
import re
import sys

import flatbuffers
import numpy as np
import ai_edge_litert.schema_py_generated as S

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import st  # noqa: E402  (tools/st.py)

FORMAT = 'effcc-int8'
I8, I32, F32 = S.TensorType.INT8, S.TensorType.INT32, S.TensorType.FLOAT32
OP = S.BuiltinOperator
OPTIONS = S.BuiltinOptions
ACTIVATION = S.ActivationFunctionType
# The version TFLite's converter gives each op with int8 (per-channel) tensors.
VERSIONS = {OP.CONV_2D: 3, OP.DEPTHWISE_CONV_2D: 3, OP.FULLY_CONNECTED: 4, OP.MEAN: 2,
            OP.ADD: 2, OP.MUL: 2, OP.LOGISTIC: 2, OP.QUANTIZE: 2, OP.DEQUANTIZE: 2,
            OP.PAD: 2, OP.RELU6: 2}
LOGISTIC_SCALE, LOGISTIC_ZP = np.float32(1 / 256), -128


class ExportError(Exception):
    """The file is not an int8 model this exporter can express."""


# ---- the IR text --------------------------------------------------------------

class Node:
    """One line of the IR: '%i = op[.act] %in, ... attrs : CxHxW q=SCALE,ZP'."""

    def __init__(self, index, op, act, inputs, attrs, shape, scale, zp):
        self.index, self.op, self.act, self.inputs = index, op, act, inputs
        self.attrs, self.shape, self.scale, self.zp = attrs, shape, scale, zp


LINE = re.compile(r'%(\d+) = (\w+)(?:\.(\w+))?((?: %\d+,?)*)(.*?) : (\d+)x(\d+)x(\d+)(.*)$')
QUANT = re.compile(r' (float )?q=(\S+),(-?\d+)$')
ATTR = re.compile(r'(k|s|g)(\d+)$|(pad)=(\d+),(\d+),(\d+),(\d+)$|(act|w|b|qw|qs|qb)=(.+)$')


def parse_attrs(text, where):
    attrs = {}
    for tok in text.split():
        m = ATTR.match(tok)
        if not m:  # +residual, *gate, pool->%N, (filled by %N), eps=…: passes we do not take
            raise ExportError('%s: %r: not a graph of fold_bn, fuse_clamps and quantize alone'
                              % (where, tok))
        if m.group(1):
            attrs[m.group(1)] = int(m.group(2))
        elif m.group(3):
            attrs['pad'] = [int(m.group(i)) for i in range(4, 8)]
        else:
            attrs[m.group(8)] = m.group(9)
    return attrs


def parse_ir(text):
    """The nodes in order, and the index of the output node."""
    nodes, output = [], None
    for number, line in enumerate(text.splitlines(), 1):
        where = 'ir line %d' % number
        if line.startswith('output '):
            m = re.match(r'output %(\d+)$', line)
            if not m:
                raise ExportError("%s: %r: expected 'output %%N' alone (a planned graph?)"
                                  % (where, line))
            output = int(m.group(1))
            continue
        m = LINE.match(line)
        if not m:
            raise ExportError('%s: cannot parse %r' % (where, line))
        index, op, act, ins, attrs, c, h, w, tail = m.groups()
        if int(index) != len(nodes):
            raise ExportError('%s: node %%%s out of order' % (where, index))
        q = QUANT.match(tail)
        if not q:
            raise ExportError('%s: %r: no int8 params, or more than them (tiles, offsets)'
                              % (where, tail.strip()))
        if q.group(1):
            raise ExportError('%s: node %%%s is kept in float: only a graph int8 throughout '
                              'can be exported' % (where, index))
        inputs = [int(v) for v in re.findall(r'%(\d+)', ins)]
        if any(v >= len(nodes) for v in inputs):
            raise ExportError('%s: reads a later value' % where)
        nodes.append(Node(len(nodes), op, act, inputs, parse_attrs(attrs, where),
                          (int(c), int(h), int(w)), np.float32(float.fromhex(q.group(2))),
                          int(q.group(3))))
    if output is None or output >= len(nodes):
        raise ExportError('ir: no output line')
    return nodes, output


# ---- the flatbuffer ------------------------------------------------------------

class Model:
    """A one-subgraph TFLite model, built tensor by tensor (the object API of
    ai_edge_litert.schema_py_generated, as tests/int8/litert_ops.py uses it)."""

    def __init__(self):
        self.buffers, self.tensors, self.codes, self.ops = [S.BufferT()], [], [], []

    def tensor(self, name, shape, ttype, scale=None, zp=None, dim=0, data=None):
        t = S.TensorT()
        t.name, t.shape, t.type = name, [int(d) for d in shape], ttype
        if scale is not None:
            q = S.QuantizationParametersT()
            q.scale = np.atleast_1d(np.asarray(scale, np.float32))
            q.zeroPoint = np.atleast_1d(np.asarray(zp, np.int64))
            q.quantizedDimension = dim
            t.quantization = q
        t.buffer = 0  # the empty buffer: a value computed at run time
        if data is not None:
            b = S.BufferT()
            b.data = np.frombuffer(np.ascontiguousarray(data).astype(data.dtype.newbyteorder(
                '<')).tobytes(), np.uint8)
            self.buffers.append(b)
            t.buffer = len(self.buffers) - 1
        self.tensors.append(t)
        return len(self.tensors) - 1

    def op(self, code, inputs, outputs, options_type=0, options=None, version=None):
        index = next((i for i, c in enumerate(self.codes) if c.builtinCode == code), None)
        if index is None:
            c = S.OperatorCodeT()
            c.builtinCode, c.deprecatedBuiltinCode = code, min(code, 127)
            c.version = version or VERSIONS.get(code, 1)
            self.codes.append(c)
            index = len(self.codes) - 1
        o = S.OperatorT()
        o.opcodeIndex, o.inputs, o.outputs = index, inputs, outputs
        if options is not None:
            o.builtinOptionsType, o.builtinOptions = options_type, options
        self.ops.append(o)

    def build(self, inputs, outputs, description='effcc'):
        g = S.SubGraphT()
        g.tensors, g.inputs, g.outputs, g.operators, g.name = (
            self.tensors, inputs, outputs, self.ops, 'main')
        m = S.ModelT()
        m.version, m.operatorCodes, m.subgraphs, m.buffers = 3, self.codes, [g], self.buffers
        m.description = description
        b = flatbuffers.Builder(1 << 20)
        b.Finish(m.Pack(b), file_identifier=b'TFL3')
        return bytes(b.Output())


# ---- ops --------------------------------------------------------------------------

class Exporter:
    def __init__(self, nodes, tensors):
        self.nodes, self.weights, self.m = nodes, tensors, Model()
        self.value = {}  # node index -> its int8 tensor

    def param(self, n, key, dtype):
        name = n.attrs.get(key)
        if name is None or name not in self.weights:
            raise ExportError('%%%d %s: %s=%s missing from the file' % (n.index, n.op, key, name))
        a = self.weights[name]
        if a.dtype != dtype:
            raise ExportError('%%%d: %s is %s, not %s' % (n.index, name, a.dtype, dtype))
        return a

    def act_tensor(self, n, name=None, shape=None):
        c, h, w = n.shape
        return self.m.tensor(name or '%%%d %s' % (n.index, n.op), shape or [1, h, w, c], I8,
                             n.scale, n.zp)

    def pads(self, n, x):
        """Conv n's input tensor and TFLite padding: SAME, VALID, or PAD then VALID."""
        src = self.nodes[n.inputs[0]]
        _, h, w = src.shape
        k, s = n.attrs['k'], n.attrs['s']
        top, left, bottom, right = n.attrs['pad']
        _, oh, ow = n.shape
        same = []  # TFLite's SAME: output ceil(in/s), the odd pixel of padding after
        for size, out in ((h, oh), (w, ow)):
            total = max((out - 1) * s + k - size, 0)
            same += [total // 2, total - total // 2]
        if (any((top, left, bottom, right)) and [top, bottom, left, right] == same
                and (oh, ow) == (-(-h // s), -(-w // s))):
            return x, S.Padding.SAME
        if any((top, left, bottom, right)):
            paddings = np.array([[0, 0], [top, bottom], [left, right], [0, 0]], np.int32)
            tp = self.m.tensor('%%%d pads' % n.index, [4, 2], I32, data=paddings)
            h, w = h + top + bottom, w + left + right
            y = self.m.tensor('%%%d padded' % n.index, [1, h, w, src.shape[0]], I8, src.scale,
                              src.zp)
            self.m.op(OP.PAD, [x, tp], [y], OPTIONS.PadOptions, S.PadOptionsT())
            x = y
        if ((h - k) // s + 1, (w - k) // s + 1) != (oh, ow):
            raise ExportError('%%%d: output %dx%d, VALID gives %dx%d' % (
                n.index, oh, ow, (h - k) // s + 1, (w - k) // s + 1))
        return x, S.Padding.VALID

    def conv(self, n):
        src = self.nodes[n.inputs[0]]
        cin, cout, groups = src.shape[0], n.shape[0], n.attrs['g']
        wq = self.param(n, 'qw', np.int8)
        sw = self.param(n, 'qs', np.float32)
        bq = self.param(n, 'qb', np.int32)
        depthwise = groups > 1
        if depthwise and not groups == cin == cout:
            raise ExportError('%%%d: grouped conv (%d groups, %d -> %d channels) is not a '
                              'depthwise one' % (n.index, groups, cin, cout))
        act = n.attrs.get('act', 'none')
        if act not in ('none', 'relu6'):
            raise ExportError('%%%d: fused %s: only relu6 fuses into an int8 conv' % (n.index, act))
        if wq.shape != ((cout, 1 if depthwise else cin) + (n.attrs['k'],) * 2):
            raise ExportError('%%%d: weights %s' % (n.index, wq.shape))
        x, padding = self.pads(n, self.value[src.index])
        # torchvision [O, I, KH, KW] -> OHWI; depthwise [C, 1, KH, KW] -> [1, KH, KW, C]
        wt = wq.transpose(1, 2, 3, 0) if depthwise else wq.transpose(0, 2, 3, 1)
        tw = self.m.tensor('%%%d weights' % n.index, wt.shape, I8, sw, np.zeros(cout),
                           3 if depthwise else 0, wt)
        tb = self.m.tensor('%%%d bias' % n.index, [cout], I32, src.scale * sw, np.zeros(cout), 0,
                           bq)
        y = self.act_tensor(n)
        o = S.DepthwiseConv2DOptionsT() if depthwise else S.Conv2DOptionsT()
        o.padding, o.strideH, o.strideW = padding, n.attrs['s'], n.attrs['s']
        o.dilationHFactor = o.dilationWFactor = 1
        o.fusedActivationFunction = ACTIVATION.RELU6 if act == 'relu6' else ACTIVATION.NONE
        if depthwise:
            o.depthMultiplier = 1
            self.m.op(OP.DEPTHWISE_CONV_2D, [x, tw, tb], [y], OPTIONS.DepthwiseConv2DOptions, o)
        else:
            self.m.op(OP.CONV_2D, [x, tw, tb], [y], OPTIONS.Conv2DOptions, o)
        return y

    def linear(self, n):
        src = self.nodes[n.inputs[0]]
        wq = self.param(n, 'qw', np.int8)
        sw = self.param(n, 'qs', np.float32)
        bq = self.param(n, 'qb', np.int32)
        cout = n.shape[0]
        if src.shape[1:] != (1, 1) or n.shape[1:] != (1, 1) or wq.shape != (cout, src.shape[0]):
            raise ExportError('%%%d: linear on %s, weights %s' % (n.index, src.shape, wq.shape))
        if 'act' in n.attrs:
            raise ExportError('%%%d: linear with act=%s' % (n.index, n.attrs['act']))
        tw = self.m.tensor('%%%d weights' % n.index, wq.shape, I8, sw, np.zeros(cout), 0, wq)
        tb = self.m.tensor('%%%d bias' % n.index, [cout], I32, src.scale * sw, np.zeros(cout), 0,
                           bq)
        y = self.act_tensor(n, shape=[1, cout])
        self.m.op(OP.FULLY_CONNECTED, [self.value[src.index], tw, tb], [y],
                  OPTIONS.FullyConnectedOptions, S.FullyConnectedOptionsT())
        return y

    def act(self, n):
        x = self.value[n.inputs[0]]
        if n.act in ('swish', 'sigmoid'):
            if n.act == 'sigmoid' and (n.scale, n.zp) != (LOGISTIC_SCALE, LOGISTIC_ZP):
                raise ExportError('%%%d: sigmoid output q=%s,%d: TFLite LOGISTIC has %s,%d' % (
                    n.index, float(n.scale).hex(), n.zp, float(LOGISTIC_SCALE).hex(), LOGISTIC_ZP))
            c, h, w = n.shape
            sig = self.m.tensor('%%%d sigmoid' % n.index, [1, h, w, c], I8, LOGISTIC_SCALE,
                                LOGISTIC_ZP) if n.act == 'swish' else self.act_tensor(n)
            self.m.op(OP.LOGISTIC, [x], [sig])
            if n.act == 'sigmoid':
                return sig
            y = self.act_tensor(n)
            self.m.op(OP.MUL, [x, sig], [y], OPTIONS.MulOptions, S.MulOptionsT())
            return y
        if n.act == 'relu6':
            y = self.act_tensor(n)
            self.m.op(OP.RELU6, [x], [y])
            return y
        raise ExportError('%%%d: activation %s' % (n.index, n.act))

    def avgpool(self, n):
        axes = self.m.tensor('%%%d axes' % n.index, [2], I32, data=np.array([1, 2], np.int32))
        y = self.act_tensor(n)
        o = S.ReducerOptionsT()
        o.keepDims = True
        self.m.op(OP.MEAN, [self.value[n.inputs[0]], axes], [y], OPTIONS.ReducerOptions, o)
        return y

    def binary(self, n):
        a, b = (self.nodes[v] for v in n.inputs)
        if n.op == 'scale' and (b.shape[0], b.shape[1:]) != (a.shape[0], (1, 1)):
            raise ExportError('%%%d: scale by a %s gate' % (n.index, b.shape))
        if n.op == 'add' and a.shape != b.shape:
            raise ExportError('%%%d: add of %s and %s' % (n.index, a.shape, b.shape))
        y = self.act_tensor(n)
        ins = [self.value[a.index], self.value[b.index]]
        if n.op == 'add':
            self.m.op(OP.ADD, ins, [y], OPTIONS.AddOptions, S.AddOptionsT())
        else:
            self.m.op(OP.MUL, ins, [y], OPTIONS.MulOptions, S.MulOptionsT())
        return y

    def node(self, n):
        arity = {'conv2d': 1, 'linear': 1, 'act': 1, 'avgpool': 1, 'scale': 2, 'add': 2}
        if n.op not in arity:
            raise ExportError('%%%d: op %s has no int8 TFLite counterpart here' % (n.index, n.op))
        if len(n.inputs) != arity[n.op]:
            raise ExportError('%%%d %s: %d inputs' % (n.index, n.op, len(n.inputs)))
        if n.op == 'conv2d':
            return self.conv(n)
        if n.op == 'linear':
            return self.linear(n)
        if n.op == 'act':
            return self.act(n)
        if n.op == 'avgpool':
            return self.avgpool(n)
        return self.binary(n)

    def run(self, output):
        first = self.nodes[0]
        if first.op != 'input' or any(n.op == 'input' for n in self.nodes[1:]):
            raise ExportError('the graph must have one input, node %0')
        c, h, w = first.shape
        xf = self.m.tensor('input', [1, h, w, c], F32)
        self.value[0] = self.act_tensor(first, name='%0 input quantized')
        self.m.op(OP.QUANTIZE, [xf], [self.value[0]])
        for n in self.nodes[1:]:
            self.value[n.index] = self.node(n)
        out = self.nodes[output]
        yq = self.value[output]
        yf = self.m.tensor('logits', self.m.tensors[yq].shape, F32)
        self.m.op(OP.DEQUANTIZE, [yq], [yf])
        return self.m.build([xf], [yf], 'effcc int8 (tools/tflite_export.py), output %%%d %s'
                            % (out.index, out.op))


def export_model(tensors, metadata):
    """The .tflite bytes of a quantized model: its tensors (name -> array) and
    its safetensors metadata."""
    if metadata.get('format') != FORMAT:
        raise ExportError('metadata format %r, not %r: not written by --save-quantized'
                          % (metadata.get('format'), FORMAT))
    if 'ir' not in metadata:
        raise ExportError('no "ir" in the metadata')
    nodes, output = parse_ir(metadata['ir'])
    return Exporter(nodes, tensors).run(output)


def main(argv):
    if len(argv) != 3 or argv[1].startswith('-'):
        sys.stderr.write('usage: tflite_export.py Q.safetensors OUT.tflite\n')
        return 2
    try:
        tensors, metadata = st.load_with_metadata(argv[1])
        model = export_model(tensors, metadata)
    except (ValueError, ExportError) as e:
        sys.stderr.write('tflite_export: %s: %s\n' % (argv[1], e))
        return 1
    tmp = argv[2] + '.tmp'
    with open(tmp, 'wb') as f:
        f.write(model)
    os.replace(tmp, argv[2])
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
