"""Argon2id password hashing (blocking: call it from a worker thread in async code)."""

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

# The default Argon2id cost (docs/contract.md): 19 MiB, two passes, one lane.
ARGON2_MEMORY_KIB = 19456
ARGON2_ITERATIONS = 2
ARGON2_PARALLELISM = 1


def make_hasher(
    *,
    memory_kib: int = ARGON2_MEMORY_KIB,
    iterations: int = ARGON2_ITERATIONS,
    parallelism: int = ARGON2_PARALLELISM,
) -> PasswordHasher:
    """An Argon2id hasher with the given cost."""
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
