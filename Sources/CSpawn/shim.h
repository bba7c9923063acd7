// glibc calls the extractor runner needs that Swift's Glibc module hides behind _GNU_SOURCE.
#ifndef SOTTO_CSPAWN_SHIM_H
#define SOTTO_CSPAWN_SHIM_H
#include <fcntl.h>
#include <spawn.h>
#include <unistd.h>

extern int pipe2(int pipefd[2], int flags);
extern int posix_spawn_file_actions_addclosefrom_np(posix_spawn_file_actions_t *actions, int from);

/// A pipe whose ends are closed on exec (the child gets only what is dup2'ed to 0, 1 and 2).
static inline int sotto_pipe_cloexec(int fds[2]) { return pipe2(fds, O_CLOEXEC); }
/// The child closes every descriptor from `from` up (glibc 2.34+).
static inline int sotto_spawn_close_from(posix_spawn_file_actions_t *actions, int from) {
    return posix_spawn_file_actions_addclosefrom_np(actions, from);
}
#endif
