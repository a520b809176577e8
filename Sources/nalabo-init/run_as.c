/*
 * The `run` mode of nalabo-init: what `docker exec --user --workdir --env` does, for backends whose exec has
 * none of them (Kubernetes). Users and groups are read from the image's /etc/passwd and /etc/group directly:
 * a static program has no NSS, and a learner image's files are the only truth about its users.
 */
#include "run_as.h"

#include <errno.h>
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAX_GROUPS 64

struct account {
    long uid, gid;
    char name[256], home[1024];
    int known; /* found in /etc/passwd */
};

/* A whole decimal number, or -1. */
static long number(const char *text) {
    if (*text == '\0') return -1;
    char *end = NULL;
    long value = strtol(text, &end, 10);
    return (*end == '\0' && value >= 0) ? value : -1;
}

/* Field `index` (0-based) of a colon-separated line, copied into `out`. */
static int field(const char *line, int index, char *out, size_t size) {
    const char *start = line;
    for (int i = 0; i < index; i++) {
        start = strchr(start, ':');
        if (!start) return 0;
        start++;
    }
    size_t length = strcspn(start, ":\n");
    if (length >= size) return 0;
    memcpy(out, start, length);
    out[length] = '\0';
    return 1;
}

/* Finds a user in /etc/passwd by name or uid. */
static void find_user(const char *user, struct account *account) {
    FILE *file = fopen("/etc/passwd", "r");
    if (!file) return;
    long uid = number(user);
    char line[4096], name[256], id[32], gid[32], home[1024];
    while (fgets(line, sizeof line, file)) {
        if (!field(line, 0, name, sizeof name) || !field(line, 2, id, sizeof id) || !field(line, 3, gid, sizeof gid)
            || !field(line, 5, home, sizeof home)) continue;
        if ((uid >= 0 && number(id) == uid) || (uid < 0 && strcmp(name, user) == 0)) {
            account->uid = number(id);
            account->gid = number(gid);
            snprintf(account->name, sizeof account->name, "%s", name);
            snprintf(account->home, sizeof account->home, "%s", home);
            account->known = 1;
            break;
        }
    }
    fclose(file);
}

/* A group's id by name or number, or -1. */
static long find_group(const char *group) {
    long gid = number(group);
    if (gid >= 0) return gid;
    FILE *file = fopen("/etc/group", "r");
    if (!file) return -1;
    char line[65536], name[256], id[32];
    while (fgets(line, sizeof line, file)) {
        if (field(line, 0, name, sizeof name) && field(line, 2, id, sizeof id) && strcmp(name, group) == 0) {
            gid = number(id);
            break;
        }
    }
    fclose(file);
    return gid;
}

/* The supplementary groups whose member list names `user`, after `primary`. */
static int groups_of(const char *user, gid_t primary, gid_t *groups) {
    int count = 0;
    groups[count++] = primary;
    FILE *file = fopen("/etc/group", "r");
    if (!file || *user == '\0') {
        if (file) fclose(file);
        return count;
    }
    char line[65536], id[32], members[60000];
    while (fgets(line, sizeof line, file) && count < MAX_GROUPS) {
        if (!field(line, 2, id, sizeof id) || !field(line, 3, members, sizeof members)) continue;
        for (char *member = strtok(members, ","); member; member = strtok(NULL, ",")) {
            if (strcmp(member, user) == 0 && number(id) >= 0 && (gid_t)number(id) != primary) {
                groups[count++] = (gid_t)number(id);
                break;
            }
        }
    }
    fclose(file);
    return count;
}

static int switch_user(const char *spec) {
    char user[256];
    snprintf(user, sizeof user, "%s", spec);
    char *group = strchr(user, ':');
    if (group) *group++ = '\0';
    struct account account = {.uid = -1, .gid = -1};
    find_user(user, &account);
    if (!account.known) {
        account.uid = number(user);
        if (account.uid < 0) {
            fprintf(stderr, "nalabo-init: no user %s in /etc/passwd\n", user);
            return 126;
        }
        account.gid = account.uid;
        snprintf(account.home, sizeof account.home, "/");
    }
    if (group) {
        account.gid = find_group(group);
        if (account.gid < 0) {
            fprintf(stderr, "nalabo-init: no group %s in /etc/group\n", group);
            return 126;
        }
    }
    gid_t groups[MAX_GROUPS];
    int count = groups_of(account.known ? account.name : "", (gid_t)account.gid, groups);
    if (setgroups((size_t)count, groups) != 0 || setgid((gid_t)account.gid) != 0 || setuid((uid_t)account.uid) != 0) {
        /* Not root (a Pod that runs as its user): running as that same user is still fine. */
        if (!(getuid() == (uid_t)account.uid && getgid() == (gid_t)account.gid)) {
            fprintf(stderr, "nalabo-init: cannot switch to user %s: %s\n", spec, strerror(errno));
            return 126;
        }
    }
    setenv("HOME", account.home, 1);
    if (account.known) {
        setenv("USER", account.name, 1);
        setenv("LOGNAME", account.name, 1);
    }
    return 0;
}

int run_as(int argc, char **argv) {
    long count = argc >= 3 ? number(argv[2]) : -1;
    if (count < 0 || argc < 3 + count + 1) {
        fputs("usage: nalabo-init run USER DIR COUNT NAME=VALUE... COMMAND [ARG...]\n", stderr);
        return 2;
    }
    if (*argv[0] != '\0') {
        int status = switch_user(argv[0]);
        if (status != 0) return status;
    }
    if (*argv[1] != '\0' && chdir(argv[1]) != 0) {
        fprintf(stderr, "nalabo-init: cannot change to %s: %s\n", argv[1], strerror(errno));
        return 126;
    }
    for (long i = 0; i < count; i++) {
        if (putenv(argv[3 + i]) != 0) return 126;
    }
    char **command = argv + 3 + count;
    execvp(command[0], command);
    fprintf(stderr, "nalabo-init: cannot run %s: %s\n", command[0], strerror(errno));
    return errno == ENOENT ? 127 : 126;
}
