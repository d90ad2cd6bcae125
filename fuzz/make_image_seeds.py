"""Writes the seeds of fuzz_image and fuzz_harness, and fuzz_image's
hand-made regression.

    /usr/bin/python3 fuzz/make_image_seeds.py        (from anywhere)

fuzz/corpus/image/: PNG and JPEG files, each after one byte that chooses
the output size (fuzz_image.c: size = 1 + byte % 64). PNGs are written here
(standard library only), one per decoder path of stb_image: every colour
type (grey, grey + alpha, RGB, RGBA, palette, with and without tRNS), every
bit depth (1, 2, 4, 8, 16), every row filter, Adam7 interlacing, split IDAT
chunks, 1x1 and odd sizes, and declared sizes beyond the limit. JPEGs come
from Pillow (libjpeg): baseline and progressive, 4:2:0, 4:2:2 and 4:4:4,
greyscale, CMYK, optimised Huffman tables, 1x1 and odd sizes. PNGs are
byte-identical on every run; JPEGs as long as libjpeg encodes the same.

fuzz/corpus/harness/: argument lists for the generated harness, separated
by NUL bytes.

fuzz/regressions/image/jpeg-dht-counts-past-256: a JPEG whose AC Huffman
table declares 1785 codes (lengths 10..16, 255 of each; at most 256 fit).
stb_image 2.27 wrote the sizes and the symbol values past the table's
arrays (size[257], values[256]) into the next fields and the next table:
UndefinedBehaviorSanitizer stops at the write (index 257 out of bounds);
AddressSanitizer alone sees the write's effect, a read 16 bytes past the
decoder's heap block, because the values that overran set the table's
maxcode and delta so that the first AC code decodes to symbol 10848. The
entropy data start with zero bytes so the first DC code is category 0 and
the AC code is 10 zero bits. stb_image 2.28 and later refuse the table
(bad DHT header).
"""

import os
import struct
import zlib

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FUZZ = os.path.join(ROOT, "fuzz")


def write(folder, name, data):
    path = os.path.join(FUZZ, folder)
    os.makedirs(path, exist_ok=True)
    with open(os.path.join(path, name), "wb") as f:
        f.write(data)


def samples(w, h, channels, maxval, seed):
    """w x h pixels of `channels` samples 0..maxval: a gradient plus noise."""
    state = seed * 2654435761 + 1
    rows = []
    for y in range(h):
        row = []
        for x in range(w):
            for c in range(channels):
                state = (state * 1103515245 + 12345) & 0x7FFFFFFF
                grad = (x * (c + 1) + y * (3 - c % 3)) * maxval // max(w + h, 1)
                row.append((grad + (state >> 8) % (maxval // 4 + 1)) % (maxval + 1))
        rows.append(row)
    return rows


def pack_row(row, depth):
    """Samples to the bytes of one scanline (big-endian, MSB-first bits)."""
    if depth == 16:
        return b"".join(struct.pack(">H", v) for v in row)
    if depth == 8:
        return bytes(row)
    out, acc, bits = bytearray(), 0, 0
    for v in row:
        acc, bits = (acc << depth) | v, bits + depth
        if bits == 8:
            out.append(acc)
            acc, bits = 0, 0
    if bits:
        out.append(acc << (8 - bits))
    return bytes(out)


def paeth(a, b, c):
    p = a + b - c
    pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
    return a if pa <= pb and pa <= pc else b if pb <= pc else c


def filter_rows(lines, bpp):
    """Each scanline with a filter byte, the five filters in turn."""
    out, prior = bytearray(), bytes(len(lines[0])) if lines else b""
    for i, line in enumerate(lines):
        kind = i % 5
        out.append(kind)
        for k, v in enumerate(line):
            a = line[k - bpp] if k >= bpp else 0
            b = prior[k]
            c = prior[k - bpp] if k >= bpp else 0
            pred = [0, a, b, (a + b) // 2, paeth(a, b, c)][kind]
            out.append((v - pred) & 0xFF)
        prior = line
    return bytes(out)


ADAM7 = [(0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4), (1, 0, 2, 2),
         (0, 1, 1, 2)]


def chunk(kind, data):
    body = kind + data
    return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))


def png(w, h, color, depth, seed, interlace=False, trns=None, palette=None, idat_parts=1,
        rows=None):
    """A PNG; rows (samples per pixel as the colour type has them) or noise."""
    channels = {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}[color]
    maxval = (1 << depth) - 1 if color != 3 else len(palette) // 3 - 1
    rows = rows or samples(w, h, channels, maxval, seed)
    bpp = max(1, channels * depth // 8)
    if interlace:
        raw = b""
        for x0, y0, dx, dy in ADAM7:
            sub = [rows[y][x * channels:(x + 1) * channels] for y in range(y0, h, dy)
                   for x in range(x0, w, dx)]
            pw = len(range(x0, w, dx))
            if pw == 0 or not sub:
                continue
            lines = [pack_row(sum(sub[r * pw:(r + 1) * pw], []), depth)
                     for r in range(len(sub) // pw)]
            raw += filter_rows(lines, bpp)
    else:
        raw = filter_rows([pack_row(r, depth) for r in rows], bpp)
    z = zlib.compress(raw, 9)
    out = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, depth, color, 0, 0,
                                                              int(interlace)))
    if palette:
        out += chunk(b"PLTE", bytes(palette))
    if trns is not None:
        out += chunk(b"tRNS", trns)
    step = -(-len(z) // idat_parts)
    for i in range(0, len(z), step):
        out += chunk(b"IDAT", z[i:i + step])
    return out + chunk(b"IEND", b"")


def png_seeds():
    pal = [v for i in range(37) for v in ((i * 53) % 256, (i * 97) % 256, (i * 151) % 256)]
    seeds = {
        "png_grey8_1x1": (0, png(1, 1, 0, 8, 1)),
        "png_grey1_13x7": (6, png(13, 7, 0, 1, 2)),
        "png_grey2_9x5": (36, png(9, 5, 0, 2, 3)),
        "png_grey4_11x3": (2, png(11, 3, 0, 4, 4)),
        "png_grey16_5x3": (3, png(5, 3, 0, 16, 5)),
        "png_grey16_trns_6x4": (4, png(6, 4, 0, 16, 6, trns=struct.pack(">H", 1000))),
        "png_greyalpha8_9x4": (7, png(9, 4, 4, 8, 7)),
        "png_greyalpha16_3x3": (1, png(3, 3, 4, 16, 8)),
        "png_rgb8_17x11": (36, png(17, 11, 2, 8, 9)),
        "png_rgb8_trns_8x8": (5, png(8, 8, 2, 8, 10, trns=struct.pack(">HHH", 1, 2, 3))),
        "png_rgb16_6x5": (9, png(6, 5, 2, 16, 11)),
        "png_rgba8_7x9": (10, png(7, 9, 6, 8, 12)),
        "png_rgba16_4x4": (11, png(4, 4, 6, 16, 13)),
        "png_palette8_10x6": (12, png(10, 6, 3, 8, 14, palette=pal)),
        "png_palette4_trns_11x5": (13, png(11, 5, 3, 4, 15, palette=pal[:16 * 3],
                                          trns=bytes(range(0, 160, 10)))),
        "png_palette1_15x2": (14, png(15, 2, 3, 1, 16, palette=pal[:6])),
        "png_rgb8_interlaced_19x13": (15, png(19, 13, 2, 8, 17, interlace=True)),
        "png_grey1_interlaced_9x9": (16, png(9, 9, 0, 1, 18, interlace=True)),
        "png_rgba16_interlaced_5x7": (17, png(5, 7, 6, 16, 19, interlace=True)),
        "png_palette2_interlaced_1x1": (0, png(1, 1, 3, 2, 20, interlace=True, palette=pal[:12])),
        "png_rgb8_300x5": (63, png(300, 5, 2, 8, 21)),
        "png_grey8_5x300": (36, png(5, 300, 0, 8, 22)),
        "png_rgb8_split_idat_23x21": (18, png(23, 21, 2, 8, 23, idat_parts=4)),
    }
    # declared far beyond the limits, with almost no data behind the header
    huge = png(1, 1, 2, 8, 24)
    seeds["png_huge_100000x100000"] = (36, huge.replace(
        chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)),
        chunk(b"IHDR", struct.pack(">IIBBBBB", 100000, 100000, 8, 2, 0, 0, 0))))
    seeds["png_over_fuzz_limit_1025x1024"] = (36, huge.replace(
        chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)),
        chunk(b"IHDR", struct.pack(">IIBBBBB", 1025, 1024, 8, 2, 0, 0, 0))))
    return seeds


def jpeg_seeds():
    import io
    from PIL import Image

    def jpeg(w, h, mode, seed, **kw):
        channels = {"L": 1, "RGB": 3, "CMYK": 4}[mode]
        data = bytes(v for row in samples(w, h, channels, 255, seed) for v in row)
        out = io.BytesIO()
        Image.frombytes(mode, (w, h), data).save(out, "JPEG", **kw)
        return out.getvalue()

    seeds = {
        "jpeg_baseline_420_33x17": (36, jpeg(33, 17, "RGB", 30, quality=75, subsampling=2)),
        "jpeg_baseline_444_16x16": (6, jpeg(16, 16, "RGB", 31, quality=95, subsampling=0)),
        "jpeg_baseline_422_21x9": (7, jpeg(21, 9, "RGB", 32, quality=60, subsampling=1)),
        "jpeg_progressive_420_27x19": (36, jpeg(27, 19, "RGB", 33, progressive=True)),
        "jpeg_progressive_444_9x9": (4, jpeg(9, 9, "RGB", 34, progressive=True, subsampling=0)),
        "jpeg_grey_baseline_13x11": (5, jpeg(13, 11, "L", 35)),
        "jpeg_grey_progressive_7x3": (2, jpeg(7, 3, "L", 36, progressive=True)),
        "jpeg_baseline_1x1": (0, jpeg(1, 1, "RGB", 37)),
        "jpeg_progressive_1x1": (0, jpeg(1, 1, "RGB", 38, progressive=True)),
        "jpeg_optimized_11x7": (3, jpeg(11, 7, "RGB", 39, optimize=True)),
        "jpeg_cmyk_8x8": (1, jpeg(8, 8, "CMYK", 40)),
        "jpeg_baseline_200x3": (63, jpeg(200, 3, "RGB", 41)),
    }
    base = bytearray(jpeg(8, 8, "RGB", 42))
    sof = base.index(b"\xff\xc0")
    base[sof + 5:sof + 9] = struct.pack(">HH", 60000, 60000)
    seeds["jpeg_huge_60000x60000"] = (36, bytes(base))
    return seeds


def segments(jpeg):
    """A baseline JPEG's marker segments up to SOS, and the entropy data."""
    segs, i = [], 2
    while True:
        length = struct.unpack(">H", jpeg[i + 2:i + 4])[0]
        segs.append(jpeg[i:i + 2 + length])
        i += 2 + length
        if segs[-1][1] == 0xDA:
            return segs, jpeg[i:]


def dht_regression():
    """The JPEG of the module comment (16x16, 4:2:0, standard tables)."""
    import io
    from PIL import Image
    data = bytes(v for row in samples(16, 16, 3, 255, 1) for v in row)
    out = io.BytesIO()
    Image.frombytes("RGB", (16, 16), data).save(out, "JPEG", quality=90)
    segs, entropy = segments(out.getvalue())
    counts = [0] * 9 + [255] * 7  # lengths 10..16: no code is short enough for the fast table
    values = bytearray(sum(counts))
    values[256:513] = bytes([10]) * 257          # overruns into size[]
    values[516:588] = b"\xff" * 72                # ... maxcode[]: every code has 10 bits
    decoder_bytes = 18568                         # sizeof(stbi__jpeg) in 2.27 on x86-64
    table_values = 8 + 4 * 1680 + 1024            # huff_ac[0].values in that block
    delta = decoder_bytes - table_values + 16     # code 0 -> 16 bytes past the block
    values[588:656] = struct.pack("<i", delta) * 17  # ... delta[]
    body = bytes([0x10]) + bytes(counts) + bytes(values)
    dht = b"\xff\xc4" + struct.pack(">H", len(body) + 2) + body
    jpeg = b"\xff\xd8"
    for s in segs:
        if s[1] == 0xC0:
            jpeg += dht
        if s[1] == 0xC4 and s[4] == 0x10:
            continue  # the encoder's own AC table 0
        jpeg += s
    return jpeg + bytes(8) + entropy[8:]


def harness_seeds():
    lists = {
        "image": ["--image", "photo.jpg"],
        "input_output_bench": ["--input", "x.f32", "--output", "y.f32", "--bench", "3"],
        "help": ["--help"],
        "h_after_poison": ["--poison", "-h"],
        "info": ["--info"],
        "save_input": ["--save-input", "s.f32", "--poison"],
        "bench_plus": ["--bench", "+12"],
        "bench_too_many": ["--bench", "1000001"],
        "bench_missing": ["--bench"],
        "image_and_input": ["--image", "a.png", "--input", "b.f32"],
        "unknown": ["--unknown", "x"],
        "value_looks_like_option": ["--output", "--info"],
        "empty_argument": [""],
    }
    for name, args in lists.items():
        write("corpus/harness", name, b"\0".join(a.encode() for a in args))


def main():
    for name, (size_byte, data) in {**png_seeds(), **jpeg_seeds()}.items():
        write("corpus/image", name, bytes([size_byte]) + data)
    write("regressions/image", "jpeg-dht-counts-past-256", bytes([36]) + dht_regression())
    harness_seeds()


if __name__ == "__main__":
    main()
