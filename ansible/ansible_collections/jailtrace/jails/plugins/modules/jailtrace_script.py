#!/usr/bin/python
# -*- coding: utf-8 -*-
from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: jailtrace_script
short_description: Render the POSIX sh script that builds a jail on a host where jailtrace does not run
description:
  - Runs C(jailtrace script TRACE... --jail JAIL) (on the controller, from the host's fetched traces) and writes the
    script to I(output) when its content differs (C(changed)). Check mode renders it and writes nothing.
  - The jail role copies the script to the host and runs it there (C(sh SCRIPT), or C(sh SCRIPT -n) in check mode).
version_added: 1.0.0
author: jailtrace developers
options:
  traces:
    description: The host's traces.
    type: list
    elements: path
    required: true
  jail:
    description: The jail directory on the host (absolute).
    type: str
    required: true
  users:
    description: Jail users (their passwd/group lines and homes go in).
    type: list
    elements: str
    default: []
  platform:
    description: The host (linux, solaris, aix, freebsd, macos); default from the trace format.
    type: str
  cwd:
    description: The traced program's starting directory on the host.
    type: str
    default: /
  output:
    description: Where to write the script (on the machine this runs on).
    type: path
    required: true
  extra_args:
    description: More C(jailtrace script) options (C(--exclude DIR), C(--allow-device PATH), C(--keep-setuid PATH)).
    type: list
    elements: str
    default: []
extends_documentation_fragment:
  - jailtrace.jails.jailtrace
'''

EXAMPLES = r'''
- name: The script for an AIX host, from its truss trace
  jailtrace.jails.jailtrace_script:
    traces: [/var/lib/jailtrace/fleet/traces/aix1/jailtrace.trace]
    jail: /chroot/sftp
    users: [bob]
    platform: aix
    output: /var/lib/jailtrace/fleet/scripts/aix1/chroot-sftp.sh
  delegate_to: localhost
'''

RETURN = r'''
script:
  description: The path of the script.
  returned: always
  type: str
'''

import os
import tempfile

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.jailtrace.jails.plugins.module_utils.jailtrace import JAILTRACE_ARGS, fail, repeat, run_jailtrace


def commands_of(script):
    """The script without its comment lines: what it does, not where in the trace each need was seen."""
    return [line for line in script.splitlines() if not line.lstrip().startswith('#')]


def main():
    module = AnsibleModule(
        argument_spec=dict(traces=dict(type='list', elements='path', required=True), jail=dict(type='str', required=True),
                           users=dict(type='list', elements='str', default=[]), platform=dict(type='str'),
                           cwd=dict(type='str', default='/'), output=dict(type='path', required=True),
                           extra_args=dict(type='list', elements='str', default=[]), **JAILTRACE_ARGS),
        supports_check_mode=True,
    )
    p = module.params
    args = ['script'] + p['traces'] + ['--jail', p['jail'], '--cwd', p['cwd']] + repeat('--user', p['users'])
    if p['platform']:
        args += ['--platform', p['platform']]
    rc, _data, out, err, argv = run_jailtrace(module, args + p['extra_args'])
    if rc != 0:
        fail(module, 'script', rc, err, argv)
    old = None
    if os.path.exists(p['output']):
        with open(p['output']) as f:
            old = f.read()
    # A fresh trace of the same workload moves the provenance comments (`# ... (openat, TRACE:LINE)`, the trace's
    # line count) but not the commands: the file is rewritten so its citations stay true, and only a change in what
    # the script does is reported as a change (as capture reports a fresh trace: docs/fleet.md).
    changed = old is None or commands_of(old) != commands_of(out)
    if old != out and not module.check_mode:
        fd, tmp = tempfile.mkstemp(dir=os.path.dirname(p['output']), prefix='.jailtrace-script-')
        with os.fdopen(fd, 'w') as f:
            f.write(out)
        os.chmod(tmp, 0o755)
        module.atomic_move(tmp, p['output'])
    module.exit_json(changed=changed, script=p['output'], notes=err.strip().splitlines())


if __name__ == '__main__':
    main()
