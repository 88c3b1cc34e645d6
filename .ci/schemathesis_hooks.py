"""The refusals of the dondoc API that no OpenAPI document can rule out.

The fuzzer's "schema-valid request rejected" (ST202) is dropped for these
answers only, each told apart by the API itself (docs/api.md, "Answers");
every other finding, of every check, fails the run.

- 422 with `error: contradiction`: well-formed values that contradict each
  other, today or what is stored (a deadline before the assignment, `to`
  before `from`, `from` without `to`, a new deadline not after the task's
  current one, a completion in the future). JSON Schema cannot compare values.
- 400 on `as_of`: an as-of date before the period's start, the contract's 400
  (with no `as_of`, a period that has not started is read as of today).
- 422 on an uploaded file whose content is not of a kind the server reads
  (`file` of POST /conclusions/parse, `attachment` of POST /tasks/{id}/reports):
  a schema says that a part is a file, not what the file holds.
"""

import schemathesis

FILE_PARTS = {
    ("POST /conclusions/parse", "file"),
    ("POST /tasks/{id}/reports", "attachment"),
}


def is_contract_refusal(operation, status, body):
    error, field = body.get("error"), body.get("field")
    if status == 422 and error == "contradiction":
        return True
    if status == 400 and error == "bad_request" and field == "as_of":
        return True
    return status == 422 and error == "invalid" and (operation, field) in FILE_PARTS


@schemathesis.hook
def filter_failure(context, failure, case, response):
    if failure.code != "ST202":
        return True
    try:
        body = response.json()
    except ValueError:
        return True
    if not isinstance(body, dict):
        return True
    return not is_contract_refusal(case.operation.label, response.status_code, body)
