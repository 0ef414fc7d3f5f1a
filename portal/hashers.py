"""How the portal stores passwords: Argon2id, at the parameters OWASP gives as its minimum.

Django's default is PBKDF2-SHA256 at 1,000,000 iterations. Django's documentation says of Argon2:
"The Password Hashing Competition panel, however, recommends immediate use of Argon2 rather than
the other algorithms supported by Django." OWASP's Password Storage Cheat Sheet: "Use Argon2id with
a minimum configuration of 19 MiB of memory, an iteration count of 2, and 1 degree of
parallelism." Its memory is what makes a stolen hash dear to crack on a GPU; PBKDF2 has none.

What a check costs in CPU, measured on the 2-core machine of docs/reliability.md (session 8):
PBKDF2 at 1,000,000 iterations 324 ms; Argon2 at Django's own parameters (100 MiB, 2 passes, 8
lanes) 278 ms, spread over both cores; Argon2id at OWASP's 34 ms, on one. With PBKDF2, five
people signing in in the same second queued for half a second or more (issue 22). The cost an
attacker pays per guess is set by the memory; the portal pays a tenth of PBKDF2's per sign-in.
One lane (parallelism 1), as OWASP says: on two cores, a hash spread over eight threads only
takes the other core from the next person's page.

Every account also needs its two-factor code (portal/two_factor.py), and django-axes locks an
account after five failures (portal/sign_in.py): the hash guards against a stolen database, not
against guessing at the sign-in page.

Hashes made before (PBKDF2, or Argon2 at other parameters) still verify: Django re-hashes a
password with this hasher the next time its owner signs in (PASSWORD_HASHERS in
portal/settings/base.py keeps the older hashers for that)."""

from django.contrib.auth.hashers import Argon2PasswordHasher


class PortalArgon2PasswordHasher(Argon2PasswordHasher):
    """Django's Argon2 hasher (Argon2id, version 19, a 32-byte hash) with OWASP's minimum
    parameters. Same algorithm name ("argon2") as Django's, so hashes at Django's parameters are
    verified by it and re-hashed at these on the next sign-in (must_update compares them)."""

    time_cost = 2
    memory_cost = 19 * 1024  # KiB: 19 MiB
    parallelism = 1
