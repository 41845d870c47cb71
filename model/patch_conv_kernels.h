// The patch embedding's kernels in a CUPTI trace: cuDNN's convolution (whichever of its paths
// ran, model/conv_path.h) and the NCHW -> NHWC copies that its tensor-core paths make first.
// Their summed time is an observation of the conv alone, so the conv's coefficients are fitted
// on what the conv did rather than on its share of a whole forward pass.
#pragma once

#include <nlohmann/json.hpp>
#include <string_view>

namespace vitperf {

// implicit_convolve_sgemm, cutlass ... fprop, xmma_fprop (not the attention's flash "fprop").
bool IsPatchConvKernel(std::string_view name);
// cuDNN's nchwToNhwcKernel (the image's and the weight's copies).
bool IsConvLayoutKernel(std::string_view name);

// [ms] The conv and layout kernels' summed time in a breakdown's top_kernels list; 0 when the
// breakdown has no such list or the list does not name the conv kernel.
double PatchConvKernelMs(const nlohmann::json& breakdown);

}  // namespace vitperf
