/*
 * yaml_scan: the floor for the `nalabo validate` benchmark.
 *
 *     cc -O2 -o yaml_scan yaml_scan.c -lyaml
 *     yaml_scan PATH...        PATH is a file, or a directory searched for workshop.yaml / *.yaml / *.yml
 *
 * Reads each file into memory and drives libyaml's event parser (yaml_parser_parse) until
 * STREAM-END, deleting each event as it comes: no tree, no model, no validation. This is the
 * least work any libyaml-based validator has to do, so bytes/s here bound nalabo's bytes/s.
 * Prints "files=N bytes=N events=N" on stdout; exits 1 on a read or parse error.
 */
#define _XOPEN_SOURCE 700
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <yaml.h>

static unsigned long long total_files, total_bytes, total_events;
static unsigned char *buf;
static size_t buf_cap;
static int failed;

static int scan_file(const char *path) {
    FILE *f = fopen(path, "rb");
    if (!f) { perror(path); return -1; }
    size_t len = 0;
    for (;;) {
        if (len == buf_cap) {
            buf_cap = buf_cap ? buf_cap * 2 : 1 << 16;
            buf = realloc(buf, buf_cap);
            if (!buf) { fputs("out of memory\n", stderr); exit(2); }
        }
        size_t n = fread(buf + len, 1, buf_cap - len, f);
        if (n == 0) break;
        len += n;
    }
    if (ferror(f)) { perror(path); fclose(f); return -1; }
    fclose(f);

    yaml_parser_t parser;
    yaml_event_t event;
    if (!yaml_parser_initialize(&parser)) { fputs("yaml_parser_initialize failed\n", stderr); exit(2); }
    yaml_parser_set_input_string(&parser, buf, len);
    int rc = 0;
    for (;;) {
        if (!yaml_parser_parse(&parser, &event)) {
            fprintf(stderr, "%s:%lu:%lu: %s\n", path, (unsigned long)parser.problem_mark.line + 1,
                    (unsigned long)parser.problem_mark.column + 1,
                    parser.problem ? parser.problem : "parse error");
            rc = -1;
            break;
        }
        yaml_event_type_t type = event.type;
        yaml_event_delete(&event);
        total_events++;
        if (type == YAML_STREAM_END_EVENT) break;
    }
    yaml_parser_delete(&parser);
    total_files++;
    total_bytes += len;
    return rc;
}

static int wanted(const char *path) {
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    size_t n = strlen(base);
    return (n >= 5 && strcmp(base + n - 5, ".yaml") == 0) || (n >= 4 && strcmp(base + n - 4, ".yml") == 0);
}

static int visit(const char *path, const struct stat *st, int flag, struct FTW *ftw) {
    (void)st; (void)ftw;
    if (flag == FTW_F && wanted(path) && scan_file(path) != 0) failed = 1;
    return 0;
}

int main(int argc, char **argv) {
    if (argc < 2) { fputs("usage: yaml_scan PATH...\n", stderr); return 2; }
    for (int i = 1; i < argc; i++) {
        struct stat st;
        if (stat(argv[i], &st) != 0) { perror(argv[i]); failed = 1; continue; }
        if (S_ISDIR(st.st_mode)) {
            if (nftw(argv[i], visit, 32, FTW_PHYS) != 0) { perror(argv[i]); failed = 1; }
        } else if (scan_file(argv[i]) != 0) {
            failed = 1;
        }
    }
    free(buf);
    printf("files=%llu bytes=%llu events=%llu\n", total_files, total_bytes, total_events);
    return failed;
}
