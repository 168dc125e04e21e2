"""The `portal` command: Flask's CLI for this app plus the project's own commands."""

from __future__ import annotations

import sys
from datetime import date, datetime
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

import click
from flask import Flask, current_app
from flask.cli import FlaskGroup

from portal.accounts.models import Role
from portal.errors import ServiceError
from portal.reports.cli import check_pdf_command, read_at_most
from portal.storage import private_folder

if TYPE_CHECKING:
    from alembic.config import Config

    from portal.assignments.importer import ImportRow

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def alembic_config() -> Config:
    # Alembic is imported when a command needs it: every `portal` command and every app would load it otherwise.
    from alembic.config import Config

    private_folder(current_app.config["INSTANCE_DIR"])  # the SQLite database, stored files, the outbox
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["database_url"] = current_app.config["DATABASE_URL"]
    return config


def upgrade_database() -> None:
    from alembic import command

    command.upgrade(alembic_config(), "head")


# The reference day of the daily jobs, to try them for another day.
today_option = click.option(
    "--today",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    default=None,
    help="Stichtag als JJJJ-MM-TT (zum Testen; Standard: heute).",
)


@click.group("db")
def db_group() -> None:
    """Datenbank: Migrationen."""


@db_group.command("upgrade")
def db_upgrade() -> None:
    """Bringt die Datenbank auf den neuesten Stand."""
    upgrade_database()
    click.echo("Datenbank ist auf dem neuesten Stand.")


@db_group.command("revision")
@click.option("-m", "--message", required=True)
def db_revision(message: str) -> None:
    """Erzeugt eine neue Migration aus den Änderungen an den Modellen (für Entwickler)."""
    from alembic import command

    command.revision(alembic_config(), message=message, autogenerate=True)


@click.group("users")
def users_group() -> None:
    """Benutzerkonten."""


@users_group.command("create")
@click.argument("email")
@click.option("--role", type=click.Choice([role.value for role in Role]), required=True)
@click.option("--org", "org_name", default=None, help="Name der Organisation (für Träger-Konten).")
@click.option("--name", default="", help="Anzeigename.")
@click.option("--password-stdin", is_flag=True, required=True, help="Passwort von der Standardeingabe lesen.")
def users_create(email: str, role: str, org_name: str | None, name: str, password_stdin: bool) -> None:
    """Legt ein Konto an; das Passwort kommt von der Standardeingabe."""
    from portal.accounts.services import create_user

    password = sys.stdin.readline().rstrip("\r\n")
    try:
        user = create_user(email, Role(role), password, org_name=org_name, name=name)
    except ServiceError as error:
        raise click.ClickException(error.message) from error
    click.echo(f"Konto angelegt: {user.email} ({user.role.value})")


@click.command("demo-data")
@click.option(
    "--offers",
    "extra_offers",
    type=click.IntRange(min=0),
    default=0,
    help="So viele weitere veröffentlichte Angebote anlegen (für Last- und Bautests).",
)
def demo_data(extra_offers: int) -> None:
    """Legt Demo-Daten an (wiederholbar) und zeigt die Demo-Konten."""
    from portal.demo.accounts import load_demo_data
    from portal.demo.budget import load_demo_releases
    from portal.demo.final_reports import load_demo_final_reports
    from portal.demo.offers import load_demo_offers
    from portal.demo.payments import load_demo_bank_accounts
    from portal.demo.reports import load_demo_reports
    from portal.demo.settlements import load_demo_settlements

    if current_app.config["PORTAL_ENV"] == "production":
        raise click.ClickException("Demo-Daten sind in Produktion nicht erlaubt.")
    accounts = load_demo_data(current_app.config["DEMO_PASSWORD"])
    added = load_demo_offers(extra_offers)
    if added:
        click.echo(f"{added} Demo-Angebote angelegt.")
    reports = load_demo_reports()
    if reports:
        click.echo(f"{reports} Demo-Teilnahmeberichte angelegt.")
    if load_demo_settlements():
        click.echo("Eine Demo-Abrechnung angelegt.")
    if load_demo_final_reports():
        click.echo("Ein Demo-Sachbericht begonnen.")
    if banks := load_demo_bank_accounts():
        click.echo(f"{banks} Demo-Bankverbindung(en) bestätigt.")
    releases = load_demo_releases()
    if releases:
        click.echo(f"{releases} bezahlte Demo-Abrechnungen früherer Monate angelegt.")
    click.echo(f"{'E-Mail':40} {'Rolle':10} Organisation")
    for email, role, org in accounts:
        click.echo(f"{email:40} {role:10} {org}")
    click.echo(f"Passwort aller Demo-Konten: {current_app.config['DEMO_PASSWORD']}")


@click.group("mail")
def mail_group() -> None:
    """E-Mail."""


@mail_group.command("send")
def mail_send() -> None:
    """Verschickt E-Mails, die noch in der Warteschlange stehen."""
    from portal.notifications.delivery import deliver_pending

    click.echo(f"{deliver_pending()} E-Mail(s) verschickt.")


@mail_group.command("digest")
def mail_digest() -> None:
    """Verschickt die tägliche Zusammenfassung an alle, die sie gewählt haben (für cron, einmal am Tag)."""
    from portal.notifications.delivery import deliver_pending
    from portal.notifications.services import queue_digests

    count = queue_digests()
    deliver_pending()
    click.echo(f"{count} Zusammenfassung(en) verschickt.")


@click.command("publish")
@click.option(
    "--snapshot",
    "snapshot_file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Aus einer gespeicherten Momentaufnahme (snapshot.json) bauen, ohne Datenbank.",
)
def publish(snapshot_file: Path | None) -> None:
    """Baut die öffentliche Website aus den genehmigten Angeboten, prüft sie und schaltet sie um."""
    from portal.publishing.errors import PublishError
    from portal.publishing.services import publish_now

    try:
        publish_now(click.echo, snapshot_file)
    except PublishError as error:
        click.echo(f"Veröffentlichung fehlgeschlagen – die bisherige Website bleibt online.\n{error.message}", err=True)
        raise SystemExit(1) from None
    click.echo(f"Die Website liegt in {current_app.config['SITE_DIR']}.")


@click.group("reminders")
def reminders_group() -> None:
    """Erinnerungen an fällige Teilnahmeberichte."""


@reminders_group.command("send")
@today_option
def reminders_send(today: datetime | None) -> None:
    """Erinnert Träger vor und nach dem Abgabetermin an fehlende Teilnahmeberichte (für cron, einmal am Tag)."""
    from portal.reports.reminders import send_reminders

    click.echo(send_reminders(today.date() if today else date.today()).summary())


@click.group("retention")
def retention_group() -> None:
    """Löschfristen."""


@retention_group.command("purge")
@click.option("--dry-run", is_flag=True, help="Nur zählen, nichts löschen.")
def retention_purge(dry_run: bool) -> None:
    """Löscht Teilnahmedaten und abgeschlossene Angebote nach Ablauf der Aufbewahrungsfristen."""
    from portal.maintenance.retention import purge, result_lines

    plan, cutoffs = purge(date.today(), dry_run)
    for line in result_lines(plan, cutoffs, dry_run):
        click.echo(line)


@click.group("backup")
def backup_group() -> None:
    """Sicherung und Wiederherstellung von Datenbank und Ablage."""


@backup_group.command("create")
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
def backup_create(directory: Path) -> None:
    """Sichert Datenbank und Ablage in einen neuen oder leeren Ordner."""
    from portal.maintenance.backup import BackupError, create_backup

    try:
        manifest = create_backup(directory)
    except BackupError as error:
        click.echo(error.message, err=True)
        raise SystemExit(1) from None
    click.echo(f"Sicherung in {directory} angelegt: {manifest.summary}.")


@backup_group.command("restore")
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
def backup_restore(directory: Path) -> None:
    """Spielt eine Sicherung in eine leere Datenbank und einen leeren Ablageordner ein und prüft das Ergebnis."""
    from portal.maintenance.backup import BackupError, restore_backup

    try:
        manifest, problems = restore_backup(directory)
    except BackupError as error:
        click.echo(error.message, err=True)
        raise SystemExit(1) from None
    if problems:
        click.echo("Prüfung fehlgeschlagen – die Wiederherstellung weicht von der Sicherung ab:", err=True)
        click.echo("\n".join(problems), err=True)
        raise SystemExit(1)
    click.echo(
        f"Sicherung vom {manifest.created_label} wiederhergestellt und geprüft: {manifest.summary} stimmen mit "
        "der Sicherung überein."
    )


@click.group("assignments")
def assignments_group() -> None:
    """Zuweisungen des Jobcenters."""


@assignments_group.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Nur prüfen und zeigen, was angelegt würde; nichts speichern.")
@click.option(
    "--allow-overbooking", is_flag=True, help="Auch importieren, wenn mehr Plätze belegt wären als vorhanden."
)
def assignments_import(file: Path, dry_run: bool, allow_overbooking: bool) -> None:
    """Legt die Zuweisungen einer CSV- oder XLSX-Datei an, alle oder keine (Exit-Code 1: Fehler in der Datei)."""
    from portal.assignments import services
    from portal.assignments.importer import MAX_BYTES

    content = read_at_most(file, MAX_BYTES + 1)
    if services.imported(services.content_token(content)):
        click.echo("Diese Datei ist bereits importiert; nichts angelegt.")
        return
    checked = services.check_upload(None, file.name, content)
    result = checked.result
    if not result.ok:
        click.echo("\n".join(str(problem) for problem in result.errors), err=True)
        click.echo("Nichts angelegt: Bitte berichtigen Sie die Datei.", err=True)
        raise SystemExit(1)
    for row in result.rows:
        click.echo(_assignment_line(row))
        if row.row in checked.warnings:
            click.echo(f"  Warnung: {checked.warnings[row.row]}")
    if dry_run:
        click.echo(f"Probelauf: {len(result.rows)} Zuweisung(en) würden angelegt; nichts gespeichert.")
        return
    if checked.warnings and not allow_overbooking:
        click.echo("Nichts angelegt: Mit --allow-overbooking importieren Sie trotz der Warnungen.", err=True)
        raise SystemExit(1)
    try:
        services.import_assignments(None, file.name, content)
    except ServiceError as error:
        click.echo(f"Nichts angelegt: {error.message}", err=True)
        raise SystemExit(1) from None
    click.echo(f"{len(result.rows)} Zuweisung(en) angelegt und den Trägern vorgeschlagen.")


@assignments_group.command("end")
@today_option
def assignments_end(today: datetime | None) -> None:
    """Beendet angetretene Zuweisungen, deren Zeitraum vor dem Stichtag endete (für cron, einmal am Tag)."""
    from portal.assignments.services import end_due

    ended = end_due(today.date() if today else date.today())
    click.echo(f"{ended} Zuweisung(en) beendet, deren Zeitraum abgelaufen ist.")


def _assignment_line(row: ImportRow) -> str:
    from portal.assignments.weekdays import format_weekdays
    from portal.templating import de_number, euro

    mae = f", MAE {euro(row.mae_rate)} je Stunde" if row.mae_rate else ""
    return (
        f"Zeile {row.row}: {row.customer_number} ({row.initials}), Angebot Nr. {row.offer_id}, "
        f"{row.site or 'ohne Einsatzstelle'}, {row.start_date:%d.%m.%Y} bis {row.end_date:%d.%m.%Y}, "
        f"{de_number(row.weekly_hours, 1)} Wochenstunden, {format_weekdays(row.weekdays)}{mae}"
    )


def register_commands(app: Flask) -> None:
    for group in (
        db_group,
        users_group,
        assignments_group,
        demo_data,
        mail_group,
        publish,
        check_pdf_command,
        reminders_group,
        retention_group,
        backup_group,
    ):
        app.cli.add_command(group)


def main() -> None:
    from portal import create_app

    cli = FlaskGroup(create_app=partial(create_app, command_line=True), add_version_option=False)
    cli(prog_name="portal")
