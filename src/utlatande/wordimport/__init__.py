"""`utlatande import`: Word edits in a built DOCX come back into the answer file."""
