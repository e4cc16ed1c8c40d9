"""The curator's tools: `tstalks add` (with the curation assistant's draft), coverage, the assistant's
evaluation, and synthetic corpora for scale tests."""
