"""Encoders (sentence-transformers backend and the embedded default) and the FAISS index."""
