"""The content model: entries, vocabularies, report texts, and their validation."""
