#!/usr/bin/python
# -*- coding: utf-8 -*-
from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: jailtrace_check
short_description: Compare a jail with its record and the host with jailtrace check; fail on findings
description:
  - Runs C(jailtrace check JAIL --json) (read-only; also in check mode). A clean jail passes; findings (stale,
    tampered, missing, extra, unsafe) fail the task with jailtrace's own findings.
version_added: 1.0.0
author: jailtrace developers
options:
  jail:
    description: A jail built by jailtrace build.
    type: path
    required: true
  wait:
    description: Wait this many seconds for the jail's lock (a running build or sync) instead of failing at once.
    type: int
  extra_args:
    description: More C(jailtrace check) options (C(--allow-secret PATH), C(--allow-device PATH)).
    type: list
    elements: str
    default: []
extends_documentation_fragment:
  - jailtrace.jails.jailtrace
'''

EXAMPLES = r'''
- name: Is the jail still what was built?
  jailtrace.jails.jailtrace_check:
    jail: /srv/jail/alice
'''

RETURN = r'''
findings:
  description: jailtrace's findings (schema jailtrace.check/1).
  returned: always
  type: list
checked:
  description: How many recorded paths were checked.
  returned: always
  type: int
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
    args = ['check', p['jail'], '--json'] + (['--wait', p['wait']] if p['wait'] is not None else []) + p['extra_args']
    rc, data, _out, err, argv = run_jailtrace(module, args)
    if data is None or rc not in (0, 1):
        fail(module, 'check', rc, err, argv)
    findings = data.get('findings', [])
    if rc == 1 or not data.get('clean', False):
        lines = ['%s: %s' % (f.get('kind', '?'), f.get('path', '')) for f in findings[:20]]
        module.fail_json(msg='jailtrace check %s: %d finding(s):\n%s' % (p['jail'], len(findings), '\n'.join(lines)),
                         findings=findings, checked=data.get('checked'), rc=rc)
    module.exit_json(changed=False, findings=findings, checked=data.get('checked'))


if __name__ == '__main__':
    main()
