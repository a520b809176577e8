/*
 * nalabo-init: PID 1 of a learner container.
 *
 *   nalabo-init EXPIRY      EXPIRY is a Unix time; the program exits then, and the container stops with it.
 *   nalabo-init run USER DIR COUNT NAME=VALUE... COMMAND [ARG...]
 *                           runs COMMAND as USER (name or uid, optionally :group; empty: unchanged) in DIR
 *                           (empty: unchanged) with COUNT variables added to the environment. Kubernetes' exec
 *                           has no user, directory or environment of its own, so its backend execs this.
 *
 * It reaps every orphan (as any init must, or zombies fill the PID limit) and exits at SIGTERM or SIGINT (the
 * engine's stop). As the init of the container's PID namespace, nothing inside the container can stop or kill
 * it: the kernel drops SIGSTOP and SIGKILL sent to it from inside, and every other signal it does not handle.
 * So a learner, root in the container, cannot keep a session past its expiry.
 *
 * Statically linked and without the Swift runtime, so it runs in any image of the host's architecture.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <string.h>
#include <time.h>

#include "run_as.h"

/* The Swift driver links its image-registration object into every executable; this program has no Swift. */
void swift_addNewDSOImage(const void *image) { (void)image; }
int _swift_backtrace_isThunkFunction(const char *name) { (void)name; return 0; }

/* A handler of its own makes the kernel deliver these to PID 1; they stay blocked and are taken by sigtimedwait. */
static void noted(int signal) { (void)signal; }

int main(int argc, char **argv) {
    if (argc >= 2 && strcmp(argv[1], "run") == 0) return run_as(argc - 2, argv + 2);
    char *end = NULL;
    long long expiry = argc == 2 ? strtoll(argv[1], &end, 10) : 0;
    if (argc != 2 || end == argv[1] || *end != '\0' || expiry <= 0) {
        fputs("usage: nalabo-init EXPIRY (a Unix time)\n", stderr);
        return 2;
    }
    sigset_t waited;
    sigemptyset(&waited);
    int signals[] = {SIGCHLD, SIGTERM, SIGINT, SIGHUP};
    for (size_t i = 0; i < sizeof signals / sizeof signals[0]; i++) {
        struct sigaction action = {0};
        action.sa_handler = noted;
        sigaction(signals[i], &action, NULL);
        sigaddset(&waited, signals[i]);
    }
    sigprocmask(SIG_BLOCK, &waited, NULL);
    for (;;) {
        while (waitpid(-1, NULL, WNOHANG) > 0) {}
        time_t now = time(NULL);
        if (now >= expiry) {
            fputs("nalabo-init: the session expired\n", stderr);
            return 0;
        }
        /* Wake at least once a minute, so a clock set forward is noticed in time. */
        long long left = expiry - now;
        struct timespec wait = {.tv_sec = left < 60 ? left : 60, .tv_nsec = 0};
        siginfo_t info;
        int signal = sigtimedwait(&waited, &info, &wait);
        if (signal == SIGTERM || signal == SIGINT || signal == SIGHUP) return 0;
        if (signal < 0 && errno != EAGAIN && errno != EINTR) {
            perror("nalabo-init: sigtimedwait");
            return 1;
        }
    }
}
