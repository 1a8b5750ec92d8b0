#!/usr/bin/python
# -*- coding: utf-8 -*-
from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: jailtrace_build
short_description: Build chroot jails with jailtrace build
description:
  - Runs C(jailtrace build --json) for one jail (I(jail) with I(profiles), I(traces) or I(command)) or for every jail
    an rssh.conf or sshd_config names (I(from_rssh_conf), I(from_sshd_config)).
  - C(changed) is what jailtrace applied (C(apply.counts.done) of each jail; the jail's record counts, as in
    jailtrace's own "N changed"). A build that traces live makes a new trace folder and record each time; for an
    existing jail, use M(jailtrace.jails.jailtrace_sync), as the jail role does.
  - Check mode runs C(--dry-run) (nothing written, no lock) and reports the actions it would do.
  - The task fails with jailtrace's own findings when it exits non-zero (a failed workload step, refused or failed
    actions, a lock held by another run).
version_added: 1.0.0
author: jailtrace developers
options:
  jail:
    description: The jail directory. Not with I(from_rssh_conf) or I(from_sshd_config).
    type: path
  profiles:
    description: Built-in workloads to trace (sftp, scp, rssh).
    type: list
    elements: str
    default: []
  users:
    description: Jail users (the workload runs as them; their passwd/group lines and homes go in).
    type: list
    elements: str
    default: []
  traces:
    description: Recorded traces to build from instead of running anything.
    type: list
    elements: path
    default: []
  cwd:
    description: The traced program's starting directory, for I(traces).
    type: path
  command:
    description: A command to trace instead of a profile.
    type: list
    elements: str
    default: []
  from_rssh_conf:
    description: Build every jail this rssh.conf names.
    type: path
  from_sshd_config:
    description: Build every jail this sshd_config names (Match User ... ChrootDirectory).
    type: path
  output_dir:
    description: Where the raw traces go (default a new folder in the jail's root-only record dir).
    type: path
  wait:
    description: Wait this many seconds for the jail's lock instead of failing at once.
    type: int
  extra_args:
    description: More C(jailtrace build) options, as given on the command line (C(--allow-secret), C(--fix-perms)...).
    type: list
    elements: str
    default: []
extends_documentation_fragment:
  - jailtrace.jails.jailtrace
'''

EXAMPLES = r'''
- name: An sftp jail for alice
  jailtrace.jails.jailtrace_build:
    jail: /srv/jail/alice
    profiles: [sftp]
    users: [alice]

- name: Every jail rssh.conf names
  jailtrace.jails.jailtrace_build:
    from_rssh_conf: /etc/rssh.conf
'''

RETURN = r'''
jails:
  description: Per jail, its path, what was (or, in check mode, would be) done, and the refused or failed actions.
  returned: always
  type: list
  elements: dict
report:
  description: jailtrace's JSON report (schema jailtrace.build/1 or jailtrace.build-many/1), without its plan and entries.
  returned: always
  type: dict
'''

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.jailtrace.jails.plugins.module_utils.jailtrace import JAILTRACE_ARGS, fail, repeat, run_jailtrace


def summary(jail, r, error=None):
    """One jail's report (jailtrace.build/1) → what Ansible shows."""
    if r is None:
        return dict(jail=jail, error=error, done=0, bad=[])
    counts = (r.get('preview') if r.get('dryRun') else r.get('apply')) or {}
    counts = counts.get('counts', {})
    results = (r.get('apply') or {}).get('results', [])
    return dict(jail=jail, dry_run=r.get('dryRun'), done=counts.get('done', 0), up_to_date=counts.get('up-to-date', 0),
                bad=[x for x in results if x.get('result') in ('refused', 'failed')],
                failed_steps=r.get('failedSteps', []), warnings=r.get('warnings', []), error=error)


def slim(r):
    return dict((k, v) for k, v in r.items() if k not in ('plan', 'entries', 'workloads'))


def main():
    module = AnsibleModule(
        argument_spec=dict(
            jail=dict(type='path'),
            profiles=dict(type='list', elements='str', default=[]),
            users=dict(type='list', elements='str', default=[]),
            traces=dict(type='list', elements='path', default=[]),
            cwd=dict(type='path'),
            command=dict(type='list', elements='str', default=[]),
            from_rssh_conf=dict(type='path'),
            from_sshd_config=dict(type='path'),
            output_dir=dict(type='path'),
            wait=dict(type='int'),
            extra_args=dict(type='list', elements='str', default=[]),
            **JAILTRACE_ARGS
        ),
        required_one_of=[('jail', 'from_rssh_conf', 'from_sshd_config')],
        mutually_exclusive=[('jail', 'from_rssh_conf', 'from_sshd_config')],
        supports_check_mode=True,
    )
    p = module.params
    args = ['build', '--json']
    if p['jail']:
        args.append(p['jail'])
    if p['from_rssh_conf']:
        args += ['--from-rssh-conf', p['from_rssh_conf']]
    if p['from_sshd_config']:
        args += ['--from-sshd-config', p['from_sshd_config']]
    args += repeat('--profile', p['profiles']) + repeat('--user', p['users']) + repeat('--trace', p['traces'])
    if p['cwd']:
        args += ['--cwd', p['cwd']]
    if p['output_dir']:
        args += ['--output-dir', p['output_dir']]
    if p['wait'] is not None:
        args += ['--wait', p['wait']]
    if module.check_mode:
        args.append('--dry-run')
    args += p['extra_args']
    if p['command']:
        args += ['--'] + p['command']
    rc, data, _out, err, argv = run_jailtrace(module, args)
    if data is None:
        fail(module, 'build', rc, err, argv)
    if data.get('schema') == 'jailtrace.build-many/1':
        jails = [summary(j['jail'], j.get('report'), j.get('error')) for j in data.get('jails', [])]
    else:
        jails = [summary(data.get('jail'), data)]
    changed = any(j['done'] > 0 for j in jails)
    if rc != 0:
        fail(module, 'build', rc, err, argv, changed=changed, jails=jails)
    module.exit_json(changed=changed, jails=jails, report=slim(data))


if __name__ == '__main__':
    main()
