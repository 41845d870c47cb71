#include "predict/regime_map.h"

#include <stdexcept>

namespace vitperf {

std::vector<int> DefaultAxisValues(RegimeAxis axis) {
  switch (axis) {
    case RegimeAxis::batch:
      return {1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024};
    case RegimeAxis::depth:
      return {1, 2, 4, 6, 12, 18, 24, 32, 48};
    case RegimeAxis::width:
      return {128, 192, 384, 768, 1024, 1280, 1664, 2048};
    case RegimeAxis::resolution:
      return {64, 128, 256, 384, 512, 768, 1024, 1536, 2048};
    case RegimeAxis::patch:
      return {8, 16, 32};
  }
  return {};
}

const char* AxisUnit(RegimeAxis axis) {
  switch (axis) {
    case RegimeAxis::batch:
      return "images";
    case RegimeAxis::depth:
      return "blocks";
    case RegimeAxis::width:
      return "channels";
    case RegimeAxis::resolution:
    case RegimeAxis::patch:
      return "pixels";
  }
  return "";
}

char RegimeLetter(Regime r) {
  switch (r) {
    case Regime::compute:
      return 'C';
    case Regime::memory:
      return 'M';
    case Regime::transfer:
      return 'T';
    case Regime::overhead:
      return 'O';
    case Regime::preprocess:
      return 'P';
  }
  return '?';
}

void ApplyAxis(RegimeAxis axis, int value, ViTConfig* config, int* batch) {
  switch (axis) {
    case RegimeAxis::batch:
      *batch = value;
      break;
    case RegimeAxis::depth:
      config->depth = value;
      break;
    case RegimeAxis::width:
      config->dim = value;
      config->heads = value >= 64 ? value / 64 : 1;
      break;
    case RegimeAxis::resolution:
      config->image_height = config->image_width = value;
      break;
    case RegimeAxis::patch:
      config->patch = value;
      break;
  }
}

namespace {

struct PointEvaluator {
  const ViTConfig& base;
  int base_batch;
  const PipelineOptions& options;
  const HardwareProfile& profile;
  RegimeAxis x_axis, y_axis;

  RegimeCell At(int x, int y) const {
    ViTConfig config = base;
    int batch = base_batch;
    ApplyAxis(y_axis, y, &config, &batch);
    ApplyAxis(x_axis, x, &config, &batch);
    RegimeCell cell;
    cell.valid = batch >= 1 && config.IsValid(nullptr);
    if (!cell.valid) return cell;
    const Prediction p = Evaluate(config, batch, options, profile);
    cell.fits = p.fits;
    cell.regime = p.regime;
    cell.throughput_ips = p.throughput_ips;
    return cell;
  }

  // The finest step along x at which every point is a valid ViT for row y; 0 when the axis is
  // categorical (patch), where no value lies between two grid points meaningfully.
  int XStep(int y) const {
    switch (x_axis) {
      case RegimeAxis::batch:
      case RegimeAxis::depth:
        return 1;
      case RegimeAxis::width:
        return 64;
      case RegimeAxis::resolution: {
        ViTConfig config = base;
        int batch = base_batch;
        ApplyAxis(y_axis, y, &config, &batch);
        return config.patch;
      }
      case RegimeAxis::patch:
        return 0;
    }
    return 0;
  }
};

}  // namespace

RegimeMap ComputeRegimeMap(const ViTConfig& base, int base_batch, const PipelineOptions& options,
                           const HardwareProfile& profile, RegimeAxis x_axis,
                           const std::vector<int>& xs, RegimeAxis y_axis,
                           const std::vector<int>& ys) {
  if (x_axis == y_axis) throw std::invalid_argument("regimes: --x and --y must be different axes");
  for (const auto* values : {&xs, &ys}) {
    if (values->empty()) throw std::invalid_argument("regimes: an axis has no values");
    for (int v : *values)
      if (v < 1) throw std::invalid_argument("regimes: axis values must be positive integers");
  }
  RegimeMap m;
  m.x_axis = x_axis;
  m.y_axis = y_axis;
  m.xs = xs;
  m.ys = ys;
  const PointEvaluator eval{base, base_batch, options, profile, x_axis, y_axis};
  for (int y : ys) {
    std::vector<RegimeCell> row;
    for (int x : xs) row.push_back(eval.At(x, y));
    m.cells.push_back(row);
  }
  for (size_t yi = 0; yi < ys.size(); ++yi) {
    const int y = ys[yi];
    const int step = eval.XStep(y);
    for (size_t xi = 0; xi + 1 < xs.size(); ++xi) {
      const RegimeCell& a = m.cells[yi][xi];
      const RegimeCell& b = m.cells[yi][xi + 1];
      if (!a.valid || !b.valid || !a.fits || !b.fits || a.regime == b.regime) continue;
      RegimeBoundary boundary{y, xs[xi], xs[xi + 1], a.regime, b.regime};
      int lo = xs[xi], hi = xs[xi + 1];
      // Bisection between two grid points on the axis's own step: invariant regime(lo) == from,
      // regime(hi) != from. Stops at neighbours, so the boundary is exact on that step.
      if (step > 0 && lo < hi && lo % step == 0 && hi % step == 0) {
        while (hi - lo > step) {
          const int mid = lo + ((hi - lo) / step / 2) * step;
          const RegimeCell c = eval.At(mid, y);
          if (c.valid && c.fits && c.regime == a.regime)
            lo = mid;
          else
            hi = mid;
        }
        const RegimeCell after = eval.At(hi, y);
        boundary.x_before = lo;
        boundary.x_after = hi;
        if (after.valid && after.fits) boundary.to = after.regime;
      }
      m.boundaries.push_back(boundary);
    }
  }
  return m;
}

void to_json(nlohmann::json& j, const RegimeMap& m) {
  nlohmann::json rows = nlohmann::json::array();
  for (const auto& row : m.cells) {
    std::string letters;
    for (const RegimeCell& c : row) letters += c.Letter();
    rows.push_back(letters);
  }
  nlohmann::json cells = nlohmann::json::array();
  for (size_t yi = 0; yi < m.ys.size(); ++yi)
    for (size_t xi = 0; xi < m.xs.size(); ++xi) {
      const RegimeCell& c = m.cells[yi][xi];
      nlohmann::json cell{{"x", m.xs[xi]}, {"y", m.ys[yi]}, {"valid", c.valid}, {"fits", c.fits}};
      if (c.valid) {
        cell["regime"] = c.regime;
        cell["throughput_ips"] = c.throughput_ips;
      }
      cells.push_back(cell);
    }
  nlohmann::json boundaries = nlohmann::json::array();
  for (const auto& b : m.boundaries)
    boundaries.push_back({{"y", b.y},
                          {"x_before", b.x_before},
                          {"x_after", b.x_after},
                          {"from", b.from},
                          {"to", b.to}});
  j = nlohmann::json{
      {"x_axis", m.x_axis},
      {"y_axis", m.y_axis},
      {"xs", m.xs},
      {"ys", m.ys},
      {"rows", rows},
      {"cells", cells},
      {"boundaries", boundaries},
      {"legend",
       {{"C", "compute"},
        {"M", "memory"},
        {"T", "transfer"},
        {"O", "overhead"},
        {"P", "preprocess"},
        {std::string(1, kDoesNotFit), "does not fit in device memory"},
        {std::string(1, kInvalid), "not a valid ViT (patch does not divide resolution)"}}}};
}

}  // namespace vitperf
