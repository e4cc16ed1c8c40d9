"""The curation assistant: drafts the coding of a new article, leaving every judgement to the curator."""
from .draft import Draft, Known, draft, known_from, render, slug

__all__ = ["Draft", "Known", "draft", "known_from", "render", "slug"]
