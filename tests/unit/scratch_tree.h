/* A scratch directory tree of a unit test, removed whole (entries first, symlinks not followed). */
#pragma once

void scratch_tree_remove(const char *path);
