# rapport_find_library(NAME HEADER LIBRARY): finds a library that ships no CMake or pkg-config file
# (Debian's libstemmer-dev, libroaring-dev) and defines the imported target NAME::NAME.
# Called by the Find<NAME>.cmake modules beside this file.
include(FindPackageHandleStandardArgs)
function(rapport_find_library name header library)
    find_path(${name}_INCLUDE_DIR NAMES ${header})
    find_library(${name}_LIBRARY NAMES ${library})
    find_package_handle_standard_args(${name} REQUIRED_VARS ${name}_LIBRARY ${name}_INCLUDE_DIR)
    if(${name}_FOUND AND NOT TARGET ${name}::${name})
        add_library(${name}::${name} UNKNOWN IMPORTED)
        set_target_properties(${name}::${name} PROPERTIES
            IMPORTED_LOCATION "${${name}_LIBRARY}"
            INTERFACE_INCLUDE_DIRECTORIES "${${name}_INCLUDE_DIR}")
    endif()
    mark_as_advanced(${name}_INCLUDE_DIR ${name}_LIBRARY)
    set(${name}_FOUND ${${name}_FOUND} PARENT_SCOPE)
endfunction()
