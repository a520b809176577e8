#include "CLibPQ.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

#define NALABO_LIBPQ_POINTER(type, name, parameters, arguments) static type (*pointer_##name) parameters;
NALABO_LIBPQ_FUNCTIONS(NALABO_LIBPQ_POINTER)

#define NALABO_LIBPQ_FORWARD(type, name, parameters, arguments) \
    type name parameters { return pointer_##name arguments; }
NALABO_LIBPQ_FUNCTIONS(NALABO_LIBPQ_FORWARD)

static pthread_once_t once = PTHREAD_ONCE_INIT;
static const char *problem;
static char problem_text[1024];

static void *open_libpq(void) {
    const char *chosen = getenv("NALABO_LIBPQ");
    if (chosen && *chosen) return dlopen(chosen, RTLD_NOW | RTLD_LOCAL);
#if defined(__APPLE__)
    static const char *const candidates[] = {
        "libpq.5.dylib", "/opt/homebrew/opt/libpq/lib/libpq.5.dylib", "/usr/local/opt/libpq/lib/libpq.5.dylib",
    };
#else
    static const char *const candidates[] = {"libpq.so.5"};
#endif
    void *handle = NULL;
    for (size_t index = 0; !handle && index < sizeof candidates / sizeof *candidates; index++) {
        handle = dlopen(candidates[index], RTLD_NOW | RTLD_LOCAL);
    }
    return handle;
}

static void load(void) {
    void *handle = open_libpq();
    if (!handle) {
        const char *reason = dlerror();
        snprintf(problem_text, sizeof problem_text, "%s", reason ? reason : "not found");
        problem = problem_text;
        return;
    }
#define NALABO_LIBPQ_LOOK_UP(type, name, parameters, arguments) \
    if (!problem && !(*(void **)&pointer_##name = dlsym(handle, #name))) { \
        snprintf(problem_text, sizeof problem_text, "it has no %s (libpq 14 or newer is needed)", #name); \
        problem = problem_text; \
    }
    NALABO_LIBPQ_FUNCTIONS(NALABO_LIBPQ_LOOK_UP)
}

const char *nalabo_libpq_load(void) {
    pthread_once(&once, load);
    return problem;
}
