"""Reference outputs of a shipped character model, computed with PyTorch.

    /usr/bin/python3 scripts/train/make_reference.py                    # LSTM
    /usr/bin/python3 scripts/train/make_reference.py --arch gru         # GRU twin

Run from the repository root. Loads models/char-<arch>.safetensors (float16),
upcasts it to float32 exactly as the runtime does, and writes
models/char-<arch>.reference.json with, for a few fixed prompts fed from a zero
state:

  logProbs   log-softmax of the next-character distribution after each of the
             first --steps prompt characters (row i: after prompt[0..i]),
  argmax     the most likely next character id at each of those steps,
  state      h (and c for LSTM) of every layer after the whole prompt,
  greedy     --greedy characters of greedy (argmax) continuation after the
             prompt, with the smallest top-1/top-2 log-probability margin seen
             (a runtime may only diverge where that margin is ~0).

Values are float32 results printed with 9 significant digits. The same
numbers are recomputed in float64 and the largest absolute difference is
stored as a hint for test tolerances. Deterministic; no training involved.
"""

import argparse
import hashlib
import json
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import charlm  # noqa: E402

PROMPTS = [
    "%\nA computer program",
    "%\nQ: How many programmers does it take",
    "The meaning of life is ",
]


def f32(x):
    return float("%.9g" % x)


def run_prompt(model, prompt, steps, greedy_len):
    ids = charlm.encode(prompt)
    x = torch.tensor([ids])
    logits, state = model(x)
    logp = torch.log_softmax(logits[0], dim=-1)
    out = {"logp": logp[:steps], "state": state}
    last = logits[:, -1:]
    gen, margins = [], []
    for _ in range(greedy_len):
        lp = torch.log_softmax(last[0, -1], dim=-1)
        top = torch.topk(lp, 2)
        i = int(top.indices[0])
        margins.append(float(top.values[0] - top.values[1]))
        gen.append(i)
        last, state = model(torch.tensor([[i]]), state)
    out["greedy"] = gen
    out["margins"] = margins
    return out


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--arch", choices=["lstm", "gru"], default="lstm")
    p.add_argument("--models-dir", default="models")
    p.add_argument("--steps", type=int, default=20)
    p.add_argument("--greedy", type=int, default=50)
    args = p.parse_args()
    torch.set_num_threads(1)

    st_name = "char-%s.safetensors" % args.arch
    st_path = os.path.join(args.models_dir, st_name)
    with open(st_path, "rb") as fh:
        sha = hashlib.sha256(fh.read()).hexdigest()
    model, cfg = charlm.load_model(st_path)
    model64, _ = charlm.load_model(st_path)
    model64.double()

    cases = []
    max_diff = 0.0
    with torch.no_grad():
        for prompt in PROMPTS:
            r = run_prompt(model, prompt, args.steps, args.greedy)
            r64 = run_prompt(model64, prompt, args.steps, 0)
            max_diff = max(max_diff, float((r["logp"].double() - r64["logp"]).abs().max()))
            state = r["state"] if isinstance(r["state"], tuple) else (r["state"],)
            names = ["h", "c"][:len(state)]
            case = {
                "prompt": prompt,
                "promptIds": charlm.encode(prompt),
                "logProbs": [[f32(v) for v in row] for row in r["logp"].tolist()],
                "argmax": [int(i) for i in r["logp"].argmax(dim=-1).tolist()],
                "state": {n: [[f32(v) for v in layer] for layer in s[:, 0].tolist()]
                          for n, s in zip(names, state)},
                "greedy": {
                    "ids": r["greedy"],
                    "text": charlm.decode(r["greedy"]),
                    "minMargin": f32(min(r["margins"])) if r["margins"] else None,
                },
            }
            cases.append(case)
            print("%r -> %r (min margin %.4g)" % (prompt, case["greedy"]["text"], case["greedy"]["minMargin"]))

    ref = {
        "format": "rnn-wasm/char-model-reference@1",
        "generator": "scripts/train/make_reference.py",
        "model": st_name,
        "modelSha256": sha,
        "torch": torch.__version__,
        "precision": "float32 PyTorch forward on the float16 weights upcast to float32",
        "float64MaxAbsDiff": float("%.3g" % max_diff),
        "initialState": "zeros",
        "logProbsRow": "row i is log_softmax of the logits after feeding promptIds[0..i]",
        "cases": cases,
    }
    out = os.path.join(args.models_dir, "char-%s.reference.json" % args.arch)
    with open(out, "w") as fh:
        json.dump(ref, fh, separators=(",", ":"))
        fh.write("\n")
    print("wrote %s (%d bytes); float32 vs float64 max |diff| %.3g" % (out, os.path.getsize(out), max_diff))


if __name__ == "__main__":
    main()
