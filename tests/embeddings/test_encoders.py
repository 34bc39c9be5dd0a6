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
from tests.support.tiny_model import build_tiny_model


@pytest.fixture(scope="module")
def tiny_bert(tmp_path_factory):
    return build_tiny_model(tmp_path_factory.mktemp("tiny") / "st")


def test_sentence_transformers_backend_loads_local_path(tiny_bert):
    enc = SentenceTransformerEncoder(str(tiny_bert), batch_size=2)
    vecs = enc.encode(["数控机床主轴", "水库大坝渗流", "齿轮"], kind="query")
    assert vecs.shape == (3, 32) and vecs.dtype == np.float32
    assert np.allclose(np.linalg.norm(vecs, axis=1), 1, atol=1e-5)
    assert enc.dim == 32 and enc.model_id == f"st:{tiny_bert}"


def test_query_and_passage_prefixes_for_bge_and_e5_names(tmp_path_factory):
    base = tmp_path_factory.mktemp("named")
    for name, differs in (("tiny-bge-small-zh", True), ("tiny-e5-small", True), ("tiny", False)):
        enc = SentenceTransformerEncoder(str(build_tiny_model(base / name)))
        query = enc.encode(["数控机床主轴"], kind="query")
        passage = enc.encode(["数控机床主轴"], kind="passage")
        assert (not np.allclose(query, passage, atol=1e-6)) == differs, name


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


def test_embedded_weights_are_mapped_from_disk_and_equal_the_saved_ones(tmp_path):
    from safetensors.numpy import save_file

    from matcher.embeddings.encoders import mapped_weights

    table = np.arange(12, dtype=np.float32).reshape(4, 3)
    save_file({"embedding.weight": table}, str(tmp_path / "m.safetensors"))
    mapped = mapped_weights(tmp_path / "m.safetensors")
    assert isinstance(mapped, np.memmap) and not mapped.flags.writeable
    np.testing.assert_array_equal(mapped, table)
    save_file({"w": table.astype(np.float64)}, str(tmp_path / "d.safetensors"))
    other = mapped_weights(tmp_path / "d.safetensors")  # not F32: read the ordinary way
    assert not isinstance(other, np.memmap) and other.dtype == np.float32
    np.testing.assert_array_equal(other, table)


def test_vectors_from_counts_equal_vectors_from_token_lists(tmp_path, monkeypatch):
    """The embedded encoder and the fusion fit's fitted vectors read texts as counts (no
    bigram strings): the same vectors, to the last bit, as the token lists give."""
    from matcher.embeddings import encoders
    from matcher.embeddings.encoders import StaticVectors, l2_normalize
    from matcher.embeddings.static_fit import fit_static_embedding
    from matcher.text.char_counts import embedding_counts
    from matcher.text.counts import count_matrix
    from matcher.text.ngrams import embedding_tokens

    seg = Segmenter(None)
    texts = ["数控机床主轴精度", "加氢催化剂失活", "水库大坝渗流监测", "轴承故障诊断"] * 3
    texts += ["", "新词 unseen 文本。", "单"]
    tokens = seg.tokens_many(texts)
    emb = [embedding_tokens(t, x) for t, x in zip(tokens, texts, strict=True)]
    model = StaticVectors(*fit_static_embedding(emb[:12], dim=8))
    counts, words = embedding_counts(tokens, texts)
    np.testing.assert_array_equal(model.encode_counts(counts, words), model.encode_tokens(emb))
    enc = EmbeddedEncoder(fit_embedded_model(tokens[:12], tmp_path, dim=8), seg)
    want = l2_normalize(np.asarray(count_matrix(emb, enc.index) @ enc.weights))
    np.testing.assert_array_equal(enc.encode(texts, tokens=tokens), want)  # a few: lists
    monkeypatch.setattr(encoders, "NUMPY_COUNTS", 1)
    np.testing.assert_array_equal(enc.encode(texts, tokens=tokens), want)  # many: numpy
    np.testing.assert_array_equal(enc.encode_counts(counts, words), want)  # a build's fit
    enc.batch_size = 1
    monkeypatch.setattr(encoders, "COUNT_BLOCK", 5)  # in blocks of 5 rows
    np.testing.assert_array_equal(enc.encode_counts(counts, words), want)


def test_the_embedded_model_is_saved_without_torch_and_loads_in_sentence_transformers(tmp_path):
    import subprocess
    import sys

    from sentence_transformers import SentenceTransformer

    from matcher.embeddings.encoders import l2_normalize
    from matcher.text.ngrams import embedding_tokens

    seg = Segmenter(None)
    texts = ["数控机床主轴精度", "加氢催化剂失活", "水库大坝渗流监测", "轴承故障诊断"] * 3
    tokens = seg.tokens_many(texts)
    code = (
        "import sys; from pathlib import Path; from matcher.embeddings.encoders import "
        f"fit_embedded_model; fit_embedded_model({tokens!r}, Path({str(tmp_path)!r}), dim=8); "
        "print('torch' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"  # an index build never imports torch
    path = current_embedded_path(tmp_path)
    ours = EmbeddedEncoder(path, seg).encode(texts[:4], tokens=tokens[:4])
    model = SentenceTransformer(str(path), device="cpu")
    joined = [" ".join(embedding_tokens(t, x)) for t, x in zip(tokens[:4], texts[:4], strict=True)]
    theirs = l2_normalize(model.encode(joined, convert_to_numpy=True))
    np.testing.assert_allclose(theirs, ours, atol=1e-5)
