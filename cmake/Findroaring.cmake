# Finds CRoaring (Debian: libroaring-dev). Defines roaring::roaring.
include(${CMAKE_CURRENT_LIST_DIR}/rapport_find_library.cmake)
rapport_find_library(roaring roaring/roaring.h roaring)
