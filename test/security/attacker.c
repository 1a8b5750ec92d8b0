/*
 * The adversary of test/security: runs as an unprivileged user (started through setpriv by attacker.ts) and, for a
 * bounded time, attacks the scratch directories a root process makes for that user. A C loop wins races a shell
 * loop loses: it polls every few microseconds, and reacts to root opening a directory through inotify.
 *
 *   attacker -t MS -o OUTSIDE_DIR -f OUTSIDE_FILE -w PARENT:PREFIX... [-p WHEN:WHAT:NAME...] [-k NAME...] [-a TRAP] [-s] [-n]
 *            [-d DEPTH]
 *
 * -w PARENT:PREFIX  attack every directory in PARENT whose name starts with PREFIX, and its subdirectories (real
 *                   directories only, never through a symlink) down to DEPTH (default 4).
 * -p WHEN:WHAT:NAME in every directory reached that it can write, plant NAME:
 *                   WHEN pre: when NAME is absent (root is about to create it), once per path;
 *                        post: over NAME once it is a regular file with content, unchanged for 10 ms (root is about
 *                              to read it), by rename, once per path;
 *                        any: both.
 *                   WHAT dir: a symlink to OUTSIDE_DIR; file: a symlink to OUTSIDE_FILE; zero: a symlink to
 *                        /dev/zero; fifo: a FIFO; trap: a symlink to TRAP.
 * -a TRAP           a directory the attacker makes at start, holding every planted NAME already pointing where WHAT
 *                   says (file names at OUTSIDE_FILE, dir names at OUTSIDE_DIR): a directory root creates with
 *                   `mkdir -p` and then writes into, planted as `NAME -> TRAP`, makes root write through a symlink
 *                   that is already there, with no second race to win.
 * -s                swap trees: in every directory it can write, jt-swap0..7 mirror OUTSIDE_DIR's names (files empty,
 *                   one level of subdirectories); when someone opens one (root's recursive removal reading it,
 *                   inotify IN_OPEN), it is renamed away and replaced by a symlink to OUTSIDE_DIR, so a walk by path
 *                   that just listed it goes on in OUTSIDE_DIR.
 * -k NAME          a directory name to look for even where it cannot list (a root-owned 0711 parent): NAME and
 *                   every planted NAME are tried as subdirectories of every directory reached.
 * -n                no sentinel (default: one symlink .jt-attacker -> OUTSIDE_DIR in every directory it can write).
 *
 * Prints one line per success, `plant KIND PATH`, flushed; `done N` at the end. Exits by itself after MS
 * milliseconds, or at SIGTERM/SIGINT.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define MAX 64
#define MAXSEEN 4096
#define SWAPS 8

struct watch { char parent[PATH_MAX]; char prefix[NAME_MAX + 1]; };
struct plant { int pre, post; char what[8]; char name[NAME_MAX + 1]; };
/* a path we did something to once (sentinel, swap trees, post replacement), or a file we watch grow */
struct seen { char path[PATH_MAX]; long long size; struct timespec mtime; long long since_ms; int done; };

static struct watch watches[MAX];
static struct plant plants[MAX];
static char probes[MAX][NAME_MAX + 1];
static int nprobe;
static int nwatch, nplant, swap_trees, sentinel = 1, depth_max = 4;
static const char *outside_dir, *outside_file, *trap_dir;
static struct seen seen[MAXSEEN];
static int nseen;
static volatile sig_atomic_t stop;
static pthread_mutex_t out_lock = PTHREAD_MUTEX_INITIALIZER;
static int count;

static int ino_fd = -1;
static struct { int wd; char path[PATH_MAX]; } swapwd[MAXSEEN];
static int nswapwd;
static pthread_mutex_t wd_lock = PTHREAD_MUTEX_INITIALIZER;

static long long now_ms(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (long long)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

static void report(const char *kind, const char *path) {
  pthread_mutex_lock(&out_lock);
  count++;
  printf("plant %s %s\n", kind, path);
  fflush(stdout);
  pthread_mutex_unlock(&out_lock);
}

static struct seen *seen_get(const char *path, int create) {
  for (int i = 0; i < nseen; i++) if (strcmp(seen[i].path, path) == 0) return &seen[i];
  if (!create || nseen == MAXSEEN) return NULL;
  struct seen *s = &seen[nseen++];
  memset(s, 0, sizeof *s);
  snprintf(s->path, sizeof s->path, "%s", path);
  s->size = -1;
  return s;
}

/* Make WHAT at path (which must not exist). 0 on success. */
static int make(const char *what, const char *path) {
  if (strcmp(what, "dir") == 0) return symlink(outside_dir, path);
  if (strcmp(what, "file") == 0) return symlink(outside_file, path);
  if (strcmp(what, "zero") == 0) return symlink("/dev/zero", path);
  if (strcmp(what, "fifo") == 0) return mkfifo(path, 0666);
  if (strcmp(what, "trap") == 0 && trap_dir) return symlink(trap_dir, path);
  errno = EINVAL;
  return -1;
}

static void try_pre(const char *dir, const struct plant *p) {
  char path[PATH_MAX], key[PATH_MAX + 8];
  snprintf(path, sizeof path, "%s/%s", dir, p->name);
  snprintf(key, sizeof key, "pre:%s", path);
  struct seen *s = seen_get(key, 0);
  if (s && s->done) return; /* once per path: root removing it is not root about to create it */
  if (make(p->what, path) == 0) {
    s = seen_get(key, 1);
    if (s) s->done = 1;
    char kind[32];
    snprintf(kind, sizeof kind, "pre-%s", p->what);
    report(kind, path);
  }
}

static void try_post(const char *dir, const struct plant *p) {
  char path[PATH_MAX], tmp[PATH_MAX + 16];
  struct stat st;
  snprintf(path, sizeof path, "%s/%s", dir, p->name);
  if (lstat(path, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size == 0) return;
  char key[PATH_MAX + 8];
  snprintf(key, sizeof key, "post:%s", path);
  struct seen *s = seen_get(key, 1);
  if (!s || s->done) return;
  if (s->size != st.st_size || s->mtime.tv_sec != st.st_mtim.tv_sec || s->mtime.tv_nsec != st.st_mtim.tv_nsec) {
    s->size = st.st_size;
    s->mtime = st.st_mtim;
    s->since_ms = now_ms();
    return;
  }
  if (now_ms() - s->since_ms < 10) return;
  snprintf(tmp, sizeof tmp, "%s/.jt-post-%d", dir, (int)getpid());
  unlink(tmp);
  if (make(p->what, tmp) != 0) return;
  if (rename(tmp, path) != 0) {
    unlink(tmp);
    return;
  }
  s->done = 1;
  char kind[32];
  snprintf(kind, sizeof kind, "post-%s", p->what);
  report(kind, path);
}

/* A copy of OUTSIDE_DIR's names under `at` (files empty), `levels` deep. */
static void mirror(const char *from, const char *at, int levels) {
  DIR *d = opendir(from);
  if (!d) return;
  struct dirent *e;
  while ((e = readdir(d))) {
    if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0) continue;
    char src[PATH_MAX], dst[PATH_MAX];
    struct stat st;
    snprintf(src, sizeof src, "%s/%s", from, e->d_name);
    snprintf(dst, sizeof dst, "%s/%s", at, e->d_name);
    if (lstat(src, &st) != 0) continue;
    if (S_ISDIR(st.st_mode)) {
      if (mkdir(dst, 0755) == 0 && levels > 0) mirror(src, dst, levels - 1);
    } else {
      int fd = open(dst, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, 0644);
      if (fd >= 0) close(fd);
    }
  }
  closedir(d);
}

static void make_swaps(const char *dir) {
  for (int i = 0; i < SWAPS; i++) {
    char p[PATH_MAX];
    snprintf(p, sizeof p, "%s/jt-swap%d", dir, i);
    if (mkdir(p, 0755) != 0) continue;
    mirror(outside_dir, p, 1);
    int wd = inotify_add_watch(ino_fd, p, IN_OPEN | IN_ONLYDIR | IN_ONESHOT);
    if (wd < 0) continue;
    pthread_mutex_lock(&wd_lock);
    if (nswapwd < MAXSEEN) {
      swapwd[nswapwd].wd = wd;
      snprintf(swapwd[nswapwd].path, sizeof swapwd[nswapwd].path, "%s", p);
      nswapwd++;
    }
    pthread_mutex_unlock(&wd_lock);
    report("swap-tree", p);
  }
}

/* Someone opened a swap tree: it becomes a symlink to OUTSIDE_DIR under the same name. */
static void *swapper(void *arg) {
  (void)arg;
  char buf[4096] __attribute__((aligned(__alignof__(struct inotify_event))));
  while (!stop) {
    struct pollfd pfd = { .fd = ino_fd, .events = POLLIN };
    if (poll(&pfd, 1, 50) <= 0) continue;
    ssize_t n = read(ino_fd, buf, sizeof buf);
    for (char *q = buf; n > 0 && q < buf + n;) {
      struct inotify_event *ev = (struct inotify_event *)q;
      q += sizeof *ev + ev->len;
      if (!(ev->mask & IN_OPEN)) continue;
      char path[PATH_MAX] = "";
      pthread_mutex_lock(&wd_lock);
      for (int i = 0; i < nswapwd; i++) if (swapwd[i].wd == ev->wd) snprintf(path, sizeof path, "%s", swapwd[i].path);
      pthread_mutex_unlock(&wd_lock);
      if (!path[0]) continue;
      char away[PATH_MAX + 8];
      snprintf(away, sizeof away, "%s.gone", path);
      if (rename(path, away) == 0 && symlink(outside_dir, path) == 0) report("swap", path);
    }
  }
  return NULL;
}

/*
 * Wake up on anything root does in a directory we look at: a name created or renamed in, a chown (IN_ATTRIB, which
 * the parent's watch reports for its children too), a file closed after writing. Adding the same directory again is
 * a no-op; a directory we may not read yet is watched through its parent.
 */
static int ev_fd = -1;
static struct { int wd; char path[PATH_MAX]; } evwd[MAXSEEN];
static int nevwd;
static void watch_dir(const char *dir) {
  if (ev_fd < 0) return;
  int wd = inotify_add_watch(ev_fd, dir, IN_CREATE | IN_ATTRIB | IN_MOVED_TO | IN_CLOSE_WRITE | IN_ONLYDIR);
  if (wd < 0) return;
  for (int i = 0; i < nevwd; i++) if (evwd[i].wd == wd) {
    snprintf(evwd[i].path, sizeof evwd[i].path, "%s", dir);
    return;
  }
  if (nevwd == MAXSEEN) return;
  evwd[nevwd].wd = wd;
  snprintf(evwd[nevwd].path, sizeof evwd[nevwd].path, "%s", dir);
  nevwd++;
}

static void try_pre(const char *dir, const struct plant *p);

/*
 * The fast path: root just created or chowned NAME in a watched directory. Before anything else (no readdir, no
 * lstat), plant in NAME, which is the directory root is about to fill. Failures (not ours yet, not a directory) cost
 * one system call each.
 */
static void react(const struct inotify_event *ev) {
  if (!ev->len || !(ev->mask & (IN_ATTRIB | IN_CREATE | IN_MOVED_TO))) return;
  const char *parent = NULL;
  for (int i = 0; i < nevwd; i++) if (evwd[i].wd == ev->wd) parent = evwd[i].path;
  if (!parent) return;
  /* in a watched PARENT, only the PREFIX names are ours to attack */
  int top = 0, match = 0;
  for (int w = 0; w < nwatch; w++) {
    if (strcmp(parent, watches[w].parent) != 0) continue;
    top = 1;
    if (strncmp(ev->name, watches[w].prefix, strlen(watches[w].prefix)) == 0) match = 1;
  }
  if (top && !match) return;
  char p[PATH_MAX];
  snprintf(p, sizeof p, "%s/%s", parent, ev->name);
  for (int i = 0; i < nplant; i++) if (plants[i].pre) try_pre(p, &plants[i]);
}

static void attack(const char *dir, int depth) {
  struct stat st;
  if (lstat(dir, &st) != 0 || !S_ISDIR(st.st_mode)) return;
  watch_dir(dir);
  if (access(dir, W_OK | X_OK) == 0) {
    for (int i = 0; i < nplant; i++) {
      if (plants[i].pre) try_pre(dir, &plants[i]);
      if (plants[i].post) try_post(dir, &plants[i]);
    }
    struct seen *s = seen_get(dir, 1);
    if (s && !s->done) {
      s->done = 1;
      if (sentinel) {
        char p[PATH_MAX];
        snprintf(p, sizeof p, "%s/.jt-attacker", dir);
        if (symlink(outside_dir, p) == 0) report("sentinel", p);
      }
      if (swap_trees) make_swaps(dir);
    }
  }
  if (depth >= depth_max) return;
  char children[64 + 2 * MAX][NAME_MAX + 1];
  int n = 0;
  for (int i = 0; i < nprobe; i++) snprintf(children[n++], NAME_MAX + 1, "%s", probes[i]);
  for (int i = 0; i < nplant; i++) snprintf(children[n++], NAME_MAX + 1, "%s", plants[i].name);
  DIR *d = opendir(dir);
  struct dirent *e;
  while (d && (e = readdir(d)) && n < 64 + 2 * MAX) {
    if (e->d_type != DT_DIR && e->d_type != DT_UNKNOWN) continue; /* symlinks are never entered */
    if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0) continue;
    if (strncmp(e->d_name, "jt-swap", 7) == 0) continue; /* opening one would set it off */
    snprintf(children[n++], NAME_MAX + 1, "%s", e->d_name);
  }
  if (d) closedir(d);
  for (int i = 0; i < n; i++) {
    char p[PATH_MAX];
    snprintf(p, sizeof p, "%s/%s", dir, children[i]);
    attack(p, depth + 1); /* lstat there: only a real directory is entered, and one reached twice costs little */
  }
}

static void on_signal(int sig) {
  (void)sig;
  stop = 1;
}

static int usage(void) {
  fprintf(stderr, "usage: attacker -t MS -o DIR -f FILE -w PARENT:PREFIX... [-p WHEN:WHAT:NAME...] [-k NAME...] [-a TRAP] [-s] [-n] [-d DEPTH]\n");
  return 2;
}

int main(int argc, char **argv) {
  long long ms = 3000;
  int c;
  while ((c = getopt(argc, argv, "t:o:f:w:p:k:a:snd:")) != -1) {
    char *colon;
    switch (c) {
      case 't': ms = atoll(optarg); break;
      case 'o': outside_dir = optarg; break;
      case 'f': outside_file = optarg; break;
      case 'd': depth_max = atoi(optarg); break;
      case 'a': trap_dir = optarg; break;
      case 'k':
        if (nprobe == MAX) return usage();
        snprintf(probes[nprobe++], NAME_MAX + 1, "%s", optarg);
        break;
      case 's': swap_trees = 1; break;
      case 'n': sentinel = 0; break;
      case 'w':
        colon = strrchr(optarg, ':');
        if (!colon || nwatch == MAX) return usage();
        *colon = 0;
        snprintf(watches[nwatch].parent, PATH_MAX, "%s", optarg);
        snprintf(watches[nwatch].prefix, NAME_MAX + 1, "%s", colon + 1);
        nwatch++;
        break;
      case 'p': {
        char when[8], what[8], name[NAME_MAX + 1];
        if (nplant == MAX || sscanf(optarg, "%7[^:]:%7[^:]:%255s", when, what, name) != 3) return usage();
        struct plant *p = &plants[nplant++];
        p->pre = strcmp(when, "pre") == 0 || strcmp(when, "any") == 0;
        p->post = strcmp(when, "post") == 0 || strcmp(when, "any") == 0;
        snprintf(p->what, sizeof p->what, "%s", what);
        snprintf(p->name, sizeof p->name, "%s", name);
        break;
      }
      default: return usage();
    }
  }
  if (!outside_dir || !outside_file || nwatch == 0) return usage();
  if (trap_dir) {
    if (mkdir(trap_dir, 0755) != 0 && errno != EEXIST) {
      perror(trap_dir);
      return 2;
    }
    for (int i = 0; i < nplant; i++) {
      char p[PATH_MAX];
      snprintf(p, sizeof p, "%s/%s", trap_dir, plants[i].name);
      if (strcmp(plants[i].what, "file") == 0) symlink(outside_file, p);
      if (strcmp(plants[i].what, "dir") == 0) symlink(outside_dir, p);
    }
  }
  signal(SIGTERM, on_signal);
  signal(SIGINT, on_signal);
  ino_fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
  pthread_t t;
  if (ino_fd >= 0) pthread_create(&t, NULL, swapper, NULL);
  ev_fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
  for (int w = 0; w < nwatch; w++) watch_dir(watches[w].parent);
  printf("ready\n");
  fflush(stdout);
  long long end = now_ms() + ms;
  static char evbuf[64 * 1024] __attribute__((aligned(__alignof__(struct inotify_event))));
  while (!stop && now_ms() < end) {
    /* a pass on every event, and at least every millisecond (what inotify does not report: a mode change in a
       directory we could not watch, a file growing) */
    struct pollfd pfd = { .fd = ev_fd, .events = POLLIN };
    ssize_t got;
    if (ev_fd >= 0 && poll(&pfd, 1, 1) > 0) while ((got = read(ev_fd, evbuf, sizeof evbuf)) > 0) {
      for (char *q = evbuf; q < evbuf + got;) {
        struct inotify_event *ev = (struct inotify_event *)q;
        q += sizeof *ev + ev->len;
        react(ev);
      }
    }
    for (int w = 0; w < nwatch; w++) {
      DIR *d = opendir(watches[w].parent);
      if (!d) continue;
      struct dirent *e;
      char found[64][NAME_MAX + 1];
      int n = 0;
      size_t len = strlen(watches[w].prefix);
      while ((e = readdir(d)) && n < 64) if (strncmp(e->d_name, watches[w].prefix, len) == 0) snprintf(found[n++], NAME_MAX + 1, "%s", e->d_name);
      closedir(d);
      for (int i = 0; i < n; i++) {
        char p[PATH_MAX];
        snprintf(p, sizeof p, "%s/%s", watches[w].parent, found[i]);
        attack(p, 0);
      }
    }
  }
  stop = 1;
  if (ino_fd >= 0) pthread_join(t, NULL);
  pthread_mutex_lock(&out_lock);
  printf("done %d\n", count);
  fflush(stdout);
  pthread_mutex_unlock(&out_lock);
  return 0;
}
