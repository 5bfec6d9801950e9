"""The secret behind the pseudonymous ``child_key`` and the keyed hash itself.

``child_key = HMAC-SHA256(secret, child_id)``: stable across runs for the same secret,
and impossible to recompute from a citizen ID or G-code without it. The secret is
generated on first use and stored in a file outside the warehouse (and outside git):
``$BACKTOSCHOOL_KEY_FILE``, by default ``~/.config/backtoschool/child_key.secret``.
Whoever holds the warehouse file alone cannot link a key back to a child.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from pathlib import Path

KEY_FILE_ENV = "BACKTOSCHOOL_KEY_FILE"
DEFAULT_KEY_FILE = Path.home() / ".config" / "backtoschool" / "child_key.secret"


def key_file() -> Path:
    return Path(os.environ.get(KEY_FILE_ENV) or DEFAULT_KEY_FILE).expanduser().resolve()


def load_or_create_key(path: Path | None = None) -> bytes:
    path = path or key_file()
    if not path.exists():
        _create_key_file(path)
    key = bytes.fromhex(path.read_text().strip())
    if len(key) < 32:
        raise ValueError(f"{path}: the child key secret must be at least 32 bytes of hex")
    return key


def _create_key_file(path: Path) -> None:
    """Write a new secret beside ``path`` and link it into place: the key file appears
    whole or not at all (a run killed half-way cannot leave an empty key), and of two
    processes starting at once, one creates it and both read the same key."""
    path.parent.mkdir(parents=True, exist_ok=True)
    scratch = path.with_name(f".{path.name}.{secrets.token_hex(6)}")
    descriptor = os.open(scratch, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(descriptor, "w") as handle:
            handle.write(secrets.token_hex(32) + "\n")
            handle.flush()
            os.fsync(handle.fileno())
        try:
            os.link(scratch, path)
        except FileExistsError:
            pass
    finally:
        scratch.unlink(missing_ok=True)


def child_key(key: bytes, child_id: str) -> str:
    return hmac.new(key, child_id.encode("utf-8"), hashlib.sha256).hexdigest()


def hmac_pads(key: bytes) -> tuple[str, str]:
    """The inner and outer padded keys of HMAC-SHA256 under ``key``, as hex:
    HMAC(K, m) = sha256((K' ^ opad) || sha256((K' ^ ipad) || m)), K' = K zero-padded to
    the 64-byte block. Spark SQL has sha2 but no HMAC, so dbt's ``spark__child_key``
    computes the key from these. Either pad lets anyone recompute keys: guard them like
    the secret itself (environment of the dbt process only, never in SQL or logs)."""
    if len(key) > 64:  # HMAC would hash a longer key first; the key files never are
        raise ValueError("the child key secret must be at most 64 bytes for the Spark pads")
    padded = key.ljust(64, b"\0")
    return bytes(b ^ 0x36 for b in padded).hex(), bytes(b ^ 0x5C for b in padded).hex()
