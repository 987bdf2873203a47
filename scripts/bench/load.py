"""Load generation with wrk: a Lua script per (server, workload), results parsed from its output."""

import json
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

LUA = """
local bodies = %(bodies)s
local headers = %(headers)s
math.randomseed(%(seed)d)
%(request)s
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("RESULT %%d %%d %%d %%d %%d %%d\\n", summary.requests, summary.duration,
    latency:percentile(50), latency:percentile(95), latency:percentile(99),
    e.status + e.connect + e.read + e.write + e.timeout))
end
"""


RANDOM = """
request = function()
  local i = math.random(#bodies)
  return wrk.format("POST", "%(path)s", headers[i], bodies[i])
end
"""
# Each body ends with `<field>=<secret>`; a response's new `<field>` replaces the one used,
# so that every secret is sent once (refresh tokens rotate).
ROTATING = """
local ready = {}
for i = 1, #bodies do ready[i] = bodies[i] end
local prefix = string.match(bodies[1], "^(.*%(field)s=)")
request = function()
  local body = table.remove(ready, 1) or (prefix .. "none-left")
  return wrk.format("POST", "%(path)s", headers[1], body)
end
response = function(status, response_headers, body)
  local secret = string.match(body, '"%(field)s"%%s*:%%s*"([^"]+)"')
  if secret then table.insert(ready, prefix .. secret) end
end
"""


@dataclass(frozen=True)
class Requests:
    """The requests one load run sends: (headers, body) pairs, picked at random.

    With `rotate`, each body is sent once and replaced by the same body carrying the
    `rotate` field of its response (a request with none left counts as an error).
    """

    path: str
    items: list[tuple[dict[str, str], str]]
    rotate: str | None = None


@dataclass(frozen=True)
class LoadResult:
    """Throughput and latency of one wrk run."""

    requests: int
    seconds: float
    p50_ms: float
    p95_ms: float
    p99_ms: float
    errors: int

    @property
    def per_second(self) -> float:
        return self.requests / self.seconds


def _lua_table(values: list[str]) -> str:
    return "{" + ", ".join(json.dumps(v) for v in values) + "}"


def _lua_headers(items: list[dict[str, str]]) -> str:
    rows = []
    for headers in items:
        pairs = ", ".join(f"[{json.dumps(k)}] = {json.dumps(v)}" for k, v in headers.items())
        rows.append("{" + pairs + "}")
    return "{" + ", ".join(rows) + "}"


def run_wrk(
    base: str, requests: Requests, *, concurrency: int, seconds: int, folder: Path
) -> LoadResult:
    """Run wrk against `base` and return what it measured."""
    folder.mkdir(parents=True, exist_ok=True)
    script = folder / f"load-{abs(hash((base, requests.path, concurrency)))}.lua"
    template = RANDOM if requests.rotate is None else ROTATING
    request = template % {"path": requests.path, "field": requests.rotate}
    script.write_text(
        LUA
        % {
            "bodies": _lua_table([body for _, body in requests.items]),
            "headers": _lua_headers([headers for headers, _ in requests.items]),
            "seed": 7,
            "request": request,
        }
    )
    command = ["wrk", "-t1", f"-c{concurrency}", f"-d{seconds}s", "--timeout", "10s",
               "-s", str(script), base]  # fmt: skip
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    found = re.search(r"RESULT (\d+) (\d+) (\d+) (\d+) (\d+) (\d+)", output)
    if found is None:
        raise RuntimeError(f"wrk printed no result:\n{output}")
    count, micros, p50, p95, p99, errors = (int(v) for v in found.groups())
    return LoadResult(count, micros / 1e6, p50 / 1000, p95 / 1000, p99 / 1000, errors)
