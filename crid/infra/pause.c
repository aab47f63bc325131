/* crid-pause: a pod sandbox's infra process. It holds the pod's namespaces
 * open while containers come and go and, when the pod shares one pid
 * namespace, is its PID 1: it reaps the orphans re-parented to it.
 * Linked statically and free of stdio, so it runs from an empty rootfs and
 * costs a few pages per pod. */
#include <errno.h>
#include <signal.h>
#include <stddef.h>
#include <sys/wait.h>

static volatile sig_atomic_t stop_requested;

static void on_stop(int sig) {
  (void)sig;
  stop_requested = 1;
}

/* The work happens in the loop; the handler only has to exist, because a PID 1
 * ignores signals left at their default action. */
static void on_child(int sig) { (void)sig; }

int main(void) {
  sigset_t blocked, waiting;
  sigemptyset(&blocked);
  sigaddset(&blocked, SIGCHLD);
  sigaddset(&blocked, SIGTERM);
  sigaddset(&blocked, SIGINT);
  /* Blocked between checks and unblocked only inside sigsuspend: a signal
   * that arrives while we reap is not lost before we sleep. */
  sigprocmask(SIG_BLOCK, &blocked, &waiting);
  sigdelset(&waiting, SIGCHLD);
  sigdelset(&waiting, SIGTERM);
  sigdelset(&waiting, SIGINT);

  struct sigaction sa;
  sa.sa_flags = 0;
  sigemptyset(&sa.sa_mask);
  sa.sa_handler = on_stop;
  sigaction(SIGTERM, &sa, NULL);
  sigaction(SIGINT, &sa, NULL);
  sa.sa_handler = on_child;
  sa.sa_flags = SA_NOCLDSTOP;
  sigaction(SIGCHLD, &sa, NULL);

  while (!stop_requested) {
    sigsuspend(&waiting);
    while (waitpid(-1, NULL, WNOHANG) > 0) {
    }
  }
  return 0;
}
