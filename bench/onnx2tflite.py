"""onnx2tflite.py — the benchmark's ONNX export written as a float32 .tflite.

    .venv-litert/bin/python bench/onnx2tflite.py MODEL.onnx MODEL.tflite

LiteRT runs .tflite only, and TensorFlow's converter does not install beside
Debian's torch 1.13, so this writes the flatbuffer itself with the schema
bindings ai-edge-litert ships. It takes the ONNX file ONNX Runtime runs
(torch.onnx has folded batch norm into the convolutions), so both load the
same graph and weights, and translates its few operators one for one, NCHW
to NHWC: Conv -> CONV_2D / DEPTHWISE_CONV_2D (no fused activation; an
explicit PAD then VALID where torchvision's symmetric padding is not TF's
SAME, as at stride 2 on even sizes), Sigmoid -> LOGISTIC, Mul -> MUL (swish
and the squeeze-excitation scale), Add -> ADD, GlobalAveragePool -> MEAN over
H, W (keep_dims), Flatten -> RESHAPE, Gemm -> FULLY_CONNECTED. Anything else
stops with an error rather than being approximated.
"""
import sys

import flatbuffers
import numpy as np
import onnx
from ai_edge_litert import schema_py_generated as tfl
from onnx import numpy_helper, shape_inference

# ONNX elementwise operator -> TFLite operator, its options type and class
# (broadcasting N×H×W×C by N×1×1×C, as the squeeze-excitation scale does)
ELEMENTWISE = {
    "Sigmoid": (tfl.BuiltinOperator.LOGISTIC, tfl.BuiltinOptions.NONE, None),
    "Mul": (tfl.BuiltinOperator.MUL, tfl.BuiltinOptions.MulOptions, tfl.MulOptionsT),
    "Add": (tfl.BuiltinOperator.ADD, tfl.BuiltinOptions.AddOptions, tfl.AddOptionsT),
}


class Writer:
    """Collects the tensors, buffers, operator codes and operators of one subgraph."""

    def __init__(self):
        self.tensors, self.buffers, self.codes, self.ops = [], [tfl.BufferT()], [], []
        self.ids = {}

    def tensor(self, name, shape, data=None, dtype=tfl.TensorType.FLOAT32):
        t = tfl.TensorT()
        t.name, t.shape, t.type, t.buffer = name, list(shape), dtype, 0
        if data is not None:
            b = tfl.BufferT()
            b.data = np.frombuffer(np.ascontiguousarray(data).tobytes(), np.uint8)
            t.buffer = len(self.buffers)
            self.buffers.append(b)
        self.tensors.append(t)
        self.ids[name] = len(self.tensors) - 1
        return self.ids[name]

    def const(self, name, array):
        return self.tensor(name, array.shape, array,
                           tfl.TensorType.INT32 if array.dtype == np.int32 else tfl.TensorType.FLOAT32)

    def op(self, code, inputs, outputs, options_type=tfl.BuiltinOptions.NONE, options=None):
        if code not in self.codes:
            self.codes.append(code)
        o = tfl.OperatorT()
        o.opcodeIndex, o.inputs, o.outputs = self.codes.index(code), inputs, outputs
        o.builtinOptionsType, o.builtinOptions = options_type, options
        self.ops.append(o)

    def model(self, inputs, outputs):
        sub = tfl.SubGraphT()
        sub.tensors, sub.operators, sub.inputs, sub.outputs = self.tensors, self.ops, inputs, outputs
        sub.name = "main"
        m = tfl.ModelT()
        m.version, m.subgraphs, m.buffers, m.description = 3, [sub], self.buffers, "effcc bench"
        m.operatorCodes = []
        for code in self.codes:
            c = tfl.OperatorCodeT()
            c.builtinCode, c.deprecatedBuiltinCode, c.version = code, min(code, 127), 1
            m.operatorCodes.append(c)
        b = flatbuffers.Builder(1 << 20)
        b.Finish(m.Pack(b), file_identifier=b"TFL3")
        return bytes(b.Output())


def nhwc(shape):
    return [shape[0], shape[2], shape[3], shape[1]] if len(shape) == 4 else list(shape)


def same_pads(size, k, s):
    """TF's SAME padding (before, after) along one axis."""
    total = max((-(-size // s) - 1) * s + k - size, 0)
    return total // 2, total - total // 2


def convert(onnx_path):
    """Returns the .tflite flatbuffer for the ONNX file, as bytes."""
    g = shape_inference.infer_shapes(onnx.load(onnx_path)).graph
    consts = {t.name: numpy_helper.to_array(t) for t in g.initializer}
    shapes = {v.name: [d.dim_value for d in v.type.tensor_type.shape.dim]
              for v in list(g.input) + list(g.value_info) + list(g.output)}
    w = Writer()
    inputs = [w.tensor(v.name, nhwc(shapes[v.name])) for v in g.input if v.name not in consts]
    for n in g.node:
        attrs = {a.name: onnx.helper.get_attribute_value(a) for a in n.attribute}
        out = n.output[0]
        ins = [w.ids[i] for i in n.input if i in w.ids]
        if n.op_type == "Conv":
            ins = [w.ids[n.input[0]]]
            weight, bias = consts[n.input[1]], consts[n.input[2]]
            cout, cin_g, kh, kw = weight.shape
            _, cin, h, wd = shapes[n.input[0]]
            sh, sw = attrs.get("strides", [1, 1])
            top, left, bottom, right = attrs.get("pads", [0, 0, 0, 0])
            if attrs.get("dilations", [1, 1]) != [1, 1]:
                sys.exit(f"onnx2tflite: {n.name}: dilated convolution not supported")
            if (top, bottom) == same_pads(h, kh, sh) and (left, right) == same_pads(wd, kw, sw):
                padding = tfl.Padding.SAME
            else:
                pads = np.array([[0, 0], [top, bottom], [left, right], [0, 0]], np.int32)
                padded = out + "/pad"
                w.op(tfl.BuiltinOperator.PAD, ins + [w.const(padded + "/paddings", pads)],
                     [w.tensor(padded, [1, h + top + bottom, wd + left + right, cin])],
                     tfl.BuiltinOptions.PadOptions, tfl.PadOptionsT())
                ins, padding = [w.ids[padded]], tfl.Padding.VALID
            group = attrs.get("group", 1)
            if group == 1:
                code, opt_type, opt = (tfl.BuiltinOperator.CONV_2D, tfl.BuiltinOptions.Conv2DOptions,
                                       tfl.Conv2DOptionsT())
                filt = weight.transpose(0, 2, 3, 1)                      # OHWI
            elif group == cin == cout and cin_g == 1:
                code, opt_type, opt = (tfl.BuiltinOperator.DEPTHWISE_CONV_2D,
                                       tfl.BuiltinOptions.DepthwiseConv2DOptions,
                                       tfl.DepthwiseConv2DOptionsT())
                opt.depthMultiplier = 1
                filt = weight.transpose(1, 2, 3, 0)                      # 1HWO
            else:
                sys.exit(f"onnx2tflite: {n.name}: grouped convolution (group {group}) not supported")
            opt.padding, opt.strideH, opt.strideW = padding, sh, sw
            opt.fusedActivationFunction = tfl.ActivationFunctionType.NONE
            ins += [w.const(n.input[1], filt), w.const(n.input[2], bias)]
            w.op(code, ins, [w.tensor(out, nhwc(shapes[out]))], opt_type, opt)
        elif n.op_type in ELEMENTWISE:
            if len(ins) != len(n.input):
                sys.exit(f"onnx2tflite: {n.name}: {n.op_type} of a constant not supported")
            code, opt_type, opt_class = ELEMENTWISE[n.op_type]
            w.op(code, ins, [w.tensor(out, nhwc(shapes[out]))], opt_type, opt_class and opt_class())
        elif n.op_type == "GlobalAveragePool":
            opt = tfl.ReducerOptionsT()
            opt.keepDims = True
            ins.append(w.const(out + "/axes", np.array([1, 2], np.int32)))
            w.op(tfl.BuiltinOperator.MEAN, ins, [w.tensor(out, nhwc(shapes[out]))],
                 tfl.BuiltinOptions.ReducerOptions, opt)
        elif n.op_type == "Flatten":
            src = shapes[n.input[0]]
            if attrs.get("axis", 1) != 1 or len(src) != 4 or src[2:] != [1, 1]:
                sys.exit(f"onnx2tflite: {n.name}: only Flatten of N×C×1×1 at axis 1 supported")
            opt = tfl.ReshapeOptionsT()
            opt.newShape = shapes[out]
            ins.append(w.const(out + "/shape", np.array(shapes[out], np.int32)))
            w.op(tfl.BuiltinOperator.RESHAPE, ins, [w.tensor(out, shapes[out])],
                 tfl.BuiltinOptions.ReshapeOptions, opt)
        elif n.op_type == "Gemm":
            if (attrs.get("alpha", 1.0), attrs.get("beta", 1.0), attrs.get("transA", 0),
                    attrs.get("transB", 0)) != (1.0, 1.0, 0, 1):
                sys.exit(f"onnx2tflite: {n.name}: only Gemm with transB=1, alpha=beta=1 supported")
            ins = [w.ids[n.input[0]], w.const(n.input[1], consts[n.input[1]]),
                   w.const(n.input[2], consts[n.input[2]])]
            opt = tfl.FullyConnectedOptionsT()
            opt.fusedActivationFunction = tfl.ActivationFunctionType.NONE
            w.op(tfl.BuiltinOperator.FULLY_CONNECTED, ins, [w.tensor(out, shapes[out])],
                 tfl.BuiltinOptions.FullyConnectedOptions, opt)
        else:
            sys.exit(f"onnx2tflite: {n.name}: operator {n.op_type} not supported")
    return w.model(inputs, [w.ids[v.name] for v in g.output])


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__.split("\n\n")[1].strip())
    data = convert(sys.argv[1])
    with open(sys.argv[2], "wb") as f:
        f.write(data)


if __name__ == "__main__":
    main()
