"""`save` writes a row at once: a new row gets its id and defaults, a change reaches the table."""

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from db.columns import utcnow
from db.keys import SigningKey
from db.writes import save


async def test_a_saved_row_has_its_id_and_defaults_and_is_in_the_table(
    session: AsyncSession,
) -> None:
    key = SigningKey(kid="k-saved", private_key_pem="pem", public_jwk="{}")
    saved = await save(session, key)
    assert saved is key
    assert key.id is not None
    assert key.created_at is not None
    stored = select(SigningKey.kid).where(col(SigningKey.id) == key.id)
    assert (await session.exec(stored)).one() == "k-saved"


async def test_a_saved_change_is_in_the_table(session: AsyncSession) -> None:
    key = await save(session, SigningKey(kid="k-changed", private_key_pem="pem", public_jwk="{}"))
    retired = utcnow()
    key.retired_at = retired
    await save(session, key)
    stored = select(SigningKey.retired_at).where(col(SigningKey.id) == key.id)
    assert (await session.exec(stored.execution_options(autoflush=False))).one() == retired
