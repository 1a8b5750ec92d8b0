/**
 * FreeBSD: truss/kdump names as rows over the common table, plus the facts a FreeBSD jail (chroot) needs
 * (FORMATS.md sections 4 and 6; shared samples under freebsd/ and kdump/).
 */
import type { PlatformInfo } from './types.js';

export const freebsd: PlatformInfo = {
  name: 'freebsd',
  syscalls: [
    // fstatat(fd, path, sb, flag): same order as Linux newfstatat
    { name: 'fstatat', alias: 'newfstatat', family: 'path' },
    // __realpathat(fd, path, buf, size, flags): the resolved path is an output, like Solaris resolvepath
    { name: '__realpathat', family: 'readlink', op: 'readlink', dirfd: 0, path: 1, target: 2 },
    { name: 'eaccess', alias: 'access', family: 'path' },
    { name: '__getcwd', alias: 'getcwd', family: 'getcwd' },
    { name: 'getdirentries', alias: 'getdents', family: 'fdop' },
    { name: 'rfork', alias: 'fork', family: 'fork' },
    { name: 'pdfork', alias: 'fork', family: 'fork' },
    { name: 'chflags', family: 'path', op: 'other', path: 0 },
    { name: 'lchflags', family: 'path', op: 'other', path: 0 },
    { name: 'lchmod', family: 'path', op: 'other', path: 0 },
    { name: 'pathconf', family: 'path', op: 'stat', path: 0 },
    { name: 'lpathconf', family: 'path', op: 'stat', path: 0 },
  ],
  tracer: { program: 'truss' },
  loaders: ['/libexec/ld-elf.so.1'],
  loaderConfig: ['/var/run/ld-elf.so.hints', '/var/run/ld-elf32.so.hints', '/etc/libmap.conf'],
  nss: {
    config: ['/etc/nsswitch.conf', '/etc/pwd.db', '/etc/spwd.db', '/etc/group', '/etc/hosts', '/etc/resolv.conf'],
    modules: ['/usr/lib/nss_*.so.1', '/usr/local/lib/nss_*.so.1'],
  },
  wordexpShells: ['/bin/sh'],
  devices: ['/dev/null', '/dev/zero', '/dev/random', '/dev/urandom', '/dev/tty'],
  // Device nodes only work on devfs: mknod'ed nodes on UFS/ZFS are inert. The script mounts devfs instead.
  mknod: ': {path} {type} {major} {minor} comes from devfs: mount -t devfs devfs JAIL/dev and hide the rest with a devfs ruleset',
  syslog: [
    'syslog(3) sends to the unix socket /var/run/log (/var/run/logpriv for root); syslogd -l adds a socket:',
    'run syslogd with -l JAIL/var/run/log (syslogd_flags="-l JAIL/var/run/log" in /etc/rc.conf).',
  ],
  dialects: ['truss-freebsd', 'kdump', 'dtrace-freebsd'],
  sh: {
    path: '/bin:/usr/bin:/sbin:/usr/sbin',
    listers: ['ldd'],
    ignore: [],
    pwdMkdb: true,
    loaderEnv: ['LD_LIBRARY_PATH', 'LD_PRELOAD', 'LD_LIBMAP', 'LD_LIBRARY_PATH_FDS', 'LD_32_LIBRARY_PATH', 'LD_32_PRELOAD', 'LD_32_LIBMAP'],
    devWord: 'freebsd',
    accountDbs: ['/etc/pwd.db', '/etc/spwd.db', '/etc/master.passwd'],
  },
};
