"""Ranking: BM25, dense similarity, society evidence, priors and their fusion."""
