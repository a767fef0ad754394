"""Schemathesis hooks for .ci/fuzz (loaded by tests/fuzz/schemathesis.toml).

Protecting the run's own people and fair. The fuzzer acts as an admin, and an admin may disable
any account or change its role but their own, and cancel or close any fair. Left alone it soon
disables the job seeker whose token it uses for the job seeker's operations (it learns that
account's id from the responses), and every one of those operations is then 401 for the rest of
the run; or it cancels the one fair that is on now, and no scan at the door can succeed after.
So the requests that would do that to the accounts in BURSA_FUZZ_PROTECTED_USERS or the fairs in
BURSA_FUZZ_PROTECTED_EVENTS (comma-separated ids, from tests/fuzz/prepare.py) go to an id
nothing has instead, and are checked like any other.

Steering a share of the requests past validation. A few operations check their input against
what no generator guesses: a KBJI occupation code (a few hundred of the 10,000 four-digit
strings), a province code, a date between 2000 and 2100 (of years 1 to 9999), a NIK whose digits
hold a real region and the birth date beside it, the ids of an employer approved at a fair that
takes vacancies. Generated bodies are all but always 422 or 403 there, and the operation is
never tested past its first check. So one request in two of those operations (chosen by the
generated data, so a seed replays the same run) gets the values of the fair that
tests/fuzz/prepare.py walked through (BURSA_FUZZ_TARGETS), keeping every other generated field;
the other half goes out as generated.
"""

import datetime
import json
import os
import uuid
import zlib

import schemathesis


def ids(name):
    return {id for id in os.environ.get(name, "").split(",") if id}


PROTECTED = {
    "PATCH /api/v1/users/{id}": ids("BURSA_FUZZ_PROTECTED_USERS"),
    "POST /api/v1/events/{id}/cancel": ids("BURSA_FUZZ_PROTECTED_EVENTS"),
    "POST /api/v1/events/{id}/close": ids("BURSA_FUZZ_PROTECTED_EVENTS"),
}

TARGETS = json.loads(os.environ.get("BURSA_FUZZ_TARGETS") or "{}")
# A KBJI code and a province code that exist, and a start date in range.
OCCUPATION, PROVINCE = "8344", "31"
TODAY = datetime.date.today().isoformat()


def report_placement(case):
    # The hire prepare.py reported already: a second report is 409 `already_placed`.
    for other_form in ("vacancy_id", "job_seeker_id", "check_in_code"):
        case.body.pop(other_form, None)
    case.body.update(
        application_id=TARGETS["application"], occupation_code=OCCUPATION, start_date=TODAY
    )


def create_vacancy(case):
    case.path_parameters["id"] = TARGETS["event"]
    case.body.update(
        organization_id=TARGETS["employer"],
        occupation_code=OCCUPATION,
        location_province_code=PROVINCE,
    )


def file_nik_claim(case):
    # The profile the job seeker holds: their claim is 409 `profile_exists`.
    case.body["profile"] = dict(TARGETS["profile"])


STEERED = {
    "POST /api/v1/placements": report_placement,
    "POST /api/v1/events/{id}/vacancies": create_vacancy,
    "POST /api/v1/nik-claims": file_nik_claim,
}


def steer(case):
    steer_body = STEERED.get(case.operation.label)
    if not steer_body or not TARGETS or not isinstance(case.body, dict):
        return
    generated = json.dumps([case.path_parameters, case.body], sort_keys=True, default=str)
    if zlib.crc32(generated.encode()) % 2 == 0:
        steer_body(case)


@schemathesis.hook
def before_call(context, case, kwargs):
    steer(case)
    protected = PROTECTED.get(case.operation.label)
    if not protected or not case.path_parameters:
        return
    if case.path_parameters.get("id") in protected:
        case.path_parameters["id"] = str(uuid.uuid4())
