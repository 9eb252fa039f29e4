"""Real parts for the signature tests: a SoftHSM2 token initialised in a temporary
SOFTHSM2_CONF, and a local RFC 3161 time-stamp server on 127.0.0.1."""

from __future__ import annotations

import glob
import shutil
import subprocess
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from asn1crypto import keys, tsp
from asn1crypto import x509 as asn1_x509
from cryptography.hazmat.primitives import serialization

from pki import Issued

TOKEN = "utlatande-test"
USER_PIN = "246810"
SO_PIN = "13579135"


def softhsm_module() -> Path:
    """Debian's SoftHSM2 PKCS#11 module (scripts/setup-system.sh --test installs it)."""
    # Debian's own path for the module, and its multiarch place.
    found = [Path("/usr/lib/softhsm/libsofthsm2.so"),
             *map(Path, sorted(glob.glob("/usr/lib/*/softhsm/libsofthsm2.so")))]
    found = [path for path in found if path.is_file()]
    assert found and shutil.which("softhsm2-util"), \
        "SoftHSM2 saknas: kör 'bash scripts/setup-system.sh --test'"
    return found[0]


def init_token(folder: Path, holder: Issued, label: str) -> Path:
    """A fresh token in `folder` with `holder`'s key and certificate under `label`.

    Returns the SOFTHSM2_CONF file; it must be in the environment before the module is
    first loaded in this process.
    """
    tokens = folder / "tokens"
    tokens.mkdir(parents=True)
    conf = folder / "softhsm2.conf"
    conf.write_text(f"directories.tokendir = {tokens}\nobjectstore.backend = file\n"
                    "log.level = ERROR\n", encoding="utf-8")
    env = {"SOFTHSM2_CONF": str(conf), "PATH": "/usr/bin:/bin"}
    subprocess.run(["softhsm2-util", "--init-token", "--free", "--label", TOKEN,
                    "--so-pin", SO_PIN, "--pin", USER_PIN], check=True, env=env,
                   capture_output=True)
    key = holder.write_key_pem(folder / "nyckel.pem")
    subprocess.run(["softhsm2-util", "--import", str(key), "--token", TOKEN, "--label", label,
                    "--id", "01", "--pin", USER_PIN], check=True, env=env, capture_output=True)
    key.unlink()
    return conf


def store_certificate(module: Path, holder: Issued, label: str) -> None:
    """`holder`'s certificate on the token beside its key (softhsm2-util imports only keys)."""
    import pkcs11
    from pkcs11 import Attribute, CertificateType, ObjectClass

    token = pkcs11.lib(str(module)).get_token(token_label=TOKEN)
    certificate = holder.certificate
    with token.open(rw=True, user_pin=USER_PIN) as session:
        session.create_object({
            Attribute.CLASS: ObjectClass.CERTIFICATE,
            Attribute.CERTIFICATE_TYPE: CertificateType.X_509,
            Attribute.TOKEN: True, Attribute.LABEL: label, Attribute.ID: b"\x01",
            Attribute.SUBJECT: certificate.subject.public_bytes(),
            Attribute.VALUE: certificate.public_bytes(serialization.Encoding.DER)})


@contextmanager
def time_stamp_server(tsa: Issued, ca: Issued) -> Iterator[tuple[str, list[bytes]]]:
    """An RFC 3161 time-stamp server on 127.0.0.1 for as long as the block runs: its URL,
    and the requests it has answered.

    The answers are pyHanko's own test time-stamper's, signed with `tsa`'s key; the server
    around it speaks HTTP like any TSA (application/timestamp-query → -reply).
    """
    from pyhanko.sign.timestamps import DummyTimeStamper

    stamper = DummyTimeStamper(
        tsa_cert=asn1_x509.Certificate.load(tsa.certificate.public_bytes(
            serialization.Encoding.DER)),
        tsa_key=keys.PrivateKeyInfo.load(tsa.key.private_bytes(
            serialization.Encoding.DER, serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption())),
        certs_to_embed=[asn1_x509.Certificate.load(ca.certificate.public_bytes(
            serialization.Encoding.DER))])
    requests: list[bytes] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 - http.server's name
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            requests.append(body)
            reply = stamper.request_tsa_response(tsp.TimeStampReq.load(body)).dump()
            self.send_response(200)
            self.send_header("Content-Type", "application/timestamp-reply")
            self.send_header("Content-Length", str(len(reply)))
            self.end_headers()
            self.wfile.write(reply)

        def log_message(self, *args) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/", requests
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)
