# -*- coding: utf-8 -*-
# The fleet report's rows: each host's jailtrace diff results (registered by the drift role), reshaped, nothing judged.
from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
name: fleet_rows
short_description: One row per host from the drift role's jailtrace diff results
description:
  - Takes the play's host names and C(hostvars); returns, per host, what C(jailtrace diff --baseline) found (added,
    removed, changed, moved) and, with a reference host, what differs from it.
version_added: 1.0.0
author: jailtrace developers
options:
  _input:
    description: The host names.
    type: list
    elements: str
    required: true
  hostvars:
    description: Ansible's hostvars.
    type: dict
    required: true
'''

EXAMPLES = r'''
rows: "{{ ansible_play_hosts | jailtrace.jails.fleet_rows(hostvars) }}"
'''

RETURN = r'''
_value:
  description: host, drifted, baseline (the diff against the stored baseline) and reference (against the reference host).
  type: list
  elements: dict
'''


def _side(r):
    if not r or r.get('skipped') or 'diff' not in r:
        return None
    d = r.get('diff') or {}
    return {
        'old': (r.get('old') or {}).get('label'),
        'new': (r.get('new') or {}).get('label'),
        'equal': bool(r.get('equal')),
        'added': d.get('added', []),
        'removed': d.get('removed', []),
        'changed': d.get('changed', []),
        'moved': d.get('moved', []),
    }


def fleet_rows(hosts, hostvars):
    rows = []
    for h in hosts:
        v = hostvars[h]
        base = _side(v.get('jailtrace_drift'))
        rows.append({
            'host': h,
            'drifted': None if base is None else not base['equal'],
            'baseline': base,
            'reference': _side(v.get('jailtrace_drift_vs_reference')),
        })
    return rows


class FilterModule(object):
    def filters(self):
        return {'fleet_rows': fleet_rows}
