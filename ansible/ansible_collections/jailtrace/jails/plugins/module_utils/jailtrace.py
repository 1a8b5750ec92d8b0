# -*- coding: utf-8 -*-
# The one place the modules run jailtrace: argv in, parsed --json out. No jail logic here: what changed, what is
# missing and what drifted are jailtrace's answers, read from its JSON (docs/fleet.md).
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json

# Options every module takes: how to run jailtrace on this host.
JAILTRACE_ARGS = dict(
    jailtrace=dict(type='list', elements='str', default=['jailtrace']),
)

# jailtrace's exit codes (docs/exit-codes.md), for messages.
EXIT = {0: 'success', 1: 'something found', 2: 'usage or input error', 3: 'the jail could not be written',
        4: 'the tracer failed', 5: 'the traced program failed', 6: "another run holds the jail's lock",
        70: 'internal error', 130: 'interrupted'}


def run_jailtrace(module, args, cwd=None):
    """Run jailtrace ARGS; return (rc, parsed JSON or None, stdout, stderr, argv)."""
    argv = list(module.params['jailtrace']) + [str(a) for a in args]
    rc, out, err = module.run_command(argv, cwd=cwd or '/', environ_update={'LC_ALL': 'C'})
    data = None
    if out.strip().startswith('{'):
        try:
            data = json.loads(out)
        except ValueError:
            data = None
    return rc, data, out, err, argv


def fail(module, what, rc, err, argv, **extra):
    """Fail the task with jailtrace's own words: its stderr and exit code."""
    meaning = EXIT.get(rc, 'exit %d' % rc)
    last = '\n'.join(err.strip().splitlines()[-15:])
    module.fail_json(msg='%s: jailtrace exited %d (%s)%s' % (what, rc, meaning, (':\n' + last) if last else ''),
                     rc=rc, stderr=err, cmd=argv, **extra)


def repeat(flag, values):
    out = []
    for v in values or []:
        out += [flag, v]
    return out
