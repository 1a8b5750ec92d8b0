#!/usr/bin/python
# -*- coding: utf-8 -*-
from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: jailtrace_baseline
short_description: Store a trace's manifest as a jailtrace baseline, once
description:
  - Runs C(jailtrace baseline save NAME TRACE...) when no baseline NAME is stored (C(jailtrace baseline list --json)),
    or always with I(force). C(changed) when it saved one. Check mode reports what it would do and writes nothing.
version_added: 1.0.0
author: jailtrace developers
options:
  name:
    description: The baseline name (letters, digits, . _ -).
    type: str
    required: true
  traces:
    description: The trace files.
    type: list
    elements: path
    required: true
  baselines:
    description: Where baselines are stored.
    type: path
  cwd:
    description: The traced program's starting directory.
    type: path
    default: /
  force:
    description: Replace a stored baseline of this name (accept the current run as the new normal).
    type: bool
    default: false
extends_documentation_fragment:
  - jailtrace.jails.jailtrace
'''

EXAMPLES = r'''
- name: The first run of a host is its baseline
  jailtrace.jails.jailtrace_baseline:
    name: web1-sftp
    traces: [/var/lib/jailtrace/fleet/traces/web1/sftp.strace]
    baselines: /var/lib/jailtrace/fleet/baselines
  delegate_to: localhost
'''

RETURN = r'''
saved:
  description: Whether a baseline was (or, in check mode, would be) saved.
  returned: always
  type: bool
'''

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.jailtrace.jails.plugins.module_utils.jailtrace import JAILTRACE_ARGS, fail, run_jailtrace


def main():
    module = AnsibleModule(
        argument_spec=dict(name=dict(type='str', required=True), traces=dict(type='list', elements='path', required=True),
                           baselines=dict(type='path'), cwd=dict(type='path', default='/'), force=dict(type='bool', default=False),
                           **JAILTRACE_ARGS),
        supports_check_mode=True,
    )
    p = module.params
    where = ['--baselines', p['baselines']] if p['baselines'] else []
    rc, data, _out, err, argv = run_jailtrace(module, ['baseline', 'list', '--json'] + where)
    if data is None:
        fail(module, 'baseline list', rc, err, argv)
    exists = any(b.get('name') == p['name'] for b in data.get('baselines', []))
    if exists and not p['force']:
        module.exit_json(changed=False, saved=False)
    if module.check_mode:
        module.exit_json(changed=True, saved=True, msg='check mode: baseline %s would be saved' % p['name'])
    rc, _data, _out, err, argv = run_jailtrace(module, ['baseline', 'save', p['name']] + p['traces'] + where + ['--cwd', p['cwd']])
    if rc != 0:
        fail(module, 'baseline save', rc, err, argv)
    module.exit_json(changed=True, saved=True)


if __name__ == '__main__':
    main()
