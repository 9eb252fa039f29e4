"""Semantic HTML → DOCX: the templates' small vocabulary mapped onto Word's own styles."""

from .writer import write_docx

__all__ = ["write_docx"]
