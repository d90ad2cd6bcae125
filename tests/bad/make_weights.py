"""Bad safetensors files, each made from a good one by one edit.

    python3 make_weights.py GOOD.safetensors OUTDIR

GOOD is a file effcc saved (--save-weights): metadata first, then the
tensors in graph order, contiguous, the last being classifier.1.bias. Each
file written to OUTDIR is named for what is wrong with it; tests/bad/cases.txt
says what effcc must answer. Standard library only.
"""

import json
import struct
import sys


def read(path):
    b = open(path, "rb").read()
    n = struct.unpack("<Q", b[:8])[0]
    return json.loads(b[8 : 8 + n]), b[8 + n :]


def pack(header_text, data, length=None):
    n = len(header_text) if length is None else length
    return struct.pack("<Q", n) + header_text + data


def dump(header):
    return json.dumps(header, separators=(",", ":")).encode()


def set_value(header, data, name, index, value):
    """The data with element `index` of tensor `name` set to `value`."""
    at = header[name]["data_offsets"][0] + 4 * index
    return data[:at] + struct.pack("<f", value) + data[at + 4 :]


def variants(h, d):
    """(name, bytes) for every bad file."""
    end = len(d)
    last = h["classifier.1.bias"]["data_offsets"]
    good = pack(dump(h), d)
    yield "truncated", good[: len(good) // 2]
    yield "four_bytes", good[:4]
    yield "header_past_end", pack(dump(h), d, length=len(good))
    yield "header_absurd", pack(dump(h), d, length=1 << 62)
    yield "header_not_json", pack(b'{"features.0.0.weight": {"dtype": ', d)
    yield "header_not_object", pack(b"[1, 2, 3]", d)
    yield "header_trailing_bytes", pack(dump(h) + b"  x", d)

    def edited(edit, data=d):
        e = json.loads(json.dumps(h))
        edit(e)
        return pack(dump(e), data)

    yield "missing", edited(lambda e: e.pop("features.0.1.running_var"))
    yield "unexpected", edited(
        lambda e: e.__setitem__(
            "features.99.weight", {"dtype": "F32", "shape": [0], "data_offsets": [end, end]}
        )
    )
    yield "control_name", edited(
        lambda e: e.__setitem__(
            "evil\x1b[2J", {"dtype": "F32", "shape": [0], "data_offsets": [end, end]}
        )
    )
    yield "dtype_f16", edited(lambda e: e["features.0.1.running_var"].__setitem__("dtype", "F16"))
    yield "dtype_unknown", edited(
        lambda e: e.__setitem__(
            "features.0.1.num_batches_tracked",
            {"dtype": "Q7", "shape": [], "data_offsets": [end, end + 8]},
        ),
        d + bytes(8),
    )
    yield "size_mismatch", edited(
        lambda e: e.__setitem__(
            "features.0.1.num_batches_tracked",
            {"dtype": "I64", "shape": [], "data_offsets": [end, end + 4]},
        ),
        d + bytes(4),
    )
    yield "offsets_reversed", edited(
        lambda e: e["classifier.1.bias"].__setitem__("data_offsets", [last[1], last[0]])
    )
    yield "overlap", edited(
        lambda e: e["features.0.1.bias"].__setitem__(
            "data_offsets", list(h["features.0.1.weight"]["data_offsets"])
        )
    )
    yield "gap", edited(
        lambda e: e["classifier.1.bias"].__setitem__("data_offsets", [last[0] + 4, last[1] + 4]),
        d + bytes(4),
    )
    yield "trailing_data", pack(dump(h), d + bytes(4))
    # JSON objects cannot hold a key twice in Python: write the text by hand
    text = dump(h)
    dup = b',"classifier.1.bias":' + dump(h["classifier.1.bias"]) + b"}"
    yield "duplicate_name", pack(text[:-1] + dup, d)
    yield "nan", pack(dump(h), set_value(h, d, "features.0.1.running_var", 3, float("nan")))
    yield "inf", pack(dump(h), set_value(h, d, "features.0.0.weight", 29, float("-inf")))
    yield "bom", pack(b"\xef\xbb\xbf" + dump(h), d)
    # json.dumps writes the NUL as \u0000
    yield "nul_name", edited(
        lambda e: e.__setitem__("classifier.1.bias\x00evil", e.pop("classifier.1.bias"))
    )
    yield "counter_no_layer", edited(
        lambda e: e.__setitem__(
            "features.99.1.num_batches_tracked",
            {"dtype": "I64", "shape": [], "data_offsets": [end, end + 8]},
        ),
        d + bytes(8),
    )
    yield "metadata_number", edited(lambda e: e["__metadata__"].__setitem__("epochs", 90))


def main():
    good, outdir = sys.argv[1], sys.argv[2]
    h, d = read(good)
    for name, data in variants(h, d):
        with open("%s/%s.safetensors" % (outdir, name), "wb") as f:
            f.write(data)


if __name__ == "__main__":
    main()
