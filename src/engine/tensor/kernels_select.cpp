// Until the SIMD tables are built, every target uses the scalar reference.
#include "engine/tensor/kernels.h"

namespace woolly::engine {

const Kernels& best_kernels() { return reference_kernels(); }
std::vector<const Kernels*> all_supported_kernels() { return {&reference_kernels()}; }

}  // namespace woolly::engine
