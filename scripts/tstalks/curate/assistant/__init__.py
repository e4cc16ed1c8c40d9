"""The curation assistant: drafts the coding of a new article, leaving every judgement to the curator.

A pipeline of small stages over one typed document (`model.Draft`): layout -> metadata -> names -> datescan ->
events -> quotes (structure, speakers) -> render. The words its rules look for are in `lexicon`."""
from .draft import draft
from .known import known_from
from .model import Draft, DraftPublished, Known
from .names import slug
from .render import render

__all__ = ["Draft", "DraftPublished", "Known", "draft", "known_from", "render", "slug"]
