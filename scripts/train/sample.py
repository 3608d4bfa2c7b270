"""Sample text from a shipped character model with PyTorch (reference sampler).

    /usr/bin/python3 scripts/train/sample.py --temperature 0.8 --seed 1
    /usr/bin/python3 scripts/train/sample.py --prompt "Q: " --top-k 20 --top-p 0.9

Run from the repository root. Loads models/char-<arch>.safetensors (float16
upcast to float32), primes it with the model's BOS string (or --prompt) from a
zero state and samples until --max-len characters or the stop string. The
same seed gives the same text (PyTorch's generator, so the runtime's own
seeded sampler will not reproduce these exact strings).
"""

import argparse
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import charlm  # noqa: E402


def filter_logits(logits, temperature, top_k, top_p):
    logits = logits / max(temperature, 1e-6)
    if top_k and top_k < logits.numel():
        kth = torch.topk(logits, top_k).values[-1]
        logits = torch.where(logits < kth, torch.full_like(logits, -float("inf")), logits)
    if top_p and top_p < 1.0:
        sorted_logits, order = torch.sort(logits, descending=True)
        probs = torch.softmax(sorted_logits, dim=-1)
        cum = torch.cumsum(probs, dim=-1)
        drop = cum - probs >= top_p  # keep the smallest prefix whose mass reaches top_p
        sorted_logits[drop] = -float("inf")
        logits = torch.full_like(logits, -float("inf")).scatter(0, order, sorted_logits)
    return logits


@torch.no_grad()
def generate(model, prompt, max_len, temperature=1.0, top_k=0, top_p=1.0, seed=0, stop=None, stream=None):
    gen = torch.Generator().manual_seed(seed)
    logits, state = model(torch.tensor([charlm.encode(prompt)]))
    last = logits[0, -1]
    out, emitted = "", 0
    for _ in range(max_len):
        probs = torch.softmax(filter_logits(last, temperature, top_k, top_p), dim=-1)
        i = int(torch.multinomial(probs, 1, generator=gen))
        out += charlm.VOCAB[i]
        if stop and out.endswith(stop):
            out = out[:-len(stop)]
            break
        # Stream everything that cannot turn out to be the start of the stop string.
        held = 0
        if stop:
            held = max((n for n in range(1, len(stop)) if out.endswith(stop[:n])), default=0)
        if stream and len(out) - held > emitted:
            stream(out[emitted:len(out) - held])
            emitted = len(out) - held
        logits, state = model(torch.tensor([[i]]), state)
        last = logits[0, -1]
    if stream and len(out) > emitted:
        stream(out[emitted:])
    return out


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--arch", choices=["lstm", "gru"], default="lstm")
    p.add_argument("--models-dir", default="models")
    p.add_argument("--prompt", default=None, help="text to prime with (default: the model's BOS)")
    p.add_argument("--temperature", type=float, default=0.8)
    p.add_argument("--top-k", type=int, default=0)
    p.add_argument("--top-p", type=float, default=1.0)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--max-len", type=int, default=400)
    p.add_argument("--stop", default=None, help="stop string (default: the model's stop, '\\n%%')")
    p.add_argument("-n", type=int, default=1, help="number of samples (seeds seed, seed+1, ...)")
    args = p.parse_args()
    torch.set_num_threads(1)
    model, cfg = charlm.load_model(os.path.join(args.models_dir, "char-%s.safetensors" % args.arch))
    prompt = cfg["bos"] if args.prompt is None else args.prompt
    stop = cfg.get("stop", charlm.STOP) if args.stop is None else args.stop
    for k in range(args.n):
        sys.stdout.write(prompt if args.prompt is not None else "")
        generate(model, prompt, args.max_len, args.temperature, args.top_k, args.top_p,
                 args.seed + k, stop, stream=lambda s: (sys.stdout.write(s), sys.stdout.flush()))
        sys.stdout.write("\n---\n" if k + 1 < args.n else "\n")


if __name__ == "__main__":
    main()
