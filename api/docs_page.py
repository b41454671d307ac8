"""The human-readable docs page, rendered from the OpenAPI document as plain HTML.

No scripts, fonts or stylesheets from elsewhere: it works offline and shows exactly what the
spec says (so the docs cannot drift from the API either).
"""

from __future__ import annotations

import re
from html import escape
from typing import Any

STYLE = """
body{font:15px/1.5 system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;
color:#1b1f24}
h1{margin-bottom:.2rem}h2{border-bottom:1px solid #d0d7de;padding-bottom:.3rem;margin-top:2.5rem}
h3{margin-top:2rem}code{background:#f3f4f6;padding:0 .25rem;border-radius:3px}
table{border-collapse:collapse;width:100%;margin:.5rem 0}
th,td{border:1px solid #d0d7de;padding:.3rem .5rem;text-align:left;vertical-align:top}
th{background:#f6f8fa}.method{font-weight:700;color:#0a6b2e}.path{font-family:monospace}
nav li{list-style:none}nav ul{padding-left:0}
"""
INLINE_CODE = re.compile(r"`([^`]+)`")
BOLD = re.compile(r"\*\*([^*]+)\*\*")


def inline(text: str) -> str:
    """Escape text, then render the spec's `code` and **bold** markup."""
    html = escape(text)
    html = INLINE_CODE.sub(r"<code>\1</code>", html)
    return BOLD.sub(r"<strong>\1</strong>", html)


def anchor(method: str, path: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", f"{method} {path}".lower()).strip("-")


def describe_schema(schema: dict[str, Any]) -> str:
    """Type and constraints of a parameter schema, e.g. ``integer, 1–1000, default 20``."""
    if schema.get("type") == "array":
        parts = [f"list of {', '.join(schema['items']['enum'])}"
                 if "enum" in schema["items"] else "list"]
    elif "enum" in schema:
        parts = [f"one of {', '.join(schema['enum'])}"]
    else:
        parts = [schema.get("type", "any")]
    if "minimum" in schema or "maximum" in schema:
        parts.append(f"{schema.get('minimum', '')}–{schema.get('maximum', '')}")
    if "maxLength" in schema:
        parts.append(f"≤ {schema['maxLength']} characters")
    if "default" in schema:
        default = schema["default"]
        parts.append(f"default {str(default).lower() if isinstance(default, bool) else default}")
    return ", ".join(str(p) for p in parts)


def describe_param(param: dict[str, Any]) -> str:
    """A parameter's type: its schema's, or (a JSON parameter) its media type and schema's."""
    if "schema" in param:
        return describe_schema(param["schema"])
    media_type, content = next(iter(param["content"].items()))
    return f"{media_type}: {describe_schema(content['schema'])}"


def _operation(method: str, path: str, op: dict[str, Any], spec: dict[str, Any]) -> list[str]:
    out = [f'<h3 id="{anchor(method, path)}"><span class="method">{method.upper()}</span> '
           f'<span class="path">{escape(path)}</span></h3>',
           f"<p><strong>{inline(op['summary'])}</strong>. {inline(op['description'])}</p>"]
    if op["parameters"]:
        out.append("<table><tr><th>Parameter</th><th>In</th><th>Required</th><th>Type</th>"
                   "<th>Description</th></tr>")
        out += [f"<tr><td><code>{escape(p['name'])}</code></td><td>{p['in']}</td>"
                f"<td>{'yes' if p['required'] else 'no'}</td>"
                f"<td>{escape(describe_param(p))}</td>"
                f"<td>{inline(p['description'])}</td></tr>" for p in op["parameters"]]
        out.append("</table>")
    responses = spec["components"]["responses"]
    out.append("<table><tr><th>Status</th><th>Meaning</th></tr>")
    for status, response in op["responses"].items():
        if "$ref" in response:
            response = responses[response["$ref"].rsplit("/", 1)[1]]
        out.append(f"<tr><td>{status}</td><td>{inline(response['description'])}</td></tr>")
    out.append("</table>")
    if op.get("x-examples"):
        out.append("<p>Examples: " + " · ".join(
            f'<a href="{escape(url)}"><code>{escape(url)}</code></a>'
            for url in op["x-examples"]) + "</p>")
    return out


def render_docs(spec: dict[str, Any]) -> str:
    info = spec["info"]
    operations = [(method, path, op) for path, item in spec["paths"].items()
                  for method, op in item.items()]
    by_tag: dict[str, list[tuple[str, str, dict[str, Any]]]] = {}
    for method, path, op in operations:
        by_tag.setdefault(op["tags"][0], []).append((method, path, op))
    body = [f"<h1>{escape(info['title'])} <small>{escape(info['version'])}</small></h1>",
            f"<p>{inline(info['summary'])}</p><p>{inline(info['description'])}</p>",
            '<p>Machine-readable: <a href="/api/v1/openapi.json"><code>/api/v1/openapi.json'
            "</code></a> (OpenAPI 3.1).</p>", "<nav><h2>Routes</h2><ul>"]
    body += [f'<li><a href="#{anchor(m, p)}"><span class="method">{m.upper()}</span> '
             f'<span class="path">{escape(p)}</span></a> — {inline(op["summary"])}</li>'
             for m, p, op in operations]
    body.append("</ul></nav>")
    for tag in spec["tags"]:
        if tag["name"] in by_tag:
            body.append(f"<h2>{escape(tag['name'].capitalize())}</h2>")
            for method, path, op in by_tag[tag["name"]]:
                body += _operation(method, path, op, spec)
    body += ["<h2>Errors</h2>",
             "<p>Every error is <code>application/problem+json</code> (RFC 9457) with "
             "<code>type</code>, <code>title</code>, <code>status</code>, <code>detail</code> "
             "and <code>instance</code>, plus the extensions named below.</p>",
             "<table><tr><th>Status</th><th>Type</th><th>When</th></tr>"]
    body += [f"<tr><td>{p['status']}</td><td><code>{escape(p['type'])}</code></td>"
             f"<td>{inline(p['when'])}</td></tr>" for p in spec["x-problem-types"]]
    body.append("</table>")
    return ("<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            f"<title>{escape(info['title'])}</title><style>{STYLE}</style></head><body>\n"
            + "\n".join(body) + "\n</body></html>\n")
