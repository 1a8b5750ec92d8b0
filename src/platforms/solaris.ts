/**
 * Oracle Solaris / illumos: truss names and ABI differences as alias rows over the common table, plus the facts a
 * Solaris jail needs (FORMATS.md section 2; shared samples under solaris/).
 */
import type { PlatformInfo } from './types.js';

export const solaris: PlatformInfo = {
  name: 'solaris',
  syscalls: [
    // xstat(version, path, buf): the path is the SECOND argument (sol10-x86-useradd.truss, passmgmt)
    { name: 'xstat', alias: 'stat', family: 'path', path: 1 },
    { name: 'lxstat', alias: 'lstat', family: 'path', path: 1 },
    // resolvepath(path, buf, size): input path, and the resolved target that must exist too
    { name: 'resolvepath', family: 'readlink', op: 'readlink', path: 0, target: 1 },
    { name: 'fork1', alias: 'fork', family: 'fork' },
    { name: 'forkx', alias: 'fork', family: 'fork' },
    { name: 'forkall', alias: 'fork', family: 'fork' },
    { name: 'vforkx', alias: 'fork', family: 'fork' },
    { name: 'exece', alias: 'execve', family: 'exec' },
    { name: 'futimesat', family: 'path', op: 'other', dirfd: 0, path: 1 },
    { name: 'pathconf', family: 'path', op: 'stat', path: 0 },
  ],
  tracer: { program: 'truss' },
  loaders: ['/lib/ld.so.1', '/usr/lib/ld.so.1'],
  loaderConfig: ['/var/ld/ld.config', '/var/ld/64/ld.config'],
  nss: {
    config: ['/etc/nsswitch.conf', '/etc/default/nss', '/etc/netconfig'],
    // the door /var/run/name_service_door (nscd) is opened like a file; the modules are what a jail without it loads
    modules: ['/usr/lib/nss_*.so.1', '/lib/nss_*.so.1', '/usr/lib/64/nss_*.so.1'],
  },
  // rssh's wordexp() runs a shell (libc's port/regex/wordexp.c): /bin/ksh on Solaris 10 and older (/usr/bin/ksh via
  // the /bin -> usr/bin link), /usr/bin/ksh93 on Solaris 11 and illumos, /usr/xpg4/bin/sh for XPG4 programs.
  wordexpShells: ['/bin/ksh', '/usr/bin/ksh', '/usr/bin/ksh93', '/usr/xpg4/bin/sh', '/bin/sh'],
  // /dev entries are symlinks into /devices: the jail needs real nodes. tcp/udp/ticotsord are libnsl's TLI devices
  // (what sockets are made of: no more than any process may do); log/conslog are the STREAMS log driver syslog(3C)
  // writes through (see syslog below).
  devices: ['/dev/null', '/dev/zero', '/dev/tty', '/dev/random', '/dev/urandom', '/dev/tcp', '/dev/udp', '/dev/ticotsord', '/dev/log', '/dev/conslog'],
  mknod: 'mknod {path} {type} {major} {minor}',
  syslog: [
    'syslog(3) writes to the STREAMS log driver, not to a socket: create JAIL/dev/log and JAIL/dev/conslog with mknod,',
    "using the major/minor numbers of the host's nodes (ls -lL /dev/log /dev/conslog); syslogd needs no change.",
  ],
  dialects: ['truss-solaris'],
  sh: {
    path: '/usr/xpg4/bin:/usr/bin:/usr/sbin:/sbin',
    listers: ['ldd'],
    ignore: [],
    pwdMkdb: false,
    loaderEnv: [
      'LD_LIBRARY_PATH',
      'LD_LIBRARY_PATH_32',
      'LD_LIBRARY_PATH_64',
      'LD_PRELOAD',
      'LD_PRELOAD_32',
      'LD_PRELOAD_64',
      'LD_CONFIG',
      'LD_CONFIG_32',
      'LD_CONFIG_64',
    ],
    accountDbs: [],
  },
};
