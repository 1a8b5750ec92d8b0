#!/usr/bin/python
# -*- coding: utf-8 -*-
from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: jailtrace_sync
short_description: Bring a jail's stale, tampered and missing files back in line with jailtrace sync
description:
  - Runs C(jailtrace sync JAIL --json). C(changed) is what jailtrace applied (results C(done)), the record included.
  - Check mode runs C(--dry-run) and reports what it would do.
  - The task fails with jailtrace's own findings when it exits non-zero (suspicious record entries refused, a jail
    that could not be written, a lock held by another run).
version_added: 1.0.0
author: jailtrace developers
options:
  jail:
    description: A jail built by jailtrace build.
    type: path
    required: true
  wait:
    description: Wait this many seconds for the jail's lock instead of failing at once.
    type: int
  extra_args:
    description: More C(jailtrace sync) options (C(--allow-secret PATH), C(--allow-device PATH)).
    type: list
    elements: str
    default: []
extends_documentation_fragment:
  - jailtrace.jails.jailtrace
'''

EXAMPLES = r'''
- name: After the night's upgrades
  jailtrace.jails.jailtrace_sync:
    jail: /srv/jail/alice
    wait: 600
'''

RETURN = r'''
fixes:
  description: What jailtrace found to fix (stale, tampered, missing).
  returned: always
  type: list
done:
  description: The actions done (or, in check mode, to do).
  returned: always
  type: list
'''

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.jailtrace.jails.plugins.module_utils.jailtrace import JAILTRACE_ARGS, fail, run_jailtrace


def main():
    module = AnsibleModule(
        argument_spec=dict(jail=dict(type='path', required=True), wait=dict(type='int'),
                           extra_args=dict(type='list', elements='str', default=[]), **JAILTRACE_ARGS),
        supports_check_mode=True,
    )
    p = module.params
    args = ['sync', p['jail'], '--json'] + (['--dry-run'] if module.check_mode else [])
    if p['wait'] is not None:
        args += ['--wait', p['wait']]
    rc, data, _out, err, argv = run_jailtrace(module, args + p['extra_args'])
    if data is None:
        fail(module, 'sync', rc, err, argv)
    results = data.get('results', [])
    done = [x for x in results if x.get('result') == 'done']
    bad = [x for x in results if x.get('result') in ('refused', 'failed')]
    if rc != 0:
        fail(module, 'sync', rc, err, argv, changed=bool(done), done=done, refused=bad, left=data.get('left', []))
    module.exit_json(changed=bool(done), fixes=data.get('fixes', []), done=done, left=data.get('left', []))


if __name__ == '__main__':
    main()
