"""The users of `make load` (bin/load.py), for Locust: each role signs in (password, then the
two-factor code, as production demands) and then walks its real journeys again and again.

- MDT office: searches patients, takes in a referral through the two-step intake form (check
  routing, then save), adds it to the next MDT's case list, and records an outcome.
- Clinician: their patient list, one of their patients, the PTL.
- SAG member: the change-request queue, one request, a decision (rejected, with the reason).
- Anonymous: a directory search.
- Ceiling: the health endpoint alone (the machine's ceiling: no sign-in, one database round trip).

bin/load.py writes the accounts file (LOAD_ACCOUNTS) and reads back two files this writes: the
ledger (LOAD_LEDGER: every write the portal said was saved, for the books) and the timeline
(LOAD_TIMELINE: every request's time, page, status and duration, for the table and the outage
window). Not run by pytest; needs the locust package (requirements-dev.txt).

The portal runs with production settings behind a pretend TLS-terminating load balancer: each
request says X-Forwarded-Proto: https and the client's X-Forwarded-For (PORTAL_TRUSTED_PROXY_COUNT
is 1), and each user's cookie jar sends the Secure cookies over the loopback as the balancer would.

The users are FastHttpUsers (geventhttpclient), not the requests-based HttpUser: the load generator
shares the portal's two cores, and Locust's documentation says FastHttpUser "uses significantly
less CPU time, sometimes increasing the maximum number of requests per second on a given hardware
by as much as 5x-6x". Until session 8 the generator's own share held the scaling ratio
down (docs/reliability.md). It retries nothing (max_retries 0), so no POST is sent twice."""

import hashlib
import hmac
import itertools
import json
import os
import random
import re
import struct
import time
import uuid
from http.cookiejar import DefaultCookiePolicy

from locust import FastHttpUser, between, events, task

ACCOUNTS = json.loads(open(os.environ["LOAD_ACCOUNTS"]).read())  # noqa: SIM115
LEDGER = open(os.environ["LOAD_LEDGER"], "a", buffering=1)  # noqa: SIM115
TIMELINE = open(os.environ["LOAD_TIMELINE"], "a", buffering=1)  # noqa: SIM115
THINK = float(os.environ.get("LOAD_THINK_SECONDS", "0"))
OFFSET = int(os.environ.get("LOAD_ACCOUNT_OFFSET", "0"))
RUN = uuid.uuid4().hex[:8]

CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
ROUTING = re.compile(r'name="routing_checked" value="([^"]*)"')
VERSION = re.compile(r'name="version" value="(\d+)"')
TAKEN_IN = re.compile(r"Referral (\d+) taken in")
PATIENT_URL = re.compile(r"/patients/(\d+)/$")


@events.request.add_listener
def _timeline(request_type, name, response_time, response_length, response, exception, **_kwargs):
    status = getattr(response, "status_code", 0) or 0
    ok = exception is None
    row = [round(time.time(), 3), name, status, round(response_time, 1), ok]
    if not ok and response is not None:
        # Where a failure was sent, whether it deleted the session cookie, and for a request with
        # no answer (status 0) what the client saw: the connection refused or reset, say
        # (diagnosis only; the exception's type and text name no patient).
        headers = getattr(response, "headers", None) or {}
        row.append(str(headers.get("Location") or "").split("?")[0])
        row.append('sessionid=""' in str(headers.get("Set-Cookie") or ""))
        row.append(f"{type(exception).__name__}: {exception}"[:300] if status == 0 else "")
    TIMELINE.write(json.dumps(row) + "\n")


def ledger(kind: str, **facts) -> None:
    LEDGER.write(json.dumps({"kind": kind, "at": time.time(), **facts}) + "\n")


def step() -> int:
    return int(time.time()) // 30


def totp(hex_key: str, step: int) -> str:
    """RFC 6238 with django-otp's TOTPDevice defaults: SHA-1, 30-second steps, six digits."""
    digest = hmac.new(bytes.fromhex(hex_key), struct.pack(">Q", step), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    code = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return f"{code % 1_000_000:06d}"


class BalancerCookiePolicy(DefaultCookiePolicy):
    """The balancer in front speaks HTTPS to browsers, so they send the Secure cookies; over the
    loopback the requests are plain HTTP, and the default policy would keep them back (the CSRF
    cookie too: every form would be refused)."""

    def return_ok_secure(self, cookie, request) -> bool:
        return True


_counters: dict[str, itertools.count] = {}


class PortalUser(FastHttpUser):
    abstract = True
    wait_time = between(THINK / 2, THINK * 3 / 2)  # as think(): a mean of THINK
    max_retries = 0  # a POST is sent once: the books count what the portal said it saved
    role = ""

    def on_start(self) -> None:
        counter = _counters.setdefault(self.role, itertools.count())
        self.index = next(counter)
        host = self.host.split("://", 1)[-1].rstrip("/")
        self.client.cookiejar.set_policy(BalancerCookiePolicy())
        self.headers = {
            "X-Forwarded-Proto": "https",
            "X-Forwarded-For": f"10.22.{self.index // 250}.{self.index % 250 + 1}",
            "Referer": f"https://{host}/",
        }
        if self.role:
            accounts = ACCOUNTS[self.role]
            self.account = accounts[(OFFSET + self.index) % len(accounts)]
            self.signed_in = False
            self.sign_in()

    def think(self) -> None:
        """A person reads the page, or fills its form, before the next: THINK seconds on average
        (bin/load.py --think), each time drawn between half and one and a half times it. Between
        the pages of a journey, not only between journeys: until session 7 the users waited only
        after a whole journey, so the office's twelve pages went back to back and the every-role
        load was about three times what the documentation said. Until session 8 every wait was
        exactly THINK: the users started in the same second stayed in step for the whole run, and
        in its first 20 seconds asked for 15-18 pages a second against 11 after (people do not
        read a page in exactly five seconds). A redirect a browser follows by itself is not
        preceded by a think."""
        if THINK:
            time.sleep(random.uniform(THINK / 2, THINK * 3 / 2))  # noqa: S311  (not for security)

    def ensure_signed_in(self) -> bool:
        """A user sent to the sign-in page (a failed sign-in during a fault, a lost session) signs
        in again, as a person would; the count of sign-ins in the table shows it."""
        if not self.signed_in:
            self.sign_in()
        return self.signed_in

    # Helpers -------------------------------------------------------------------------------------

    def get(self, url: str, name: str, expect: int = 200, **kwargs):
        with self.client.get(
            url, name=name, headers=self.headers, catch_response=True, allow_redirects=False, **kwargs
        ) as response:
            self._check(response, expect)
            return response

    def _check(self, response, expect: int) -> None:
        if response.status_code == expect:
            return
        response.failure(f"{response.status_code}, expected {expect}")
        where = str((response.headers or {}).get("Location") or "")
        if response.status_code == 302 and where.startswith(("/accounts/login/", "/accounts/two-factor/")):
            self.signed_in = False

    def post(self, url: str, name: str, data: dict, expect: int = 302, page=None):
        token = self._csrf(page)
        with self.client.post(
            url,
            data={"csrfmiddlewaretoken": token, **data},
            name=name,
            headers=self.headers,
            catch_response=True,
            allow_redirects=False,
        ) as response:
            self._check(response, expect)
            return response

    def _csrf(self, page) -> str:
        if page is not None:
            match = CSRF.search(page.text or "")
            if match:
                return match.group(1)
        return next((cookie.value for cookie in self.client.cookiejar if cookie.name == "csrftoken"), "")

    def sign_in(self) -> None:
        page = self.get("/accounts/login/", "sign-in page")
        self.think()
        response = self.post(
            "/accounts/login/",
            "sign-in: password",
            {"username": self.account["username"], "password": ACCOUNTS["password"]},
            page=page,
        )
        if response.status_code != 302:
            time.sleep(1)  # the database is down, say: try again with the next journey
            return
        verify = self.get("/accounts/two-factor/verify/", "sign-in: two-factor page")
        self.think()
        # A code is good once per account. Each run signs in with accounts of its own (bin/load.py
        # sets LOAD_ACCOUNT_OFFSET), but should a code be refused as used, wait for the next one
        # as a person would (django-otp throttles after a failure, so no guessing ahead).
        for attempt in range(3):
            with self.client.post(
                "/accounts/two-factor/verify/",
                data={"csrfmiddlewaretoken": self._csrf(verify), "token": totp(self.account["totp"], step())},
                name="sign-in: two-factor code",
                headers=self.headers,
                catch_response=True,
                allow_redirects=False,
            ) as response:
                if response.status_code == 302:
                    self.signed_in = True
                    return
                if response.status_code != 200 or attempt == 2:
                    # A server error (a fault): the next journey starts the sign-in again.
                    response.failure(f"two-factor code not accepted ({response.status_code})")
                    time.sleep(1)
                    return
                response.success()  # the form again: this code was used; wait for the next one
            time.sleep(31 - time.time() % 30)

    def pool(self, key: str) -> list:
        return self.account.get(key, [])


class OfficeUser(PortalUser):
    role = "office"
    weight = 3

    @task
    def journey(self) -> None:
        if not self.ensure_signed_in():
            return
        data = ACCOUNTS["intake"]
        # Search patients (POSTed: no name in any URL), then the list at its search token.
        surname = data["surnames"][self.index % len(data["surnames"])]
        page = self.get("/patients/", "patient list (office)")
        self.think()
        found = self.post("/patients/", "patient search", {"q": surname}, page=page)
        if found.status_code == 302:
            self.get(found.headers["Location"], "patient list, search results")
        self.think()
        self.take_in_a_referral(data)
        self.think()
        self.record_an_outcome()

    def take_in_a_referral(self, data: dict) -> None:
        form = self.get("/referrals/new/", "intake form")
        self.think()
        family = f"Loadtest{RUN}{self.index}x{uuid.uuid4().hex[:8]}"
        fields = {
            "nhs_number": "",
            "given_name": "Load",
            "family_name": family,
            "date_of_birth": "1970-01-01",
            "sex": data["sex"],
            "key_worker": data["clinicians"][self.index % len(data["clinicians"])],
            "received_on": time.strftime("%Y-%m-%d"),
            "presentation": data["presentation"],
            "tumour_type": data["tumour_type"],
            "site": data["site"],
            "responsible_consultant": data["clinicians"][self.index % len(data["clinicians"])],
            "routing_checked": "",
        }
        checked = self.post(
            "/referrals/new/", "intake: check routing", {**fields, "action": "check"}, 200, form
        )
        match = ROUTING.search(checked.text or "")
        if not match or not match.group(1):
            checked.failure("no routing decision shown")
            return
        fields["routing_checked"] = match.group(1)
        self.think()
        saved = self.post("/referrals/new/", "intake: save", {**fields, "action": "save"}, page=checked)
        patient = PATIENT_URL.search(str((saved.headers or {}).get("Location") or ""))
        if saved.status_code != 302 or not patient:
            return
        ledger("referral", family_name=family, patient_id=int(patient.group(1)))
        page = self.get(saved.headers["Location"], "patient page (office)")
        taken = TAKEN_IN.search(page.text or "")
        if not taken:
            return
        referral_id = int(taken.group(1))
        self.think()
        mdt = data["mdts"][self.index % len(data["mdts"])]
        added = self.post(
            f"/mdt/referrals/{referral_id}/add-to-next/",
            "add to the next MDT",
            {"mdt": mdt, "question": "Agree the plan of care (load test)."},
            page=page,
        )
        if added.status_code == 302:
            ledger("listed", referral_id=referral_id)
            self.get(added.headers["Location"], "MDT case list")

    def record_an_outcome(self) -> None:
        pool = self.pool("discussions")
        if not pool:
            return
        discussion = pool[int(time.time() * 1000) % len(pool)]
        url = f"/mdt/discussions/{discussion}/outcome/"
        page = self.get(url, "outcome form")
        version = VERSION.search(page.text or "")
        if not version:
            return
        recommendation = f"Load test recommendation {uuid.uuid4().hex}"
        self.think()
        fields = {
            "outcome": ACCOUNTS["intake"]["outcome"],
            "recommendation": recommendation,
            "outcome_recipients": ACCOUNTS["intake"]["recipients"],
            "outcome_caveat_reason": "Recorded during a load test.",
            "version": version.group(1),
        }
        saved = self.post(url, "outcome: save", fields, page=page)
        if saved.status_code == 302:
            ledger("outcome", discussion_id=discussion, recommendation=recommendation)


class ClinicianUser(PortalUser):
    role = "clinician"
    weight = 4

    @task
    def journey(self) -> None:
        if not self.ensure_signed_in():
            return
        self.get("/patients/", "patient list (clinician)")
        patients = self.pool("patients")
        if patients:
            self.think()
            patient = patients[int(time.time() * 1000) % len(patients)]
            self.get(f"/patients/{patient}/", "patient page (clinician)")
        self.think()
        self.get("/ptl/", "PTL (clinician)")


class SagUser(PortalUser):
    role = "sag"
    weight = 1

    def on_start(self) -> None:
        super().on_start()
        self.undecided = list(self.pool("change_requests"))

    @task
    def journey(self) -> None:
        if not self.ensure_signed_in():
            return
        queue = self.get("/directory/changes/", "change request queue")
        if not self.undecided:
            return
        change_request = self.undecided.pop()
        url = f"/directory/changes/{change_request}/"
        self.think()
        page = self.get(url, "change request")
        self.think()
        decided = self.post(
            f"{url}decide/",
            "change request: decide",
            {"decision": "reject", "comment": "Rejected in a load test."},
            page=page if page.status_code == 200 else queue,
        )
        if decided.status_code == 302:
            # The view redirects back whatever happened; the flash message on the next page says
            # whether it was saved, so the books check the database, not this.
            follow = self.get(url, "change request")
            if "rejected; the proposer is told why" in (follow.text or ""):
                ledger("decision", change_request_id=change_request)


class AnonymousUser(PortalUser):
    role = ""
    weight = 2

    @task
    def journey(self) -> None:
        names = ACCOUNTS["intake"]["practitioner_names"]
        name = names[int(time.time() * 1000) % len(names)]
        self.get(f"/directory/?name={name}", "directory search (anonymous)")


class CeilingUser(PortalUser):
    """Only in the ceiling runs (bin/load.py names this class on the command line)."""

    role = ""

    @task
    def health(self) -> None:
        self.get("/health/", "health (the ceiling)")
