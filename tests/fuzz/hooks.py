"""Schemathesis hooks for .ci/fuzz (loaded by tests/fuzz/schemathesis.toml).

The fuzzer acts as an admin, and an admin may disable any account or change its role but their
own. Left alone it soon disables the job seeker whose token it uses for the job seeker's
operations (it learns that account's id from the responses), and every one of those operations
is then 401 for the rest of the run. So `PATCH /api/v1/users/{id}` never names the accounts in
BURSA_FUZZ_PROTECTED_USERS (comma-separated ids, from tests/fuzz/prepare.py): such a request
goes to an id no account has instead, and is checked like any other.
"""

import os
import uuid

import schemathesis

PROTECTED = {id for id in os.environ.get("BURSA_FUZZ_PROTECTED_USERS", "").split(",") if id}


@schemathesis.hook
def before_call(context, case, kwargs):
    if case.operation.label != "PATCH /api/v1/users/{id}" or not case.path_parameters:
        return
    if case.path_parameters.get("id") in PROTECTED:
        case.path_parameters["id"] = str(uuid.uuid4())
