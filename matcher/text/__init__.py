"""Text pipeline: normalisation, jieba segmentation, keyword extraction."""

from matcher.text.normalize import normalize
from matcher.text.segmenter import Segmenter, get_segmenter

__all__ = ["Segmenter", "get_segmenter", "normalize"]
