"""The knowledge base itself: the content model, report importing and the report products."""
