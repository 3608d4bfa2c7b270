"""Train the GRU twin of the default character model (same data and settings).

    /usr/bin/python3 scripts/train/char_gru.py

Equivalent to `char_lstm.py --arch gru`; writes models/char-gru.safetensors
(float16) and models/char-gru.json. All options of char_lstm.py apply.
"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import char_lstm  # noqa: E402

if __name__ == "__main__":
    char_lstm.main(default_arch="gru")
