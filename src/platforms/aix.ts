/**
 * AIX: kernel entry-point names (kopen, statx, accessx, kload...) as rows over the common table, plus the facts an
 * AIX jail needs (FORMATS.md section 3; shared samples under aix/).
 */
import type { PlatformInfo } from './types.js';

export const aix: PlatformInfo = {
  name: 'aix',
  syscalls: [
    { name: 'kopen', alias: 'open', family: 'open' },
    { name: 'openx', alias: 'open', family: 'open' },
    // AIX statx(path, buf, len, cmd) is NOT Linux statx(dirfd, path, flags, ...): this row replaces the common one.
    { name: 'statx', family: 'path', op: 'stat', path: 0 },
    { name: 'accessx', family: 'path', op: 'access', path: 0 },
    // kload(path, flags, libpath): the kernel loader opening a module (dlopen)
    { name: 'kload', family: 'path', op: 'read', path: 0 },
    { name: 'kfcntl', alias: 'fcntl', family: 'fcntl' },
    { name: 'getdirent', alias: 'getdents', family: 'fdop' },
    { name: 'getdirent64', alias: 'getdents', family: 'fdop' },
    { name: 'kfork', alias: 'fork', family: 'fork' },
  ],
  tracer: { program: 'truss', package: 'bos.sysmgt.serv_aid' },
  // The AIX kernel loads shared libraries itself at exec time: there is no ld.so to copy.
  loaders: [],
  loaderConfig: [],
  nss: {
    config: ['/etc/netsvc.conf', '/etc/irs.conf', '/usr/lib/security/methods.cfg'],
    modules: ['/usr/lib/security/*'],
  },
  wordexpShells: ['/usr/bin/ksh93', '/usr/bin/ksh'],
  devices: ['/dev/null', '/dev/zero', '/dev/tty', '/dev/random', '/dev/urandom'],
  mknod: 'mknod {path} {type} {major} {minor}',
  syslog: [
    'AIX syslogd listens on the unix socket /dev/log only; a jailed program cannot reach it.',
    'Run a syslogd for the jail whose socket is JAIL/dev/log, or configure the program to log over UDP to 127.0.0.1:514.',
  ],
  dialects: ['truss-aix'],
  sh: {
    path: '/usr/bin:/usr/sbin:/sbin:/bin',
    listers: ['ldd', 'dump -H'],
    ignore: ['/unix'],
    pwdMkdb: false,
    loaderEnv: ['LIBPATH', 'LDR_PRELOAD', 'LDR_PRELOAD64', 'LD_LIBRARY_PATH', 'OBJECT_MODE'],
    accountDbs: [],
  },
};
