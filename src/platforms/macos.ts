/**
 * macOS: dtruss names (the *_nocancel variants, getattrlist, posix_spawn...) as rows over the common table, plus the
 * facts a macOS chroot needs (FORMATS.md section 5; shared samples under macos/).
 */
import type { PlatformInfo } from './types.js';

export const macos: PlatformInfo = {
  name: 'macos',
  syscalls: [
    { name: 'open_nocancel', alias: 'open', family: 'open' },
    { name: 'openat_nocancel', alias: 'openat', family: 'open' },
    { name: 'open_dprotected_np', alias: 'open', family: 'open' },
    // guarded_open_np(path, guard, guardflags, flags, mode)
    { name: 'guarded_open_np', family: 'open', op: 'byFlags', path: 0, flags: 3 },
    { name: 'stat64_extended', alias: 'stat', family: 'path' },
    { name: 'lstat64_extended', alias: 'lstat', family: 'path' },
    { name: 'getattrlist', family: 'path', op: 'stat', path: 0 },
    { name: 'getattrlistat', family: 'path', op: 'stat', dirfd: 0, path: 1 },
    { name: 'listxattr', family: 'path', op: 'stat', path: 0 },
    { name: 'pathconf', family: 'path', op: 'stat', path: 0 },
    // posix_spawn(pid, path, file_actions, attrp, argv, envp)
    { name: 'posix_spawn', family: 'spawn', op: 'exec', path: 1 },
    { name: '__pthread_chdir', alias: 'chdir', family: 'chdir' },
    { name: '__pthread_fchdir', alias: 'fchdir', family: 'fchdir' },
    { name: 'close_nocancel', alias: 'close', family: 'close' },
    { name: 'fcntl_nocancel', alias: 'fcntl', family: 'fcntl' },
    { name: 'connect_nocancel', alias: 'connect', family: 'connect' },
    { name: 'getdirentries64', alias: 'getdents', family: 'fdop' },
  ],
  tracer: { program: 'dtruss' },
  loaders: ['/usr/lib/dyld'],
  loaderConfig: [],
  nss: {
    // users and groups come from opendirectoryd over mach IPC, which a chroot does not cut off: no files to copy
    config: ['/etc/hosts', '/etc/services', '/etc/protocols'],
    modules: [],
  },
  wordexpShells: ['/bin/sh'],
  devices: ['/dev/null', '/dev/zero', '/dev/random', '/dev/urandom', '/dev/tty'],
  mknod: 'mknod {path} {type} {major} {minor}',
  syslog: [
    'syslog(3) goes to the unified logging system over mach IPC (older releases: the unix socket /var/run/syslog),',
    'which a chroot does not cut off; nothing to add to the jail on current releases.',
  ],
  dialects: ['dtruss', 'dtrace-macos'],
  sh: {
    path: '/bin:/usr/bin:/sbin:/usr/sbin',
    listers: ['otool -L'],
    ignore: [],
    pwdMkdb: false,
    loaderEnv: ['DYLD_LIBRARY_PATH', 'DYLD_FALLBACK_LIBRARY_PATH', 'DYLD_INSERT_LIBRARIES', 'DYLD_FRAMEWORK_PATH', 'DYLD_FALLBACK_FRAMEWORK_PATH'],
    devWord: 'macos',
    accountDbs: [],
  },
};
