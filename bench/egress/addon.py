"""mitmproxy addon doing the same scanning work as bench/egress/RunEgress.java: the same token regexes
over every header, the path and the body of requests and responses, and a known-value search."""
import re
from mitmproxy import http

RULES = [r"ghp_[A-Za-z0-9]{36}", r"github_pat_[A-Za-z0-9_]{82}", r"glpat-[A-Za-z0-9_-]{20}",
         r"AKIA[0-9A-Z]{16}", r"xox[baprs]-[A-Za-z0-9-]{10,48}", r"sk-[A-Za-z0-9_-]{40,}",
         r"AIza[0-9A-Za-z_-]{35}", r"-----BEGIN [A-Z ]*PRIVATE KEY-----", r"npm_[A-Za-z0-9]{36}",
         r"xoxe-[0-9]-[A-Za-z0-9]{100,}"]
PATTERNS = [re.compile(r) for r in RULES]
KNOWN = ["bench-token-value-0123456789"]


def _scan(text):
    for p in PATTERNS:
        if p.search(text):
            return True
    return any(k in text for k in KNOWN)


def _texts(msg, extra):
    out = [extra] + [f"{k}: {v}" for k, v in msg.headers.items()]
    body = msg.get_content(strict=False) or b""
    out.append(body.decode("utf-8", "replace"))
    return out


def http_connect(flow: http.HTTPFlow):
    # The benchmark's name for nginx on loopback (squid uses a hosts file, ours a --resolve pin).
    if flow.request.host == "bench.example.test":
        flow.request.host = "127.0.0.1"


def request(flow: http.HTTPFlow):
    if any(_scan(t) for t in _texts(flow.request, flow.request.path)):
        flow.response = http.Response.make(403, b"blocked", {"content-type": "text/plain"})
        return
    flow.request.headers["authorization"] = "Bearer " + KNOWN[0]


def response(flow: http.HTTPFlow):
    if flow.response and any(_scan(t) for t in _texts(flow.response, "")):
        flow.response = http.Response.make(403, b"blocked", {"content-type": "text/plain"})
