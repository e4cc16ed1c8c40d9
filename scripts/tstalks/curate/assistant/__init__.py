"""The curation assistant: drafts the coding of a new article, leaving every judgement to the curator.

A pipeline of small stages over one typed document (`model.Draft`): layout -> metadata -> names -> datescan ->
events -> quotes (structure, speakers, statements) -> proposals -> render. The words its rules look for are the
project's lexicon (`curate/lexicon.py`, schemas/lexicons/)."""
from .draft import draft
from .known import confirmed, known_from
from .model import Draft, DraftPublished, Known
from .names import slug
from .render import render, render_bundle

__all__ = ["Draft", "DraftPublished", "Known", "confirmed", "draft", "known_from", "render", "render_bundle", "slug"]
