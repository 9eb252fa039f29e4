"""A throwaway public-key infrastructure for the signature tests, made with `cryptography`.

A root CA and people's signing certificates issued by it, written as PEM and PKCS#12 files;
a time-stamping authority's certificate for the local time-stamp server.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

# Valid from well before the answers' approval dates until well after today.
NOT_BEFORE = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)
NOT_AFTER = dt.datetime(2099, 1, 1, tzinfo=dt.UTC)


@dataclass
class Issued:
    """A certificate and its private key."""

    certificate: x509.Certificate
    key: rsa.RSAPrivateKey

    def pem(self) -> bytes:
        return self.certificate.public_bytes(serialization.Encoding.PEM)

    def write_pem(self, path: Path) -> Path:
        path.write_bytes(self.pem())
        return path

    def write_key_pem(self, path: Path) -> Path:
        path.write_bytes(self.key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption()))
        return path

    def write_pkcs12(self, path: Path, pin: str, chain: list[Issued] = ()) -> Path:
        """The key and certificate (and the CA's) as a PIN-protected PKCS#12 file."""
        path.write_bytes(pkcs12.serialize_key_and_certificates(
            b"nyckel", self.key, self.certificate, [c.certificate for c in chain],
            serialization.BestAvailableEncryption(pin.encode())))
        return path


def _key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def _name(common_name: str, given: str | None = None, surname: str | None = None,
          organisation: str = "Testkommunen") -> x509.Name:
    attributes = [x509.NameAttribute(NameOID.COUNTRY_NAME, "SE"),
                  x509.NameAttribute(NameOID.ORGANIZATION_NAME, organisation)]
    if given:
        attributes.append(x509.NameAttribute(NameOID.GIVEN_NAME, given))
    if surname:
        attributes.append(x509.NameAttribute(NameOID.SURNAME, surname))
    if common_name:
        attributes.append(x509.NameAttribute(NameOID.COMMON_NAME, common_name))
    return x509.Name(attributes)


def make_ca(name: str = "Testkommunens rot-CA") -> Issued:
    """A self-signed root CA."""
    key = _key()
    subject = _name(name)
    certificate = (
        x509.CertificateBuilder().subject_name(subject).issuer_name(subject)
        .public_key(key.public_key()).serial_number(x509.random_serial_number())
        .not_valid_before(NOT_BEFORE).not_valid_after(NOT_AFTER)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(x509.KeyUsage(digital_signature=False, content_commitment=False,
                                     key_encipherment=False, data_encipherment=False,
                                     key_agreement=False, key_cert_sign=True, crl_sign=True,
                                     encipher_only=False, decipher_only=False), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()),
                       critical=False)
        .sign(key, hashes.SHA256()))
    return Issued(certificate, key)


def issue(ca: Issued, common_name: str, *, given: str | None = None,
          surname: str | None = None, time_stamping: bool = False) -> Issued:
    """A certificate for a person (or, with time_stamping, for a TSA) signed by `ca`."""
    key = _key()
    builder = (
        x509.CertificateBuilder().subject_name(_name(common_name, given, surname))
        .issuer_name(ca.certificate.subject).public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(NOT_BEFORE).not_valid_after(NOT_AFTER)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=True,
                                     key_encipherment=False, data_encipherment=False,
                                     key_agreement=False, key_cert_sign=False, crl_sign=False,
                                     encipher_only=False, decipher_only=False), critical=True)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(
            ca.key.public_key()), critical=False))
    if time_stamping:
        builder = builder.add_extension(
            x509.ExtendedKeyUsage([ExtendedKeyUsageOID.TIME_STAMPING]), critical=True)
    return Issued(builder.sign(ca.key, hashes.SHA256()), key)
