"""Report importing: clean an extracted report, find its sections, draft entries and texts."""
