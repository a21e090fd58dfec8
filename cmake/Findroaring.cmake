# Finds CRoaring (Debian: libroaring-dev), which ships no CMake or pkg-config file here.
# Defines the imported target roaring::roaring.
find_path(roaring_INCLUDE_DIR NAMES roaring/roaring.h)
find_library(roaring_LIBRARY NAMES roaring)
include(FindPackageHandleStandardArgs)
find_package_handle_standard_args(roaring REQUIRED_VARS roaring_LIBRARY roaring_INCLUDE_DIR)
if(roaring_FOUND AND NOT TARGET roaring::roaring)
    add_library(roaring::roaring UNKNOWN IMPORTED)
    set_target_properties(roaring::roaring PROPERTIES
        IMPORTED_LOCATION "${roaring_LIBRARY}"
        INTERFACE_INCLUDE_DIRECTORIES "${roaring_INCLUDE_DIR}")
endif()
mark_as_advanced(roaring_INCLUDE_DIR roaring_LIBRARY)
