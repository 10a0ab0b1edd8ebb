"""Corpus-scale benchmark (1x, 10x, 100x): see assistant/scale_bench.py.

    .venv/bin/python benchmarks/scale.py [--factors 1 10 100] [--keep DIR]
"""
from __future__ import annotations

import os
import sys
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from assistant.scale_bench import main  # noqa: E402

if __name__ == "__main__":
    sys.exit(main())
