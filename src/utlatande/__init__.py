"""utlatande: answer files (YAML) to statements as DOCX and PDF."""

__version__ = "0.1.0"
