"""`utlatande attestera`: an approver signs a built statement's PDF (PAdES).

keys.py loads the signer's key and certificate (a PKCS#12 file or a PKCS#11 token),
sign.py checks the signer against the PDF's attestation list and signs it as an
incremental update, written atomically.
"""

from __future__ import annotations

from pathlib import Path

from .keys import KeyLoadError, Pkcs11Key, Pkcs12Key, signer_for
from .sign import AttestError, Signed, attest

__all__ = ["AttestError", "KeyLoadError", "Pkcs11Key", "Pkcs12Key", "Signed", "attest",
           "sign_file"]


def sign_file(path: Path, key: Pkcs12Key | Pkcs11Key, shown: str,
              timestamp_url: str | None = None) -> Signed:
    """Sign the PDF at `path` with `key` as the approver its certificate names."""
    with signer_for(key) as signer:
        return attest(path, signer, shown, timestamp_url)
