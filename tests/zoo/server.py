#!/usr/bin/env python3
"""Reference servers for covenant's tests, written independently of covenant's mock.

Each app serves one plain spec of this folder correctly (no x-covenant-* extension),
and `--bug NAME` plants one contract violation at a time, so a test can show that the
runner passes the correct server and catches each bug by the check that names it.

    python3 server.py things [--bug NAME] [--token T]
    python3 server.py rpc    [--bug NAME] [--user U --password P]
    python3 server.py pets   [--bug NAME]   (pets.yaml: ids passed on by OpenAPI links)
    python3 server.py notes  [--bug NAME]   (notes.yaml: ids named only by Location)

The server binds 127.0.0.1 on an ephemeral port, prints `listening http://ADDR`, and
exits when its standard input closes (so it stops with the test that started it).
Standard library only.
"""

import argparse
import base64
import json
import re
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

THINGS_BUGS = {
    "status_400_malformed": "a missing or malformed body gets 400, which the spec does not document",
    "status_400_types": "a wrongly typed value gets 400, which the spec does not document",
    "response_schema": "reads (one thing or the list) answer `age` as a string",
    "text_for_json": "the list answers text/plain where JSON is documented",
    "accept_invalid": "`age` above its maximum is accepted",
    "reject_valid": "the valid kind `fish` is rejected",
    "server_error": "a valid `age` over 100 crashes with 500",
    "auth_ignored": "requests without a valid token are served",
    "error_body": "422 answers carry a body outside the documented error schema",
    "created_not_readable": "things created by POST are never found by GET",
    "update_invisible": "PATCH answers the updated thing but keeps the old one",
    "delete_ignored": "DELETE answers 204 but the thing stays",
    "flaky_under_load": "the list answers 500 while another request is being served (never alone)",
    "chain_500": "reading a thing whose age was updated to null crashes with 500 (create, update, read)",
    "shared_ids": "GET /things/{id} also serves the ids of owners",
}
OWNER_IN = {
    "type": "object",
    "required": ["name"],
    "properties": {"name": {"type": "string", "minLength": 1, "maxLength": 40}},
}
THING_PATCH = {
    "type": "object",
    "properties": {
        "name": {"type": "string", "minLength": 1, "maxLength": 40},
        "age": {"type": ["integer", "null"], "minimum": 0, "maximum": 150},
    },
}
RPC_BUGS = {
    "server_error": "a valid level `full` crashes with 500",
    "auth_ignored": "requests without valid credentials are served",
    "error_body": "400 answers carry a body outside the documented error schema",
    "reject_valid": "a valid two-letter country other than DE is rejected",
    "forgets_sessions": "session.get answers 404 for the sessions session.create made",
}
RECORD_BUGS = {
    "created_not_readable": "created records are never found by a read",
    "update_invisible": "an update answers the new record but keeps the old one",
    "delete_ignored": "a delete answers 204 but the record stays",
    "renamed_twice_500": "reading a record updated twice crashes with 500 (a walk of 4 steps)",
}
PET_IN = {
    "type": "object",
    "required": ["name", "species"],
    "properties": {
        "name": {"type": "string", "minLength": 1, "maxLength": 40},
        "species": {"type": "string", "enum": ["dog", "cat"]},
    },
}
PET_RENAME = {
    "type": "object",
    "required": ["name"],
    "properties": {"name": {"type": "string", "minLength": 1, "maxLength": 40}},
}
NOTE_IN = {
    "type": "object",
    "required": ["title"],
    "properties": {
        "title": {"type": "string", "minLength": 1, "maxLength": 40},
        "text": {"type": "string", "maxLength": 200},
    },
}
NOTE_PATCH = {"type": "object", "properties": NOTE_IN["properties"]}


def is_int(v):
    return (isinstance(v, int) and not isinstance(v, bool)) or (
        isinstance(v, float) and v.is_integer()
    )


def check(schema, value, loc):
    """The JSON Schema subset the zoo's specs use; returns (loc, msg) or None."""
    t = schema.get("type")
    if isinstance(t, list):  # ["integer", "null"]: null, or the other type
        if value is None and "null" in t:
            return None
        t = next((x for x in t if x != "null"), None)
    if t == "object":
        if not isinstance(value, dict):
            return loc, "value is not an object"
        for name in schema.get("required", []):
            if name not in value:
                return loc + [name], "field required"
        for name, sub in schema.get("properties", {}).items():
            if name in value:
                found = check(sub, value[name], loc + [name])
                if found:
                    return found
        return None
    if t == "array":
        if not isinstance(value, list):
            return loc, "value is not a list"
        if "maxItems" in schema and len(value) > schema["maxItems"]:
            return loc, "too many items"
        for i, item in enumerate(value):
            found = check(schema.get("items", {}), item, loc + [i])
            if found:
                return found
        return None
    if t == "string":
        if not isinstance(value, str):
            return loc, "value is not a string"
        if len(value) < schema.get("minLength", 0):
            return loc, "string too short"
        if "maxLength" in schema and len(value) > schema["maxLength"]:
            return loc, "string too long"
        if "pattern" in schema and not re.search(schema["pattern"], value):
            return loc, "string does not match pattern"
    if t == "integer":
        if not is_int(value):
            return loc, "value is not an integer"
        if "minimum" in schema and value < schema["minimum"]:
            return loc, "value too small"
        if "maximum" in schema and value > schema["maximum"]:
            return loc, "value too large"
    if "enum" in schema and value not in schema["enum"]:
        return loc, "value is not one of " + ", ".join(schema["enum"])
    return None


THING_IN = {
    "type": "object",
    "required": ["name", "kind"],
    "properties": {
        "name": {"type": "string", "minLength": 1, "maxLength": 40},
        "kind": {"type": "string", "enum": ["cat", "dog", "fish"]},
        "age": {"type": "integer", "minimum": 0, "maximum": 150},
        "tags": {
            "type": "array",
            "maxItems": 5,
            "items": {"type": "string", "maxLength": 10},
        },
    },
}
SESSION_CREATE = {
    "type": "object",
    "required": ["reference", "country"],
    "properties": {
        "reference": {"type": "string", "minLength": 1, "maxLength": 64},
        "country": {"type": "string", "pattern": "^[A-Z]{2}$"},
        "level": {"type": "string", "enum": ["basic", "full"]},
    },
}
SESSION_GET = {
    "type": "object",
    "required": ["session_id"],
    "properties": {"session_id": {"type": "string", "minLength": 1}},
}


class Rejection(Exception):
    def __init__(self, status, body, content_type="application/json"):
        super().__init__(status)
        self.status, self.body, self.content_type = status, body, content_type


class App:
    """Shared plumbing: bodies, answers, a lock around the store."""

    def __init__(self, args):
        self.args = args
        self.bug = args.bug
        self.lock = threading.Lock()
        self.active = 0  # requests being served now

    def json_body(self, handler, schema, invalid):
        """The request's JSON body checked against `schema`; `invalid(loc, msg)` makes
        the documented rejection."""
        raw = handler.raw_body
        media = (handler.headers.get("Content-Type") or "").split(";")[0].strip().lower()
        if media != "application/json":
            raise invalid(["body"], "expected an application/json body", malformed=True)
        try:
            value = json.loads(raw)
        except (ValueError, UnicodeDecodeError):
            raise invalid(["body"], "body is not valid JSON", malformed=True)
        found = check(schema, value, ["body"])
        if found:
            raise invalid(*found)
        return value


class Things(App):
    bugs = THINGS_BUGS

    def __init__(self, args):
        super().__init__(args)
        # A live service has data before the first request: three things.
        self.things = {
            1: {"id": 1, "name": "Rex", "kind": "dog", "age": 3},
            2: {"id": 2, "name": "Tom", "kind": "cat", "tags": ["indoor"]},
            3: {"id": 3, "name": "Nemo", "kind": "fish"},
        }
        self.next_id = 4
        # Owners count from 1000: their ids are never things' ids.
        self.owners, self.next_owner = {}, 1000

    def invalid(self, loc, msg, malformed=False):
        if malformed and self.bug == "status_400_malformed":
            return Rejection(400, {"detail": msg})
        if self.bug == "status_400_types" and msg.startswith("value is not"):
            return Rejection(400, {"detail": msg})
        if self.bug == "error_body":
            return Rejection(422, {"error": msg})
        return Rejection(422, {"detail": [{"loc": loc, "msg": msg, "type": "value_error"}]})

    def authorise(self, handler):
        if self.bug == "auth_ignored":
            return
        if handler.headers.get("Authorization") != "Bearer " + self.args.token:
            # Documented without content; a body anyway, as many frameworks send.
            raise Rejection(401, {"detail": "Not authenticated"})

    def thing_id(self, raw):
        try:
            n = int(raw)
        except ValueError:
            raise self.invalid(["path", "thing_id"], "value is not an integer")
        if n < 1:
            raise self.invalid(["path", "thing_id"], "value too small")
        return n

    def handle(self, handler, method, path, query):
        if path == "/things":
            if method not in ("GET", "POST"):
                return 405, None, {"Allow": "GET, POST"}
            self.authorise(handler)
            if method == "GET":
                limit = 100
                if "limit" in query:
                    raw = query["limit"][-1]
                    if not re.fullmatch(r"-?\d+", raw):
                        raise self.invalid(["query", "limit"], "value is not an integer")
                    limit = int(raw)
                    if not 1 <= limit <= 100:
                        raise self.invalid(["query", "limit"], "value out of range")
                if self.bug == "flaky_under_load":
                    time.sleep(0.02)  # long enough for requests to overlap
                    with self.lock:
                        busy = self.active > 1
                    if busy:
                        return 500, Rejection(500, "Internal Server Error", "text/plain"), {}
                with self.lock:
                    items = list(self.things.values())[:limit]
                if self.bug == "response_schema":
                    items = [dict(t, age=str(t.get("age", "unknown"))) for t in items]
                if self.bug == "text_for_json":
                    return 200, Rejection(200, "\n".join(t["name"] for t in items), "text/plain"), {}
                return 200, items, {}
            schema = json.loads(json.dumps(THING_IN))
            if self.bug == "accept_invalid":
                del schema["properties"]["age"]["maximum"]
            body = self.json_body(handler, schema, self.invalid)
            if self.bug == "reject_valid" and body["kind"] == "fish":
                raise self.invalid(["body", "kind"], "fish are not accepted")
            if self.bug == "server_error" and is_int(body.get("age")) and body["age"] > 100:
                return 500, Rejection(500, "Internal Server Error", "text/plain"), {}
            with self.lock:
                thing = {"id": self.next_id, "name": body["name"], "kind": body["kind"]}
                if "age" in body:
                    thing["age"] = int(body["age"])
                if "tags" in body:
                    thing["tags"] = body["tags"]
                self.things[self.next_id] = thing
                self.next_id += 1
            return 201, thing, {"Location": "/things/%d" % thing["id"]}
        if path == "/owners":
            if method != "POST":
                return 405, None, {"Allow": "POST"}
            self.authorise(handler)
            body = self.json_body(handler, OWNER_IN, self.invalid)
            with self.lock:
                owner = {"id": self.next_owner, "name": body["name"]}
                self.owners[self.next_owner] = owner
                self.next_owner += 1
            return 201, owner, {}
        m = re.fullmatch(r"/owners/([^/]+)", path)
        if m:
            if method != "GET":
                return 405, None, {"Allow": "GET"}
            self.authorise(handler)
            n = self.thing_id(m.group(1))
            with self.lock:
                owner = self.owners.get(n)
            if owner is None:
                return 404, None, {}
            return 200, owner, {}
        m = re.fullmatch(r"/things/([^/]+)", path)
        if m:
            if method not in ("GET", "PATCH", "DELETE"):
                return 405, None, {"Allow": "DELETE, GET, PATCH"}
            self.authorise(handler)
            n = self.thing_id(m.group(1))
            patch = None
            if method == "PATCH":
                patch = self.json_body(handler, THING_PATCH, self.invalid)
            with self.lock:
                thing = self.things.get(n)
                if thing is None and self.bug == "shared_ids" and method == "GET":
                    owner = self.owners.get(n)
                    thing = owner and dict(owner, kind="cat")
                if thing is None or (self.bug == "created_not_readable" and n > 3 and method == "GET"):
                    return 404, None, {}
                if method == "DELETE":
                    if self.bug != "delete_ignored":
                        del self.things[n]
                    return 204, None, {}
                if method == "PATCH":
                    updated = dict(thing, **patch)
                    if self.bug != "update_invisible":
                        self.things[n] = updated
                    return 200, updated, {}
                thing = dict(thing)
            if self.bug == "chain_500" and "age" in thing and thing["age"] is None:
                return 500, Rejection(500, "Internal Server Error", "text/plain"), {}
            if self.bug == "response_schema" and "age" in thing:
                thing["age"] = str(thing["age"])
            elif self.bug == "response_schema":
                thing["age"] = "unknown"
            return 200, thing, {}
        return 404, {"detail": "Not Found"}, {}


class Rpc(App):
    bugs = RPC_BUGS

    def __init__(self, args):
        super().__init__(args)
        self.sessions, self.counter = {}, 0

    def invalid(self, loc, msg, malformed=False):
        if self.bug == "error_body":
            return Rejection(400, {"message": msg})
        param = ".".join(str(p) for p in loc[1:])
        error = {"code": "invalid_params", "message": msg}
        if param:
            error["param"] = param
        return Rejection(400, {"error": error})

    def authorise(self, handler):
        if self.bug == "auth_ignored":
            return
        expected = base64.b64encode(
            ("%s:%s" % (self.args.user, self.args.password)).encode()
        ).decode()
        if handler.headers.get("Authorization") != "Basic " + expected:
            raise Rejection(401, {"error": {"code": "unauthorized", "message": "bad credentials"}})

    def handle(self, handler, method, path, query):
        if path not in ("/rpc/session.create", "/rpc/session.get"):
            return 404, {"error": {"code": "not_found", "message": "no such method"}}, {}
        if method != "POST":
            return 405, None, {"Allow": "POST"}
        self.authorise(handler)
        if path == "/rpc/session.create":
            body = self.json_body(handler, SESSION_CREATE, self.invalid)
            if self.bug == "reject_valid" and body["country"] != "DE":
                raise self.invalid(["body", "country"], "unsupported country")
            if self.bug == "server_error" and body.get("level") == "full":
                return 500, Rejection(500, "boom", "text/plain"), {}
            with self.lock:
                self.counter += 1
                session = {
                    "session_id": "ses_%06d" % self.counter,
                    "reference": body["reference"],
                    "country": body["country"],
                    "level": body.get("level", "basic"),
                    "state": "open",
                }
                self.sessions[session["session_id"]] = session
            return 200, session, {}
        body = self.json_body(handler, SESSION_GET, self.invalid)
        with self.lock:
            session = self.sessions.get(body["session_id"])
        if session is None or self.bug == "forgets_sessions":
            return 404, {"error": {"code": "not_found", "message": "no such session"}}, {}
        return 200, session, {}


class Records(App):
    """One collection of records: `pets` (ids in the body, under a path of their
    own that only links tell) or `notes` (integer ids named only by Location)."""

    bugs = RECORD_BUGS

    def __init__(self, args):
        super().__init__(args)
        self.pets = args.app == "pets"
        self.records, self.next_id, self.updates = {}, 1, {}

    def invalid(self, loc, msg, malformed=False):
        return Rejection(400, {"error": msg, "field": ".".join(str(x) for x in loc[1:])})

    def key(self, raw):
        if self.pets:
            if not 1 <= len(raw) <= 40:
                raise self.invalid(["path", "pet"], "string length out of range")
            return raw
        if not re.fullmatch(r"\d+", raw) or int(raw) < 1:
            raise self.invalid(["path", "note_id"], "value is not a positive integer")
        return int(raw)

    def handle(self, handler, method, path, query):
        collection, item = ("/pets", "/pet-records/") if self.pets else ("/notes", "/notes/")
        if path == collection:
            if method != "POST":
                return 405, None, {"Allow": "POST"}
            body = self.json_body(handler, PET_IN if self.pets else NOTE_IN, self.invalid)
            with self.lock:
                n = self.next_id
                self.next_id += 1
                key = "pet_%d" % n if self.pets else n
                record = dict(body, petId=key) if self.pets else dict(body)
                self.records[key] = record
                self.updates[key] = 0
            if self.pets:
                return 201, record, {}
            return 201, record, {"Location": "/notes/%d" % n}
        if not path.startswith(item) or "/" in path[len(item):]:
            return 404, {"error": "no such path"}, {}
        if method not in ("GET", "PUT" if self.pets else "PATCH", "DELETE"):
            return 405, None, {"Allow": "DELETE, GET, " + ("PUT" if self.pets else "PATCH")}
        key = self.key(path[len(item):])
        change = None
        if method in ("PUT", "PATCH"):
            change = self.json_body(handler, PET_RENAME if self.pets else NOTE_PATCH, self.invalid)
        with self.lock:
            record = self.records.get(key)
            if record is None or (self.bug == "created_not_readable" and method == "GET"):
                return 404, None, {}
            if method == "DELETE":
                if self.bug != "delete_ignored":
                    del self.records[key]
                return 204, None, {}
            if change is not None:
                updated = dict(record, **change)
                if self.bug != "update_invisible":
                    self.records[key] = updated
                self.updates[key] += 1
                return 200, updated, {}
            if self.bug == "renamed_twice_500" and self.updates[key] >= 2:
                return 500, Rejection(500, "Internal Server Error", "text/plain"), {}
            return 200, dict(record), {}


def make_handler(app):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args):
            pass

        def answer(self, status, body, headers):
            if isinstance(body, Rejection):
                content_type, payload = body.content_type, body.body
            else:
                content_type, payload = "application/json", body
            if payload is None:
                data = b""
            elif isinstance(payload, str):
                data = payload.encode()
            else:
                data = json.dumps(payload).encode()
            self.send_response(status)
            if data:
                self.send_header("Content-Type", content_type)
            for k, v in headers.items():
                self.send_header(k, v)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def dispatch(self):
            url = urlsplit(self.path)
            length = int(self.headers.get("Content-Length") or 0)
            self.raw_body = self.rfile.read(length) if length else b""
            with app.lock:
                app.active += 1
            try:
                status, body, headers = app.handle(
                    self, self.command, url.path, parse_qs(url.query, keep_blank_values=True)
                )
            except Rejection as r:
                status, body, headers = r.status, r, {}
            finally:
                with app.lock:
                    app.active -= 1
            self.answer(status, body, headers)

        do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = dispatch

    return Handler


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("app", choices=["things", "rpc", "pets", "notes"])
    p.add_argument("--bug", help="plant one bug (see --list-bugs)")
    p.add_argument("--list-bugs", action="store_true")
    p.add_argument("--token", default="zoo-token")
    p.add_argument("--user", default="zoo-user")
    p.add_argument("--password", default="zoo-password")
    args = p.parse_args()
    cls = {"things": Things, "rpc": Rpc}.get(args.app, Records)
    if args.list_bugs:
        for name, what in cls.bugs.items():
            print("%s\t%s" % (name, what))
        return
    if args.bug and args.bug not in cls.bugs:
        p.error("unknown bug %r for %s; --list-bugs lists them" % (args.bug, args.app))
    server = ThreadingHTTPServer(("127.0.0.1", 0), make_handler(cls(args)))
    server.daemon_threads = True
    print("listening http://%s:%d" % server.server_address, flush=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    sys.stdin.read()  # until the parent closes our stdin or exits
    server.shutdown()


if __name__ == "__main__":
    main()
