"""bench.py — effcc against its peers, interleaved in one run.

    bench/run.sh [--models b0,b1] [--rounds 5] [--runs 30] [--targets x86-64-v3,generic]
                 [--peers ort,torch,litert] [--threads 1,2] [--profile] [--compare]

For each model: tools/oracle.py seeds one set of weights; effcc compiles
them for every target (built with gcc -O3, and with OpenMP for 2 threads);
the peers (bench/peer.py, each in its own process) load the same weights:
ONNX Runtime, PyTorch and LiteRT by default; tvm (untuned TVM, tens of
times slower) and torch-xnnpack on request. Each peer first runs the
oracle's image once and must match its logits (peer.py --check); a default
peer that cannot (its venv did not install, or it fails) is left out with a
message, while one named in --peers stops the benchmark. Every round runs
every configuration once (the configurations interleaved, so a noisy
neighbour slows all of them alike); a run prints the median of --runs
inferences, and the table shows the median over rounds.
Ratios compare each configuration with effcc's best target at the same
thread count, as a ratio of medians ("vs effcc") and as the median of the
ratios within each round ("paired"); GFLOP/s count 2 × multiply-adds; the
peak is measured here by bench/peak.c.

--profile  builds the first of --models (B0 by default) with make PROFILE=1
           and prints the time of every layer.
--compare  the first of --models built with gcc and clang, and with --no-fuse and --no-tile,
           interleaved, to show what each compiler and pass buys.
"""
import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SPEC = os.path.join(ROOT, "examples", "efficientnet.yaml")
EFFCC = os.path.join(ROOT, "build", "effcc")
VENV_PY = os.path.join(ROOT, ".venv-bench", "bin", "python")
PEER_PY = os.path.join(ROOT, "bench", "peer.py")
DEFAULT_PEERS = "ort,torch,litert"
LABELS = {"ort": "ONNX Runtime", "torch": "PyTorch", "litert": "LiteRT", "tvm": "TVM untuned"}
# peers whose venv (made by bench/venv.sh) has no torch: they load the ONNX export
OWN_VENV = {"litert": ".venv-litert", "tvm": ".venv-tvm"}
LATENCY = re.compile(r"latency_ms median=([0-9.]+)")


def run(cmd, env=None, cwd=None):
    """Runs a command and returns its stdout; stops the benchmark on failure."""
    full_env = dict(os.environ, **(env or {}))
    p = subprocess.run(cmd, env=full_env, cwd=cwd, capture_output=True, text=True)
    if p.returncode != 0:
        sys.exit(f"bench: {' '.join(cmd)} failed:\n{p.stdout}{p.stderr}")
    return p.stdout


class Config:
    """One thing to time: a command that prints a latency_ms line."""

    def __init__(self, model, name, threads, cmd, env=None):
        self.model, self.name, self.threads = model, name, threads
        self.cmd, self.env = cmd, env or {}
        self.medians = []

    def measure(self):
        out = run(self.cmd, self.env)
        m = LATENCY.search(out)
        if not m:
            sys.exit(f"bench: no latency line from {self.cmd}:\n{out}")
        self.medians.append(float(m.group(1)))

    @property
    def latency(self):
        return statistics.median(self.medians)


def model_info(model):
    out = run([EFFCC, "info", SPEC, "--preset", model, "--json"])
    return json.loads(out)


def prepare_weights(work, model):
    ref = os.path.join(work, f"{model}-ref")
    if not os.path.exists(os.path.join(ref, "weights.safetensors")):
        run(["/usr/bin/python3", os.path.join(ROOT, "tools", "oracle.py"), "--spec", SPEC,
             "--preset", model, "--seed", "1", "--out", ref])
    return os.path.join(ref, "weights.safetensors")


def build_effcc(work, model, weights, target, cc="gcc", flags=(), make_args=()):
    """Compiles and builds one generated folder; returns its program."""
    tag = "-".join([model, target, cc] + [f.strip("-") for f in flags] + list(make_args))
    out = os.path.join(work, tag)
    shutil.rmtree(out, ignore_errors=True)
    run([EFFCC, "compile", SPEC, "--preset", model, "--weights", weights, "--target", target,
         "--name", "model", "-o", out] + list(flags))
    run(["make", "-s", "-C", out, f"CC={cc}"] + list(make_args))
    return os.path.join(out, "model")


def effcc_configs(work, model, weights, targets, threads, runs):
    configs = []
    for target in targets:
        for t in threads:
            make_args = ["OPENMP=1"] if t > 1 else []
            prog = build_effcc(work, model, weights, target, make_args=make_args)
            env = {"OMP_NUM_THREADS": str(t)} if t > 1 else {}
            configs.append(Config(model, f"effcc {target}", t, [prog, "--bench", str(runs)], env))
    return configs


def check_peer(model, peer, cmd):
    """Runs the peer once on the oracle's image; returns None when it matches
    the oracle's logits, else why it cannot be timed."""
    if not os.path.exists(cmd[0]):
        return f"{cmd[0]} missing (bench/venv.sh could not install it)"
    p = subprocess.run(cmd, env=dict(os.environ, OMP_NUM_THREADS="1"), capture_output=True, text=True)
    line = next((x for x in p.stdout.splitlines() if x.startswith("check ")), "")
    if line:
        print(f"bench: {model} {peer}: {line}")
    return None if p.returncode == 0 else f"peer.py failed:\n{p.stdout}{p.stderr}"


def peer_configs(work, model, weights, peers, threads, runs, explicit):
    onnx = os.path.join(work, f"{model}.onnx")
    common = ["--weights", weights, "--spec", SPEC, "--preset", model, "--onnx", onnx]
    if any(p in OWN_VENV for p in peers) and not os.path.exists(onnx):
        run([VENV_PY, PEER_PY, "onnx"] + common)
    configs = []
    for peer in peers:
        py = os.path.join(ROOT, OWN_VENV[peer], "bin", "python") if peer in OWN_VENV else VENV_PY
        why = check_peer(model, peer, [py, PEER_PY, peer] + common
                         + ["--runs", "0", "--check", os.path.dirname(weights)])
        if why and explicit:
            sys.exit(f"bench: peer {peer}: {why}")
        if why:
            print(f"bench: leaving out peer {peer}: {why}", file=sys.stderr)
            continue
        for t in threads:
            cmd = [py, PEER_PY, peer] + common + ["--threads", str(t), "--runs", str(runs)]
            # pitfall 5: PyTorch's OpenMP workers spin against XNNPACK; each peer
            # runs in its own process, with the thread count it is told
            configs.append(Config(model, LABELS.get(peer, peer), t, cmd, {"OMP_NUM_THREADS": str(t)}))
    return configs


def measure_peak():
    exe = os.path.join(ROOT, "build", "peak")
    run(["cc", "-O2", "-march=native", "-ffp-contract=fast", os.path.join(ROOT, "bench", "peak.c"),
         "-o", exe])
    return max(float(re.search(r"peak_gflops=([0-9.]+)", run([exe])).group(1)) for _ in range(3))


def interleave(configs, rounds):
    """Every round runs every configuration once, starting one further along
    the list each round, so none always follows the same neighbour."""
    for r in range(rounds):
        for i in range(len(configs)):
            configs[(i + r) % len(configs)].measure()
        print(f"bench: round {r + 1}/{rounds} done", file=sys.stderr)


def print_table(configs, infos, peak):
    print(f"\nmedian latency over rounds; single-core FMA peak measured here: {peak:.1f} GFLOP/s\n")
    print("| model | runtime | threads | median ms | vs effcc | paired | GFLOP/s | % of 1-core peak |")
    print("|---|---|---|---|---|---|---|---|")
    for c in configs:
        best = min((x for x in configs
                    if x.model == c.model and x.threads == c.threads and x.name.startswith("effcc")),
                   key=lambda x: x.latency)
        # paired: the median over rounds of this round's ratio, which a
        # machine that drifts between rounds moves less than the medians
        paired = statistics.median(a / b for a, b in zip(c.medians, best.medians))
        gflops = 2 * infos[c.model]["macs"] / (c.latency * 1e6)
        print(f"| {c.model} | {c.name} | {c.threads} | {c.latency:.2f} | {c.latency / best.latency:.2f}x "
              f"| {paired:.2f}x | {gflops:.1f} | {100 * gflops / peak:.0f}% |")


def profile(work, model, weights, target):
    out = os.path.join(work, "profile")
    shutil.rmtree(out, ignore_errors=True)
    run([EFFCC, "compile", SPEC, "--preset", model, "--weights", weights, "--target", target,
         "--name", "model", "-o", out])
    run(["make", "-s", "-C", out, "PROFILE=1"])
    print(run([os.path.join(out, "model"), "--bench", "50"]))


def compare(work, model, weights, target, rounds, runs):
    configs = []
    for cc, flags in [("gcc", []), ("clang", []), ("gcc", ["--no-fuse"]), ("gcc", ["--no-tile"]),
                      ("gcc", ["--no-fuse", "--no-tile"])]:
        prog = build_effcc(work, model, weights, target, cc=cc, flags=flags)
        name = f"effcc {target} {cc} {' '.join(flags)}".strip()
        configs.append(Config(model, name, 1, [prog, "--bench", str(runs)]))
    interleave(configs, rounds)
    base = configs[0].latency
    print("\n| build | median ms | vs gcc with every pass |")
    print("|---|---|---|")
    for c in configs:
        print(f"| {c.name} | {c.latency:.2f} | {c.latency / base:.2f}x |")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--models", default="b0")
    ap.add_argument("--targets", default="host")
    ap.add_argument("--peers", help=f"default {DEFAULT_PEERS}, leaving out any that cannot run")
    ap.add_argument("--threads", default="1,2")
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--runs", type=int, default=30)
    ap.add_argument("--work", default=os.path.join(ROOT, "build", "bench"))
    ap.add_argument("--profile", action="store_true")
    ap.add_argument("--compare", action="store_true")
    args = ap.parse_args()
    os.makedirs(args.work, exist_ok=True)
    targets = [t for t in args.targets.split(",") if t]
    host = run([EFFCC, "info", SPEC, "--target", "host", "--json"])  # validates the binary
    del host

    if args.profile or args.compare:
        model = args.models.split(",")[0]
        weights = prepare_weights(args.work, model)
        if args.profile:
            profile(args.work, model, weights, targets[0])
        if args.compare:
            compare(args.work, model, weights, targets[0], args.rounds, args.runs)
        return

    threads = [int(t) for t in args.threads.split(",")]
    peak = measure_peak()
    configs, infos = [], {}
    for model in args.models.split(","):
        infos[model] = model_info(model)
        weights = prepare_weights(args.work, model)
        configs += effcc_configs(args.work, model, weights, targets, threads, args.runs)
        peers = [p for p in (args.peers or DEFAULT_PEERS).split(",") if p]
        configs += peer_configs(args.work, model, weights, peers, threads, args.runs,
                                args.peers is not None)
    interleave(configs, args.rounds)
    print_table(configs, infos, peak)


if __name__ == "__main__":
    main()
