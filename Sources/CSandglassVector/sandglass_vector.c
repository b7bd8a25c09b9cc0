// Header-only: see include/sandglass_vector.h.
