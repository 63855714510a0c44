"""Print the demo accounts and what each can see (after `demo_data`)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from tuoyu.accounts.models import User


class Command(BaseCommand):
    help = "List the demo logins (users named demo_*) with their roles."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--password", default="", help="The password given to demo_data, to print alongside"
        )

    def handle(self, *args: Any, password: str, **options: Any) -> None:
        users = (
            User.objects.filter(username__startswith="demo_")
            .order_by("username")
            .prefetch_related("role_assignments__region", "role_assignments__institution")
        )
        if not users:
            self.stdout.write("No demo accounts: run `manage.py demo_data` first.")
            return
        self.stdout.write("Demo logins" + (f" (password: {password})" if password else "") + ":")
        for user in users:
            if not user.has_usable_password():
                continue  # actors of back-dated demo records, not logins
            roles = "; ".join(
                f"{a.get_role_display()} · {a.region or a.institution or '—'}"
                for a in user.role_assignments.all()
            )
            self.stdout.write(f"  {user.username:<24} {roles}")
