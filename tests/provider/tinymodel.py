"""A tiny random-weight llama model written as GGUF, so a real llama.cpp server runs with no download.

Four layers, 256 wide: a few hundred tokens a second on one core, so a recipe streams for about a
second (long enough for a second cook to arrive while the first is still writing). The vocabulary is byte fallback
(any text tokenizes) plus printable ASCII and a few JSON pieces. Random weights write gibberish, but
under a JSON-Schema grammar the sampled text is still a schema-valid recipe. One embedding dimension
is constant and feeds a bias into a few output logits, far above the small random rest: greedy
sampling then closes every string, number and list as soon as the grammar allows, so the answer is
short, deterministic and valid (empty strings, small numbers, one item where one is required).
"""

from __future__ import annotations

from pathlib import Path

import gguf
import numpy as np

CONTEXT = 2048
WIDTH = 256
LAYERS = 4
HEADS = 4
FEED_FORWARD = 1024

#: A minimal chat template (stored in the model's metadata; the server reads it from there).
CHAT_TEMPLATE = (
    "{% for message in messages %}<|{{ message['role'] }}|>{{ message['content'] }}</s>{% endfor %}"
    "{% if add_generation_prompt %}<|assistant|>{% endif %}"
)

_PIECES = ['"', "{", "}", "[", "]", ":", ",", "PT", "M", "H", "1", "2", "0", "5", "▁", "e", "a", "o"]
#: Tokens the constant dimension favours, by how much: ends of strings, numbers, lists and objects,
#: and "1" as a first digit (a small positive number). The grammar decides where each is legal.
_BIAS = {'"': 6.0, "}": 5.0, "]": 4.7, ",": 4.2, "</s>": 4.0, "1": 3.5}


def _vocabulary() -> tuple[list[str], list[float], list[int]]:
    tokens = ["<unk>", "<s>", "</s>"]
    types = [gguf.TokenType.UNKNOWN, gguf.TokenType.CONTROL, gguf.TokenType.CONTROL]
    tokens += [f"<0x{b:02X}>" for b in range(256)]
    types += [gguf.TokenType.BYTE] * 256
    printable = [chr(c) for c in range(33, 127)]
    for piece in dict.fromkeys(printable + _PIECES + ["▁{", '▁"', "recipe"]):
        tokens.append(piece)
        types.append(gguf.TokenType.NORMAL)
    # SentencePiece merges the highest-scoring pieces first: longer pieces score higher.
    scores = [0.0] * 259 + [float(len(t)) for t in tokens[259:]]
    return tokens, scores, [int(t) for t in types]


def write_tiny_llama(path: Path, seed: int = 7, layers: int = LAYERS) -> Path:
    """Write the model to ``path`` (deterministic for a seed) and return the path.

    More ``layers`` make a slower model (about 1 ms per token per four layers on one core).
    """
    tokens, scores, types = _vocabulary()
    rng = np.random.default_rng(seed)
    writer = gguf.GGUFWriter(str(path), "llama")
    writer.add_name("recipe-studio-tiny")
    writer.add_context_length(CONTEXT)
    writer.add_embedding_length(WIDTH)
    writer.add_block_count(layers)
    writer.add_feed_forward_length(FEED_FORWARD)
    writer.add_head_count(HEADS)
    writer.add_head_count_kv(HEADS)
    writer.add_rope_dimension_count(WIDTH // HEADS)
    writer.add_layer_norm_rms_eps(1e-5)
    writer.add_file_type(gguf.LlamaFileType.ALL_F32)
    writer.add_tokenizer_model("llama")
    writer.add_token_list(tokens)
    writer.add_token_scores(scores)
    writer.add_token_types(types)
    writer.add_bos_token_id(1)
    writer.add_eos_token_id(2)
    writer.add_unk_token_id(0)
    writer.add_add_bos_token(True)
    writer.add_add_space_prefix(False)
    writer.add_chat_template(CHAT_TEMPLATE)

    def weights(*shape: int, scale: float = 0.02) -> np.ndarray:
        return (rng.standard_normal(shape) * scale).astype(np.float32)

    embeddings = weights(len(tokens), WIDTH, scale=1.0)
    embeddings[:, 0] = 4.0  # the constant dimension: survives the small layers and the final norm
    output = weights(len(tokens), WIDTH, scale=0.05)
    output[:, 0] = 0.0
    for token, bias in _BIAS.items():
        for twin in (token, f"<0x{ord(token):02X}>" if len(token) == 1 else None):
            if twin in tokens:
                output[tokens.index(twin), 0] = bias
    writer.add_tensor("token_embd.weight", embeddings)
    writer.add_tensor("output_norm.weight", np.ones(WIDTH, dtype=np.float32))
    writer.add_tensor("output.weight", output)
    for block in range(layers):
        name = f"blk.{block}"
        writer.add_tensor(f"{name}.attn_norm.weight", np.ones(WIDTH, dtype=np.float32))
        for part in ("attn_q", "attn_k", "attn_v", "attn_output"):
            writer.add_tensor(f"{name}.{part}.weight", weights(WIDTH, WIDTH))
        writer.add_tensor(f"{name}.ffn_norm.weight", np.ones(WIDTH, dtype=np.float32))
        writer.add_tensor(f"{name}.ffn_gate.weight", weights(FEED_FORWARD, WIDTH))
        writer.add_tensor(f"{name}.ffn_up.weight", weights(FEED_FORWARD, WIDTH))
        writer.add_tensor(f"{name}.ffn_down.weight", weights(WIDTH, FEED_FORWARD))
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()
    return path
