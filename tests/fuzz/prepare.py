#!/usr/bin/env python3
"""Gets a seeded Bursa ready for Schemathesis and hands the fuzzer its tokens.

On top of `bursa seed`, walks one fair through the API as its people would (so that every kind
of object has a live instance the fuzzer's stateful phase can start from): organizer 1 runs a
fair that is on now, employer 1 joins it and posts a vacancy, a new job seeker account signs up,
fills its profile, registers, is checked in at the door, applies, and is reported hired; a
second account claims that job seeker's NIK; and the account of openapi.yaml's sign-in example
exists.

Then it writes the admin's and the job seeker's access tokens to `tokens.env` in the given
directory, as BURSA_FUZZ_ADMIN_TOKEN and BURSA_FUZZ_SEEKER_TOKEN, for tests/fuzz/schemathesis.toml,
the ids of the job seeker's and the example's accounts as BURSA_FUZZ_PROTECTED_USERS and the
fair's as BURSA_FUZZ_PROTECTED_EVENTS, and the fair, employer, application and profile the hooks
steer some requests to as BURSA_FUZZ_TARGETS (JSON), for tests/fuzz/hooks.py.

Usage: prepare.py BASE_URL OUTPUT_DIR. Standard library only.
"""

import datetime
import json
import random
import shlex
import sys
import urllib.error
import urllib.request

SEED_PASSWORD = "bursa-seed-password"

class Api:
    def __init__(self, base):
        self.base = base.rstrip("/")

    def call(self, method, path, token=None, body=None, expect=(200, 201)):
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(self.base + path, data=data, method=method)
        if data is not None:
            request.add_header("Content-Type", "application/json")
        if token:
            request.add_header("Authorization", f"Bearer {token}")
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                status, text = response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            status, text = error.code, error.read().decode()
        if status not in expect:
            raise SystemExit(f"prepare: {method} {path} answered {status}: {text}")
        return json.loads(text) if text else None

    def login(self, email, password=SEED_PASSWORD):
        pair = self.call("POST", "/api/v1/auth/login", body={"email": email, "password": password})
        return pair["access_token"]


def iso(moment):
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def main():
    if len(sys.argv) != 3:
        raise SystemExit("usage: prepare.py BASE_URL OUTPUT_DIR")
    api, out = Api(sys.argv[1]), sys.argv[2]
    admin = api.login("admin@seed.bursa.test")
    organizer = api.login("organizer1@seed.bursa.test")
    employer = api.login("employer1@seed.bursa.test")
    office = api.call("GET", "/api/v1/me", organizer)["organizations"][0]["organization_id"]
    company = api.call("GET", "/api/v1/me", employer)["organizations"][0]["organization_id"]

    # A fair that is on now, so that the door and the booth work.
    now = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)
    event = api.call(
        "POST",
        "/api/v1/events",
        organizer,
        {
            "organization_id": office,
            "title": "Bursa Kerja Uji Fuzz",
            "description": "A fair walked through the API for the fuzzer.",
            "format": "onsite",
            "venue": "Gedung Serbaguna",
            "province_code": "31",
            "city": "Jakarta Pusat",
            "starts_at": iso(now - datetime.timedelta(hours=1)),
            "ends_at": iso(now + datetime.timedelta(days=2)),
            "capacity": 500,
            "budget_idr": 150_000_000,
            "funding_source": "apbn",
            "target_placements": 50,
        },
    )["id"]
    organization = api.call("GET", f"/api/v1/organizations/{office}", admin)
    if not organization.get("verified_at"):
        api.call(
            "POST",
            f"/api/v1/organizations/{office}/verify",
            admin,
            {"note": "Registration checked for the fuzz run."},
        )
    api.call("POST", f"/api/v1/events/{event}/publish", organizer)
    api.call("POST", f"/api/v1/events/{event}/employers", employer, {"organization_id": company})
    api.call("POST", f"/api/v1/events/{event}/employers/{company}/approve", organizer)
    vacancy = api.call(
        "POST",
        f"/api/v1/events/{event}/vacancies",
        employer,
        {
            "organization_id": company,
            "title": "Operator Gudang",
            "occupation_code": "8344",
            "openings": 5,
            "employment_type": "contract",
            "location_province_code": "31",
            "location_city": "Jakarta Utara",
        },
    )["id"]

    # A job seeker of their own, with a profile, a ticket, a check-in and an application.
    suffix = random.randrange(10**6)
    email = f"fuzz.seeker.{suffix}@example.id"
    password = f"fuzz-seeker-password-{suffix}"
    api.call(
        "POST",
        "/api/v1/auth/register",
        body={"email": email, "password": password, "full_name": "Sari Fuzz", "role": "job_seeker"},
    )
    seeker = api.login(email, password)
    seeker_user = api.call("GET", "/api/v1/me", seeker)["id"]
    for _ in range(20):
        nik = f"317401550895{random.randrange(10**4):04}"
        profile = {
            "full_name": "Sari Fuzz",
            "nik": nik,
            "birth_date": "1995-08-15",
            "gender": "female",
            "education_level": "smk",
            "province_code": "31",
            "city": "Jakarta Timur",
            "disability": False,
            "consent": True,
        }
        made = api.call("POST", "/api/v1/job-seekers", seeker, profile, expect=(201, 409))
        if made and "id" in made:
            break
    else:
        raise SystemExit("prepare: no free NIK for the job seeker")
    ticket = api.call("POST", f"/api/v1/events/{event}/registrations", seeker, {})
    api.call(
        "POST", f"/api/v1/events/{event}/check-ins", organizer, {"check_in_code": ticket["check_in_code"]}
    )
    application = api.call("POST", f"/api/v1/vacancies/{vacancy}/applications", seeker, {})["id"]
    api.call(
        "POST",
        "/api/v1/placements",
        employer,
        {
            "application_id": application,
            "start_date": now.date().isoformat(),
            "salary_idr": 5_000_000,
            "contract_type": "contract",
            "occupation_code": "8344",
        },
    )

    # The account openapi.yaml's example of a sign-in names, so that the example signs in (and
    # the stateful phase follows its links to refreshing and signing out).
    api.call(
        "POST",
        "/api/v1/auth/register",
        body={
            "email": "siti@example.co.id",
            "password": "correct horse battery",
            "full_name": "Siti Contoh",
            "role": "job_seeker",
        },
    )
    example_user = api.call("GET", "/api/v1/me", api.login("siti@example.co.id", "correct horse battery"))["id"]

    # A second account claims the first one's NIK (as when someone else registered it), so that
    # admins have an open claim to decide.
    claimant = f"fuzz.claimant.{suffix}@example.id"
    api.call(
        "POST",
        "/api/v1/auth/register",
        body={"email": claimant, "password": password, "full_name": "Sari Fuzz", "role": "job_seeker"},
    )
    api.call(
        "POST",
        "/api/v1/nik-claims",
        api.login(claimant, password),
        {"profile": profile, "note": "My ID card can be checked at the Jakarta office."},
    )

    # What tests/fuzz/hooks.py puts into a share of the requests it steers.
    targets = {"event": event, "employer": company, "application": application, "profile": profile}
    with open(f"{out}/tokens.env", "w") as file:
        file.write(f"BURSA_FUZZ_ADMIN_TOKEN={admin}\nBURSA_FUZZ_SEEKER_TOKEN={seeker}\n")
        file.write(f"BURSA_FUZZ_PROTECTED_USERS={seeker_user},{example_user}\n")
        file.write(f"BURSA_FUZZ_PROTECTED_EVENTS={event}\n")
        file.write(f"BURSA_FUZZ_TARGETS={shlex.quote(json.dumps(targets))}\n")
    print(f"prepare: fair {event}, vacancy {vacancy}, job seeker {email}, application {application}")


if __name__ == "__main__":
    main()
