"""The sentence-transformers loading path on a tiny locally built model, and the embedded one."""

from __future__ import annotations

import numpy as np
import pytest

from matcher.embeddings.encoders import (
    EmbeddedEncoder,
    SentenceTransformerEncoder,
    current_embedded_path,
    fit_embedded_model,
)
from matcher.text.segmenter import Segmenter


@pytest.fixture(scope="module")
def tiny_bert(tmp_path_factory):
    from sentence_transformers import SentenceTransformer
    from sentence_transformers.sentence_transformer import modules
    from transformers import BertConfig, BertModel, BertTokenizerFast

    root = tmp_path_factory.mktemp("tiny")
    chars = sorted(set("数控机床主轴精度催化剂加氢水库大坝渗流齿轮轴承"))
    vocab = root / "vocab.txt"
    vocab.write_text("\n".join(["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", *chars]), "utf-8")
    BertTokenizerFast(vocab_file=str(vocab)).save_pretrained(root / "hf")
    cfg = BertConfig(
        vocab_size=5 + len(chars),
        hidden_size=32,
        num_hidden_layers=2,
        num_attention_heads=2,
        intermediate_size=64,
        max_position_embeddings=64,
    )
    BertModel(cfg).save_pretrained(root / "hf")
    word = modules.Transformer(str(root / "hf"), max_seq_length=32)
    model = SentenceTransformer(modules=[word, modules.Pooling(32, "mean")], device="cpu")
    model.save(str(root / "st"))
    return root / "st"


def test_sentence_transformers_backend_loads_local_path(tiny_bert):
    enc = SentenceTransformerEncoder(str(tiny_bert), batch_size=2)
    vecs = enc.encode(["数控机床主轴", "水库大坝渗流", "齿轮"], kind="query")
    assert vecs.shape == (3, 32) and vecs.dtype == np.float32
    assert np.allclose(np.linalg.norm(vecs, axis=1), 1, atol=1e-5)
    assert enc.dim == 32 and enc.model_id == f"st:{tiny_bert}"


def test_embedded_model_is_saved_and_loaded_by_path(tmp_path):
    seg = Segmenter(None)
    texts = ["数控机床主轴精度", "加氢催化剂失活", "水库大坝渗流监测", "轴承故障诊断"] * 3
    tokens = seg.tokens_many(texts)
    path = fit_embedded_model(tokens, tmp_path, dim=8)
    assert current_embedded_path(tmp_path) == path
    enc = EmbeddedEncoder(path, seg)
    vecs = enc.encode(["催化剂失活", "大坝渗流"], kind="query")
    docs = enc.encode(texts[:4])
    assert vecs.shape[1] == enc.dim and enc.model_id.startswith("embedded:")
    assert (vecs @ docs.T).argmax(axis=1).tolist() == [1, 2]
