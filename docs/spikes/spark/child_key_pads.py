"""SPIKE: HMAC-SHA256 inner/outer pads of the child key secret, as hex, for Spark SQL:
HMAC(K, m) = sha256((K' ^ opad) || sha256((K' ^ ipad) || m)), K' = K zero-padded to 64 bytes."""
from orchestration.child_key import load_or_create_key

key = load_or_create_key()
assert len(key) <= 64
padded = key.ljust(64, b"\0")
print("export BACKTOSCHOOL_CHILD_KEY_IPAD=" + bytes(b ^ 0x36 for b in padded).hex())
print("export BACKTOSCHOOL_CHILD_KEY_OPAD=" + bytes(b ^ 0x5C for b in padded).hex())
