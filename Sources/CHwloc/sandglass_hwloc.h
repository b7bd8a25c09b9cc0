// hwloc for Swift. hwloc renames its symbols with HWLOC_NAME() macros and defines many
// helpers as static inline; both import. hwloc_bitmap_foreach is a macro, so iterate with
// hwloc_bitmap_first/next instead.
#ifndef SANDGLASS_HWLOC_H
#define SANDGLASS_HWLOC_H

#include <hwloc.h>

#endif
