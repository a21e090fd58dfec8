// SPDX-License-Identifier: MIT
// RAPPORT_API marks the symbols that the compiled library exports; everything else is hidden.
#pragma once

#if defined(_WIN32)
#  if defined(RAPPORT_SHARED) && defined(RAPPORT_BUILDING)
#    define RAPPORT_API __declspec(dllexport)
#  elif defined(RAPPORT_SHARED)
#    define RAPPORT_API __declspec(dllimport)
#  else
#    define RAPPORT_API
#  endif
#else
#  define RAPPORT_API __attribute__((visibility("default")))
#endif
