"""Train the embedded default character-level language model (2-layer LSTM).

    /usr/bin/python3 scripts/train/char_lstm.py            # LSTM (default)
    /usr/bin/python3 scripts/train/char_lstm.py --arch gru # GRU twin

Run from the repository root. Reads the Debian fortune files (see charlm.py for
the file list), holds out ~5% of the fortunes for validation, trains
Embedding(96, 64) -> LSTM(64, 256, num_layers=2) -> Linear(256, 96) with Adam,
gradient clipping and truncated BPTT windows, and writes
models/char-<arch>.safetensors (float16) and models/char-<arch>.json.

Training is seeded and single-process; with the same PyTorch build and thread
count it produces the same weights. A log line goes to stdout every
--log-every steps.
"""

import argparse
import glob
import json
import math
import os
import random
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import charlm  # noqa: E402


def parse_args(argv=None, default_arch="lstm"):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--arch", choices=["lstm", "gru"], default=default_arch)
    p.add_argument("--emb", type=int, default=64)
    p.add_argument("--hidden", type=int, default=256)
    p.add_argument("--layers", type=int, default=2)
    p.add_argument("--dropout", type=float, default=0.0)
    p.add_argument("--seq", type=int, default=128, help="BPTT window length (targets per window)")
    p.add_argument("--batch", type=int, default=64)
    p.add_argument("--epochs", type=float, default=7.0,
                   help="passes over the training characters (windows of --seq per pass)")
    p.add_argument("--lr", type=float, default=3e-3)
    p.add_argument("--min-lr", type=float, default=1e-4)
    p.add_argument("--warmup", type=int, default=100, help="linear warm-up steps")
    p.add_argument("--clip", type=float, default=1.0, help="gradient norm clip")
    p.add_argument("--aligned", type=float, default=0.5,
                   help="fraction of windows that start at a fortune's '%%\\n' (the rest start anywhere)")
    p.add_argument("--seed", type=int, default=20240901)
    p.add_argument("--threads", type=int, default=1,
                   help="torch/BLAS threads (1 is fastest on a busy 2-core machine, see README)")
    p.add_argument("--no-openblas", action="store_true",
                   help="do not re-run under Debian's OpenBLAS when it is installed")
    p.add_argument("--skip-train-eval", action="store_true", help="skip the final full train-set loss")
    p.add_argument("--val-fraction", type=float, default=0.05)
    p.add_argument("--eval-every", type=int, default=250)
    p.add_argument("--log-every", type=int, default=50)
    p.add_argument("--max-steps", type=int, default=0, help="stop early (benchmarking); 0 = no limit")
    p.add_argument("--out-dir", default="models")
    p.add_argument("--no-save", action="store_true")
    return p.parse_args(argv)


def build_stream(fortunes):
    """Concatenate fortunes as '%\\n' + text + '\\n'; return ids and fortune start offsets."""
    ids, starts = [], []
    for f in fortunes:
        starts.append(len(ids))
        ids.extend(charlm.encode(charlm.BOS + f + "\n"))
    return np.asarray(ids, dtype=np.int64), np.asarray(starts, dtype=np.int64)


def sample_batch(rng, stream, starts, batch, seq, aligned):
    """Windows of seq+1 ids; a fraction start at fortune boundaries, the rest anywhere."""
    hi = len(stream) - seq - 1
    out = np.empty((batch, seq + 1), dtype=np.int64)
    for b in range(batch):
        if rng.random() < aligned:
            s = int(starts[rng.randrange(len(starts))])
            s = min(s, hi)
        else:
            s = rng.randrange(hi + 1)
        out[b] = stream[s:s + seq + 1]
    t = torch.from_numpy(out)
    return t[:, :-1], t[:, 1:]


@torch.no_grad()
def evaluate(model, fortunes, batch=64):
    """Mean loss (nats/char) of whole fortunes, each scored from a zero state.

    Input '%\\n' + text + '\\n', targets text + '\\n%' : the cost of generating
    the fortune after the BOS prime, including knowing where it stops.
    """
    model.eval()
    order = sorted(range(len(fortunes)), key=lambda i: len(fortunes[i]))
    total, count = 0.0, 0
    for k in range(0, len(order), batch):
        group = [charlm.encode(charlm.BOS + fortunes[i] + charlm.STOP) for i in order[k:k + batch]]
        width = max(len(g) for g in group) - 1
        x = torch.zeros((len(group), width), dtype=torch.long)
        y = torch.full((len(group), width), -100, dtype=torch.long)
        for r, g in enumerate(group):
            x[r, :len(g) - 1] = torch.tensor(g[:-1])
            y[r, 1:len(g) - 1] = torch.tensor(g[2:])  # first target ('\n' of the prime) is not scored
        logits, _ = model(x)
        loss = F.cross_entropy(logits.reshape(-1, logits.shape[-1]), y.reshape(-1),
                               ignore_index=-100, reduction="sum")
        total += loss.item()
        count += int((y != -100).sum())
    model.train()
    return total / count


def lr_at(step, total, args):
    if step < args.warmup:
        return args.lr * (step + 1) / args.warmup
    t = (step - args.warmup) / max(1, total - args.warmup)
    return args.min_lr + 0.5 * (args.lr - args.min_lr) * (1 + math.cos(math.pi * min(1.0, t)))


@torch.no_grad()
def sample_text(model, prime, n, temperature, gen):
    model.eval()
    x = torch.tensor([charlm.encode(prime)])
    logits, state = model(x)
    out = []
    for _ in range(n):
        p = torch.softmax(logits[0, -1] / temperature, dim=-1)
        i = int(torch.multinomial(p, 1, generator=gen))
        out.append(i)
        logits, state = model(torch.tensor([[i]]), state)
    model.train()
    return charlm.decode(out)


def ensure_fast_blas(args):
    """Re-execute under OpenBLAS if Debian's libopenblas0-* is installed.

    Debian's python3-torch calls the system libblas.so.3, which defaults to the
    reference (netlib) BLAS: training is ~15x slower with it. Installing
    libopenblas0-openmp (or -pthread) and putting its directory first on
    LD_LIBRARY_PATH switches this one process to OpenBLAS without changing the
    system-wide BLAS alternative.
    """
    if args.no_openblas or os.environ.get("CHARLM_BLAS_CHECKED"):
        return
    env = dict(os.environ, CHARLM_BLAS_CHECKED="1",
               OMP_NUM_THREADS=str(args.threads), OPENBLAS_NUM_THREADS=str(args.threads))
    libdir = os.path.join(os.sep, "usr", "lib")
    found = sorted(glob.glob(os.path.join(libdir, "*", "openblas-*", "libblas.so.3")))
    if found:
        blas_dir = os.path.dirname(found[0])
        env["LD_LIBRARY_PATH"] = blas_dir + (os.pathsep + env["LD_LIBRARY_PATH"] if env.get("LD_LIBRARY_PATH") else "")
        print("using OpenBLAS from %s" % blas_dir, flush=True)
    else:
        print("OpenBLAS not found; using the default BLAS (slow)", flush=True)
    os.execve(sys.executable, [sys.executable] + sys.argv, env)


def main(argv=None, default_arch="lstm"):
    args = parse_args(argv, default_arch)
    ensure_fast_blas(args)
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    torch.use_deterministic_algorithms(True)
    rng = random.Random(args.seed)

    fortunes, file_stats = charlm.read_fortunes()
    train_f, val_f = charlm.split_fortunes(fortunes, args.seed, args.val_fraction)
    stream, starts = build_stream(train_f)
    val_chars = sum(len(f) + 2 for f in val_f)
    print("corpus: %d files, %d fortunes, %d chars (train stream %d chars / %d fortunes, "
          "val %d fortunes / %d scored chars), vocab %d"
          % (len(file_stats), len(fortunes), sum(len(f) for f in fortunes), len(stream),
             len(train_f), len(val_f), val_chars, len(charlm.VOCAB)), flush=True)

    model = charlm.CharRNN(args.arch, len(charlm.VOCAB), args.emb, args.hidden, args.layers, args.dropout)
    n_params = charlm.count_params(model)
    print("model: %s, %d parameters" % (args.arch, n_params), flush=True)
    opt = torch.optim.Adam(model.parameters(), lr=args.lr)

    steps_per_epoch = len(stream) // (args.batch * args.seq)
    total_steps = int(round(args.epochs * steps_per_epoch))
    if args.max_steps:
        total_steps = min(total_steps, args.max_steps)
    print("steps: %d (%d per epoch of %d windows x %d chars)"
          % (total_steps, steps_per_epoch, args.batch, args.seq), flush=True)

    history = []
    t0 = time.time()
    run_loss, run_n = 0.0, 0
    for step in range(total_steps):
        lr = lr_at(step, total_steps, args)
        for g in opt.param_groups:
            g["lr"] = lr
        x, y = sample_batch(rng, stream, starts, args.batch, args.seq, args.aligned)
        logits, _ = model(x)
        loss = F.cross_entropy(logits.reshape(-1, logits.shape[-1]), y.reshape(-1))
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), args.clip)
        opt.step()
        run_loss += loss.item()
        run_n += 1
        if (step + 1) % args.log_every == 0:
            el = time.time() - t0
            print("step %6d/%d  epoch %.2f  lr %.2e  train(window) %.4f  %.0f chars/s  %.1f min"
                  % (step + 1, total_steps, (step + 1) / steps_per_epoch, lr, run_loss / run_n,
                     (step + 1) * args.batch * args.seq / el, el / 60), flush=True)
            run_loss, run_n = 0.0, 0
        if (step + 1) % args.eval_every == 0 or step + 1 == total_steps:
            te = time.time()
            v = evaluate(model, val_f)
            history.append({"step": step + 1, "val_loss": round(v, 4)})
            print("  eval step %d: val %.4f nats/char (ppl %.3f, %.3f bits/char)  [%.0fs]"
                  % (step + 1, v, math.exp(v), v / math.log(2), time.time() - te), flush=True)
    train_seconds = time.time() - t0

    # Final numbers, measured on the float16-rounded weights that are shipped.
    with torch.no_grad():
        for p in model.parameters():
            p.copy_(p.half().float())
    te = time.time()
    val_loss = evaluate(model, val_f)
    train_loss = float("nan") if args.skip_train_eval else evaluate(model, train_f)
    print("final (float16 weights): train %.4f nats/char (ppl %.3f), val %.4f nats/char (ppl %.3f)  [%.0fs]"
          % (train_loss, math.exp(train_loss), val_loss, math.exp(val_loss), time.time() - te), flush=True)
    print("training time: %.1f s (%.1f min) for %d steps" % (train_seconds, train_seconds / 60, total_steps))

    gen = torch.Generator().manual_seed(args.seed)
    for t in (0.5, 0.8, 1.0):
        print("--- sample T=%.1f ---\n%s%s" % (t, charlm.BOS, sample_text(model, charlm.BOS, 300, t, gen)), flush=True)

    if args.no_save:
        return
    training = {
        "script": "scripts/train/char_%s.py" % args.arch if args.arch == "lstm" else "scripts/train/char_gru.py",
        "corpus": "Debian packages fortunes + fortunes-min (inoffensive sets), %d files, "
                  "%d de-duplicated fortunes, %d chars" % (len(file_stats), len(fortunes),
                                                          sum(len(f) for f in fortunes)),
        "corpusFiles": [s["file"] for s in file_stats],
        "trainChars": int(len(stream)),
        "valFortunes": len(val_f),
        "valScoredChars": val_chars,
        "seed": args.seed,
        "steps": total_steps,
        "epochs": round(total_steps / steps_per_epoch, 3),
        "batch": args.batch,
        "seq": args.seq,
        "optimizer": "Adam lr %g (warm-up %d, cosine to %g), clip %g" % (args.lr, args.warmup, args.min_lr, args.clip),
        "threads": args.threads,
        "torch": torch.__version__,
        "trainSeconds": round(train_seconds, 1),
        "trainLoss": round(train_loss, 4),
        "valLoss": round(val_loss, 4),
        "valPerplexity": round(math.exp(val_loss), 3),
        "lossUnit": "nats/char, whole fortunes scored from a zero state after the '%\\n' prime",
        "parameters": n_params,
        "valHistory": history,
    }
    cfg = charlm.model_config(args.arch, args.emb, args.hidden, args.layers, training)
    os.makedirs(args.out_dir, exist_ok=True)
    st_path = os.path.join(args.out_dir, "char-%s.safetensors" % args.arch)
    meta_cfg = dict(cfg)
    meta_cfg["training"] = {k: v for k, v in training.items() if k not in ("valHistory", "corpusFiles")}
    charlm.save_safetensors(st_path, model.state_dict(),
                            {"format": charlm.FORMAT, "config": json.dumps(meta_cfg, separators=(",", ":"))})
    with open(os.path.join(args.out_dir, "char-%s.json" % args.arch), "w") as fh:
        json.dump(cfg, fh, indent=2)
        fh.write("\n")
    print("wrote %s (%d bytes) and char-%s.json" % (st_path, os.path.getsize(st_path), args.arch))


if __name__ == "__main__":
    main()
