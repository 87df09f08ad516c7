"""Prints the schemathesis arguments that authenticate against covenant's mock of a
spec: one argument per line (`-H`, `Name: value`, or `-a`, `user:pass`).

    python schemathesis-auth.py covenant.toml specs/iron.yaml

The values are covenant.toml's local defaults for the provider whose `spec` is the
given file (the same ones `covenant mock --config covenant.toml` accepts).
"""

import base64
import os
import sys
import tomllib

import yaml


def main():
    config_path, spec_path = sys.argv[1], sys.argv[2]
    with open(config_path, "rb") as f:
        config = tomllib.load(f)
    with open(spec_path) as f:
        spec = yaml.safe_load(f)
    provider = next(
        (
            p
            for p in config.get("providers", {}).values()
            if os.path.normpath(p.get("spec", "")) == os.path.normpath(spec_path)
        ),
        None,
    )
    if provider is None:
        return
    schemes = spec.get("components", {}).get("securitySchemes", {})
    for name, source in provider.get("credentials", {}).items():
        scheme = schemes.get(name)
        if scheme is None:
            continue
        value = os.environ.get(source.get("env", ""), source.get("default"))
        if value is None:
            continue
        kind = scheme.get("type")
        if kind == "apiKey" and scheme.get("in") == "header":
            print("-H")
            print("%s: %s" % (scheme["name"], value))
        elif kind == "http" and scheme.get("scheme", "").lower() == "bearer":
            print("-H")
            print("Authorization: Bearer %s" % value)
        elif kind == "http" and scheme.get("scheme", "").lower() == "basic":
            user = os.environ.get(
                source.get("username-env", ""), source.get("username-default", "")
            )
            password = value
            print("-a")
            print("%s:%s" % (user, password))
        # Only the first scheme: one credential authenticates a request.
        break


if __name__ == "__main__":
    main()
