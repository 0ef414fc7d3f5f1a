"""`python manage.py second_opinion_eligibility`: the policy's answer as a stable JSON contract.

Reads ONE JSON object on stdin, prints ONE JSON object on stdout (see second_opinions/rules.py for
the keys and the rules). Bad input prints an error naming the key on stderr and exits with 2."""

import json
import sys

from django.core.management.base import BaseCommand, CommandError

from second_opinions import rules


class Command(BaseCommand):
    help = (
        "Read one JSON second-opinion request on stdin and print the LSESN policy's decision as one "
        "JSON object. Input keys: current_service, standard_management, requested_service, "
        "requested_by, reason, tumour, named_clinician (optional). Exit status 2 on bad input."
    )

    # call_command(..., stdin=StringIO(...)) may pass the input stream; the default is sys.stdin.
    stealth_options = ("stdin",)

    def handle(self, *args, **options) -> None:
        text = (options.get("stdin") or sys.stdin).read()
        try:
            data = json.loads(text)
        except json.JSONDecodeError as error:
            raise CommandError(f"invalid JSON on stdin: {error}", returncode=2) from None
        try:
            request = rules.parse_input(data)
        except rules.EligibilityInputError as error:
            raise CommandError(f"bad input: {error}", returncode=2) from None
        self.stdout.write(json.dumps(rules.decide(request).as_json()))
