#!/usr/bin/env python3
"""folder_cycles.py ROOT [ROOT...] - fails (exit 1) when the folders under a program folder
include each other in a cycle.

A folder is a room (README "Layout"); ROOT/x/y.h in ROOT/x counts as folder ROOT/x, a
deeper file (ROOT/x/z/y.h) as ROOT/x too, and ROOT's own files as ROOT. An edge A -> B is
an `#include "B/..."` in a file of A. Every cycle found is printed with one include that
makes each of its edges, so the fix is where the output points. Run from the project root.
"""
import os
import re
import sys


def folder(root, path):
    parts = path[len(root) + 1:].split("/")
    return root if len(parts) == 1 else root + "/" + parts[0]


def edges_of(root):
    edges = {}
    for d, _, files in os.walk(root):
        for name in sorted(files):
            if not name.endswith((".h", ".cpp")):
                continue
            path = os.path.join(d, name)
            with open(path, encoding="utf-8", errors="replace") as f:
                for m in re.finditer(r'^\s*#\s*include\s+"(' + re.escape(root) + r'/[^"]+)"', f.read(), re.M):
                    a, b = folder(root, path), folder(root, m.group(1))
                    if a != b:
                        edges.setdefault(a, {}).setdefault(b, "%s includes %s" % (path, m.group(1)))
    return edges


def cycles(edges):
    """Strongly connected components of more than one folder (Tarjan)."""
    index, low, on, stack, out, counter = {}, {}, set(), [], [], [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in edges.get(v, {}):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    for v in sorted(edges):
        if v not in index:
            visit(v)
    return out


def main(roots):
    found = False
    for root in roots:
        edges = edges_of(root.rstrip("/"))
        for comp in cycles(edges):
            found = True
            print("cycle: " + " <-> ".join(comp))
            for a in comp:
                for b, why in sorted(edges.get(a, {}).items()):
                    if b in comp:
                        print("  %s -> %s: %s" % (a, b, why))
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:] or ["server"]))
