/** Linux: the common syscall table is Linux's own, so the overlay is empty; the facts are what jails need. */
import type { PlatformInfo } from './types.js';

export const linux: PlatformInfo = {
  name: 'linux',
  syscalls: [],
  tracer: { program: 'strace', package: 'strace' },
  loaders: ['/lib64/ld-linux-x86-64.so.2', '/lib/ld-linux-aarch64.so.1', '/lib/ld-linux.so.2', '/lib/ld-linux-armhf.so.3'],
  loaderConfig: ['/etc/ld.so.cache'],
  nss: {
    config: ['/etc/nsswitch.conf', '/etc/host.conf', '/etc/passwd', '/etc/group'],
    modules: ['*/libnss_*.so*'],
  },
  wordexpShells: ['/bin/sh', '/usr/bin/sh', '/bin/dash', '/usr/bin/dash', '/bin/bash', '/usr/bin/bash'],
  devices: ['/dev/null', '/dev/zero', '/dev/full', '/dev/random', '/dev/urandom', '/dev/tty'],
  mknod: 'mknod -m {mode} {path} {type} {major} {minor}',
  syslog: [
    'rsyslog: input(type="imuxsock" Socket="{jail}/dev/log" CreatePath="on")',
    'syslog-ng: source s_jail { unix-dgram("{jail}/dev/log"); };',
    'sysklogd: syslogd -a {jail}/dev/log',
  ],
  dialects: ['strace'],
  sh: {
    path: '/usr/sbin:/usr/bin:/sbin:/bin',
    listers: ['ldd'],
    ignore: [],
    pwdMkdb: false,
    loaderEnv: ['LD_LIBRARY_PATH', 'LD_PRELOAD', 'LD_AUDIT'],
    accountDbs: [],
  },
};
