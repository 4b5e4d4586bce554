"""timing_rows.py - the tab-separated figure files make test-times and make test-cpu keep.

Each line is one row of at least `fields` tab-separated fields; a later run's rows replace
an earlier run's rows of the same key (the kind and name columns), the rest are kept.
"""


def read(path, fields, maxsplit=-1):
    try:
        with open(path) as f:
            return [line.rstrip("\n").split("\t", maxsplit) for line in f if line.count("\t") >= fields - 1]
    except OSError:
        return []


def merge(old_rows, new_rows, key):
    """Prints old_rows whose key no new row has, then new_rows."""
    replaced = {key(r) for r in new_rows}
    for r in [r for r in old_rows if key(r) not in replaced] + new_rows:
        print("\t".join(r))
