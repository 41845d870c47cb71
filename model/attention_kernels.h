// The fused attention's kernel in a CUPTI trace: cuDNN's flash kernel for bf16/fp16 tensors
// (cudnn_generated_fort_native_sdpa_sm90_flash_fprop_*), CUTLASS's memory-efficient one for
// fp32 (fmha_cutlassF_f32_*), or PyTorch's own flash kernel (pytorch_flash::flash_fwd_*). Its
// time is an observation of the attention alone (model/roofline.h TimeFlashAttention).
#pragma once

#include <nlohmann/json.hpp>
#include <string_view>

namespace vitperf {

bool IsFusedAttentionKernel(std::string_view name);

// [ms] The fused attention kernels' summed time in a breakdown's top_kernels list; 0 when the
// list is missing or does not name one.
double FusedAttentionKernelMs(const nlohmann::json& breakdown);

}  // namespace vitperf
