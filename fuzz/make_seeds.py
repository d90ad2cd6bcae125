"""Writes the seed corpora of the fuzz targets (fuzz/corpus/TARGET/).

    python3 fuzz/make_seeds.py        (from the repository root)

spec: the example spec, the custom one, and a few small variants that reach
other paths (presets, relu6, no squeeze-excitation, block style).
safetensors: files for fuzz_safetensors.c's fixed graph, good ones (as effcc
and as the reference writer order them, with a counter) and a few broken.
cli: argument lists, NUL-separated. labels: --labels files, good (LF, CRLF,
no final newline, UTF-8) and not. Standard library only; the output is
deterministic, so running it again changes nothing.
"""

import json
import os
import struct

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CORPUS = os.path.join(ROOT, "fuzz", "corpus")

# fuzz_safetensors.c's graph: name -> shape
GRAPH = [
    ("features.0.0.weight", [8, 3, 3, 3]),
    ("features.0.1.weight", [8]),
    ("features.0.1.bias", [8]),
    ("features.0.1.running_mean", [8]),
    ("features.0.1.running_var", [8]),
    ("features.1.0.block.0.0.weight", [8, 1, 3, 3]),
    ("features.1.0.block.1.fc1.weight", [2, 8, 1, 1]),
    ("features.1.0.block.1.fc1.bias", [2]),
    ("classifier.1.weight", [4, 8]),
    ("classifier.1.bias", [4]),
]


def write(target, name, data):
    os.makedirs(os.path.join(CORPUS, target), exist_ok=True)
    if isinstance(data, str):
        data = data.encode()
    with open(os.path.join(CORPUS, target, name), "wb") as f:
        f.write(data)


def numel(shape):
    n = 1
    for d in shape:
        n *= d
    return n


def safetensors(entries, pad=True):
    """entries: (name, dtype, shape, bytes) in data order; header in that order."""
    header, data = {"__metadata__": {"format": "pt"}}, b""
    for name, dtype, shape, blob in entries:
        header[name] = {"dtype": dtype, "shape": shape,
                        "data_offsets": [len(data), len(data) + len(blob)]}
        data += blob
    text = json.dumps(header, separators=(",", ":")).encode()
    if pad:
        text += b" " * (-len(text) % 8)
    return struct.pack("<Q", len(text)) + text + data


def f32(shape, seed):
    return b"".join(struct.pack("<f", ((i * 37 + seed) % 17 - 8) / 8.0) for i in range(numel(shape)))


def safetensors_seeds():
    good = [(n, "F32", s, f32(s, i)) for i, (n, s) in enumerate(GRAPH)]
    write("safetensors", "good", safetensors(good))
    counter = ("features.0.1.num_batches_tracked", "I64", [], struct.pack("<q", 7))
    write("safetensors", "good_counter_first", safetensors([counter] + good))
    write("safetensors", "good_reversed_header", safetensors(list(reversed(good))))
    write("safetensors", "good_unpadded", safetensors(good, pad=False))
    blob = safetensors(good)
    write("safetensors", "truncated", blob[: len(blob) - 10])
    nan = list(good)
    nan[4] = (nan[4][0], "F32", nan[4][2], struct.pack("<f", float("nan")) * 8)
    write("safetensors", "nan", safetensors(nan))
    f16 = list(good)
    f16[1] = (f16[1][0], "F16", f16[1][2], bytes(16))
    write("safetensors", "f16", safetensors(f16))
    write("safetensors", "empty_header", struct.pack("<Q", 2) + b"{}")
    # layouts only the tiling check refuses, and a shape whose size overflows
    header = {"__metadata__": {"format": "pt"}}
    at, data = 0, b""
    for n, _, shape, blob in good:
        header[n] = {"dtype": "F32", "shape": shape, "data_offsets": [at, at + len(blob)]}
        data += blob
        at += len(blob)
    overlap = json.loads(json.dumps(header))
    overlap["features.0.1.bias"]["data_offsets"] = overlap["features.0.1.weight"]["data_offsets"]
    text = json.dumps(overlap, separators=(",", ":")).encode()
    write("safetensors", "overlap", struct.pack("<Q", len(text)) + text + data)
    gap = json.loads(json.dumps(header))
    gap["classifier.1.bias"]["data_offsets"] = [o + 4 for o in gap["classifier.1.bias"]["data_offsets"]]
    text = json.dumps(gap, separators=(",", ":")).encode()
    write("safetensors", "gap", struct.pack("<Q", len(text)) + text + data + bytes(4))
    huge = json.loads(json.dumps(header))
    huge["features.0.1.num_batches_tracked"] = {"dtype": "I64", "shape": [1 << 40, 1 << 40],
                                                "data_offsets": [at, at]}
    text = json.dumps(huge, separators=(",", ":")).encode()
    write("safetensors", "huge_shape", struct.pack("<Q", len(text)) + text + data)
    # strings cJSON would cut short or skip, a counter of no batch norm, bad metadata
    good_text = json.dumps(header, separators=(",", ":")).encode()
    write("safetensors", "bom", struct.pack("<Q", len(good_text) + 3) + b"\xef\xbb\xbf" +
          good_text + data)
    text = good_text.replace(b'"classifier.1.bias"', b'"classifier.1.bias\\u0000x"')
    write("safetensors", "nul_name", struct.pack("<Q", len(text)) + text + data)
    stray = json.loads(json.dumps(header))
    stray["features.7.1.num_batches_tracked"] = {"dtype": "I64", "shape": [],
                                                 "data_offsets": [at, at + 8]}
    text = json.dumps(stray, separators=(",", ":")).encode()
    write("safetensors", "counter_no_layer", struct.pack("<Q", len(text)) + text + data + bytes(8))
    meta = json.loads(json.dumps(header))
    meta["__metadata__"] = {"format": "pt", "epochs": 90}
    text = json.dumps(meta, separators=(",", ":")).encode()
    write("safetensors", "metadata_number", struct.pack("<Q", len(text)) + text + data)


def cli_seeds():
    lists = {
        "compile": ["compile", "spec.yaml", "-o", "out"],
        "compile_all": ["compile", "spec.yaml", "-o", "out/", "--name", "net", "--preset", "b3",
                        "--width", "1.5", "--depth", "2", "--resolution", "300", "--classes",
                        "10", "--weights", "w.safetensors", "--allow-nonfinite",
                        "--save-weights", "s.safetensors", "--target", "host", "-d",
                        "--max-bytes", "8G"],
        "compile_equals": ["compile", "--output=out", "--phi=-1.5", "--seed=3", "spec.yaml"],
        "info_json": ["info", "spec.yaml", "--phi", "2.5", "--json", "--max-bytes", "512M"],
        "help": ["--help"],
        "version": ["--version"],
        "bad_option": ["compile", "spec.yaml", "-o", "out", "--bogus", "-x"],
        "clustered": ["compile", "-do", "out", "spec.yaml", "--", "-extra"],
    }
    for name, args in lists.items():
        write("cli", name, "\0".join(args))


def spec_seeds():
    for src, name in (("examples/efficientnet.yaml", "example"),
                      ("tests/specs/custom.yaml", "custom")):
        with open(os.path.join(ROOT, src), "rb") as f:
            write("spec", name, f.read())
    write("spec", "minimal_block_style", """name: m
input:
  channels: 1
  resolution: 9
classes: 2
activation: relu6
batchnorm:
  eps: 0.001
stem: {channels: 8, kernel: 3, stride: 1}
stages:
  - expand: 1
    kernel: 7
    stride: 2
    channels: 8
    repeats: 2
se_ratio: 0
head: {channels: 16}
scaling: {alpha: 1.2, beta: 1.1, gamma: 1.15, divisor: 8}
presets:
  "odd one": {width: 0.5, depth: 0.5, resolution: 3, batchnorm_eps: 1e-2}
""")


def labels_seeds():
    with open(os.path.join(ROOT, "codegen", "labels", "imagenet.txt"), "rb") as f:
        imagenet = f.read()
    seeds = {
        "imagenet": imagenet,
        "imagenet_head": b"".join(imagenet.splitlines(keepends=True)[:40]),
        "lf": b"cat\ndog\nemu\ngnu\nyak\n",
        "crlf": b"tench\r\ngoldfish\r\ngreat white shark\r\n",
        "no_final_newline": b"cat\ndog",
        "crlf_no_final_newline": b"cat\r\ndog\r",
        "utf8": "café\n猫\nnaïve — name\n".encode(),
        "bom": b"\xef\xbb\xbfcat\ndog\n",
        "empty_line": b"cat\n\ndog\n",
        "blank_last_line": b"cat\ndog\n\n",
        "control_bytes": b"cat\ndo\tg\nemu\x1b[2J\n",
        "nul": b"cat\x00dog\nemu\n",
        "lone_cr": b"cat\rdog\nemu\n",
        "one": b"x",
        "empty": b"",
    }
    for name, data in seeds.items():
        write("labels", name, data)


if __name__ == "__main__":
    safetensors_seeds()
    cli_seeds()
    spec_seeds()
    labels_seeds()
