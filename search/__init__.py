"""Search: Swedish analysis, index generations, ranking, the query service, snippets, spelling."""
