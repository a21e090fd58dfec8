// SPDX-License-Identifier: MIT
#include "rapport/core/interrupt.hpp"

namespace rapport::detail {

constinit thread_local interrupt* current_interrupt = nullptr;

}  // namespace rapport::detail
