"""A tiny BERT sentence-transformers model built locally (no download), for the real
model-loading path: a character vocabulary, two layers, mean pooling."""

from __future__ import annotations

from pathlib import Path

CHARS = "数控机床主轴精度催化剂加氢水库大坝渗流齿轮轴承反应器灌溉节水监测故障诊断热变形寿命分离"


def build_tiny_model(path: Path, dim: int = 32) -> Path:
    """Save the model at ``path`` (its name may carry bge/e5 to select their prefixes)."""
    from sentence_transformers import SentenceTransformer
    from sentence_transformers.sentence_transformer import modules
    from transformers import BertConfig, BertModel, BertTokenizerFast

    if (path / "modules.json").is_file():
        return path
    hf = path.parent / f"{path.name}-hf"
    hf.mkdir(parents=True, exist_ok=True)
    chars = [*sorted(set(CHARS + "为这个句子生成表示以用于检索相关文章：:")), "query", "passage"]
    tokens = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", *chars]
    BertTokenizerFast(vocab={t: i for i, t in enumerate(tokens)}).save_pretrained(hf)
    cfg = BertConfig(
        vocab_size=5 + len(chars),
        hidden_size=dim,
        num_hidden_layers=2,
        num_attention_heads=2,
        intermediate_size=2 * dim,
        max_position_embeddings=128,
    )
    BertModel(cfg).save_pretrained(hf)
    word = modules.Transformer(str(hf), max_seq_length=64)
    model = SentenceTransformer(modules=[word, modules.Pooling(dim, "mean")], device="cpu")
    model.save(str(path))
    return path
