"""Two questions about a message, answered by logistic regressions on its embedding.

- **smalltalk**: does it read like small talk? The cue lists (prompts/routing.yaml) catch the
  greetings and thanks they list. Users write many more ("Can you talk a bit slower? I'm not a
  native speaker.", "malm, msh bisa ditanya2 gk"), and blind rounds showed the lists never catch up.
- **offtopic**: does it read like the questions the sources don't answer ("prospek kerja jurusan
  hubungan internasional gimana", "Stalingrad sekarang namanya apa?"), however many of the
  domain's words it uses?

Both are fitted on the dev split of eval/bank with `assistant calibrate --messages`: small-talk
items and turns against every other dev message; off-topic questions and refused turns against
in-scope questions and turns. Weights are per embedder, in prompts/message_models.json; an
embedder without weights has no model, and the rules alone decide.
"""
from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .errors import ConfigError

MODELS_FILE = "message_models.json"
MODEL_NAMES = ("smalltalk", "offtopic")
L2 = 0.01  # dev: 0.01 to 0.1 gave the same recall on an unseen round; 0.01 the fewest false positives
EPOCHS = 3000
LEARNING_RATE = 0.1


@dataclass(frozen=True)
class MessageModel:
    weights: np.ndarray  # on the raw embedding (the standardisation is folded in)
    bias: float
    threshold: float

    def probability(self, vector: "list[float] | np.ndarray") -> float:
        z = float(np.dot(self.weights, np.asarray(vector, dtype=np.float64))) + self.bias
        return 1.0 / (1.0 + math.exp(-max(min(z, 30.0), -30.0)))

    def says_yes(self, vector: "list[float] | np.ndarray") -> bool:
        return self.probability(vector) >= self.threshold


def load_models(prompts_dir: Path, embedder: str) -> dict[str, MessageModel]:
    """This embedder's models by name ({} when prompts/message_models.json has none for it)."""
    path = Path(prompts_dir) / MODELS_FILE
    if not path.exists():
        return {}
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ConfigError(f"{MODELS_FILE}: tidak bisa dibaca ({exc}).") from exc
    entries = raw.get(embedder) if isinstance(raw, dict) else None
    if not isinstance(entries, dict):
        return {}
    models = {}
    for name, entry in entries.items():
        if name not in MODEL_NAMES:
            raise ConfigError(f"{MODELS_FILE}: model '{name}' tidak dikenal (harus salah satu dari {MODEL_NAMES}).")
        try:
            weights = np.asarray(entry["weights"], dtype=np.float64)
            bias, threshold = float(entry["bias"]), float(entry["threshold"])
        except (KeyError, TypeError, ValueError) as exc:
            raise ConfigError(f"{MODELS_FILE}: {embedder}.{name} harus punya weights, bias, threshold.") from exc
        if weights.ndim != 1 or not weights.size or not 0.0 < threshold < 1.0:
            raise ConfigError(f"{MODELS_FILE}: {embedder}.{name}: weights kosong atau threshold di luar (0, 1).")
        models[name] = MessageModel(weights, bias, threshold)
    return models


def fit(vectors: np.ndarray, labels: np.ndarray, threshold: float) -> MessageModel:
    """Class-balanced logistic regression on standardised embeddings (plain gradient descent, so
    the result is the same on every machine)."""
    if len(set(labels.tolist())) < 2:
        raise ConfigError("Model pesan butuh contoh kedua kelas di split dev.")
    mean, spread = vectors.mean(axis=0), vectors.std(axis=0) + 1e-6
    z = (vectors - mean) / spread
    y = labels.astype(np.float64)
    positive = y.mean()
    sample_weight = np.where(y == 1, 0.5 / positive, 0.5 / (1 - positive))
    w, b = np.zeros(z.shape[1]), 0.0
    for _ in range(EPOCHS):
        p = 1.0 / (1.0 + np.exp(-np.clip(z @ w + b, -30, 30)))
        gradient = (p - y) * sample_weight
        w -= LEARNING_RATE * (z.T @ gradient / len(y) + L2 * w)
        b -= LEARNING_RATE * gradient.mean()
    # Fold the standardisation in: w·(x-mean)/spread + b = (w/spread)·x + (b - w·mean/spread).
    raw_weights = w / spread
    return MessageModel(raw_weights, float(b - raw_weights @ mean), threshold)


def write_models(prompts_dir: Path, embedder: str, models: dict[str, MessageModel]) -> Path:
    """Replace this embedder's entry in prompts/message_models.json (one line per model)."""
    path = Path(prompts_dir) / MODELS_FILE
    entries = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    entries[embedder] = {name: {"threshold": m.threshold, "bias": round(m.bias, 6),
                                "weights": [round(float(w), 6) for w in m.weights]}
                         for name, m in models.items()}
    lines = []
    for name, by_model in sorted(entries.items()):
        inner = ",\n".join(f"    {json.dumps(k)}: {json.dumps(v)}" for k, v in by_model.items())
        lines.append(f"  {json.dumps(name)}: {{\n{inner}\n  }}")
    path.write_text("{\n" + ",\n".join(lines) + "\n}\n", encoding="utf-8")
    return path
