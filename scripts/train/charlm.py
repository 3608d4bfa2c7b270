"""Shared pieces of the character-level language model training scripts.

Corpus preparation (Debian `fortunes` / `fortunes-min` data files), the model
(Embedding -> LSTM or GRU -> Linear, PyTorch parameter names), a minimal
safetensors reader/writer (float16 on disk) and the config JSON written next to
the weights. Used by char_lstm.py, char_gru.py and make_reference.py; run those
from the repository root with /usr/bin/python3 (Debian python3-torch).
"""

import json
import os
import random
import re
import struct
import unicodedata

import numpy as np
import torch
import torch.nn as nn

FORMAT = "rnn-wasm/char-model@1"

# Where Debian installs the fortune data files (packages `fortunes`, `fortunes-min`).
FORTUNE_DIR = os.path.join(os.sep, "usr", "share", "games", "fortunes")

# Files used for training, all from the inoffensive sets of `fortunes` and
# `fortunes-min` (the `fortunes-off` package is not used). Left out on purpose:
#   ascii-art     pictures, not prose
#   translate-me  non-English
#   songs-poems   mostly song lyrics and poems quoted from third-party works
#   startrek      quotations from TV scripts
#   zippy         quotations from a comic strip
#   pratchett     quotations from novels
#   ethnic, men-women  humour built on group stereotypes; unsuitable for a
#                 default demo model even if not classed as offensive by Debian
CORPUS_FILES = [
    "art", "computers", "cookie", "debian", "definitions", "disclaimer",
    "drugs", "education", "food", "fortunes", "goedel", "humorists", "kids",
    "knghtbrd", "law", "linux", "linuxcookie", "literature", "love", "magic",
    "medicine", "miscellaneous", "news", "paradoxum", "people", "perl",
    "pets", "platitudes", "politics", "riddles", "science", "sports", "tao",
    "wisdom", "work",
]
EXCLUDED_FILES = ["ascii-art", "translate-me", "songs-poems", "startrek",
                  "zippy", "pratchett", "ethnic", "men-women"]

# Vocabulary: newline, then printable ASCII 0x20..0x7E, in that id order.
VOCAB = "\n" + "".join(chr(c) for c in range(0x20, 0x7F))
CHAR_TO_ID = {c: i for i, c in enumerate(VOCAB)}

# Each fortune is stored in the stream as "%\n" + text + "\n"; generation is
# primed with BOS and stops at STOP (the start of the next delimiter).
BOS = "%\n"
MAX_SPACES = 8
STOP = "\n%"

_PUNCT = {
    "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'",
    "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u00ab": '"', "\u00bb": '"',
    "\u2013": "-", "\u2014": "--", "\u2212": "-", "\u2026": "...",
    "\u00a0": " ", "\u00b4": "'", "\u00a2": "c", "\u00d7": "x",
}


def _fix_mojibake(text):
    """Repair UTF-8 text that was decoded as Latin-1/cp1252 once too often."""
    if not re.search("[\u00c2\u00c3\u00e2][\u0080-\u00bf\u2018-\u203a\u0152-\u0178]", text):
        return text
    for enc in ("cp1252", "latin-1"):
        try:
            return text.encode(enc).decode("utf-8")
        except (UnicodeEncodeError, UnicodeDecodeError):
            continue
    return text


def clean_text(text):
    """Map a fortune to the model's alphabet (printable ASCII + newline)."""
    text = _fix_mojibake(text)
    # Overstrike (bold "X\bX", underline "_\bX"): keep the last character.
    while "\b" in text:
        new = re.sub("[^\b\n]\b", "", text)
        new = new.replace("\b", "") if new == text else new
        text = new
    text = text.expandtabs(4)
    out = []
    for ch in text:
        if ch in CHAR_TO_ID:
            out.append(ch)
        elif ch in _PUNCT:
            out.append(_PUNCT[ch])
        else:
            # Strip accents (e -> e); anything still outside the alphabet goes.
            for d in unicodedata.normalize("NFKD", ch):
                if d in CHAR_TO_ID:
                    out.append(d)
    text = "".join(out)
    lines = [line.rstrip() for line in text.split("\n")]
    text = "\n".join(lines).strip("\n")
    # Cap runs of spaces at MAX_SPACES. Longer runs are rare (centred or
    # right-aligned layout). A model trained on them, sampled at a low
    # temperature, tended to get stuck emitting spaces forever.
    return re.sub(" {%d,}" % (MAX_SPACES + 1), " " * MAX_SPACES, text)


def read_fortunes(fortune_dir=FORTUNE_DIR, files=CORPUS_FILES):
    """Return (list of cleaned, de-duplicated fortunes, per-file stats)."""
    seen = set()
    fortunes = []
    stats = []
    for name in files:
        path = os.path.join(fortune_dir, name)
        with open(path, encoding="utf-8", errors="replace") as fh:
            raw = fh.read()
        raw_chars = len(raw)
        kept = 0
        for block in re.split(r"(?m)^%\n", raw + ("\n" if not raw.endswith("\n") else "")):
            text = clean_text(block)
            if not text.strip() or text in seen:
                continue
            seen.add(text)
            fortunes.append(text)
            kept += 1
        stats.append({"file": name, "bytes": raw_chars, "fortunes": kept})
    return fortunes, stats


def split_fortunes(fortunes, seed, val_fraction=0.05):
    """Seeded shuffle; hold out whole fortunes until ~val_fraction of chars."""
    order = list(range(len(fortunes)))
    random.Random(seed).shuffle(order)
    total = sum(len(f) + len(BOS) + 1 for f in fortunes)
    val, train, acc = [], [], 0
    for i in order:
        if acc < val_fraction * total:
            val.append(fortunes[i])
            acc += len(fortunes[i]) + len(BOS) + 1
        else:
            train.append(fortunes[i])
    return train, val


def encode(text):
    return [CHAR_TO_ID[c] for c in text]


def decode(ids):
    return "".join(VOCAB[i] for i in ids)


class CharRNN(nn.Module):
    """Embedding(V, E) -> LSTM/GRU(E, H, num_layers) -> Linear(H, V)."""

    def __init__(self, arch="lstm", vocab_size=len(VOCAB), emb=64, hidden=256, layers=2, dropout=0.0):
        super().__init__()
        self.arch = arch
        self.embedding = nn.Embedding(vocab_size, emb)
        rnn_cls = {"lstm": nn.LSTM, "gru": nn.GRU}[arch]
        rnn = rnn_cls(emb, hidden, num_layers=layers, batch_first=True, dropout=dropout)
        # Registered under the architecture's name: "lstm.weight_ih_l0", "gru....".
        setattr(self, arch, rnn)
        self.fc = nn.Linear(hidden, vocab_size)

    @property
    def rnn(self):
        return getattr(self, self.arch)

    def forward(self, x, state=None):
        y, state = self.rnn(self.embedding(x), state)
        return self.fc(y), state


def count_params(model):
    return sum(p.numel() for p in model.parameters())


def model_config(arch, emb, hidden, layers, training=None):
    v = len(VOCAB)
    cfg = {
        "format": FORMAT,
        "vocab": VOCAB,
        "layers": [
            {"type": "embedding", "name": "embedding", "vocabSize": v, "dim": emb},
            {"type": arch, "name": arch, "inputSize": emb, "hiddenSize": hidden, "numLayers": layers},
            {"type": "linear", "name": "fc", "inputSize": hidden, "outputSize": v},
        ],
        "bos": BOS,
        "stop": STOP,
        "weights": {"file": "char-%s.safetensors" % arch, "dtype": "F16"},
    }
    if training is not None:
        cfg["training"] = training
    return cfg


# --- safetensors ---------------------------------------------------------

_DTYPES = {"F16": np.float16, "F32": np.float32}


def save_safetensors(path, tensors, metadata, dtype="F16"):
    """Write an ordered {name: tensor} dict as a standard safetensors file.

    Layout: u64 little-endian header length, JSON header (space-padded to a
    multiple of 8), then the raw little-endian row-major tensor bytes in the
    header's order with no gaps.
    """
    np_dtype = np.dtype(_DTYPES[dtype]).newbyteorder("<")
    header = {"__metadata__": {str(k): str(v) for k, v in metadata.items()}}
    blobs = []
    offset = 0
    for name, t in tensors.items():
        arr = np.ascontiguousarray(t.detach().cpu().numpy().astype(np_dtype))
        data = arr.tobytes()
        header[name] = {"dtype": dtype, "shape": list(arr.shape),
                        "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    hjson = json.dumps(header, separators=(",", ":"), ensure_ascii=True).encode("utf-8")
    hjson += b" " * (-len(hjson) % 8)
    with open(path, "wb") as fh:
        fh.write(struct.pack("<Q", len(hjson)))
        fh.write(hjson)
        for data in blobs:
            fh.write(data)


def load_safetensors(path):
    """Return ({name: float32 torch tensor}, metadata) from a safetensors file."""
    with open(path, "rb") as fh:
        buf = fh.read()
    (n,) = struct.unpack("<Q", buf[:8])
    header = json.loads(buf[8:8 + n].decode("utf-8"))
    metadata = header.pop("__metadata__", {})
    base = 8 + n
    tensors = {}
    for name, info in header.items():
        start, end = info["data_offsets"]
        dt = np.dtype(_DTYPES[info["dtype"]]).newbyteorder("<")
        arr = np.frombuffer(buf[base + start:base + end], dtype=dt).reshape(info["shape"])
        tensors[name] = torch.from_numpy(arr.astype(np.float32))
    return tensors, metadata


def load_model(safetensors_path):
    """Build a float32 CharRNN from a shipped (float16) safetensors file."""
    tensors, metadata = load_safetensors(safetensors_path)
    cfg = json.loads(metadata["config"])
    rnn_layer = cfg["layers"][1]
    model = CharRNN(arch=rnn_layer["type"], vocab_size=len(cfg["vocab"]),
                    emb=cfg["layers"][0]["dim"], hidden=rnn_layer["hiddenSize"],
                    layers=rnn_layer["numLayers"])
    model.load_state_dict(tensors, strict=True)
    model.eval()
    return model, cfg
