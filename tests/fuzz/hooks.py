"""Schemathesis hooks for .ci/fuzz (loaded by tests/fuzz/schemathesis.toml).

The fuzzer acts as an admin, and an admin may disable any account or change its role but their
own, and cancel or close any fair. Left alone it soon disables the job seeker whose token it
uses for the job seeker's operations (it learns that account's id from the responses), and
every one of those operations is then 401 for the rest of the run; or it cancels the one fair
that is on now, and no scan at the door can succeed after. So the requests that would do that to
the accounts in BURSA_FUZZ_PROTECTED_USERS or the fairs in BURSA_FUZZ_PROTECTED_EVENTS
(comma-separated ids, from tests/fuzz/prepare.py) go to an id nothing has instead, and are
checked like any other.
"""

import os
import uuid

import schemathesis


def ids(name):
    return {id for id in os.environ.get(name, "").split(",") if id}


PROTECTED = {
    "PATCH /api/v1/users/{id}": ids("BURSA_FUZZ_PROTECTED_USERS"),
    "POST /api/v1/events/{id}/cancel": ids("BURSA_FUZZ_PROTECTED_EVENTS"),
    "POST /api/v1/events/{id}/close": ids("BURSA_FUZZ_PROTECTED_EVENTS"),
}


@schemathesis.hook
def before_call(context, case, kwargs):
    protected = PROTECTED.get(case.operation.label)
    if not protected or not case.path_parameters:
        return
    if case.path_parameters.get("id") in protected:
        case.path_parameters["id"] = str(uuid.uuid4())
