"""The signer's key and certificate: a PIN-protected PKCS#12 file, or a PKCS#11 token
(a smart card such as a SITHS card, or an HSM)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from ..errors import UserError, display_path


class KeyLoadError(UserError):
    """The key or certificate could not be loaded; the message is the user's to read."""


@dataclass(frozen=True)
class Pkcs12Key:
    """A key and certificate in a PKCS#12 file (.p12, .pfx) and the file's PIN."""

    path: Path
    pin: str = ""


@dataclass(frozen=True)
class Pkcs11Key:
    """A key on a PKCS#11 token: the module, the token's and the key's labels, the PIN.

    `certificate` is the certificate's label where it is not the key's.
    """

    module: Path
    token: str
    key: str
    certificate: str | None = None
    pin: str = ""


@contextmanager
def signer_for(key: Pkcs12Key | Pkcs11Key) -> Iterator:
    """A pyHanko signer for `key`, open (a token's session) while the block runs."""
    if isinstance(key, Pkcs12Key):
        yield load_pkcs12(key.path, key.pin)
    else:
        with pkcs11_signer(key) as signer:
            yield signer


def load_pkcs12(path: Path, pin: str):
    """A pyHanko signer for the key and certificate in a PKCS#12 file."""
    from pyhanko.sign.signers import SimpleSigner

    shown = display_path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise KeyLoadError(f"{shown}: certifikatfilen kan inte läsas ({exc.strerror})") \
            from None
    try:
        return SimpleSigner.load_pkcs12_data(data, [], pin.encode())
    except ValueError:
        raise KeyLoadError(f"{shown}: certifikatfilen kunde inte öppnas: fel PIN-kod, eller "
                           "ingen PKCS#12-fil (.p12, .pfx) med nyckel och certifikat") from None


@contextmanager
def pkcs11_signer(key: Pkcs11Key) -> Iterator:
    """A pyHanko signer for a key on a PKCS#11 token, its session open while in use."""
    import pkcs11
    from pyhanko.config.pkcs11 import TokenCriteria
    from pyhanko.sign.pkcs11 import PKCS11Signer, open_pkcs11_session

    if not key.module.is_file():
        raise KeyLoadError(f"{display_path(key.module)}: PKCS#11-modulen finns inte")
    try:
        session = open_pkcs11_session(str(key.module),
                                      token_criteria=TokenCriteria(label=key.token),
                                      user_pin=key.pin)
    except (pkcs11.PKCS11Error, RuntimeError, OSError) as exc:
        raise KeyLoadError(_session_message(key, exc)) from None
    try:
        signer = PKCS11Signer(session, cert_label=key.certificate or key.key,
                              key_label=key.key)
        try:
            signer.signing_cert  # noqa: B018 - loads key and certificate now, to report here
        except Exception as exc:  # noqa: BLE001 - python-pkcs11's and pyHanko's own errors
            raise KeyLoadError(f"nyckeln '{key.key}' eller dess certifikat "
                               f"'{key.certificate or key.key}' finns inte på token "
                               f"'{key.token}' ({type(exc).__name__})") from None
        yield signer
    finally:
        session.close()


def _session_message(key: Pkcs11Key, exc: Exception) -> str:
    import pkcs11

    if isinstance(exc, pkcs11.PinIncorrect):
        return f"fel PIN-kod för token '{key.token}'"
    if isinstance(exc, pkcs11.PinLocked):
        return f"PIN-koden för token '{key.token}' är spärrad"
    if isinstance(exc, OSError):
        return f"{display_path(key.module)}: PKCS#11-modulen kan inte läsas in ({exc})"
    if "No token" in str(exc):
        return f"ingen token med etiketten '{key.token}' finns i {display_path(key.module)}"
    return (f"token '{key.token}' kunde inte öppnas med {display_path(key.module)} "
            f"({type(exc).__name__}: {exc})")
