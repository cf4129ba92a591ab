#!/usr/bin/env python3
"""Report include cycles among src/ modules; exit 1 when there is one.

A module is a .c file with its .h (x.c + x.h = x). x depends on y when x.c or x.h includes y.h. A cycle
means two files can only be understood together; scripts/lint.sh requires none.
Usage: scripts/include_cycles.py [SRC_DIR]   (default: src)
"""
import os
import re
import sys

INCLUDE = re.compile(r'\s*#\s*include\s+"([^"]+)"')


def module_graph(src):
    deps = {}
    for folder, _, files in os.walk(src):
        for name in files:
            if not name.endswith(('.c', '.h')):
                continue
            path = os.path.join(folder, name)
            module = os.path.splitext(path)[0]
            edges = deps.setdefault(module, set())
            with open(path, errors='replace') as f:
                for line in f:
                    m = INCLUDE.match(line)
                    if not m:
                        continue
                    # The compiler looks beside the file first, then in src/ (-I src).
                    for base in (folder, src):
                        target = os.path.normpath(os.path.join(base, m.group(1)))
                        if os.path.exists(target):
                            dep = os.path.splitext(target)[0]
                            if dep != module:
                                edges.add(dep)
                            break
    return deps


def cycles(deps):
    """Strongly connected components of more than one module (Tarjan, iterative)."""
    index, low, on_stack, stack, found = {}, {}, set(), [], []
    counter = 0
    for root in sorted(deps):
        if root in index:
            continue
        work = [(root, iter(sorted(deps.get(root, ()))))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(deps.get(child, ())))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return found


def main():
    src = sys.argv[1] if len(sys.argv) > 1 else 'src'
    found = cycles(module_graph(src))
    for component in found:
        print('include cycle: ' + ' <-> '.join(component))
    print(f'include cycles: {len(found)}')
    return 1 if found else 0


if __name__ == '__main__':
    sys.exit(main())
