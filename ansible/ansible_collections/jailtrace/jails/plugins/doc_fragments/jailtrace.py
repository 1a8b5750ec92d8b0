# -*- coding: utf-8 -*-
# The option every module takes (module_utils/jailtrace.py JAILTRACE_ARGS), documented once.
from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment(object):
    DOCUMENTATION = r'''
options:
  jailtrace:
    description: How to run jailtrace on this host, as an argument vector.
    type: list
    elements: str
    default: [jailtrace]
'''
