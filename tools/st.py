"""Minimal safetensors reader/writer (numpy + json only; no `safetensors` package).

Used by tools/oracle.py to write the reference weights, and importable by any
other script that needs to read or write effcc weight files:

    import sys; sys.path.insert(0, "tools")
    import st
    st.save("w.safetensors", {"a": np.zeros((2, 3), np.float32)}, {"format": "pt"})
    tensors = st.load("w.safetensors")        # {"a": float32 array (2, 3)}
    tensors, meta = st.load_with_metadata("w.safetensors")

File layout (https://github.com/huggingface/safetensors):
  * 8 bytes: little-endian u64 N, the header length;
  * N bytes: UTF-8 JSON header, padded with spaces to a multiple of 8,
      {"__metadata__": {str: str}, "name": {"dtype": "F32", "shape": [...],
       "data_offsets": [begin, end]}, ...}
    with offsets relative to the start of the data section;
  * the data section: the tensors, contiguous, row-major, little-endian.

save() writes float32 only (anything else is cast), in the dict's insertion
order.  load() accepts F32, I64, I32 and I8 tensors (the last two: effcc's
quantized models, --save-quantized) and returns arrays of those types.
"""

import json
import struct

import numpy as np

# safetensors dtype tag -> little-endian numpy dtype; only what effcc needs.
_DTYPES = {"F32": np.dtype("<f4"), "I64": np.dtype("<i8"), "I32": np.dtype("<i4"),
           "I8": np.dtype("i1")}

# Refuse absurd header sizes rather than trying to allocate them (a corrupt or
# non-safetensors file would otherwise produce a random 64-bit length).
_MAX_HEADER = 100 * 1024 * 1024


def save(path, tensors, metadata=None):
    """Write `tensors` (name -> array-like) to `path` as float32 safetensors.

    `metadata` is an optional dict; keys and values are stored as strings.
    """
    header = {}
    if metadata:
        header["__metadata__"] = {str(k): str(v) for k, v in metadata.items()}
    arrays = []
    offset = 0
    for name, value in tensors.items():
        if name == "__metadata__":
            raise ValueError("'__metadata__' is reserved and cannot name a tensor")
        # '<f4' forces float32 little-endian, order="C" a C-contiguous copy if
        # needed (not ascontiguousarray: it turns 0-d scalars into shape [1]).
        arr = np.asarray(value, dtype=np.dtype("<f4"), order="C")
        header[name] = {
            "dtype": "F32",
            "shape": [int(d) for d in arr.shape],
            "data_offsets": [offset, offset + arr.nbytes],
        }
        offset += arr.nbytes
        arrays.append(arr)

    text = json.dumps(header, separators=(",", ":")).encode("utf-8")
    text += b" " * (-len(text) % 8)  # pad so the data section is 8-aligned
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for arr in arrays:
            f.write(arr.tobytes(order="C"))


def load_with_metadata(path):
    """Read `path`; return (tensors, metadata) with tensors as name -> ndarray.

    Raises ValueError on any structural problem: bad header, unknown dtype,
    offsets that do not match the shape, overlap, holes, or trailing bytes.
    """
    with open(path, "rb") as f:
        raw = f.read()
    if len(raw) < 8:
        raise ValueError(f"{path}: too short for a safetensors file")
    (n,) = struct.unpack("<Q", raw[:8])
    if n > _MAX_HEADER or 8 + n > len(raw):
        raise ValueError(f"{path}: header length {n} exceeds the file size {len(raw)}")
    try:
        header = json.loads(raw[8:8 + n].decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        raise ValueError(f"{path}: bad JSON header: {e}") from None
    if not isinstance(header, dict):
        raise ValueError(f"{path}: header is not a JSON object")

    data = memoryview(raw)[8 + n:]
    metadata = header.pop("__metadata__", None) or {}
    tensors = {}
    spans = []
    for name, info in header.items():
        try:
            dtype = _DTYPES[info["dtype"]]
        except KeyError:
            raise ValueError(f"{path}: tensor {name!r}: unsupported dtype "
                             f"{info.get('dtype')!r} (supported: {', '.join(_DTYPES)})") from None
        shape = [int(d) for d in info["shape"]]
        begin, end = (int(x) for x in info["data_offsets"])
        count = int(np.prod(shape, dtype=np.int64))  # prod([]) == 1: a scalar
        if any(d < 0 for d in shape) or not 0 <= begin <= end <= len(data):
            raise ValueError(f"{path}: tensor {name!r}: offsets [{begin}, {end}] "
                             f"outside the data section ({len(data)} bytes)")
        if end - begin != count * dtype.itemsize:
            raise ValueError(f"{path}: tensor {name!r}: {end - begin} bytes for shape "
                             f"{shape} {info['dtype']} (expected {count * dtype.itemsize})")
        # copy() detaches the array from the file buffer and makes it writable;
        # astype to the native dtype handles big-endian hosts.
        arr = np.frombuffer(data[begin:end], dtype=dtype).reshape(shape)
        tensors[name] = arr.astype(dtype.newbyteorder("="), copy=True)
        spans.append((begin, end, name))

    # The format requires the tensors to tile the data section exactly.
    pos = 0
    for begin, end, name in sorted(spans):
        if begin != pos:
            what = "overlaps the previous tensor" if begin < pos else f"leaves a hole at byte {pos}"
            raise ValueError(f"{path}: tensor {name!r} {what}")
        pos = end
    if pos != len(data):
        raise ValueError(f"{path}: {len(data) - pos} trailing bytes after the last tensor")
    return tensors, metadata


def load(path):
    """Read `path`; return name -> ndarray (float32, int64, int32 or int8)."""
    return load_with_metadata(path)[0]
