"""isms: ISMS compliance-as-code. Kept import-free so `isms --version` starts fast."""

__version__ = "0.1.0"
