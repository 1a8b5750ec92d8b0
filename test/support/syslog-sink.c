/* A /dev/log for the front-door tests: binds a datagram socket at argv[1] and prints every message it gets, one a line.
 * rssh and rssh_chroot_helper say why they refuse (chroot() failed, command not allowed...) only to syslog; on a host
 * with no syslog daemon, this is where those lines go, so a failing test can show them. Started only when argv[1] does
 * not exist (test/support/sshd.ts), stopped by its pid. */
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

int main(int argc, char **argv) {
  if (argc != 2) return 2;
  int s = socket(AF_UNIX, SOCK_DGRAM, 0);
  struct sockaddr_un a;
  memset(&a, 0, sizeof a);
  a.sun_family = AF_UNIX;
  strncpy(a.sun_path, argv[1], sizeof a.sun_path - 1);
  if (s < 0 || bind(s, (struct sockaddr *)&a, sizeof a) != 0) { perror(argv[1]); return 1; }
  chmod(argv[1], 0666);
  printf("ready\n");
  fflush(stdout);
  char buf[8192];
  for (;;) {
    ssize_t n = recv(s, buf, sizeof buf - 1, 0);
    if (n < 0) continue;
    while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\0')) n--;
    buf[n] = 0;
    printf("%s\n", buf);
    fflush(stdout);
  }
}
