#ifndef NALABO_RUN_AS_H
#define NALABO_RUN_AS_H

/* `nalabo-init run USER DIR COUNT NAME=VALUE... COMMAND [ARG...]`, given the arguments after `run`: switches to
 * USER (with its groups, home and login names), changes to DIR, adds the variables, and execs COMMAND from PATH.
 * Returns only on failure, with a status and a message on standard error (126: cannot switch or exec, 127: no
 * such command, 2: usage). */
int run_as(int argc, char **argv);

#endif
