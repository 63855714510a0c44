"""Back-office bulk import of existing institutions into one region (the same checks as the page)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from tuoyu.core.imports import ImportFailed
from tuoyu.institutions.imports import MAX_BYTES, import_institutions
from tuoyu.regions.models import Region


class Command(BaseCommand):
    help = (
        "Import institutions from an .xlsx or .csv register (the columns of the register export) into "
        "the region CODE. Every row is checked; all are created or none. Exits non-zero on errors."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="an .xlsx or .csv file (CSV in UTF-8 or GB18030)")
        parser.add_argument(
            "--region", required=True, help="12-digit code of the region; townships must lie in it"
        )
        parser.add_argument("--dry-run", action="store_true", help="check every row, write nothing")
        parser.add_argument(
            "--actor", default="", help="username recorded in the audit log (default: system)"
        )

    def handle(self, *args: Any, file: str, region: str, dry_run: bool, actor: str, **options: Any) -> None:
        target = Region.objects.filter(code=region).first()
        if target is None:
            raise CommandError(f"No region with code {region}.")
        user = None
        if actor:
            user = get_user_model().objects.filter(username=actor).first()
            if user is None:
                raise CommandError(f"No user called {actor}.")
        path = Path(file)
        try:
            if path.stat().st_size > MAX_BYTES:
                raise CommandError(f"{path} is larger than {MAX_BYTES // (1024 * 1024)} MB; split it.")
            data = path.read_bytes()
        except OSError as exc:
            raise CommandError(f"Cannot read {path}: {exc}") from exc
        try:
            result = import_institutions(
                actor=user, region=target, data=data, filename=path.name, dry_run=dry_run
            )
        except ImportFailed as exc:
            for error in exc.errors[:200]:
                self.stderr.write(str(error) if error.row else error.message)
            if len(exc.errors) > 200:
                self.stderr.write(f"... and {len(exc.errors) - 200} more")
            raise CommandError(f"{len(exc.errors)} error(s); nothing was imported.") from exc
        if result.dry_run:
            self.stdout.write(
                self.style.SUCCESS(f"{result.count} row(s) checked, no errors; nothing written.")
            )
        else:
            self.stdout.write(
                self.style.SUCCESS(
                    f"{result.count} institution(s) imported into {target.name} ({target.code})."
                )
            )
