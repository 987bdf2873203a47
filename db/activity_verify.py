"""Walk every activity chain and report the first event whose link is broken."""

from dataclasses import dataclass

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from db.activity import ActivityEvent
from db.activity_chain import ActivityChainHead, ChainedEvent, chain_of, event_digest


@dataclass(frozen=True)
class ChainBreak:
    """The first event (by id) that does not verify, and why."""

    event_id: int | None
    chain: str
    reason: str


@dataclass(frozen=True)
class ChainReport:
    """What a verification walked and, if any, where the log was tampered with."""

    events: int
    chains: int
    broken: ChainBreak | None


def _check(
    row: ActivityEvent, last_hash: str, seen: int, head: ActivityChainHead | None
) -> str | None:
    if row.chain != chain_of(patient_id=row.patient_id, account_id=row.account_id):
        return f"it is filed in chain {row.chain} but concerns another patient or account"
    if row.prev_hash != last_hash:
        return "it does not link to the event before it in its chain (inserted or reordered)"
    if row.hash != event_digest(ChainedEvent.of(row)):
        return "its content does not match its hash (altered)"
    if head is None or seen >= head.length:
        return "it lies beyond the chain's recorded head (appended behind the log's back)"
    return None


async def verify_activity_chains(session: AsyncSession, *, batch: int = 1000) -> ChainReport:
    """Recompute every chain in id order; stop at the first broken link."""
    fresh = {"populate_existing": True}  # what the database holds now, not what was loaded
    head_rows = await session.exec(select(ActivityChainHead).execution_options(**fresh))
    heads = {h.chain: h for h in head_rows.all()}
    last_hash: dict[str, str] = {}
    lengths: dict[str, int] = {}
    events = 0
    statement = (
        select(ActivityEvent)
        .order_by(col(ActivityEvent.id))
        .execution_options(yield_per=batch, **fresh)
    )
    rows = await session.stream_scalars(statement)
    async for row in rows:
        seen = lengths.get(row.chain, 0)
        reason = _check(row, last_hash.get(row.chain, ""), seen, heads.get(row.chain))
        if reason is not None:
            await rows.close()
            return ChainReport(events, len(last_hash), ChainBreak(row.id, row.chain, reason))
        last_hash[row.chain] = row.hash
        lengths[row.chain] = seen + 1
        events += 1
    for chain, head in sorted(heads.items()):
        if head.last_hash != last_hash.get(chain, "") or head.length != lengths.get(chain, 0):
            reason = (
                f"its head records {head.length} events ending at event {head.last_event_id}, "
                f"the log holds {lengths.get(chain, 0)} (events removed from its end)"
            )
            return ChainReport(
                events, len(last_hash), ChainBreak(head.last_event_id, chain, reason)
            )
    return ChainReport(events, len(last_hash), None)
