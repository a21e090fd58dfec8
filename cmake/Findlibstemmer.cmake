# Finds Snowball's libstemmer (Debian: libstemmer-dev). Defines libstemmer::libstemmer.
include(${CMAKE_CURRENT_LIST_DIR}/rapport_find_library.cmake)
rapport_find_library(libstemmer libstemmer.h stemmer)
