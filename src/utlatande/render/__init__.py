"""The writers: answer → semantic HTML → PDF and DOCX."""
