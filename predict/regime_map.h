// The bounding regime over two axes (batch, depth, width, resolution, patch): which resource
// sets the pace at each point, and where along each row the regime changes, found by bisection
// on the model itself rather than read off a hand-set grid.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "model/evaluate.h"

namespace vitperf {

enum class RegimeAxis { batch, depth, width, resolution, patch };

template <>
struct EnumNames<RegimeAxis> {
  static constexpr const char* kField = "axis";
  static constexpr std::array<std::pair<RegimeAxis, const char*>, 5> kNames{{
      {RegimeAxis::batch, "batch"},
      {RegimeAxis::depth, "depth"},
      {RegimeAxis::width, "width"},
      {RegimeAxis::resolution, "resolution"},
      {RegimeAxis::patch, "patch"},
  }};
};
VITPERF_ENUM_JSON(RegimeAxis)

// Default values along an axis (the study grid, widened so boundaries fall inside).
std::vector<int> DefaultAxisValues(RegimeAxis axis);
// Unit for labels: "images", "blocks", "channels", "pixels".
const char* AxisUnit(RegimeAxis axis);

// One letter per regime: C compute, M memory, T transfer, O overhead, P preprocess.
char RegimeLetter(Regime r);
// Letters for cells without a regime.
inline constexpr char kDoesNotFit = 'x';  // exceeds device memory
inline constexpr char kInvalid = '-';     // not a valid ViT (patch does not divide resolution)

struct RegimeCell {
  bool valid = true;
  bool fits = true;
  Regime regime = Regime::compute;
  double throughput_ips = 0;
  char Letter() const { return !valid ? kInvalid : (!fits ? kDoesNotFit : RegimeLetter(regime)); }
};

// Where, between two neighbouring x values of one row, the regime changes.
struct RegimeBoundary {
  int y = 0;
  int x_before = 0;  // last x (on the axis's own step) with regime `from`
  int x_after = 0;   // first x with regime `to`
  Regime from = Regime::compute, to = Regime::compute;
};

struct RegimeMap {
  RegimeAxis x_axis = RegimeAxis::batch, y_axis = RegimeAxis::resolution;
  std::vector<int> xs, ys;
  std::vector<std::vector<RegimeCell>> cells;  // [y index][x index]
  std::vector<RegimeBoundary> boundaries;
};

// Sets one axis on a (config, batch) point. Width keeps 64-wide heads, as ViT presets do.
void ApplyAxis(RegimeAxis axis, int value, ViTConfig* config, int* batch);

// Throws std::invalid_argument when the axes are equal or a value list is empty/non-positive.
RegimeMap ComputeRegimeMap(const ViTConfig& base, int base_batch, const PipelineOptions& options,
                           const HardwareProfile& profile, RegimeAxis x_axis,
                           const std::vector<int>& xs, RegimeAxis y_axis,
                           const std::vector<int>& ys);

void to_json(nlohmann::json& j, const RegimeMap& m);

}  // namespace vitperf
