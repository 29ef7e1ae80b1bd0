"""Hooks for schemathesis, loaded by the runner (SCHEMATHESIS_HOOKS=hooks).

Two things stop nearly every generated ingestion request before the parser
and the store, which would then go untested:

- meta.integrationConfigurationId: a generated number is almost never the
  integration whose key the run holds (a 403). Where a body has a meta
  object, the id is set to the run's integration (FUZZ_INTEGRATION_ID).
- Idempotency-Key: the few keys generated are reused with other bodies (a
  422 idempotency_key_reused, as the IETF draft says). A well-formed key is
  made unique to its body; a malformed one is sent as generated.

schemathesis judges each request as it was sent, valid or not.
"""

import hashlib
import json
import os
import re

import schemathesis

INTEGRATION = int(os.environ["FUZZ_INTEGRATION_ID"])
WELL_FORMED_KEY = re.compile(r"^[!-~]{1,255}$")


@schemathesis.hook
def before_call(ctx, case, **kwargs):
    if not case.operation.path.startswith("/external-systems/"):
        return
    if isinstance(case.body, dict) and isinstance(case.body.get("meta"), dict):
        case.body["meta"]["integrationConfigurationId"] = INTEGRATION
    key = (case.headers or {}).get("Idempotency-Key")
    if isinstance(key, str) and WELL_FORMED_KEY.match(key):
        body = json.dumps(case.body, sort_keys=True, default=str)
        digest = hashlib.sha256(body.encode()).hexdigest()[:32]
        case.headers["Idempotency-Key"] = key[:200] + "-" + digest
