"""Prints the schemathesis arguments that authenticate against `covenant mock`, read
from the lines the mock prints at start (its log, the first argument): one
argument per line (`-H`, `Name: value`, or `-a`, `user:pass`).

    python schemathesis-auth.py target/schemathesis/iron/mock.log

`covenant mock` without a config accepts local values per security scheme (not
secrets) and says so: `<provider>: <scheme> accepts header X-Api-Key: <value> (...)`,
`accepts Bearer <token> (...)`, `accepts Basic user <user> password <password> (...)`.
"""

import re
import sys


def main():
    with open(sys.argv[1]) as f:
        lines = f.read().splitlines()
    # One value per header: schemathesis sends the last `-H` given for a name, so a
    # second scheme on `Authorization` (Persona: bearer, then an API key there)
    # must not replace the first one the mock printed.
    authorization = False
    headers = set()
    for line in lines:
        m = re.search(r" accepts header ([^:]+): (\S+) \(", line)
        if m:
            name = m.group(1).lower()
            if name in headers or (name == "authorization" and authorization):
                continue
            headers.add(name)
            authorization = authorization or name == "authorization"
            print("-H")
            print("%s: %s" % (m.group(1), m.group(2)))
            continue
        m = re.search(r" accepts Bearer (\S+) \(", line)
        if m and not authorization:
            authorization = True
            print("-H")
            print("Authorization: Bearer %s" % m.group(1))
            continue
        m = re.search(r" accepts Basic user (\S+) password (\S+) \(", line)
        if m and not authorization:
            authorization = True
            print("-a")
            print("%s:%s" % (m.group(1), m.group(2)))


if __name__ == "__main__":
    main()
