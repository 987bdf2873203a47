"""Argon2id password hashing (blocking: call it from a worker thread in async code)."""

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError


def make_hasher(*, memory_kib: int, iterations: int, parallelism: int) -> PasswordHasher:
    """An Argon2id hasher with the given cost (DESIGN.md default: 19456 KiB, t=2, p=1)."""
    return PasswordHasher(time_cost=iterations, memory_cost=memory_kib, parallelism=parallelism)


def hash_password(hasher: PasswordHasher, password: str) -> str:
    """Hash a password for storage."""
    return hasher.hash(password)


def verify_password(hasher: PasswordHasher, password_hash: str, password: str) -> bool:
    """Check a password; a malformed stored hash counts as a mismatch."""
    try:
        return hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def dummy_hash(hasher: PasswordHasher) -> str:
    """A hash to verify against when the account does not exist, so timing does not tell."""
    return hasher.hash("no such account: this hash only spends the same time")
