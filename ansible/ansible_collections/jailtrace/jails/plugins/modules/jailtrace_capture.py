#!/usr/bin/python
# -*- coding: utf-8 -*-
from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: jailtrace_capture
short_description: Run a workload under the tracer with jailtrace capture and leave the raw trace on the host
description:
  - Runs C(jailtrace capture --output OUTPUT -- COMMAND) and returns where the
    trace is, for the capture role to fetch. The trace is an observation, not a change to the host, so the task
    reports C(changed=false). The output file is written by jailtrace itself, never through a name someone else
    planted (see docs/security.md).
  - With I(print_command), runs nothing on the traced host's behalf and returns the tracer command line that
    C(jailtrace capture --platform P --print-command -- COMMAND) gives, for hosts where jailtrace does not run
    (truss on Solaris, AIX and FreeBSD; strace on a Linux without Node).
  - In check mode, a capture is not run (it would write the trace); I(print_command) runs (it writes nothing).
version_added: 1.0.0
author: jailtrace developers
options:
  command:
    description: The workload, as an argument vector.
    type: list
    elements: str
    required: true
  output:
    description: The raw trace file on the host (absolute). Its directory must exist and be root's.
    type: path
  cwd:
    description: The workload's starting directory.
    type: path
    default: /
  user:
    description: Run the workload as this user, with a clean environment.
    type: str
  timeout:
    description: Kill the workload and its children after this many seconds.
    type: int
  print_command:
    description: Return the tracer command for I(platform) instead of running anything.
    type: bool
    default: false
  platform:
    description: With I(print_command), the host's platform (linux, solaris, aix, freebsd, macos).
    type: str
extends_documentation_fragment:
  - jailtrace.jails.jailtrace
'''

EXAMPLES = r'''
- name: Trace sftp-server as sshd starts it
  jailtrace.jails.jailtrace_capture:
    command: [/bin/sh, -c, "/usr/lib/openssh/sftp-server </dev/null"]
    output: /var/lib/jailtrace/fleet/sftp.strace

- name: The truss command for an AIX host (run on the controller)
  jailtrace.jails.jailtrace_capture:
    command: [/usr/sbin/sftp-server]
    print_command: true
    platform: aix
  delegate_to: localhost
'''

RETURN = r'''
trace:
  description: The raw trace on the host.
  returned: when a capture ran
  type: str
summary:
  description: jailtrace's summary of the capture (its stderr lines), for the task's output.
  returned: when a capture ran
  type: list
  elements: str
tracer_command:
  description: The tracer command line (a shell line) that writes C(jailtrace.trace) in the current directory.
  returned: with print_command
  type: str
'''

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.jailtrace.jails.plugins.module_utils.jailtrace import JAILTRACE_ARGS, fail, run_jailtrace


def main():
    module = AnsibleModule(
        argument_spec=dict(
            command=dict(type='list', elements='str', required=True),
            output=dict(type='path'),
            cwd=dict(type='path', default='/'),
            user=dict(type='str'),
            timeout=dict(type='int'),
            print_command=dict(type='bool', default=False),
            platform=dict(type='str'),
            **JAILTRACE_ARGS
        ),
        required_if=[('print_command', True, ['platform']), ('print_command', False, ['output'])],
        supports_check_mode=True,
    )
    p = module.params
    if p['print_command']:
        rc, _data, out, err, argv = run_jailtrace(module, ['capture', '--platform', p['platform'], '--print-command', '--'] + p['command'])
        if rc != 0:
            fail(module, 'capture --print-command', rc, err, argv)
        module.exit_json(changed=False, tracer_command=out.strip())
    if module.check_mode:
        module.exit_json(changed=False, msg='check mode: the workload was not traced (a capture writes its trace)')
    args = ['capture', '--output', p['output'], '--cwd', p['cwd']]
    if p['user']:
        args += ['--user', p['user']]
    if p['timeout']:
        args += ['--timeout', p['timeout']]
    rc, _data, _out, err, argv = run_jailtrace(module, args + ['--'] + p['command'])
    if rc != 0:
        fail(module, 'capture', rc, err, argv, trace=p['output'])
    # the trace is read by the controller's jailtrace after the fetch; here only jailtrace's own summary is kept
    module.exit_json(changed=False, trace=p['output'], summary=err.strip().splitlines()[:20])


if __name__ == '__main__':
    main()
