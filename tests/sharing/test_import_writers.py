"""The import's hand-over to its writers: a Ctrl-C always stops it, a failed writer too."""

import asyncio

import pytest

from sharing.fhir.importer import _put
from sharing.fhir.linking import Prepared


async def _idle() -> None:
    await asyncio.Event().wait()


async def test_a_cancellation_that_arrives_as_the_put_completes_is_not_lost() -> None:
    queue: asyncio.Queue[Prepared | None] = asyncio.Queue(maxsize=1)
    queue.put_nowait(None)  # full: the put below waits for a writer
    writer = asyncio.create_task(_idle())
    putting = asyncio.create_task(_put(queue, None, [writer]))
    await asyncio.sleep(0)  # the put is now waiting
    # In one step of the loop: the writer takes a patient (the put can complete) and
    # Ctrl-C cancels the import.
    queue.get_nowait()
    putting.cancel()
    with pytest.raises(asyncio.CancelledError):
        await putting
    writer.cancel()


async def test_a_failed_writer_stops_a_waiting_put_with_its_error() -> None:
    queue: asyncio.Queue[Prepared | None] = asyncio.Queue(maxsize=1)
    queue.put_nowait(None)

    async def failing() -> None:
        await asyncio.sleep(0.01)
        raise RuntimeError("the database went away")

    writer = asyncio.create_task(failing())
    with pytest.raises(RuntimeError, match="went away"):
        await asyncio.wait_for(_put(queue, None, [writer]), timeout=5)
    assert queue.qsize() == 1  # nothing was handed over


async def test_a_put_hands_the_patient_over_once_there_is_room() -> None:
    queue: asyncio.Queue[Prepared | None] = asyncio.Queue(maxsize=1)
    queue.put_nowait(None)
    writer = asyncio.create_task(_idle())
    putting = asyncio.create_task(_put(queue, None, [writer]))
    await asyncio.sleep(0)
    assert queue.get_nowait() is None
    await asyncio.wait_for(putting, timeout=5)
    assert queue.qsize() == 1
    writer.cancel()
