"""Operator commands of `chartshare`: verify the activity log, list and end representative links."""

import argparse
import asyncio
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from api.commands import CommandError, require_migrated
from api.settings import Settings

T = TypeVar("T")


def _in_transaction(settings: Settings, work: Callable[[AsyncSession], Awaitable[T]]) -> T:
    from db.engine import create_engine, create_session_factory, unit_of_work

    async def run() -> T:
        engine = create_engine(settings.database_url)
        try:
            async with unit_of_work(create_session_factory(engine)) as session:
                return await work(session)
        finally:
            await engine.dispose()

    require_migrated(settings)
    return asyncio.run(run())


def _audit_verify(args: argparse.Namespace, settings: Settings) -> int:
    from db.activity_verify import verify_activity_chains

    report = _in_transaction(settings, verify_activity_chains)
    if report.broken is not None:
        where = f"event {report.broken.event_id}" if report.broken.event_id else "the end"
        print(
            f"activity log BROKEN at {where} (chain {report.broken.chain}): "
            f"{report.broken.reason}; {report.events} events before it verified"
        )
        return 1
    print(f"activity log intact: {report.events} events in {report.chains} chains")
    return 0


def _representatives(args: argparse.Namespace, settings: Settings) -> int:
    from db.representatives import list_representations

    links = _in_transaction(settings, lambda s: list_representations(s))
    if not links:
        print("no representative links")
    for link in links:
        print(
            f"{link.account.username}\tacts for\t{link.patient.medical_record_number}\t"
            f"{link.patient.given_name} {link.patient.family_name}\t({link.relationship})"
        )
    return 0


async def _end_by_names(session: AsyncSession, username: str, record_number: str) -> Any:
    from db.accounts import Account
    from db.patients import Patient
    from sharing.representatives import RepresentationProblem, end_representative

    account = (await session.exec(select(Account).where(col(Account.username) == username))).first()
    patient = (
        await session.exec(
            select(Patient).where(col(Patient.medical_record_number) == record_number)
        )
    ).first()
    if account is None or account.id is None:
        raise CommandError(f"no account with the login {username!r}")
    if patient is None or patient.id is None:
        raise CommandError(f"no patient with the record number {record_number!r}")
    try:
        return await end_representative(
            session,
            ended_by="operator",
            by_account_id=None,
            representative_account_id=account.id,
            patient_id=patient.id,
            source_address=None,
        )
    except RepresentationProblem:
        raise CommandError(f"{username} is not a representative of {record_number}") from None


def _end_representative(args: argparse.Namespace, settings: Settings) -> int:
    revoked = _in_transaction(settings, lambda s: _end_by_names(s, args.account, args.patient))
    print(
        f"{args.account} no longer acts for {args.patient}; "
        f"{len(revoked)} app grant(s) they made were revoked"
    )
    return 0


def add_operator_commands(commands: Any) -> None:
    """Register `audit verify`, `representatives` and `end-representative`."""
    audit = commands.add_parser("audit", help="check the activity log")
    audit_commands = audit.add_subparsers(dest="audit_command", required=True, metavar="ACTION")
    verify = audit_commands.add_parser(
        "verify", help="walk the hash chains; exit 1 naming the first broken event"
    )
    verify.set_defaults(handler=_audit_verify)

    listing = commands.add_parser("representatives", help="list every representative link")
    listing.set_defaults(handler=_representatives)

    end = commands.add_parser(
        "end-representative",
        help="end a representative link and revoke every grant the representative made",
    )
    end.add_argument("--account", required=True, help="the representative's login")
    end.add_argument("--patient", required=True, help="the patient's medical record number")
    end.set_defaults(handler=_end_representative)
