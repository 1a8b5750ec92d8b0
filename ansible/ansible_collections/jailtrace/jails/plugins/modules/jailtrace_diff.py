#!/usr/bin/python
# -*- coding: utf-8 -*-
from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: jailtrace_diff
short_description: Compare what traces, manifests, jails or a stored baseline need, with jailtrace diff
description:
  - Runs C(jailtrace diff --json) and returns its difference (added, removed, changed, moved), cut to what a jail
    would hold. Read-only (C(changed=false)); runs in check mode too.
  - A difference is a result, not a failure; with I(warn) it is also shown as a warning. The drift role decides,
    by a variable, whether a drifted host fails the play.
version_added: 1.0.0
author: jailtrace developers
options:
  sides:
    description: OLD NEW (two sides), or with I(baseline) just NEW.
    type: list
    elements: path
    required: true
  baseline:
    description: Compare NEW with the stored baseline of this name.
    type: str
  baselines:
    description: Where baselines are stored.
    type: path
  cwd:
    description: The traced program's starting directory, for trace sides.
    type: path
    default: /
  all:
    description: Compare every path, runtime data included.
    type: bool
    default: false
  warn:
    description: Show a difference as a warning.
    type: bool
    default: false
extends_documentation_fragment:
  - jailtrace.jails.jailtrace
'''

EXAMPLES = r'''
- name: What changed since the stored run?
  jailtrace.jails.jailtrace_diff:
    sides: [/var/lib/jailtrace/fleet/traces/web1/sftp.strace]
    baseline: web1-sftp
    baselines: /var/lib/jailtrace/fleet/baselines
  delegate_to: localhost
'''

RETURN = r'''
equal:
  description: No difference.
  returned: always
  type: bool
diff:
  description: added, removed, changed and moved paths (schema jailtrace.diff/1).
  returned: always
  type: dict
old:
  description: The old side (label, kind, number of needs).
  returned: always
  type: dict
new:
  description: The new side.
  returned: always
  type: dict
'''

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.jailtrace.jails.plugins.module_utils.jailtrace import JAILTRACE_ARGS, fail, run_jailtrace


def main():
    module = AnsibleModule(
        argument_spec=dict(sides=dict(type='list', elements='path', required=True), baseline=dict(type='str'),
                           baselines=dict(type='path'), cwd=dict(type='path', default='/'), all=dict(type='bool', default=False),
                           warn=dict(type='bool', default=False), **JAILTRACE_ARGS),
        supports_check_mode=True,
    )
    p = module.params
    args = ['diff', '--json', '--cwd', p['cwd']]
    if p['baseline']:
        args += ['--baseline', p['baseline']]
    if p['baselines']:
        args += ['--baselines', p['baselines']]
    if p['all']:
        args.append('--all')
    rc, data, _out, err, argv = run_jailtrace(module, args + p['sides'])
    if data is None or rc not in (0, 1):
        fail(module, 'diff', rc, err, argv)
    d = data.get('diff', {})
    equal = bool(data.get('equal'))
    if not equal and p['warn']:
        added = ', '.join(x.get('path', '') for x in d.get('added', [])[:8])
        removed = ', '.join(x.get('path', '') for x in d.get('removed', [])[:8])
        module.warn('%s differs from %s: %d added (%s), %d removed (%s), %d changed, %d moved' % (
            data.get('new', {}).get('label'), data.get('old', {}).get('label'), len(d.get('added', [])), added,
            len(d.get('removed', [])), removed, len(d.get('changed', [])), len(d.get('moved', []))))
    module.exit_json(changed=False, equal=equal, diff=d, old=data.get('old'), new=data.get('new'))


if __name__ == '__main__':
    main()
