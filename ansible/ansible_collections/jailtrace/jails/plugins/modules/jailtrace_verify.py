#!/usr/bin/python
# -*- coding: utf-8 -*-
from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: jailtrace_verify
short_description: Run the workload inside a jail with jailtrace verify; fail with what is missing
description:
  - Runs C(jailtrace verify JAIL --json). It runs the workload inside the jail under the tracer; every file it
    lacked, every failed step, fails the task with jailtrace's own findings.
  - Without I(fix) it changes nothing in the jail (C(changed=false)); its traces go to I(output_dir), or to a new
    folder of the jail's root-only record dir. With I(fix), C(changed) is whether anything was put back.
  - In check mode nothing is run (the workload writes traces and a scratch dir in the jail).
version_added: 1.0.0
author: jailtrace developers
options:
  jail:
    description: A jail built by jailtrace build.
    type: path
    required: true
  profiles:
    description: Workloads (default the profiles the jail was built with).
    type: list
    elements: str
    default: []
  user:
    description: Run as this user (default the jail's first user).
    type: str
  fix:
    description: Copy what is missing and run again.
    type: bool
    default: false
  output_dir:
    description: Where the raw traces of the runs are saved.
    type: path
  wait:
    description: Wait this many seconds for the jail's lock instead of failing at once.
    type: int
extends_documentation_fragment:
  - jailtrace.jails.jailtrace
'''

EXAMPLES = r'''
- name: The servers work inside the jail
  jailtrace.jails.jailtrace_verify:
    jail: /srv/jail/alice
'''

RETURN = r'''
ok:
  description: The workload succeeded inside the jail and nothing was missing.
  returned: always
  type: bool
missing:
  description: What the last round found missing.
  returned: always
  type: list
rounds:
  description: jailtrace's rounds (schema of verify --json).
  returned: always
  type: list
'''

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.jailtrace.jails.plugins.module_utils.jailtrace import JAILTRACE_ARGS, fail, repeat, run_jailtrace


def main():
    module = AnsibleModule(
        argument_spec=dict(jail=dict(type='path', required=True), profiles=dict(type='list', elements='str', default=[]),
                           user=dict(type='str'), fix=dict(type='bool', default=False), output_dir=dict(type='path'),
                           wait=dict(type='int'), **JAILTRACE_ARGS),
        supports_check_mode=True,
    )
    p = module.params
    if module.check_mode:
        module.exit_json(changed=False, ok=None, missing=[], rounds=[], msg='check mode: verify was not run (it runs the workload in the jail)')
    args = ['verify', p['jail'], '--json'] + repeat('--profile', p['profiles'])
    if p['user']:
        args += ['--user', p['user']]
    if p['fix']:
        args.append('--fix')
    if p['output_dir']:
        args += ['--output-dir', p['output_dir']]
    if p['wait'] is not None:
        args += ['--wait', p['wait']]
    rc, data, _out, err, argv = run_jailtrace(module, args)
    if data is None:
        fail(module, 'verify', rc, err, argv)
    rounds = data.get('rounds', [])
    last = rounds[-1] if rounds else {}
    missing = last.get('missing', [])
    copied = [c for r in rounds for c in ((r.get('fixed') or {}).get('copied') or [])]
    failed_steps = [s for s in last.get('steps', []) if not s.get('ok')]
    if rc != 0 or not data.get('ok'):
        lines = ['missing: %s' % (m.get('path') if isinstance(m, dict) else m) for m in missing[:20]]
        lines += ['failed step: %s: %s' % (s.get('description'), (s.get('stderr') or '').strip()[-300:]) for s in failed_steps]
        module.fail_json(msg='jailtrace verify %s: exit %d\n%s' % (p['jail'], rc, '\n'.join(lines) or err.strip()[-1000:]),
                         changed=bool(copied), ok=False, missing=missing, copied=copied, rounds=rounds, rc=rc)
    module.exit_json(changed=bool(copied), ok=True, missing=missing, copied=copied, rounds=rounds)


if __name__ == '__main__':
    main()
