"""Schemathesis checks of Scripts/fuzz-api beyond the schema's: every line of an NDJSON stream is a valid
event, and an answer stream ends with `done` or `error`. Loaded with SCHEMATHESIS_HOOKS=sotto_checks."""
import json

import schemathesis

ASK_EVENTS = {"sources", "queued", "token", "done", "error"}
INDEX_STATES = {"idle", "scanning", "indexing", "recognizing"}


def header(response, name):
    for key, value in response.headers.items():
        if key.lower() == name:
            return value[0] if isinstance(value, list) else value
    return ""


@schemathesis.check
def ndjson_lines_are_events(ctx, response, case):
    if not header(response, "content-type").startswith("application/x-ndjson"):
        return None
    lines = [line for line in response.content.split(b"\n") if line.strip()]
    if not lines:
        raise AssertionError("an NDJSON stream without a line")
    events = []
    for number, line in enumerate(lines, 1):
        try:
            event = json.loads(line)
        except ValueError as error:
            raise AssertionError(f"line {number} of the stream is not JSON: {line[:200]!r} ({error})")
        if not isinstance(event, dict):
            raise AssertionError(f"line {number} of the stream is not an object: {line[:200]!r}")
        events.append(event)
    path = case.operation.path
    if path.endswith("/ask"):
        for event in events:
            if event.get("event") not in ASK_EVENTS:
                raise AssertionError(f"not an answer event: {json.dumps(event)[:200]}")
        if events[-1]["event"] not in ("done", "error"):
            raise AssertionError(f"the answer stream ended with {events[-1]['event']!r}, not done or error")
    elif path.endswith("/index"):
        for event in events:
            if event.get("state") not in INDEX_STATES or not isinstance(event.get("completedPasses"), int):
                raise AssertionError(f"not an index progress event: {json.dumps(event)[:200]}")
    return None
