"""Report products: comparisons, overviews, citations, exports and coverage, as plain data."""
