// POSIX ACLs through libacl (Debian: libacl1-dev): acl_get_file and the entry accessors.
#include <sys/types.h>
#include <sys/acl.h>
#include <acl/libacl.h>
