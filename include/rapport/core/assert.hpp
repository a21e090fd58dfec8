// SPDX-License-Identifier: MIT
// RAPPORT_ASSERT checks programmer mistakes (broken preconditions) in debug and sanitizer
// builds and compiles to nothing in release builds (NDEBUG without RAPPORT_ENABLE_ASSERTS).
#pragma once

#if !defined(NDEBUG) || defined(RAPPORT_ENABLE_ASSERTS)
#  include <cassert>
#  define RAPPORT_ASSERT(cond) assert(cond)
#else
#  define RAPPORT_ASSERT(cond) ((void)0)
#endif
