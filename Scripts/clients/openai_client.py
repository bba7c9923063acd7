"""Drives sottod's OpenAI-compatible API with the official `openai` package over the Unix socket.

Each subcommand runs one scenario and prints one JSON document of what the client saw; the Swift
end-to-end tests (Tests/EndToEndTests/OpenAIClientTests.swift) judge it. Run it with the venv from
Scripts/python-clients:  PY=$(Scripts/python-clients); $PY Scripts/clients/openai_client.py SOCKET models
"""

import argparse
import base64
import json
import struct
import sys
import time

import httpx
import openai


def client(socket, retries=2):
    transport = httpx.HTTPTransport(uds=socket)
    return openai.OpenAI(
        base_url="http://localhost/v1", api_key="unused", max_retries=retries,
        http_client=httpx.Client(transport=transport, timeout=600))


def messages(question):
    return [{"role": "user", "content": question}]


def chat(args):
    c = client(args.socket, retries=args.retries)
    extra = {}
    if args.stop:
        extra["stop"] = args.stop
    if not args.stream:
        started = time.monotonic()
        r = c.chat.completions.create(
            model=args.model, messages=messages(args.question), temperature=0, max_tokens=args.max_tokens, **extra)
        return {
            "content": r.choices[0].message.content, "finish_reason": r.choices[0].finish_reason,
            "usage": r.usage.model_dump(), "object": r.object, "model": r.model,
            "sotto": (r.model_extra or {}).get("sotto"), "seconds": time.monotonic() - started,
        }
    started = time.monotonic()
    stream = c.chat.completions.create(
        model=args.model, messages=messages(args.question), temperature=0, max_tokens=args.max_tokens, stream=True,
        stream_options={"include_usage": True}, **extra)
    pieces, first_content, finish, usage, sotto, roles = [], None, None, None, None, []
    for chunk in stream:
        if chunk.usage is not None:
            usage = chunk.usage.model_dump()
        extra_fields = chunk.model_extra or {}
        if extra_fields.get("sotto") is not None:
            sotto = extra_fields["sotto"]
        for choice in chunk.choices:
            if choice.delta.role:
                roles.append(choice.delta.role)
            if choice.delta.content:
                if first_content is None:
                    first_content = time.monotonic() - started
                pieces.append(choice.delta.content)
            if choice.finish_reason is not None:
                finish = choice.finish_reason
    return {
        "content": "".join(pieces), "pieces": len(pieces), "finish_reason": finish, "usage": usage, "sotto": sotto,
        "roles": roles, "first_content_seconds": first_content, "seconds": time.monotonic() - started,
    }


def ask_first_token(socket, question):
    """Seconds from sending /v1/ask to its first token event (the daemon's own protocol)."""
    started = time.monotonic()
    with httpx.Client(transport=httpx.HTTPTransport(uds=socket), timeout=600) as h:
        with h.stream("POST", "http://localhost/v1/ask", json={"question": question}) as r:
            first = None
            for line in r.iter_lines():
                if not line:
                    continue
                event = json.loads(line)
                if event.get("event") == "token" and first is None:
                    first = time.monotonic() - started
            return first, time.monotonic() - started


def first_chunk(args):
    """Alternates /v1/ask and a streamed grounded chat completion on the same question."""
    c = client(args.socket)
    rows = []
    for _ in range(args.rounds):
        ask_first, ask_total = ask_first_token(args.socket, args.question)
        started = time.monotonic()
        first = None
        for chunk in c.chat.completions.create(model="sotto", messages=messages(args.question), stream=True):
            if first is None and chunk.choices and chunk.choices[0].delta.content:
                first = time.monotonic() - started
        rows.append({"ask_first_token": ask_first, "ask_total": ask_total, "chat_first_chunk": first,
                     "chat_total": time.monotonic() - started})
    return {"rounds": rows}


def unpack(text):
    raw = base64.b64decode(text)
    return list(struct.unpack("<%df" % (len(raw) // 4), raw))


def embeddings(args):
    c = client(args.socket)
    floats = c.embeddings.create(model=args.model, input=args.texts, encoding_format="float")
    # The client asks for base64 by default and decodes it itself; ask explicitly and decode here too.
    encoded = c.embeddings.create(model=args.model, input=args.texts, encoding_format="base64")
    raw = [unpack(item.embedding) if isinstance(item.embedding, str) else item.embedding for item in encoded.data]
    default = c.embeddings.create(model=args.model, input=args.texts[0])
    try:
        c.embeddings.create(model=args.model, input=" ".join(["word"] * 600))
        too_long = None
    except openai.BadRequestError as error:
        too_long = {"status": error.status_code, "code": error.code, "param": error.param, "message": error.message}
    return {
        "model": floats.model, "float": [item.embedding for item in floats.data], "base64": raw,
        "default": default.data[0].embedding, "usage": floats.usage.model_dump(), "too_long": too_long,
    }


def models(args):
    listing = client(args.socket).models.list()
    return {"models": [{"id": m.id, "object": m.object, "owned_by": m.owned_by, "sotto": (m.model_extra or {}).get("sotto")}
                       for m in listing.data]}


def error(args):
    try:
        client(args.socket).chat.completions.create(model="no-such-model", messages=messages("Hello?"))
        return {"raised": None}
    except openai.APIStatusError as e:
        return {"raised": type(e).__name__, "status": e.status_code, "code": e.code, "param": e.param,
                "type": e.type, "message": e.message}


def disconnect(args):
    """Reads a few chunks of a long streamed answer, then closes the connection."""
    c = client(args.socket)
    stream = c.chat.completions.create(
        model=args.model, messages=messages(args.question), temperature=0, max_tokens=args.max_tokens, stream=True)
    received = 0
    for chunk in stream:
        if chunk.choices and chunk.choices[0].delta.content:
            received += 1
            if received >= args.after:
                break
    stream.close()
    return {"received": received, "closed_at": time.time()}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("socket")
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("chat")
    p.add_argument("--model", required=True)
    p.add_argument("--question", required=True)
    p.add_argument("--max-tokens", type=int, default=256)
    p.add_argument("--stream", action="store_true")
    p.add_argument("--stop", action="append")
    p.add_argument("--retries", type=int, default=2)
    p = sub.add_parser("first-chunk")
    p.add_argument("--question", required=True)
    p.add_argument("--rounds", type=int, default=3)
    p = sub.add_parser("embeddings")
    p.add_argument("--model", required=True)
    p.add_argument("texts", nargs="+")
    sub.add_parser("models")
    sub.add_parser("error")
    p = sub.add_parser("disconnect")
    p.add_argument("--model", required=True)
    p.add_argument("--question", required=True)
    p.add_argument("--max-tokens", type=int, default=2000)
    p.add_argument("--after", type=int, default=3)
    args = parser.parse_args()
    handlers = {"chat": chat, "first-chunk": first_chunk, "embeddings": embeddings, "models": models, "error": error,
                "disconnect": disconnect}
    json.dump(handlers[args.command](args), sys.stdout)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
