"""A standalone simulator of SFS's SieSmart B2B API (/work/shared/siesmart/CONTRACT.md).

Run it with the project's virtual environment:

    .venv/bin/python -m sandbox [--host 127.0.0.1] [--port 8765] [--seed FILE]
        [--rate-limit 100] [--token-lifetime 86400] [--decision-delay 10]
        [--random-seed N] [--rate-window 60]

One port serves the token endpoint (`POST /oauth/token`), the API under `/siesmart/b2b/v1`
(its OpenAPI document at `/siesmart/b2b/v1/openapi.json`) and the control endpoints under
`/__sandbox__/`. `--random-seed` makes the injected faults repeatable; `--rate-window` shortens
the rate limit's 60-second window for tests.

Modules, in the order a request meets them: `server` (HTTP/1.1), `app` (the pipeline: rate limit,
faults, token, routing), `access` (404/403/412/409), the handlers (`config_api`, `proposals`,
`search`, `decisions`, `control`), the checks (`schemas`, `validation`, `rules`) and the state
(`store`, `auth`, `ratelimit`, `stats`, `faults`, `scheduler`, `seed`).

It shares no code with the portal on purpose: the sandbox and the portal's client are written
separately so that each checks the other. Only the standard library is used.
"""
