"""Reference renderer: Python jinja2 set up the way Hugging Face transformers renders chat templates.

Usage: /usr/bin/python3 hf_render.py <request.json> <response.json>
The request holds {"now": [y, m, d, H, M, S], "cases": [{"source": ..., "context": {...}}, ...]};
the response is one {"ok": true, "text": ...} or {"ok": false, "error": ...} per case, in order.
strftime_now() reads the fixed "now", so both sides see the same date.
"""
import json
import sys
from datetime import datetime

import jinja2
from jinja2.ext import Extension, loopcontrols
from jinja2.sandbox import ImmutableSandboxedEnvironment


class AssistantTracker(Extension):
    # transformers registers {% generation %} to mark assistant text; it renders its body as is.
    tags = {"generation"}

    def parse(self, parser):
        lineno = next(parser.stream).lineno
        body = parser.parse_statements(["name:endgeneration"], drop_needle=True)
        call = self.call_method("_render", [])
        return jinja2.nodes.CallBlock(call, [], [], body).set_lineno(lineno)

    def _render(self, caller):
        return caller()


def make_env(now):
    def raise_exception(message):
        raise jinja2.exceptions.TemplateError(message)

    def tojson(x, ensure_ascii=False, indent=None, separators=None, sort_keys=False):
        return json.dumps(x, ensure_ascii=ensure_ascii, indent=indent, separators=separators,
                          sort_keys=sort_keys)

    def strftime_now(format):
        return now.strftime(format)

    env = ImmutableSandboxedEnvironment(trim_blocks=True, lstrip_blocks=True,
                                        extensions=[AssistantTracker, loopcontrols])
    env.filters["tojson"] = tojson
    env.globals["raise_exception"] = raise_exception
    env.globals["strftime_now"] = strftime_now
    return env


def main():
    with open(sys.argv[1], encoding="utf-8") as f:
        request = json.load(f)
    env = make_env(datetime(*request["now"]))
    compiled = {}
    results = []
    for case in request["cases"]:
        source = case["source"]
        try:
            if source not in compiled:
                try:
                    compiled[source] = env.from_string(source)
                except Exception as e:  # a template jinja2 cannot compile fails every case
                    compiled[source] = e
            template = compiled[source]
            if isinstance(template, Exception):
                raise template
            results.append({"ok": True, "text": template.render(**case["context"])})
        except Exception as e:
            results.append({"ok": False, "error": type(e).__name__ + ": " + str(e)})
    with open(sys.argv[2], "w", encoding="utf-8") as f:
        json.dump(results, f, ensure_ascii=False)


if __name__ == "__main__":
    main()
